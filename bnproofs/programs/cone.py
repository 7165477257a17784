"""The convex programs of [E] as one family: the cone-constrained group lasso (P), its dual (D), (8).

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

This module holds the programs and their solutions only. The builders of the other members are
:func:`bnproofs.programs.cnn.program_15` and :func:`bnproofs.programs.bn_after_relu.program_46`;
the solvers (Clarabel, the torch solver) are in :mod:`bnproofs.solvers`, and no solver's answer
is trusted: :mod:`bnproofs.certify.audit` turns it into a verified bracket.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bnproofs.programs import losses


@dataclass
class ConvexSolution:
    """A solver's answer to (P): the point ``(S, Sp)``, multipliers of its cone constraints and,
    where the solver has its own, the dual point ``v`` that goes with them."""

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
    """A solver's answer to the dual (D): ``v`` and the multipliers ``ρ``, ``ρ'``."""

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
    may use it instead of the dense arrays (:mod:`bnproofs.solvers.torch` does: every product
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
        (:func:`bnproofs.solvers.auto_solver`, :func:`bnproofs.solvers.torch.cpu_chunk`)."""
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
