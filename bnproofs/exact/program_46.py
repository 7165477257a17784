"""An exact lower bound on program (46) of [E] (BN after ReLU) from a rational dual point.

Program (46), per arrangement ``D_i``: ``Π D_i X = U_i Σ_i V_iᵀ`` (compact SVD),
``U_i' = [U_i, 1/√n · 1]`` and the cone ``(2D_i − I) X V_i Σ_i⁻¹ s_{i,1:r_i} ≥ 0``. Its SVD is
irrational; only rational objects are needed:

* with ``M_i = Π D_i X`` and ``u = U_i h`` (``‖u‖ = ‖h‖``), ``V_i Σ_i⁻¹ h = M_i⁺ u``, so the cone
  is ``C_i u ≥ 0`` with the rational ``C_i = (2D_i − I) X M_i⁺``, on ``u ∈ range(M_i)``, whose
  projector ``Q_i = M_i M_i⁺`` is rational too;
* weak duality, as for (24): for any ``v`` and ``ρ ≥ 0``, and ``s = (h, a)`` with ``‖s‖ ≤ 1`` in
  the cone, ``±vᵀU_i' s ≤ (Q_i(±v + C_iᵀρ))ᵀu + a 1ᵀv/√n
  ≤ √(‖Q_i(±v + C_iᵀρ)‖² + (1ᵀv)²/n) =: c_i^±``, a square root of a rational. If every
  ``(c_i^±)² ≤ β²`` then ``½‖f − y‖² + β Σ‖s‖ ≥ −½‖v − y‖² + ½‖y‖²`` for every feasible point:
  a lower bound on (46).

The arrangements are all ``2^n`` subsets of the rows — a superset of the patterns
``1[X w ≥ 0]``, so no completeness proof is needed (an extra block only adds constraints to the
dual). ``ρ`` comes from a float non-negative least squares and is taken exactly; if the exact
constraint exceeds β², the point is scaled by a rational ``t ≤ β / max c_i`` (the value
recomputed). Small ``n`` only (``2^n`` blocks, exact pseudo-inverses).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import sympy as sp
from scipy.optimize import nnls

from bnproofs.exact.rational import sqrt_bounds


def _rational(M: sp.Matrix) -> sp.Matrix:
    return M.applyfunc(sp.nsimplify)


def block(X: sp.Matrix, pattern) -> tuple[sp.Matrix, sp.Matrix]:
    """``(Q_i, C_i)`` of the arrangement ``pattern`` (a 0/1 tuple), exactly."""
    n = X.rows
    D = sp.diag(*pattern)
    M = (sp.eye(n) - sp.ones(n, n) / n) * D * X
    if M.is_zero_matrix:
        return sp.zeros(n, n), sp.zeros(n, n)
    Mp = M.pinv()
    return _rational(M * Mp), _rational(sp.diag(*[2 * p - 1 for p in pattern]) * X * Mp)


def multiplier(Q: sp.Matrix, C: sp.Matrix, w: sp.Matrix) -> sp.Matrix:
    """A rational ``ρ ≥ 0`` making ``‖Q(w + Cᵀρ)‖`` small (float NNLS, taken exactly)."""
    A = np.array((Q * C.T).tolist(), dtype=float)
    b = -np.array((Q * w).tolist(), dtype=float).ravel()
    rho, _ = nnls(A, b) if np.any(A) else (np.zeros(A.shape[1]), 0.0)
    return sp.Matrix([sp.Rational(Fraction(float(r)).limit_denominator(10**9)) for r in rho])


def constraint_squares(X: sp.Matrix, v: sp.Matrix) -> list:
    """``(c_i^±)²`` for every subset ``D_i`` of the rows and both signs (module docstring)."""
    n = X.rows
    const = sum(v) ** 2 / n
    out = []
    for pattern in itertools.product((0, 1), repeat=n):
        Q, C = block(X, pattern)
        for sgn in (1, -1):
            rho = multiplier(Q, C, sgn * v)
            r = Q * (sgn * v + C.T * rho)
            out.append(sp.nsimplify(sum(e**2 for e in r) + const))
    return out


def printed_46_lower(X, y, beta, v) -> dict:
    """A verified exact lower bound on printed (46) at the rational dual point ``v`` (scaled into
    the constraints if needed): ``{"lower", "scale", "max_c2", "feasible"}``."""
    X, y, v = (sp.Matrix(a).applyfunc(sp.nsimplify) for a in (X, y, v))
    beta = sp.nsimplify(beta)
    worst = max(constraint_squares(X, v))
    t = sp.Integer(1)
    if worst > beta**2:
        hi = sqrt_bounds(Fraction(int(worst.p), int(worst.q)))[1]
        t = beta / sp.Rational(hi.numerator, hi.denominator)
    tv = t * v
    feasible = max(constraint_squares(X, tv)) <= beta**2
    lower = -sum(e**2 for e in tv - y) / 2 + sum(e**2 for e in y) / 2
    return {"lower": sp.nsimplify(lower), "scale": t, "max_c2": worst,
            "feasible": bool(feasible)}
