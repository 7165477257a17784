"""Mutants of L5.1 (the BN model (9) and the whitened model (16) agree): wrong versions of the
map q = ΣVᵀw, its preimage, (16), BN's centring and what the map discards."""

from __future__ import annotations

import numpy as np

from bnproofs.nets import whitened

from ..mutation import Mutant


def _sigma_dropped(W, W1):
    return W.Vt @ np.asarray(W1, dtype=float)


def _preimage_sigma(W, Q):
    return W.Vt.T @ (W.sigma[:, None] * np.asarray(Q, dtype=float))


def _alpha_over_n(W, wnet):
    n = W.U.shape[0]
    Q = np.asarray(wnet.Q, dtype=float)
    norms = np.linalg.norm(Q, axis=0)
    safe = np.where(norms > 0, norms, np.inf)
    H = np.maximum(W.U @ (Q / safe) * wnet.gamma + wnet.alpha / n, 0.0)
    return H @ wnet.w_out


def _not_centred(Z):
    return np.asarray(Z, dtype=float)


def _nothing_lost(W, W1):
    return np.zeros_like(np.asarray(W1, dtype=float))


def _decay_on_q(W, wnet, Y, beta):
    R = whitened.forward_whitened(W, wnet) - np.asarray(Y, dtype=float)
    reg = (np.sum(wnet.gamma**2) + np.sum(wnet.alpha**2) + np.sum(np.asarray(wnet.w_out) ** 2)
           + np.sum(np.asarray(wnet.Q) ** 2))
    return 0.5 * float(np.sum(R * R)) + 0.5 * beta * float(reg)


MUTANTS = [
    Mutant("L5.1", "q_sigma_dropped", "bnproofs.nets.whitened:to_q", _sigma_dropped,
           "q = Vᵀw (Σ dropped from the map)"),
    Mutant("L5.1", "preimage_sigma", "bnproofs.nets.whitened:from_q", _preimage_sigma,
           "preimage w = VΣq instead of VΣ⁻¹q (wrong exponent)"),
    Mutant("L5.1", "alpha_over_n", "bnproofs.nets.whitened:forward_whitened", _alpha_over_n,
           "(16) with α_j/n instead of α_j/√n (wrong constant)"),
    Mutant("L5.1", "bn_not_centred", "bnproofs.nets.bn:centre", _not_centred,
           "BN without centring (Π dropped)"),
    Mutant("L5.1", "map_is_bijection", "bnproofs.nets.whitened:lost_component", _nothing_lost,
           "the map q = ΣVᵀw taken as a bijection: nothing discarded for r < d"),
    Mutant("L5.1", "decay_on_q", "bnproofs.nets.whitened:objective_16", _decay_on_q,
           "(16) with a decay (β/2)‖q_j‖² on the weight-normalised weights"),
]
