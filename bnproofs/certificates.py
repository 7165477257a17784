"""Verified bounds: a dual point made feasible and checked, and primal values from real networks.

**Lower bound.** For any ``v`` and ``ρ_i, ρ_i' ≥ 0``, weak duality of the inner problem gives, for
every ``s`` with ``G_i s ≥ 0`` and ``‖s‖ ≤ 1`` (for (8): ``A_i = D_i U'``, ``G_i = (2D_i − I) U'``)::

    vᵀ A_i s ≤ vᵀ A_i s + ρ_iᵀ G_i s ≤ ‖A_iᵀ v + G_iᵀ ρ_i‖₂ =: c_i.

So if ``c = max_i max(c_i, c_i')``, the point ``t v`` with ``t = min(1, β / c)`` (and ``t ρ``)
satisfies every constraint of (24) (in general, of the dual (D) in :mod:`bnproofs.convex`), and ``−½‖t v − y‖² + ½‖y‖²`` (``−L*(−t v)`` for another loss, B.1) is a lower bound on (8) for the
arrangement list used — and on the non-convex optimum (6) when that list is complete (the
constraint of (7) is the union over all arrangements). The code clips ``ρ`` to ``≥ 0`` and
recomputes ``c`` itself; nothing a solver reports is taken on trust.

**Upper bound.** The objective (6) of an actual network with ``γ² + α² = 1`` — closed form,
rebuilt from a convex solution, or trained — evaluated by :mod:`bnproofs.network`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import losses
from .convex import ConeProgram


@dataclass
class DualCertificate:
    lower_bound: float
    scale: float  # t applied to v to make it feasible
    max_constraint: float  # c before scaling (feasible iff ≤ β)
    v: np.ndarray

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
    :func:`~bnproofs.convex.program_8`), verify, and return the lower bound.

    For a loss other than squared, ``v`` is first projected onto the domain of ``L*(−·)``
    (:func:`bnproofs.losses.to_domain`); the scaling by ``t ∈ [0, 1]`` keeps it there and the
    value is ``−∞`` if it did not."""
    v = losses.to_domain(prog.loss, v, prog.y)
    c = float(prog.constraint_norms(v, rho, rhop).max(initial=0.0))
    t = 1.0 if c <= prog.beta else prog.beta / c
    vt = t * np.asarray(v, dtype=float)
    # verify the scaled point (the bound is only claimed if this recheck passes)
    c_t = float(prog.constraint_norms(vt, t * rho, t * rhop).max(initial=0.0))
    if c_t > prog.beta * (1 + 1e-12):
        raise RuntimeError(f"scaled dual point still infeasible: {c_t} > {prog.beta}")
    return DualCertificate(dual_value(vt, prog.y, prog.loss), t, c / prog.beta, vt)


def best_certificate(*certs: DualCertificate) -> DualCertificate:
    return max(certs, key=lambda c: c.lower_bound)
