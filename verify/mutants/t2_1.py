"""Mutants of T2.1 (closed-form two-layer BN network for n ≤ d): wrong versions of the printed
network, of its BN parameters, of Lemma C.1's dual point and of the arrangement list."""

from __future__ import annotations

import numpy as np

from bnproofs import closed_forms
from bnproofs.programs import arrangements

from ..mutation import Mutant

#: the originals, out of reach of the replacement (it rebinds every module attribute that is
#: the target, so a plain alias here would call the mutant itself)
_ORIGINAL = {"printed": closed_forms.theorem_2_1_printed,
             "enumerate": arrangements.enumerate_arrangements}


def _sign_flipped(X, y, beta):
    net = _ORIGINAL["printed"](X, y, beta)
    net.w_out = -net.w_out
    return net


def _pinv_transposed(X, y, beta):
    net = _ORIGINAL["printed"](X, y, beta)
    parts = [np.maximum(s * y, 0.0) for s in (-1.0, 1.0)]
    net.layers[0].W = np.array([X.T @ p for p in parts]).T
    return net


def _bn_uncentred(part):
    norm = np.linalg.norm(part)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(norm / norm), float(part.sum() / np.sqrt(part.size) / norm)


def _c1_unnormalised(y, beta):
    v = np.zeros_like(y, dtype=float)
    for sgn in (1.0, -1.0):
        part = np.maximum(sgn * y, 0.0)
        v += sgn * (beta * part if beta <= np.linalg.norm(part) else part)
    return v


def _c1_cases_swapped(y, beta):
    v = np.zeros_like(y, dtype=float)
    for sgn in (1.0, -1.0):
        part = np.maximum(sgn * y, 0.0)
        norm = np.linalg.norm(part)
        v += sgn * (beta * part / norm if beta > norm and norm > 0 else part)
    return v


def _two_dropped(U):
    return _ORIGINAL["enumerate"](U)[2:]


MUTANTS = [
    Mutant("T2.1", "output_sign_flipped", "bnproofs.closed_forms:theorem_2_1_printed",
           _sign_flipped, "w_j^(2) = (−1)^{j+1}(‖((−1)^j y)_+‖ − β): the sign of the output "
           "weights flipped"),
    Mutant("T2.1", "pinv_transposed", "bnproofs.closed_forms:theorem_2_1_printed",
           _pinv_transposed, "w_j^(1) = Xᵀ((−1)^j y)_+ instead of X†((−1)^j y)_+ (transposed "
           "factor for the pseudo-inverse)"),
    Mutant("T2.1", "bn_params_uncentred", "bnproofs.closed_forms:_bn_params", _bn_uncentred,
           "γ = ‖p‖/‖p‖ instead of ‖Πp‖/‖p‖ (centring dropped from the BN parameters)"),
    Mutant("T2.1", "c1_unnormalised", "bnproofs.closed_forms:lemma_c1_dual", _c1_unnormalised,
           "Lemma C.1's v* = β(y)_+ − β(−y)_+ without the division by ‖(±y)_+‖"),
    Mutant("T2.1", "c1_cases_swapped", "bnproofs.closed_forms:lemma_c1_dual", _c1_cases_swapped,
           "Lemma C.1's β cases swapped (β(±y)_+/‖(±y)_+‖ where β > ‖(±y)_+‖)"),
    Mutant("T2.1", "arrangements_dropped", "bnproofs.programs.arrangements:"
           "enumerate_arrangements", _two_dropped,
           "two hyperplane arrangements dropped from the enumeration"),
]
