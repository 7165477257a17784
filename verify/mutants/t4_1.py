"""Mutants of T4.1 (closed-form last two layers of a deep BN network): wrong versions of the
printed form, of Lemma C.1's dual point and of the sphere constraint the lower bound rests on."""

from __future__ import annotations

import numpy as np

from bnproofs.closed_forms import _bn_params
from bnproofs.nets.network import Layer, Net

from ..mutation import Mutant


def _printed(X, y, beta, first_layer, sign):
    cols, gam, alp, out = [], [], [], []
    for j in (1, 2):
        part = np.maximum((-1) ** j * y, 0.0)
        cols.append(first_layer(X) @ part)
        g, a = _bn_params(part)
        gam.append(g)
        alp.append(a)
        out.append(sign(j) * (np.linalg.norm(part) - beta))
    return Net([Layer(np.array(cols).T, np.array(gam), np.array(alp))], np.array(out))


def _output_sign_flipped(X, y, beta):
    return _printed(X, y, beta, np.linalg.pinv, lambda j: (-1) ** (j + 1))


def _transpose_for_pinv(X, y, beta):
    return _printed(X, y, beta, lambda A: A.T, lambda j: (-1) ** j)


def _one_part_dual(y, beta):
    ny = np.linalg.norm(y)
    return beta * y / ny if 0 < beta <= ny else y.astype(float)


def _positive_part_only(V):
    v = np.maximum(np.asarray(V, dtype=float).reshape(-1), 0.0)
    nv = float(np.linalg.norm(v))
    return nv, v / nv if nv > 0 else v


MUTANTS = [
    Mutant("T4.1", "output_sign_flipped", "bnproofs.closed_forms:theorem_2_1_printed",
           _output_sign_flipped, "w_j^(L) = (−1)^(j+1)(‖((−1)^j y)₊‖ − β): the two neurons' "
           "output signs swapped"),
    Mutant("T4.1", "transpose_for_pinv", "bnproofs.closed_forms:theorem_2_1_printed",
           _transpose_for_pinv, "w_j^(L−1) = A^(L−2)ᵀ((−1)^j y)₊: a transpose for the "
           "pseudo-inverse"),
    Mutant("T4.1", "one_part_dual", "bnproofs.closed_forms:lemma_c1_dual", _one_part_dual,
           "v* = β y/‖y‖ (G.1's single-part dual point) for Lemma C.1's split by sign parts"),
    Mutant("T4.1", "sphere_norm_positive_part", "bnproofs.certify.certificates:relu_sphere_norm",
           _positive_part_only, "max over unit u of abs(vᵀu₊) = ‖v₊‖: the absolute value "
           "dropped, (−v)₊ forgotten"),
]
