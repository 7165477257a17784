"""Certified optimum of the two-layer problem (6) from the convex program (8) and its dual (24).

One entry point, :func:`certified_optimum`, used by every claim that needs ``p_2*``:

1. solve (8) (``solver="clarabel"``, ``"torch"`` or ``"auto"``, :func:`bnproofs.solvers.solve`); its
   multipliers give a dual point ``(v = y − Σ D_i U' s_i, ρ)`` (``v = −∇L(f)`` for another loss,
   :mod:`bnproofs.programs.losses`; the torch solver returns its own ``v``);
2. with Clarabel, also solve (24) as a separate problem; its ``(v, ρ)`` is a second dual point
   (the torch solver stops on a certified gap of its own dual point, so it needs none);
3. prune the solution of (8) to at most n + 1 active groups (Carathéodory, objective unchanged),
   rebuild a network from it (Appendix C.3) and evaluate it in (6): upper bound; the same after
   re-solving on the arrangements the pruned solution uses (:func:`polish`), keeping the better;
4. audit the answer once (:func:`bnproofs.certify.audit.audit`): both dual points made feasible
   and verified (the better one is the lower bound), the cone constraints at the solver's point,
   the certified gap against the network's objective, and the bracket's ends not crossed.

The bracket ``[lower, upper]`` contains ``p_2*`` provided the arrangement list is complete
(which the caller establishes); the solvers' own objective values are reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bnproofs.certify.audit import Audit, audit
from bnproofs.certify.certificates import DualCertificate
from bnproofs.certify.rebuild import ACTIVE, caratheodory_prune, rebuild_network
from bnproofs.data import InputError, Whitened, check_data
from bnproofs.nets.network import Net, objective_l1
from bnproofs.programs import losses
from bnproofs.programs.cone import ConeProgram, ConvexSolution, DualSolution, program_8
from bnproofs.solvers import SOLVERS, solve, solve_dual, solver_used
from bnproofs.solvers.clarabel import solve_program

TORCH_TOL = 1e-8


@dataclass
class CertifiedOptimum:
    lower: float  # verified dual-feasible value
    upper: float  # objective (6) of the rebuilt network
    convex: float  # the solver's value of (8)
    convex_recomputed: float  # (8) recomputed at the solver's point
    dual: float  # Clarabel's value of (24); for the torch solver its certified lower bound
    cone_violation: float
    certificate: DualCertificate
    rebuilt: Net
    neurons: int  # width of the rebuilt (pruned) network
    active_groups_solver: int  # nonzero s_i, s_i' in Clarabel's (interior, non-sparse) solution
    statuses: tuple[str, str]
    solve_s: float
    S: np.ndarray
    Sp: np.ndarray
    solver_used: str = "clarabel"  # "torch", or "clarabel" (asked for, or the torch fallback)
    audit: Audit | None = None  # the named checks of the bracket (bnproofs.certify.audit)

    def values(self) -> dict:
        """The figures every claim built on this bracket records (its ``Trial.values``)."""
        return {"convex": self.convex, "dual": self.dual, "lower": self.lower,
                "rebuilt_network": self.upper, "cone_violation": self.cone_violation,
                "neurons_rebuilt": self.neurons, "solve_s": self.solve_s,
                "solver_used": self.solver_used}

    @property
    def width(self) -> float:
        return self.upper - self.lower

    @property
    def solvers_optimal(self) -> bool:
        return all(s == "optimal" for s in self.statuses)


def certified_optimum(X, y, beta, W: Whitened, D: np.ndarray, loss: str = "squared",
                      solver: str = "clarabel", device: str = "cpu") -> CertifiedOptimum:
    """Bracket for ``p_2*`` of (6) with arrangements ``D`` (P × n booleans) of ``W.Uprime``;
    ``loss`` other than squared: (6) and (8) with that loss, dual ``−L*(−v)`` (B.1);
    ``solver`` solves (8) (``device`` is used by the torch solver)."""
    X, y, beta = check_data(X, y, beta)
    U = W.Uprime
    if D.ndim != 2 or D.shape[1] != X.shape[0] or U.shape[0] != X.shape[0]:
        raise InputError(f"arrangements {D.shape} and U' {U.shape} do not fit n = {X.shape[0]}")
    return certify_program(program_8(U, D, y, beta, loss), W, X, solver=solver, device=device)


def polish(prog: ConeProgram, S, Sp) -> tuple[np.ndarray, np.ndarray] | None:
    """Re-solve ``prog`` on the arrangements a pruned solution uses (≤ n + 1 of them) and prune
    again; ``None`` if that solve is not optimal.

    The interior-point solution spreads tiny groups over many arrangements; pruning drops those
    below :data:`~bnproofs.certify.rebuild.ACTIVE`, which costs up to ~1e-7 of objective where the loss
    has a kink (hinge). On the few arrangements left, the solver's answer is sparse by
    construction, so the rebuilt network is closer to the optimum. Used only if the network it
    gives is better in the original model."""
    used = np.flatnonzero((np.linalg.norm(S, axis=1) > 0) | (np.linalg.norm(Sp, axis=1) > 0))
    if used.size == 0:
        return None
    sub = ConeProgram(prog.A[used], prog.G[used], prog.y, prog.beta, prog.loss)
    sol = solve_program(sub)
    if sol.status != "optimal":
        return None
    S2, Sp2 = caratheodory_prune(sub, sol.S, sol.Sp)
    full, fullp = np.zeros_like(S), np.zeros_like(Sp)
    full[used], fullp[used] = S2, Sp2
    return full, fullp


@dataclass
class Solved:
    """A solver's answer to (P) and the dual points that certify it (step 1–2 above)."""

    solution: ConvexSolution
    dual_points: list[tuple]  # (v, ρ, ρ'): the answer's own, then Clarabel's solved dual's
    dual: DualSolution | None  # Clarabel's separately solved (D); None for the torch solver

    def dual_figures(self, audited: Audit) -> tuple[float, str, float]:
        """``(dual value, its status, its solve time)``: Clarabel's separately solved dual, or
        for the torch solver the audited lower bound of its own dual point."""
        if self.dual is None:
            return audited.lower, self.solution.status, 0.0
        return self.dual.value, self.dual.status, self.dual.solve_s


def solve_for_audit(prog: ConeProgram, solver: str = "clarabel", device: str = "cpu") -> Solved:
    """Steps 1–2 above for any program of the family: the answer and its dual points."""
    if solver not in SOLVERS:
        raise InputError(f"unknown solver {solver!r}; choose one of {SOLVERS}")
    # the claims judge the bracket width as IPM-tight (rtol 1e-6 of the value, atol 1e-8): the
    # torch solver's gap, relative to max(1, |value|), is asked for accordingly
    cs = solve(prog, solver, device, tol=TORCH_TOL)
    v_primal = (cs.v if cs.v is not None
                else losses.dual_from_prediction(prog.loss, cs.prediction(prog), prog.y))
    points = [(v_primal, cs.rho, cs.rhop)]
    if solver_used(cs) == "torch":  # (not when it fell back to Clarabel)
        return Solved(cs, points, None)
    ds = solve_dual(prog)
    return Solved(cs, points + [(ds.v, ds.rho, ds.rhop)], ds)


def _rebuilt(prog: ConeProgram, W: Whitened, X, pool: int, cs: ConvexSolution):
    """Step 3 above: the pruned solution ``(S, Sp)``, its network (pooled over ``pool`` blocks)
    and the network's objective in its model, the better of the solver's and the polished."""
    y, beta, loss = prog.y, prog.beta, prog.loss
    S, Sp = caratheodory_prune(prog, cs.S, cs.Sp)
    net = rebuild_network(W, S, Sp)
    net.pool = pool
    upper = objective_l1(net, X, y, beta, loss_name=loss)
    # (Clarabel's interior solutions, also where the torch solver fell back to it)
    polished = polish(prog, S, Sp) if solver_used(cs) == "clarabel" else None
    if polished is not None:
        net_p = rebuild_network(W, *polished)
        net_p.pool = pool
        upper_p = objective_l1(net_p, X, y, beta, loss_name=loss)
        if upper_p < upper:  # both are real networks; the better one is the upper bound
            (S, Sp), net, upper = polished, net_p, upper_p
    return S, Sp, net, upper


def certify_program(prog: ConeProgram, W: Whitened, X, pool: int = 1, solver: str = "clarabel",
                    device: str = "cpu") -> CertifiedOptimum:
    """Steps 1–4 above for any program of the family whose groups rebuild as neurons on ``W``
    ((8): ``X`` the data; (15): ``X`` the patch matrix ``M`` and ``pool = K``, the rebuilt
    filters evaluated in the CNN model (13) by :mod:`bnproofs.nets.network`), with the program's
    loss (B.1)."""
    solved = solve_for_audit(prog, solver, device)
    cs = solved.solution
    S, Sp, net, upper = _rebuilt(prog, W, X, pool, cs)
    audited = audit(prog, cs.S, cs.Sp, solved.dual_points, upper=upper)
    dual, dual_status, dual_s = solved.dual_figures(audited)
    norms = np.r_[np.linalg.norm(cs.S, axis=1), np.linalg.norm(cs.Sp, axis=1)]
    return CertifiedOptimum(
        lower=audited.lower,
        upper=upper,
        convex=cs.value,
        convex_recomputed=prog.objective(cs.S, cs.Sp),
        dual=dual,
        cone_violation=audited["primal_feasible"].value,
        certificate=audited.certificate,
        rebuilt=net,
        neurons=int(np.count_nonzero(net.w_out)),
        active_groups_solver=int(np.sum(norms > ACTIVE * norms.max(initial=0))),
        statuses=(cs.status, dual_status),
        solve_s=cs.solve_s + dual_s,
        S=S,
        Sp=Sp,
        solver_used=solver_used(cs),
        audit=audited,
    )
