"""The convex programs of [E] as one family, solved with cvxpy + Clarabel; (8) and its dual (24).

Programs (8) (Theorem 2.2), (15) (Theorem 3.1, CNN) and (46) (Theorem G.1, BN after ReLU) are all
the group lasso with cone constraints, for per-arrangement matrices ``A_i ∈ R^{n×k}`` (the
prediction map) and ``G_i ∈ R^{m×k}`` (the cone)::

    min_{s_i, s_i'}  ½ ‖Σ_i A_i (s_i − s_i') − y‖² + β Σ_i (‖s_i‖₂ + ‖s_i'‖₂)
    s.t. G_i s_i ≥ 0,  G_i s_i' ≥ 0                                               (P)

with dual, variables ``v ∈ R^n`` and ``ρ_i, ρ_i' ∈ R^m_+``::

    max_v  −½ ‖v − y‖² + ½ ‖y‖²
    s.t.  ‖A_iᵀ v + G_iᵀ ρ_i‖₂ ≤ β,  ‖−A_iᵀ v + G_iᵀ ρ_i'‖₂ ≤ β                         (D)

:class:`ConeProgram` holds ``(A, G, y, β)`` densely (arrays P × n × k and P × m × k; ragged k is
padded with zero columns, which the norm penalty keeps at zero). For (8), with arrangements
``D_i`` (rows of the boolean array ``D``) and ``U' ∈ R^{n×k}``: ``A_i = D_i U'`` and
``G_i = (2D_i − I) U'`` (:func:`program_8`), and (D) is the dual (24)::

    s.t.  ‖U'ᵀ (D_i v + (2D_i − I) ρ_i)‖₂ ≤ β,  ‖U'ᵀ (−D_i v + (2D_i − I) ρ_i')‖₂ ≤ β     (24)

**Other convex losses** (Appendix B.1): ``ConeProgram.loss`` (default ``"squared"``) replaces
``½‖f − y‖²`` by ``L(f, y)`` in (P) and the dual objective by ``−L*(−v)`` plus the domain of
``L*`` (see :mod:`bnproofs.programs.losses`); the constraints of (D) are unchanged.

Both (P) and (D) are solved as written (the dual is a separate cvxpy problem, not the primal's
multipliers), with the solver pinned to Clarabel. Neither answer is trusted:
:mod:`bnproofs.certify.certificates` turns each into a verified bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from bnproofs.data import InputError
from bnproofs.programs import losses

SOLVER = cp.CLARABEL


@dataclass
class ConvexSolution:
    value: float  # the solver's objective
    S: np.ndarray  # P × k, the s_i
    Sp: np.ndarray  # P × k, the s_i'
    rho: np.ndarray  # P × m multipliers of the s_i cone constraints (≥ 0)
    rhop: np.ndarray  # P × m multipliers of the s_i' cone constraints
    status: str
    solve_s: float  # wall time including cvxpy's compilation
    solver_stats: dict
    # the dual point that goes with (rho, rhop), where the solver has its own (the torch solver:
    # for the hinge loss, whose −∇L is a set at the kinks, the subgradient of the prediction is
    # not it); None: v = −∇L(prediction)
    v: np.ndarray | None = None

    def prediction(self, prog: ConeProgram) -> np.ndarray:
        return prog.predict(self.S - self.Sp)


@dataclass
class DualSolution:
    value: float
    v: np.ndarray
    rho: np.ndarray
    rhop: np.ndarray
    status: str
    solve_s: float


@dataclass
class Shared:
    """A factorisation shared by all arrangements: ``A_i = R diag(D_i) M`` and
    ``G_i = diag(2D_i − 1) M`` for ``M`` (N × k), the arrangements ``D`` (P × N booleans) and a
    readout ``R`` (n × N; ``None``: the identity, N = n). (8) has ``M = U'``; (15) has
    ``M = U'_M`` over the nK patch rows and ``R`` summing the K patches of each sample. Solvers
    may use it instead of the dense arrays (:mod:`bnproofs.solvers.torch_solver` does: every product
    becomes one matrix product with ``M`` and a mask, and ``λ_max(G_iᵀG_i) = ‖M‖₂²``)."""

    M: np.ndarray
    D: np.ndarray
    R: np.ndarray | None = None


@dataclass
class ConeProgram:
    """Program (P) / dual (D) data: ``A`` (P × n × k), ``G`` (P × m × k), labels ``y``, ``β``,
    the loss (``squared`` unless given; see :mod:`bnproofs.programs.losses`) and, optionally, the
    :class:`Shared` factorisation that produced ``A`` and ``G`` (checked against them)."""

    A: np.ndarray
    G: np.ndarray
    y: np.ndarray
    beta: float
    loss: str = "squared"
    shared: Shared | None = None

    def __post_init__(self):
        self.A = np.asarray(self.A, dtype=float)
        self.G = np.asarray(self.G, dtype=float)
        self.y = np.asarray(self.y, dtype=float)
        if self.A.ndim != 3 or self.G.ndim != 3 or self.A.shape[::2] != self.G.shape[::2]:
            raise ValueError(f"A {self.A.shape} and G {self.G.shape} must be P × n × k, P × m × k")
        if self.A.shape[1] != self.y.shape[0]:
            raise ValueError(f"A {self.A.shape} does not fit y of length {self.y.shape[0]}")
        if not (np.isfinite(self.A).all() and np.isfinite(self.G).all()
                and np.isfinite(self.y).all()):
            raise ValueError("A, G and y must be finite (no NaN or inf)")
        if not (np.isfinite(self.beta) and self.beta > 0):
            raise ValueError(f"beta must be a finite number > 0, got {self.beta}")
        losses.check_loss(self.loss, self.y)
        if self.shared is not None:
            sh = self.shared
            Df = np.asarray(sh.D, dtype=bool).astype(float)
            DM = Df[:, :, None] * sh.M
            A = DM if sh.R is None else np.einsum("nN,pNk->pnk", sh.R, DM)
            if (A.shape != self.A.shape or not np.allclose(A, self.A, rtol=0, atol=1e-12)
                    or not np.allclose((2 * Df - 1)[:, :, None] * sh.M, self.G, rtol=0,
                                       atol=1e-12)):
                raise ValueError("the shared factorisation does not reproduce A and G")

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """``(P, n, m, k)``."""
        P, n, k = self.A.shape
        return P, n, self.G.shape[1], k

    @property
    def entries(self) -> int:
        """Cone-constraint entries ``2 P m k``: the size measure of the solver choices
        (:func:`auto_solver`, :func:`bnproofs.solvers.torch_solver.cpu_chunk`)."""
        P, _, m, k = self.shape
        return 2 * P * m * k

    def predict(self, S: np.ndarray) -> np.ndarray:
        """``Σ_i A_i s_i`` for ``S`` of shape P × k."""
        return np.einsum("pnk,pk->n", self.A, S)

    def objective(self, S: np.ndarray, Sp: np.ndarray) -> float:
        """Objective of (P) at ``(S, Sp)``, recomputed (not a solver's number)."""
        fit = losses.value(self.loss, self.predict(S - Sp), self.y)
        return fit + self.beta * float(
            np.linalg.norm(S, axis=1).sum() + np.linalg.norm(Sp, axis=1).sum()
        )

    def violation(self, S: np.ndarray, Sp: np.ndarray) -> float:
        """Largest violation of the cone constraints ``G_i s_i ≥ 0``, ``G_i s_i' ≥ 0``."""
        a = np.einsum("pmk,pk->pm", self.G, S)
        b = np.einsum("pmk,pk->pm", self.G, Sp)
        return float(max(0.0, -a.min(initial=0.0), -b.min(initial=0.0)))

    def constraint_norms(self, v, rho, rhop) -> np.ndarray:
        """``‖A_iᵀ v + G_iᵀ ρ_i‖`` and ``‖−A_iᵀ v + G_iᵀ ρ_i'‖`` of (D), shape (2, P); negative
        entries of ``ρ`` are clipped to 0 first (so any input gives a valid bound)."""
        Av = np.einsum("pnk,n->pk", self.A, np.asarray(v, dtype=float))
        Gr = np.einsum("pmk,pm->pk", self.G, np.maximum(np.asarray(rho, dtype=float), 0.0))
        Grp = np.einsum("pmk,pm->pk", self.G, np.maximum(np.asarray(rhop, dtype=float), 0.0))
        return np.stack([np.linalg.norm(Av + Gr, axis=1), np.linalg.norm(-Av + Grp, axis=1)])


def program_8(Uprime, D, y, beta, loss: str = "squared") -> ConeProgram:
    """(8): ``A_i = D_i U'``, ``G_i = (2D_i − I) U'`` for the arrangements ``D`` (P × n booleans)."""
    Uprime = np.asarray(Uprime, dtype=float)
    Db = np.asarray(D, dtype=bool)
    if Uprime.ndim != 2 or Db.ndim != 2 or Db.shape[1] != Uprime.shape[0]:
        raise ValueError(f"arrangements {Db.shape} do not fit U' {Uprime.shape} (P × n and n × k)")
    Df = Db.astype(float)
    return ConeProgram(Df[:, :, None] * Uprime, (2 * Df - 1)[:, :, None] * Uprime, y, beta, loss,
                       Shared(Uprime, Db))


def _flat(prog: ConeProgram):
    """``Σ_i A_i s_i = A_flat vec(S)`` and ``[G_i s_i]_i = G_blk vec(S)`` (row-major vec)."""
    P, n, m, k = prog.shape
    A_flat = prog.A.transpose(1, 0, 2).reshape(n, P * k)
    G_blk = sp.block_diag(list(prog.G), format="csr") if P else sp.csr_matrix((0, 0))
    return A_flat, G_blk


def _stats(prob: cp.Problem) -> dict:
    st = prob.solver_stats
    return {
        "solver": st.solver_name,
        "iterations": st.num_iters,
        "solve_time_s": st.solve_time,
    }


def solve_program(prog: ConeProgram, verbose: bool = False) -> ConvexSolution:
    """Solve (P) with Clarabel; wall time includes cvxpy's compilation."""
    P, n, m, k = prog.shape
    A_flat, G_blk = _flat(prog)
    S = cp.Variable((P, k))
    Sp = cp.Variable((P, k))
    s, sp_ = cp.vec(S, order="C"), cp.vec(Sp, order="C")
    cons = [G_blk @ s >= 0, G_blk @ sp_ >= 0]
    obj = losses.cvxpy_primal(prog.loss, A_flat @ (s - sp_), prog.y) + prog.beta * (
        cp.sum(cp.norm(S, 2, axis=1)) + cp.sum(cp.norm(Sp, 2, axis=1))
    )
    prob = cp.Problem(cp.Minimize(obj), cons)
    t0 = time.perf_counter()
    prob.solve(solver=SOLVER, verbose=verbose)
    dt = time.perf_counter() - t0
    ok = S.value is not None

    def multipliers(c):
        if not ok or c.dual_value is None:
            return np.zeros((P, m))
        return np.asarray(c.dual_value).reshape(P, m)

    return ConvexSolution(
        value=float(prob.value) if prob.value is not None else float("nan"),
        S=S.value if ok else np.zeros((P, k)),
        Sp=Sp.value if ok else np.zeros((P, k)),
        rho=multipliers(cons[0]),
        rhop=multipliers(cons[1]),
        status=prob.status,
        solve_s=dt,
        solver_stats=_stats(prob),
    )


SOLVERS = ("auto", "clarabel", "torch")

#: ``solver="auto"`` takes the torch solver from this many cone-constraint entries ``2 P m k`` on
#: (measured, one CPU thread: (8) with n = 50, k = 4 is a tie with Clarabel at P = 200, 80 000
#: entries, and 2.5–4× faster at P = 1000; T3.1's largest (15), 90 000 entries, takes Clarabel
#: 0.25 s; S5.2's (8) on digits, 262 000 entries, 2 s, where the torch solver is faster)
AUTO_ENTRIES = 150_000


def auto_solver(prog: ConeProgram) -> str:
    """What ``solver="auto"`` picks for ``prog``: ``"torch"`` for programs with at least
    :data:`AUTO_ENTRIES` cone-constraint entries whose loss the torch solver takes (and torch
    installed), else ``"clarabel"``."""
    import importlib.util

    from bnproofs.solvers.torch_solver import LOSSES

    big = prog.entries >= AUTO_ENTRIES
    ok = prog.loss in LOSSES and importlib.util.find_spec("torch") is not None
    return "torch" if big and ok else "clarabel"


def solver_used(cs: ConvexSolution) -> str:
    """``"torch"`` where :func:`solve` kept the torch solver's answer, else ``"clarabel"`` (asked
    for, or the fallback)."""
    return "torch" if cs.solver_stats.get("solver") == "torch" else "clarabel"


def solve(prog: ConeProgram, solver: str = "clarabel", device: str = "cpu",
          tol: float = 1e-6, fallback: bool = True) -> ConvexSolution:
    """Solve (P) with the chosen solver: ``"clarabel"`` (:func:`solve_program`), ``"torch"``
    (:func:`bnproofs.solvers.torch_solver.solve_torch` on ``device``, stopped at the certified relative
    gap ``tol``) or ``"auto"`` (the one :func:`auto_solver` picks for the program's size). The torch answer is a feasible point with multipliers whose
    :func:`~bnproofs.certify.certificates.dual_certificate` is within ``tol`` of its objective; its
    status is ``"optimal"`` only when that certified gap was reached (``"inaccurate"``
    otherwise), and ``solver_stats`` carries ``lower`` and ``gap``. With ``fallback`` (default), an
    uncertified torch answer is replaced by Clarabel's, whose ``solver_stats["fallback_from"]``
    keeps the torch attempt's figures."""
    if solver == "auto":
        solver = auto_solver(prog)
    if solver == "clarabel":
        return solve_program(prog)
    if solver != "torch":
        raise ValueError(f"unknown solver {solver!r}; choose one of {SOLVERS}")
    from bnproofs.solvers.torch_solver import LOSSES, solve_torch

    if prog.loss not in LOSSES:  # (a loss of bnproofs.programs.losses that the torch solver lacks)
        if not fallback:
            raise InputError(f"the torch solver takes the losses {LOSSES}, not {prog.loss!r}")
        return _clarabel_instead(prog, {"solver": "torch", "reason":
                                        f"the {prog.loss} loss is not taken by the torch solver"})
    s = solve_torch(prog, tol=tol, device=device)
    stats = {"solver": "torch", "device": device, "iterations": s.iterations, "rounds": s.rounds,
             "working_set": s.working_set, "lower": s.lower, "gap": s.gap,
             "violation": s.violation, "torch_status": s.status}
    if s.status != "certified" and fallback:
        # e.g. a cone with an empty interior that the optimum needs (the barrier keeps such a
        # group at 0): Clarabel's answer instead, with the torch attempt recorded
        return _clarabel_instead(prog, stats)
    return ConvexSolution(
        value=s.upper, S=s.S, Sp=s.Sp, rho=s.rho, rhop=s.rhop,
        status="optimal" if s.status == "certified" else "inaccurate",
        solve_s=s.solve_s, solver_stats=stats, v=s.v,
    )


def _clarabel_instead(prog: ConeProgram, torch_stats: dict) -> ConvexSolution:
    """Clarabel's answer, with why the torch solver's is not used in ``fallback_from``."""
    cs = solve_program(prog)
    cs.solver_stats = {**cs.solver_stats, "fallback_from": torch_stats}
    return cs


def solve_program_dual(prog: ConeProgram, verbose: bool = False) -> DualSolution:
    """Solve the dual (D) directly with Clarabel."""
    P, n, m, k = prog.shape
    A_flat, G_blk = _flat(prog)
    v = cp.Variable(n)
    R = cp.Variable((P, m), nonneg=True)
    Rp = cp.Variable((P, m), nonneg=True)
    Av = cp.reshape(A_flat.T @ v, (P, k), order="C")
    GR = cp.reshape(G_blk.T @ cp.vec(R, order="C"), (P, k), order="C")
    GRp = cp.reshape(G_blk.T @ cp.vec(Rp, order="C"), (P, k), order="C")
    cons = [cp.norm(Av + GR, 2, axis=1) <= prog.beta, cp.norm(-Av + GRp, 2, axis=1) <= prog.beta]
    obj, dom = losses.cvxpy_dual(prog.loss, v, prog.y)
    prob = cp.Problem(cp.Maximize(obj), cons + dom)
    t0 = time.perf_counter()
    prob.solve(solver=SOLVER, verbose=verbose)
    dt = time.perf_counter() - t0
    ok = v.value is not None
    return DualSolution(
        value=float(prob.value) if prob.value is not None else float("nan"),
        v=v.value if ok else np.zeros(n),
        rho=R.value if ok else np.zeros((P, m)),
        rhop=Rp.value if ok else np.zeros((P, m)),
        status=prob.status,
        solve_s=dt,
    )
