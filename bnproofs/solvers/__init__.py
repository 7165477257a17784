"""Solvers of the cone programs (P) of :mod:`bnproofs.programs.cone`, behind one dispatcher.

* ``"clarabel"`` — cvxpy + Clarabel (:mod:`bnproofs.solvers.clarabel`), interior point, the
  reference for small programs; it also solves the dual (D) as a separate problem
  (:func:`solve_dual`);
* ``"torch"`` — the batched working-set barrier solver (:mod:`bnproofs.solvers.torch`), CPU or
  CUDA, stopped by its own certified-gap rule (torch is an optional dependency: without it
  ``"auto"`` is Clarabel);
* ``"auto"`` — the torch solver for programs of at least :data:`AUTO_ENTRIES` cone entries whose
  loss it takes, Clarabel otherwise (:func:`auto_solver`).

A solver's answer is a point, multipliers and (torch) a dual point; none of it is trusted here.
The caller audits the answer once (:mod:`bnproofs.certify.audit`).
"""

from __future__ import annotations

from bnproofs.data import InputError
from bnproofs.programs.cone import ConeProgram, ConvexSolution, DualSolution
from bnproofs.solvers.clarabel import solve_program, solve_program_dual

try:
    from bnproofs.solvers.torch import LOSSES as TORCH_LOSSES
    from bnproofs.solvers.torch import solve_torch
except ModuleNotFoundError as exc:  # torch is optional (bnproofs[torch])
    if exc.name != "torch":
        raise
    TORCH_LOSSES, solve_torch = (), None

SOLVERS = ("auto", "clarabel", "torch")

#: ``solver="auto"`` takes the torch solver from this many cone-constraint entries ``2 P m k`` on
#: (the crossover measured in docs/solvers.md)
AUTO_ENTRIES = 150_000


def auto_solver(prog: ConeProgram) -> str:
    """What ``solver="auto"`` picks for ``prog``: ``"torch"`` for programs with at least
    :data:`AUTO_ENTRIES` cone-constraint entries whose loss the torch solver takes (and torch
    installed), else ``"clarabel"``."""
    return "torch" if prog.entries >= AUTO_ENTRIES and prog.loss in TORCH_LOSSES else "clarabel"


def solver_used(cs: ConvexSolution) -> str:
    """``"torch"`` where :func:`solve` kept the torch solver's answer, else ``"clarabel"`` (asked
    for, or the fallback)."""
    return "torch" if cs.solver_stats.get("solver") == "torch" else "clarabel"


def solve(prog: ConeProgram, solver: str = "clarabel", device: str = "cpu",
          tol: float = 1e-6, fallback: bool = True) -> ConvexSolution:
    """Solve (P) with the chosen solver: ``"clarabel"`` (:func:`solve_program`), ``"torch"``
    (:func:`bnproofs.solvers.torch.solve_torch` on ``device``, stopped by its rule at the
    relative gap ``tol``) or ``"auto"`` (the one :func:`auto_solver` picks for the program's
    size). The torch answer's status is ``"optimal"`` only when its stopping rule reached that
    gap (``"inaccurate"`` otherwise), its value the objective of (P) recomputed at its point, and
    ``solver_stats`` carries its own figures (``lower``, ``gap``: the stopping rule's). With
    ``fallback`` (default), a torch answer that did not reach the gap is replaced by Clarabel's,
    whose ``solver_stats["fallback_from"]`` keeps the torch attempt's figures. The answer is not
    audited here: the caller does that once (:func:`bnproofs.certify.audit.audit`)."""
    if solver == "auto":
        solver = auto_solver(prog)
    if solver == "clarabel":
        return solve_program(prog)
    if solver != "torch":
        raise ValueError(f"unknown solver {solver!r}; choose one of {SOLVERS}")
    if solve_torch is None:
        raise InputError("the torch solver needs torch: pip install 'bnproofs[torch]'")
    if prog.loss not in TORCH_LOSSES:  # (a loss of bnproofs.programs.losses it lacks)
        if not fallback:
            raise InputError(f"the torch solver takes the losses {TORCH_LOSSES}, "
                             f"not {prog.loss!r}")
        return _clarabel_instead(prog, {"solver": "torch", "reason":
                                        f"the {prog.loss} loss is not taken by the torch solver"})
    s = solve_torch(prog, tol=tol, device=device)
    stats = {"solver": "torch", "device": device, "iterations": s.iterations, "rounds": s.rounds,
             "working_set": s.working_set, "lower": s.lower, "gap": s.gap,
             "torch_status": s.status}
    if s.status != "converged" and fallback:
        # e.g. a cone with an empty interior that the optimum needs (the barrier keeps such a
        # group at 0): Clarabel's answer instead, with the torch attempt recorded
        return _clarabel_instead(prog, stats)
    return ConvexSolution(
        value=prog.objective(s.S, s.Sp), S=s.S, Sp=s.Sp, rho=s.rho, rhop=s.rhop,
        status="optimal" if s.status == "converged" else "inaccurate",
        solve_s=s.solve_s, solver_stats=stats, v=s.v,
    )


def _clarabel_instead(prog: ConeProgram, torch_stats: dict) -> ConvexSolution:
    """Clarabel's answer, with why the torch solver's is not used in ``fallback_from``."""
    cs = solve_program(prog)
    cs.solver_stats = {**cs.solver_stats, "fallback_from": torch_stats}
    return cs


def solve_dual(prog: ConeProgram, solver: str = "clarabel") -> DualSolution:
    """Solve the dual (D) as a problem of its own: Clarabel only (the torch solver's dual point
    comes with its answer to (P))."""
    if solver != "clarabel":
        raise ValueError(f"the dual (D) is solved by Clarabel only, not {solver!r}")
    return solve_program_dual(prog)
