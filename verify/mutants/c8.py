"""Mutants of C8 (robustness to dimensions): BNGD without its norm growth or without BN, GD's
optimal step with a wrong constant, and the width counted in grid points."""

from __future__ import annotations

import numpy as np

from ..mutation import Mutant


def _norm_kept(A, W, Hw, n, n2, wg, E, EA, G):
    coef = E * A / n
    W1 = W + coef[:, None] * G - (coef * wg / n2)[:, None] * Hw
    keep = ((W * W).sum(-1) / (W1 * W1).sum(-1)) ** 0.5
    return A + EA * (wg / n - A), keep[:, None] * W1


def _unnormalised(A, W, Hw, n, n2, wg, E, EA, G):
    coef = E * A
    return A + EA * (wg - A * n2), W + coef[:, None] * (G - A[:, None] * Hw)


def _opt_step_one_over_l(lam):
    return 1.0 / float(np.max(lam))


def _width_in_points(success, step, cols=None):
    s = success if cols is None else success[:, cols]
    return float(np.sum(s.mean(1) >= 0.5))


MUTANTS = [
    Mutant("C8", "norm_kept", "bnproofs.ols.dynamics:bngd_step", _norm_kept,
           "BNGD's w-step rescaled to keep ‖w‖ (the norm growth that shrinks ε̂ dropped)"),
    Mutant("C8", "unnormalised", "bnproofs.ols.dynamics:bngd_step", _unnormalised,
           "BN dropped: gradient descent on ½c − a wᵀg + ½a² wᵀHw (no normaliser)"),
    Mutant("C8", "opt_step_1_over_L", "bnproofs.ols.rates:gd_optimal_step",
           _opt_step_one_over_l,
           "GD's optimal step 1/λ_max instead of 2/(λ_max + λ_min) (the baseline K)"),
    Mutant("C8", "width_in_points", "verify.c8:_width", _width_in_points,
           "the width counted in grid points instead of decades (the grid step dropped)"),
]
