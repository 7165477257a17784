"""Mutants of T2.2 ((6) = (8) for any X): wrong versions of the network rebuilt from (8)'s
solution, of the arrangement count and list, and of the Carathéodory pruning to n + 1 neurons."""

from __future__ import annotations

from math import comb

import numpy as np

from bnproofs.nets.network import Layer
from bnproofs.programs import arrangements

from ..mutation import Mutant

#: the originals, out of reach of the replacement (it rebinds every module attribute that is
#: the target, so a plain alias here would call the mutant itself)
_ORIGINAL = {"enumerate": arrangements.enumerate_arrangements}


def _first_layer_sigma(W, H):
    r = W.r
    H = np.asarray(H, dtype=float).reshape(-1, r + 1)
    H = H / np.linalg.norm(H, axis=1, keepdims=True)
    nh = np.linalg.norm(H[:, :r], axis=1)
    q = H[:, :r] / np.where(nh > 0, nh, 1.0)[:, None]
    W1 = W.Vt.T @ (q * W.sigma).T if r else np.zeros((W.Vt.shape[1], H.shape[0]))
    return Layer(W1, nh, H[:, r].copy())


def _cover_without_2(n, k):
    return sum(comb(n - 1, i) for i in range(k))


def _two_dropped(U):
    return _ORIGINAL["enumerate"](U)[2:]


def _no_pruning(prog, S, Sp):
    return S.copy(), Sp.copy()


MUTANTS = [
    Mutant("T2.2", "first_layer_sigma", "bnproofs.certify.rebuild:first_layer",
           _first_layer_sigma, "C.3's rebuilt first layer w = VΣq instead of VΣ⁻¹q (wrong "
                               "exponent of Σ)"),
    Mutant("T2.2", "cover_count_without_2", "bnproofs.programs.arrangements:cover_count",
           _cover_without_2, "Cover's count Σ_{i<k} C(n − 1, i) without its factor 2"),
    Mutant("T2.2", "arrangements_dropped", "bnproofs.programs.arrangements:"
           "enumerate_arrangements", _two_dropped,
           "two hyperplane arrangements dropped from the enumeration"),
    Mutant("T2.2", "no_caratheodory", "bnproofs.certify.rebuild:caratheodory_prune",
           _no_pruning, "the solver's solution kept unpruned (no Carathéodory step to m* ≤ "
                        "n + 1)"),
]
