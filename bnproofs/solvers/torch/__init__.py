"""Batched torch solver for the cone programs (P) of :mod:`bnproofs.programs.cone`, certified stopping.

The family ((8), (15), (46) are members), per instance, ``A_i ∈ R^{n×k}``, ``G_i ∈ R^{m×k}``::

    min  L(Σ_i A_i (s_i − s_i'), y) + β Σ_i (‖s_i‖₂ + ‖s_i'‖₂)
    s.t. G_i s_i ≥ 0,  G_i s_i' ≥ 0                                                     (P)

with ``L`` the squared, logistic or hinge loss (:mod:`~.losses`, B.1). Write the 2P groups as
``x_g`` (the ``s_i`` then the ``s_i'``) with ``A_g = ±A_i``, ``G_g = G_i``. The dual (D) asks
``c_g(v) := min_{λ ≥ 0} ‖A_gᵀ v + G_gᵀ λ‖ ≤ β`` for every group; by Moreau's decomposition
``c_g(v) = ‖Proj_{K_g}(A_gᵀ v)‖`` with ``K_g = {s : G_g s ≥ 0}``, and group ``g`` is zero at the
optimum when ``c_g(v*) < β``.

**Method: working set + primal log-barrier Newton on the restricted program.** Most groups are
zero at the optimum (at most n + 1 after pruning). From ``x = 0`` and an empty working set, each
round prices every group at the current feasible point (:mod:`~.pricing`, with the NNLS of
:mod:`~.multipliers`), stops if the certified gap is small enough, grows and prunes the working
set, and solves the program restricted to it by a primal log-barrier path (:mod:`~.barrier`,
Newton steps of :mod:`~.newton`). Every step is a batched tensor operation over instances and
groups (:mod:`~.batch`), the same on CPU and GPU. The rounds and the stopping rule are in
:mod:`~.rounds`: it stops on the bracket of the best upper and lower bound of its checks, and the
caller audits the answer (:mod:`bnproofs.certify.audit`). Design notes and measurements:
``docs/solvers.md``.
"""

from bnproofs.solvers.torch.batch import CPU_BATCH_ENTRIES, cpu_chunk
from bnproofs.solvers.torch.losses import LOSSES
from bnproofs.solvers.torch.multipliers import dual_multipliers
from bnproofs.solvers.torch.rounds import TorchSolution, solve_batch, solve_torch

__all__ = ["CPU_BATCH_ENTRIES", "LOSSES", "TorchSolution", "cpu_chunk", "dual_multipliers",
           "solve_batch", "solve_torch"]
