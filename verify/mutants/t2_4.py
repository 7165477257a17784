"""Mutants of T2.4 (one-hot closed form, n ≤ d): wrong versions of the printed network, of its
BN parameters, of C.6's dual point (37) and of the primal case split (41)."""

from __future__ import annotations

import numpy as np

from bnproofs import closed_forms
from bnproofs.nets.network import Layer, Net

from ..mutation import Mutant

#: the originals, out of reach of the replacement (it rebinds every module attribute that is
#: the target, so a plain alias here would call the mutant itself)
_ORIGINAL = {"printed": closed_forms.theorem_2_4_printed}


def _pinv_transposed(X, Y, beta):
    net = _ORIGINAL["printed"](X, Y, beta)
    net.layers[0].W = np.asarray(X, dtype=float).T @ np.asarray(Y, dtype=float)
    return net


def _plus_dropped(X, Y, beta):
    net = _ORIGINAL["printed"](X, Y, beta)
    net.w_out = np.diag(np.linalg.norm(np.asarray(Y, dtype=float), axis=0) - beta)
    return net


def _bn_uncentred(part):
    norm = np.linalg.norm(part)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(norm / norm), float(part.sum() / np.sqrt(part.size) / norm)


def _dual_unnormalised(Y, beta):
    Y = np.asarray(Y, dtype=float)
    norms = np.linalg.norm(Y, axis=0)
    return np.where((norms >= beta) & (norms > 0), beta * Y, Y)


def _no_case_split(X, Y, beta):
    Y = np.asarray(Y, dtype=float)
    keep = np.flatnonzero(np.linalg.norm(Y, axis=0) > 0)
    full = _ORIGINAL["printed"](X, Y[:, keep], beta)
    w_out = np.zeros((keep.size, Y.shape[1]))
    w_out[np.arange(keep.size), keep] = np.linalg.norm(Y[:, keep], axis=0) - beta
    lay = full.layers[0]
    return Net([Layer(lay.W, lay.gamma, lay.alpha)], w_out)


MUTANTS = [
    Mutant("T2.4", "pinv_transposed", "bnproofs.closed_forms:theorem_2_4_printed",
           _pinv_transposed, "w_j^(1) = Xᵀy_j instead of X†y_j (transposed factor for the "
                             "pseudo-inverse)"),
    Mutant("T2.4", "plus_dropped", "bnproofs.closed_forms:theorem_2_4_printed", _plus_dropped,
           "w_j^(2) = (‖y_j‖ − β) e_j: the (·)_+ dropped"),
    Mutant("T2.4", "bn_params_uncentred", "bnproofs.closed_forms:_bn_params", _bn_uncentred,
           "γ_j = ‖y_j‖/‖y_j‖ instead of ‖Πy_j‖/‖y_j‖ (centring dropped from the BN "
           "parameters)"),
    Mutant("T2.4", "dual_unnormalised", "bnproofs.closed_forms:theorem_2_4_dual",
           _dual_unnormalised, "(37) with v_j* = β y_j instead of β y_j/‖y_j‖"),
    Mutant("T2.4", "no_case_split", "bnproofs.closed_forms:theorem_2_4_corrected",
           _no_case_split, "(41) without its case split: a neuron with weight ‖y_j‖ − β for "
                           "every nonempty class, also where β > ‖y_j‖"),
]
