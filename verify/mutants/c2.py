"""Mutants of C2 (critical points of J): wrong versions of the minimum value, the minimiser, the
gradient, the Hessian and the saddles' least eigenvalue."""

from __future__ import annotations

import math

import numpy as np

from ..mutation import Mutant


def _half_dropped(p):
    return 0.5 * p.c - p.uHu


def _euclidean_a(p, s):
    return math.copysign(float(np.linalg.norm(p.u)), s), s * p.u


def _sign_dropped(p, s):
    return math.sqrt(p.uHu), s * p.u


def _unprojected_gradient(p, a, w):
    w = np.asarray(w, dtype=float)
    n = math.sqrt(float(w @ p.H @ w))
    return a - float(w @ p.g) / n, -(a / n) * p.g


def _curvature_term_dropped(p, a, w):
    """The Hessian of J with ∇²φ missing its term 3(wᵀg) Hw(Hw)ᵀ/‖w‖_H⁵."""
    w = np.asarray(w, dtype=float)
    Hw = p.H @ w
    n = math.sqrt(float(w @ Hw))
    wg = float(w @ p.g)
    out = np.empty((w.size + 1, w.size + 1))
    out[0, 0] = 1.0
    out[0, 1:] = out[1:, 0] = -(p.g / n - wg * Hw / n**3)
    out[1:, 1:] = a * (np.outer(p.g, Hw) + np.outer(Hw, p.g) + wg * p.H) / n**3
    return 0.5 * (out + out.T)


def _four_dropped(b):
    return (1 - math.sqrt(1 + b * b)) / 2


MUTANTS = [
    Mutant("C2", "J_star_half_dropped", "verify.c2:printed_minimum", _half_dropped,
           "J* = ½c − uᵀHu (the ½ of uᵀHu dropped)"),
    Mutant("C2", "a_euclidean_norm", "verify.c2:printed_minimiser", _euclidean_a,
           "minimiser a = sign(s)‖u‖₂ (Euclidean norm for the H-norm)"),
    Mutant("C2", "a_sign_dropped", "verify.c2:printed_minimiser", _sign_dropped,
           "minimiser a = ‖u‖_H for every s (sign(s) dropped)"),
    Mutant("C2", "gradient_unprojected", "bnproofs.ols.objective:grad_J", _unprojected_gradient,
           "∇_w J = −(a/‖w‖_H) g (the projection term (wᵀg/‖w‖_H²) H w dropped)"),
    Mutant("C2", "hessian_term_dropped", "bnproofs.ols.objective:hessian_J",
           _curvature_term_dropped, "∇²φ without 3(wᵀg) Hw(Hw)ᵀ/‖w‖_H⁵ (a missing term)"),
    Mutant("C2", "saddle_eig_4_dropped", "verify.c2:saddle_least_eig", _four_dropped,
           "least saddle eigenvalue (1 − √(1 + b²))/2 (the 4 dropped)"),
]
