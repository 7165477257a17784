"""Verified bounds: a dual point made feasible and checked, and primal values from real networks.

**Lower bound.** For any ``v`` and ``ρ_i, ρ_i' ≥ 0``, weak duality of the inner problem gives, for
every ``s`` with ``G_i s ≥ 0`` and ``‖s‖ ≤ 1`` (for (8): ``A_i = D_i U'``, ``G_i = (2D_i − I) U'``)::

    vᵀ A_i s ≤ vᵀ A_i s + ρ_iᵀ G_i s ≤ ‖A_iᵀ v + G_iᵀ ρ_i‖₂ =: c_i.

So if ``c = max_i max(c_i, c_i')``, the point ``t v`` with ``t = min(1, β / c)`` (and ``t ρ``)
satisfies every constraint of (24) (in general, of the dual (D) in :mod:`bnproofs.programs.cone`),
and ``−½‖t v − y‖² + ½‖y‖²`` (``−L*(−t v)`` for another loss, B.1) is a lower bound on (8) for
the arrangement list used — and on the non-convex optimum (6) when that list is complete (the
constraint of (7) is the union over all arrangements). The code clips ``ρ`` to ``≥ 0`` and
recomputes ``c`` itself; nothing a solver reports is taken on trust. The named checks of a
solver's answer built on this are :mod:`bnproofs.certify.audit`.

**Upper bound.** The objective (6) of an actual network with ``γ² + α² = 1`` — closed form,
rebuilt from a convex solution, or trained — evaluated by :mod:`bnproofs.nets.network`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bnproofs.certify.vector import ORTHANT_MAX_N, orthant_constraint
from bnproofs.programs import losses
from bnproofs.programs.cone import ConeProgram


@dataclass
class DualCertificate:
    lower_bound: float
    scale: float  # t applied to v to make it feasible
    max_constraint: float  # c before scaling (feasible iff ≤ β)
    v: np.ndarray
    # the largest constraint norm over β recomputed at the scaled point (≤ 1 + 1e-12, or the
    # certificate is refused); NaN where not rechecked
    scaled_constraint: float = float("nan")

    def as_dict(self) -> dict:
        return {
            "lower_bound": self.lower_bound,
            "scale": self.scale,
            "max_constraint_over_beta": self.max_constraint,
        }


def dual_value(v: np.ndarray, y: np.ndarray, loss: str = "squared") -> float:
    """Dual objective of (7)/(24): ``−½‖v − y‖² + ½‖y‖²``; ``−L*(−v)`` for another loss."""
    return losses.dual_objective(loss, v, y)


def dual_certificate(prog: ConeProgram, v, rho, rhop) -> DualCertificate:
    """Scale ``(v, ρ, ρ')`` into the feasible set of the dual (D) of ``prog`` ((24) for
    :func:`~bnproofs.programs.cone.program_8`), verify, and return the lower bound.

    For a loss other than squared, ``v`` is first projected onto the domain of ``L*(−·)``
    (:func:`bnproofs.programs.losses.to_domain`); the scaling by ``t ∈ [0, 1]`` keeps it there and the
    value is ``−∞`` if it did not."""
    v = losses.to_domain(prog.loss, v, prog.y)
    c = float(prog.constraint_norms(v, rho, rhop).max(initial=0.0))
    t = 1.0 if c <= prog.beta else prog.beta / c
    vt = t * np.asarray(v, dtype=float)
    # verify the scaled point (the bound is only claimed if this recheck passes)
    c_t = float(prog.constraint_norms(vt, t * rho, t * rhop).max(initial=0.0))
    if c_t > prog.beta * (1 + 1e-12):
        raise RuntimeError(f"scaled dual point still infeasible: {c_t} > {prog.beta}")
    return DualCertificate(dual_value(vt, prog.y, prog.loss), t, c / prog.beta, vt,
                           c_t / prog.beta)


def best_certificate(*certs: DualCertificate) -> DualCertificate:
    return max(certs, key=lambda c: c.lower_bound)


def relu_sphere_norm(V) -> tuple[float, np.ndarray]:
    """``max_{‖u‖₂ = 1} ‖Vᵀ u_+‖₂`` and a maximiser ``u ≥ 0``, exactly, for ``V ∈ R^{n×C}``
    (a vector ``v`` is ``n × 1``: the value is ``max_u |vᵀ u_+| = max(‖v_+‖, ‖(−v)_+‖)``).

    This is the dual constraint of (5)/(7) (scalar) and of the vector-output dual (Theorem 2.4,
    C.6) when every unit vector is a BN output — T4.1/T4.2 with ``range(A^(L−2)) = R^n``, where
    ``BN_{γ,α}(A w)`` with ``γ² + α² = 1`` ranges over the whole unit sphere.

    Method: ``‖Vᵀ u_+‖`` is convex and positively homogeneous and ``‖u_+‖ ≤ ‖u‖``, so the
    maximum is over unit ``u ≥ 0``: the maximum of ``uᵀ B u`` (``B = V Vᵀ``) on the nonnegative
    part of the sphere. A maximiser lies in the relative interior of some face
    ``{u_S > 0, u_{S^c} = 0}``, where stationarity makes it an eigenvector of ``B_SS`` with
    positive entries (eigenvalue = the value squared). If that eigenvalue is repeated, moving
    inside its eigenspace reaches a smaller support with the same eigenvalue, so some support has
    the maximiser as a simple eigenvector. Enumerating all ``2^n − 1`` supports and keeping
    eigenvectors of one sign is therefore exact (up to round-off); cost ``O(2^n n³)``, small n.
    """
    V = np.asarray(V, dtype=float)
    V = V.reshape(V.shape[0], -1)
    if V.shape[0] > ORTHANT_MAX_N:
        raise ValueError(f"exact enumeration over 2^n supports needs n ≤ {ORTHANT_MAX_N}, "
                         f"got n = {V.shape[0]}")
    c = orthant_constraint(V)
    return c.value, c.s


def sphere_dual_certificate(V, Y, beta: float) -> DualCertificate:
    """Lower bound from a dual point ``V`` of (5)/(7) (scalar) or of the vector-output dual,
    valid for the training problem of **any** depth whose last hidden layer is BN + ReLU: the
    constraint set over all network parameters is contained in the unit sphere's, so ``V``
    scaled by ``t = min(1, β / relu_sphere_norm(V))`` is dual feasible for every choice of the
    earlier layers. Value ``−½‖tV − Y‖² + ½‖Y‖²``."""
    V = np.asarray(V, dtype=float)
    c = relu_sphere_norm(V)[0]
    t = 1.0 if c <= beta else beta / c
    return DualCertificate(dual_value(t * V, np.asarray(Y, dtype=float)), t, c / beta, t * V)
