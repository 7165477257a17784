"""Mutants of C5 (BNGD converges for every ε when 0 < ε_a ≤ 1): wrong versions of the BNGD
update, of J and of the error that decide convergence."""

from __future__ import annotations

import math

import numpy as np

from bnproofs import ols

from ..mutation import Mutant


def _step_projection_h_norm(A, W, Hw, n, n2, wg, E, EA, G):
    coef = E * A / n
    return A + EA * (wg / n - A), W + coef[:, None] * G - (coef * wg / n)[:, None] * Hw


def _a_ascent(A, W, Hw, n, n2, wg, E, EA, G):
    coef = E * A / n
    return A - EA * (wg / n - A), W + coef[:, None] * G - (coef * wg / n2)[:, None] * Hw


def _j_unhalved(p, a, w):
    w = np.asarray(w, dtype=float)
    return 0.5 * p.c - a * (w @ p.g) / ols.h_norm(p, w) + np.asarray(a) ** 2


def _rel_error_euclidean(p, v):
    return np.linalg.norm(np.asarray(v) - p.u, axis=-1) / math.sqrt(float(p.u @ p.u))


MUTANTS = [
    Mutant("C5", "step_projection_H_norm", "bnproofs.ols.dynamics:bngd_step",
           _step_projection_h_norm,
           "BNGD's w-step with wᵀg/‖w‖_H for wᵀg/‖w‖_H² (the step no longer ⊥ w)"),
    Mutant("C5", "a_step_ascent", "bnproofs.ols.dynamics:bngd_step", _a_ascent,
           "the a-step with the sign of ∇_a J flipped (a_{k+1} = a_k − ε_a(φ − a_k))"),
    Mutant("C5", "J_a_term_unhalved", "bnproofs.ols.objective:J", _j_unhalved,
           "J(a, w) = ½c − a wᵀg/‖w‖_H + a² (the ½ of ½a² dropped) in the final check of J → J*"),
    Mutant("C5", "rel_error_euclidean", "bnproofs.ols.objective:rel_error", _rel_error_euclidean,
           "convergence judged by ‖v − u‖/‖u‖ instead of ‖v − u‖_H/‖u‖_H"),
]
