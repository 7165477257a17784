"""Mutants of C4 (norm growth under BNGD): wrong versions of ∇_w J and of the BNGD update."""

from __future__ import annotations

import math

import numpy as np

from ..mutation import Mutant


def _projection_h_norm(p, a, w):
    w = np.asarray(w, dtype=float)
    Hw = p.H @ w
    n = math.sqrt(float(w @ Hw))
    wg = float(w @ p.g)
    return a - wg / n, -(a / n) * (p.g - (wg / n) * Hw)


def _factor_a_dropped(p, a, w):
    w = np.asarray(w, dtype=float)
    Hw = p.H @ w
    n2 = float(w @ Hw)
    n = math.sqrt(n2)
    wg = float(w @ p.g)
    return a - wg / n, -(1 / n) * (p.g - (wg / n2) * Hw)


def _sequential(A, W, Hw, n, n2, wg, E, EA, G):
    A1 = A + EA * (wg / n - A)
    coef = E * A1 / n
    return A1, W + coef[:, None] * G - (coef * wg / n2)[:, None] * Hw


def _step_projection_h_norm(A, W, Hw, n, n2, wg, E, EA, G):
    coef = E * A / n
    return A + EA * (wg / n - A), W + coef[:, None] * G - (coef * wg / n)[:, None] * Hw


MUTANTS = [
    Mutant("C4", "grad_projection_H_norm", "bnproofs.ols.objective:grad_J", _projection_h_norm,
           "∇_w J with wᵀg/‖w‖_H for wᵀg/‖w‖_H² in the projection (wrong exponent)"),
    Mutant("C4", "grad_factor_a_dropped", "bnproofs.ols.objective:grad_J", _factor_a_dropped,
           "∇_w J = −(1/‖w‖_H)(g − …) without the factor a (a missing factor)"),
    Mutant("C4", "sequential_update", "bnproofs.ols.dynamics:bngd_step", _sequential,
           "BNGD with the w-step taken from a_{k+1} (sequential, not simultaneous, update)"),
    Mutant("C4", "step_projection_H_norm", "bnproofs.ols.dynamics:bngd_step",
           _step_projection_h_norm,
           "BNGD's w-step with wᵀg/‖w‖_H for wᵀg/‖w‖_H² (the step no longer ⊥ w)"),
]
