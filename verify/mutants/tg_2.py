"""Mutants of TG.2 (BN after ReLU, n ≤ d: one closed-form neuron): the printed neuron without the
shift by min y or without its (·)₊, the appendix's dual point used for every β, and the dual
constraint of BN *before* ReLU for the one derived here."""

from __future__ import annotations

import numpy as np

from bnproofs.closed_forms import _bn_params

from ..mutation import Mutant


def _no_min_shift(X, y, beta):
    y = np.asarray(y, dtype=float)
    g, a = _bn_params(y)
    return np.linalg.pinv(X) @ y, float(max(np.linalg.norm(y) - beta, 0.0)), g, a


def _no_positive_part(X, y, beta):
    y = np.asarray(y, dtype=float)
    g, a = _bn_params(y)
    return np.linalg.pinv(X) @ (y - y.min()), float(np.linalg.norm(y) - beta), g, a


def _appendix_dual(y, beta):
    return beta * y / np.linalg.norm(y)


def _relu_sphere_constraint(v):
    v = np.asarray(v, dtype=float)
    return float(max(np.linalg.norm(np.maximum(v, 0)), np.linalg.norm(np.maximum(-v, 0))))


MUTANTS = [
    Mutant("TG.2", "no_min_shift", "bnproofs.closed_forms:theorem_g_2_printed", _no_min_shift,
           "w^(1) = X†y: the shift by min_i y_i 1 dropped"),
    Mutant("TG.2", "no_positive_part", "bnproofs.closed_forms:theorem_g_2_printed",
           _no_positive_part, "w^(2) = ‖y‖ − β: the (·)₊ dropped"),
    Mutant("TG.2", "appendix_dual_point", "verify.tg_2:dual_point", _appendix_dual,
           "v* = β y/‖y‖ for every β (G.1's printed dual point, optimal only for β ≤ ‖y‖)"),
    Mutant("TG.2", "relu_sphere_constraint", "bnproofs.nets.bn_after_relu:"
           "dual_constraint_full_row_rank", _relu_sphere_constraint,
           "max abs(vᵀBN((Xw)₊)) = max(‖v₊‖, ‖(−v)₊‖): BN-before-ReLU's constraint (Lemma C.1) "
           "for BN after ReLU's ‖v‖"),
]
