"""Verified bounds: a dual point made feasible and checked, and primal values from real networks.

**Lower bound.** For any ``v`` and ``ρ_i, ρ_i' ≥ 0``, weak duality of the inner problem gives, for
every ``s`` with ``(2D_i − I) U' s ≥ 0`` and ``‖s‖ ≤ 1``::

    vᵀ D_i U' s ≤ vᵀ D_i U' s + ρ_iᵀ (2D_i − I) U' s ≤ ‖U'ᵀ (D_i v + (2D_i − I) ρ_i)‖₂ =: c_i.

So if ``c = max_i max(c_i, c_i')``, the point ``t v`` with ``t = min(1, β / c)`` (and ``t ρ``)
satisfies every constraint of (24), and ``−½‖t v − y‖² + ½‖y‖²`` is a lower bound on (8) for the
arrangement list used — and on the non-convex optimum (6) when that list is complete (the
constraint of (7) is the union over all arrangements). The code clips ``ρ`` to ``≥ 0`` and
recomputes ``c`` itself; nothing a solver reports is taken on trust.

**Upper bound.** The objective (6) of an actual network with ``γ² + α² = 1`` — closed form,
rebuilt from a convex solution, or trained — evaluated by :mod:`bnproofs.network`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


def dual_value(v: np.ndarray, y: np.ndarray) -> float:
    """Dual objective of (7)/(24): ``−½‖v − y‖² + ½‖y‖²``."""
    return float(-0.5 * np.sum((v - y) ** 2) + 0.5 * np.sum(y * y))


def constraint_norms(Uprime, D, v, rho, rhop) -> np.ndarray:
    """``c_i`` and ``c_i'`` of (24) for every arrangement, shape (2, P)."""
    Df = D.astype(float)
    sign = 2 * Df - 1
    rho = np.maximum(np.asarray(rho, dtype=float), 0.0)
    rhop = np.maximum(np.asarray(rhop, dtype=float), 0.0)
    pos = (Df * v + sign * rho) @ Uprime
    neg = (-Df * v + sign * rhop) @ Uprime
    return np.stack([np.linalg.norm(pos, axis=1), np.linalg.norm(neg, axis=1)])


def dual_certificate(Uprime, D, y, beta, v, rho, rhop) -> DualCertificate:
    """Scale ``(v, ρ, ρ')`` into the feasible set of (24), verify, and return the lower bound."""
    c = float(constraint_norms(Uprime, D, v, rho, rhop).max(initial=0.0))
    t = 1.0 if c <= beta else beta / c
    vt = t * np.asarray(v, dtype=float)
    # verify the scaled point (the bound is only claimed if this recheck passes)
    c_t = float(constraint_norms(Uprime, D, vt, t * rho, t * rhop).max(initial=0.0))
    if c_t > beta * (1 + 1e-12):
        raise RuntimeError(f"scaled dual point still infeasible: {c_t} > {beta}")
    return DualCertificate(dual_value(vt, y), t, c / beta, vt)


def best_certificate(*certs: DualCertificate) -> DualCertificate:
    return max(certs, key=lambda c: c.lower_bound)
