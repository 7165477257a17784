"""Program (P) and its dual (D) of :mod:`bnproofs.programs.cone` solved with cvxpy + Clarabel.

Both are solved as written: the dual is a separate cvxpy problem (:func:`solve_program_dual`), not
the primal's multipliers, with the solver pinned to Clarabel (interior point, its 1e-8 defaults).
The wall times include cvxpy's compilation. Neither answer is trusted by itself:
:mod:`bnproofs.certify.audit` turns each into a verified bound.
"""

from __future__ import annotations

import time

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from bnproofs.data import InputError
from bnproofs.programs.cone import ConeProgram, ConvexSolution, DualSolution

SOLVER = cp.CLARABEL


def loss_expression(name: str, f, y):
    """``L(f, y)`` (:mod:`bnproofs.programs.losses`) as a cvxpy expression of the affine
    expression ``f``."""
    if name == "squared":
        return 0.5 * cp.sum_squares(f - y)
    if name == "logistic":
        return cp.sum(cp.logistic(cp.multiply(-y, f)))
    if name == "hinge":
        return cp.sum(cp.pos(1 - cp.multiply(y, f)))
    raise InputError(f"unknown loss {name!r}")


def dual_expression(name: str, v, y):
    """``(−L*(−v), [domain constraints])`` as cvxpy objects."""
    if name == "squared":
        return -0.5 * cp.sum_squares(v - y) + 0.5 * float(y @ y), []
    p = cp.multiply(y, v)
    dom = [p >= 0, p <= 1]
    if name == "logistic":
        return cp.sum(cp.entr(p) + cp.entr(1 - p)), dom
    if name == "hinge":
        return cp.sum(p), dom
    raise InputError(f"unknown loss {name!r}")


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
    obj = loss_expression(prog.loss, A_flat @ (s - sp_), prog.y) + prog.beta * (
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
    obj, dom = dual_expression(prog.loss, v, prog.y)
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
