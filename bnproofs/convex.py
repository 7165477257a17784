"""The convex program (8) of Theorem 2.2 and its dual (24), solved with cvxpy + Clarabel.

Program (8), for arrangements ``D_i`` (rows of the boolean array ``D``) and ``U' ∈ R^{n×k}``::

    min_{s_i, s_i'}  ½ ‖Σ_i D_i U' (s_i − s_i') − y‖² + β Σ_i (‖s_i‖₂ + ‖s_i'‖₂)
    s.t. (2D_i − I) U' s_i ≥ 0,  (2D_i − I) U' s_i' ≥ 0                                (8)

Dual (24), variables ``v ∈ R^n`` and ``ρ_i, ρ_i' ∈ R^n_+``::

    max_v  −½ ‖v − y‖² + ½ ‖y‖²
    s.t.  ‖U'ᵀ (D_i v + (2D_i − I) ρ_i)‖₂ ≤ β,  ‖U'ᵀ (−D_i v + (2D_i − I) ρ_i')‖₂ ≤ β     (24)

Both are solved as written (the dual is a separate cvxpy problem, not the primal's multipliers),
with the solver pinned to Clarabel. Neither answer is trusted: :mod:`bnproofs.certificates`
turns each into a verified bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cvxpy as cp
import numpy as np

SOLVER = cp.CLARABEL


@dataclass
class ConvexSolution:
    value: float  # the solver's objective
    S: np.ndarray  # P × k, the s_i
    Sp: np.ndarray  # P × k, the s_i'
    rho: np.ndarray  # P × n multipliers of the s_i cone constraints (≥ 0)
    rhop: np.ndarray  # P × n multipliers of the s_i' cone constraints
    status: str
    solve_s: float  # wall time including cvxpy's compilation
    solver_stats: dict

    def prediction(self, Uprime, D) -> np.ndarray:
        return predict(Uprime, D, self.S - self.Sp)


@dataclass
class DualSolution:
    value: float
    v: np.ndarray
    rho: np.ndarray
    rhop: np.ndarray
    status: str
    solve_s: float


def predict(Uprime: np.ndarray, D: np.ndarray, S: np.ndarray) -> np.ndarray:
    """``Σ_i D_i U' s_i`` for ``S`` of shape P × k."""
    return np.sum(D.T * (Uprime @ S.T), axis=1)


def _stats(prob: cp.Problem) -> dict:
    st = prob.solver_stats
    return {
        "solver": st.solver_name,
        "iterations": st.num_iters,
        "solve_time_s": st.solve_time,
    }


def solve_convex(Uprime, y, beta, D, verbose: bool = False) -> ConvexSolution:
    """Solve (8) for the arrangements ``D`` (P × n booleans) with Clarabel."""
    Uprime = np.asarray(Uprime, dtype=float)
    D = np.asarray(D, dtype=bool)
    P, k = D.shape[0], Uprime.shape[1]
    Df = D.astype(float)
    sign = 2 * Df - 1  # P × n
    S = cp.Variable((P, k))
    Sp = cp.Variable((P, k))
    US, USp = Uprime @ S.T, Uprime @ Sp.T  # n × P
    pred = cp.sum(cp.multiply(Df.T, US - USp), axis=1)
    cons = [cp.multiply(sign.T, US) >= 0, cp.multiply(sign.T, USp) >= 0]
    obj = 0.5 * cp.sum_squares(pred - y) + beta * (
        cp.sum(cp.norm(S, 2, axis=1)) + cp.sum(cp.norm(Sp, 2, axis=1))
    )
    prob = cp.Problem(cp.Minimize(obj), cons)
    t0 = time.perf_counter()
    prob.solve(solver=SOLVER, verbose=verbose)
    dt = time.perf_counter() - t0
    ok = S.value is not None
    rho = cons[0].dual_value.T if ok and cons[0].dual_value is not None else np.zeros((P, len(y)))
    rhop = cons[1].dual_value.T if ok and cons[1].dual_value is not None else np.zeros((P, len(y)))
    return ConvexSolution(
        value=float(prob.value) if prob.value is not None else float("nan"),
        S=S.value if ok else np.zeros((P, k)),
        Sp=Sp.value if ok else np.zeros((P, k)),
        rho=np.asarray(rho),
        rhop=np.asarray(rhop),
        status=prob.status,
        solve_s=dt,
        solver_stats=_stats(prob),
    )


def solve_dual(Uprime, y, beta, D, verbose: bool = False) -> DualSolution:
    """Solve the dual (24) directly with Clarabel."""
    Uprime = np.asarray(Uprime, dtype=float)
    D = np.asarray(D, dtype=bool)
    P, n = D.shape
    Df = D.astype(float)
    sign = 2 * Df - 1
    v = cp.Variable(n)
    R = cp.Variable((P, n), nonneg=True)
    Rp = cp.Variable((P, n), nonneg=True)
    Vrow = cp.reshape(v, (1, n), order="C")
    A = cp.multiply(Df, np.ones((P, 1)) @ Vrow)  # row i: D_i v
    cons = [
        cp.norm((A + cp.multiply(sign, R)) @ Uprime, 2, axis=1) <= beta,
        cp.norm((-A + cp.multiply(sign, Rp)) @ Uprime, 2, axis=1) <= beta,
    ]
    obj = -0.5 * cp.sum_squares(v - y) + 0.5 * float(y @ y)
    prob = cp.Problem(cp.Maximize(obj), cons)
    t0 = time.perf_counter()
    prob.solve(solver=SOLVER, verbose=verbose)
    dt = time.perf_counter() - t0
    ok = v.value is not None
    return DualSolution(
        value=float(prob.value) if prob.value is not None else float("nan"),
        v=v.value if ok else np.zeros(n),
        rho=R.value if ok else np.zeros((P, n)),
        rhop=Rp.value if ok else np.zeros((P, n)),
        status=prob.status,
        solve_s=dt,
    )


def convex_objective(Uprime, y, beta, D, S, Sp) -> float:
    """Objective of (8) at (S, Sp), recomputed (not the solver's number)."""
    r = predict(Uprime, D, S - Sp) - y
    return 0.5 * float(r @ r) + beta * float(
        np.linalg.norm(S, axis=1).sum() + np.linalg.norm(Sp, axis=1).sum()
    )


def cone_violation(Uprime, D, S, Sp) -> float:
    """Largest violation of the cone constraints of (8) at (S, Sp)."""
    sign = 2 * D.astype(float) - 1
    a = sign.T * (Uprime @ S.T)
    b = sign.T * (Uprime @ Sp.T)
    return float(max(0.0, -a.min(initial=0.0), -b.min(initial=0.0)))
