"""Mutants of C1 (GD on OLS): wrong versions of the rate, the threshold, the optimal step, the
best rate and the error recursion."""

from __future__ import annotations

import math

import numpy as np

from ..mutation import Mutant


def _loss_rate(lam, eps):
    lam, eps = np.asarray(lam, dtype=float), np.asarray(eps, dtype=float)
    return np.max(np.abs(1.0 - eps[..., None] * lam), axis=-1) ** 2


def _top_mode_only(lam, eps):
    return np.abs(1.0 - np.asarray(eps, dtype=float) * float(np.max(lam)))


def _threshold_one_over_l(lam):
    return 1.0 / float(np.max(lam))


def _opt_step_one_over_l(lam):
    return 1.0 / float(np.max(lam))


def _accelerated_rate(kappa):
    return (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)


def _ascent_recursion(lam, z, eps, k, uHu):
    return math.sqrt(np.sum(lam * ((1 + eps * lam) ** k * z) ** 2) / uHu)


MUTANTS = [
    Mutant("C1", "loss_rate", "bnproofs.ols.rates:gd_rate", _loss_rate,
           "the rate of the loss gap J₀ − J* (max_i abs(1 − ελ_i)²) given as the error's rate"),
    Mutant("C1", "top_mode_only", "bnproofs.ols.rates:gd_rate", _top_mode_only,
           "abs(1 − ελ_max) for max_i abs(1 − ελ_i) (the λ_min mode dropped)"),
    Mutant("C1", "threshold_1_over_L", "bnproofs.ols.rates:gd_threshold",
           _threshold_one_over_l, "threshold 1/λ_max instead of 2/λ_max (wrong constant)"),
    Mutant("C1", "opt_step_1_over_L", "bnproofs.ols.rates:gd_optimal_step",
           _opt_step_one_over_l, "optimal step 1/λ_max instead of 2/(λ_max + λ_min)"),
    Mutant("C1", "accelerated_best_rate", "bnproofs.ols.rates:gd_best_rate", _accelerated_rate,
           "best rate (√κ − 1)/(√κ + 1) (heavy-ball's) instead of (κ − 1)/(κ + 1)"),
    Mutant("C1", "ascent_sign", "verify.c1:closed_form_error", _ascent_recursion,
           "error recursion with (I + εH) for (I − εH) (sign of the gradient step)"),
]
