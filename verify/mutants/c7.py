"""Mutants of C7 (robustness to learning rates): BNGD without its normalisation or without
its norm growth, GD's threshold with a wrong constant, and a log-log slope in mixed bases."""

from __future__ import annotations

import numpy as np

from ..mutation import Mutant


def _unnormalised(A, W, Hw, n, n2, wg, E, EA, G):
    coef = E * A
    return A + EA * (wg - A * n2), W + coef[:, None] * (G - A[:, None] * Hw)


def _norm_kept(A, W, Hw, n, n2, wg, E, EA, G):
    coef = E * A / n
    W1 = W + coef[:, None] * G - (coef * wg / n2)[:, None] * Hw
    keep = ((W * W).sum(-1) / (W1 * W1).sum(-1)) ** 0.5
    return A + EA * (wg / n - A), keep[:, None] * W1


def _threshold_one_over_l(lam):
    return 1.0 / float(np.max(lam))


def _mixed_bases(x, y):
    return float(np.polyfit(np.log10(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


MUTANTS = [
    Mutant("C7", "norm_kept", "bnproofs.ols.dynamics:bngd_step", _norm_kept,
           "BNGD's w-step rescaled to keep ‖w‖ (scale invariance read as 'the step does not "
           "change ‖w‖': the norm growth that shrinks ε̂ dropped)"),
    Mutant("C7", "unnormalised", "bnproofs.ols.dynamics:bngd_step", _unnormalised,
           "BN dropped: gradient descent on ½c − a wᵀg + ½a² wᵀHw, the model a·xᵀw without the "
           "normaliser"),
    Mutant("C7", "threshold_1_over_L", "bnproofs.ols.rates:gd_threshold",
           _threshold_one_over_l, "GD's threshold 1/λ_max instead of 2/λ_max (wrong constant)"),
    Mutant("C7", "slope_mixed_bases", "bnproofs.ols.rates:loglog_slope", _mixed_bases,
           "the log-log slope with log₁₀ on one axis and ln on the other"),
]
