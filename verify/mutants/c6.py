"""Mutants of C6 (BNGD's linear rate, κ* ≤ κ): wrong versions of the printed rate, of the
effective step and of the effective Hessian H*."""

from __future__ import annotations

import numpy as np

from ..mutation import Mutant


def _w_part(lam_star, eps_hat, skip: int = 1):
    ls = np.asarray(lam_star, dtype=float)[skip:]
    return np.max(np.abs(1.0 - np.asarray(eps_hat, dtype=float)[..., None] * ls), axis=-1)


def _drop_a_term(lam_star, eps_hat, eps_a):
    return _w_part(lam_star, eps_hat) + 0.0 * np.asarray(eps_a, dtype=float)


def _lambda1_included(lam_star, eps_hat, eps_a):
    return np.maximum(np.abs(1.0 - np.asarray(eps_a, dtype=float)), _w_part(lam_star, eps_hat, 0))


def _eps_hat_unsquared(eps, w_inf, u):
    w_inf = np.asarray(w_inf, dtype=float)
    return np.asarray(eps) * np.sqrt(float(u @ u) / np.einsum("...i,...i->...", w_inf, w_inf))


def _h_star_euclidean(p):
    Hu = p.H @ p.u
    Hs = p.H - np.outer(Hu, Hu) / float(p.u @ p.u)
    return 0.5 * (Hs + Hs.T)


MUTANTS = [
    Mutant("C6", "drop_a_term", "bnproofs.ols.rates:bngd_rate", _drop_a_term,
           "the rate max_{i≥2} abs(1 − ε̂λ*_i) without the term 1 − ε_a (a missing term)"),
    Mutant("C6", "lambda1_included", "bnproofs.ols.rates:bngd_rate", _lambda1_included,
           "max_i abs(1 − ε̂λ*_i) over all i, λ*₁ = 0 included (predicts rate 1)"),
    Mutant("C6", "eps_hat_unsquared", "bnproofs.ols.rates:effective_step", _eps_hat_unsquared,
           "ε̂ = ε‖u‖/‖w∞‖ instead of ε‖u‖²/‖w∞‖² (wrong exponent)"),
    Mutant("C6", "h_star_euclidean", "bnproofs.ols.objective:h_star", _h_star_euclidean,
           "H* = H − Huuᵀ H/(uᵀu) instead of /(uᵀHu) (wrong normalisation)"),
]
