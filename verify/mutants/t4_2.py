"""Mutants of T4.2 (closed-form last two layers, one-hot vector output): the printed form without
its (·)₊ or with a transpose for the pseudo-inverse, C.6's dual point without its case split, and
BN normalised by the standard deviation."""

from __future__ import annotations

import numpy as np

from bnproofs.closed_forms import _bn_params
from bnproofs.nets.bn import centre
from bnproofs.nets.network import Layer, Net

from ..mutation import Mutant


def _printed(X, Y, beta, first_layer, weight):
    Y = np.asarray(Y, dtype=float)
    gam, alp = zip(*(_bn_params(Y[:, j]) for j in range(Y.shape[1])), strict=True)
    norms = np.linalg.norm(Y, axis=0)
    return Net([Layer(first_layer(X) @ Y, np.array(gam), np.array(alp))],
               np.diag(weight(norms - beta)))


def _no_positive_part(X, Y, beta):
    return _printed(X, Y, beta, np.linalg.pinv, lambda w: w)


def _transpose_for_pinv(X, Y, beta):
    return _printed(X, Y, beta, lambda A: A.T, lambda w: np.maximum(w, 0.0))


def _dual_without_split(Y, beta):
    Y = np.asarray(Y, dtype=float)
    norms = np.linalg.norm(Y, axis=0)
    return beta * Y / np.where(norms > 0, norms, 1.0)


def _bn_by_std(Z, gamma, alpha):
    Z = np.asarray(Z, dtype=float)
    n = Z.shape[0]
    C = centre(Z)
    std = np.linalg.norm(C, axis=0) / np.sqrt(n)
    return C / np.where(std > 0, std, np.inf) * gamma + alpha / np.sqrt(n)


MUTANTS = [
    Mutant("T4.2", "no_positive_part", "bnproofs.closed_forms:theorem_2_4_printed",
           _no_positive_part, "w_j^(L) = (‖y_j‖ − β) e_j: the (·)₊ dropped"),
    Mutant("T4.2", "transpose_for_pinv", "bnproofs.closed_forms:theorem_2_4_printed",
           _transpose_for_pinv, "w_j^(L−1) = A^(L−2)ᵀ y_j: a transpose for the pseudo-inverse"),
    Mutant("T4.2", "dual_without_split", "bnproofs.closed_forms:theorem_2_4_dual",
           _dual_without_split, "v_j = β y_j/‖y_j‖ for every class, also where β > ‖y_j‖ (C.6's "
           "case split dropped)"),
    Mutant("T4.2", "bn_by_std", "bnproofs.nets.bn:bn", _bn_by_std,
           "BN divides by the standard deviation ‖Πz‖/√n instead of ‖Πz‖ (nn.BatchNorm1d's "
           "normalisation in (2))"),
]
