"""Mutants of R5.1 (Remark 5.1 / Figure 1): wrong versions of the cosine (18), the crossing
step, the whitening and the map to q-space."""

from __future__ import annotations

import numpy as np

from bnproofs.data import Whitened, check_data, rank_tolerance

from ..mutation import Mutant


def _unnormalised(Vt, W, W0):
    """(18) without the norm of v_iᵀW in the denominator (a projection coefficient)."""
    A, B = Vt @ W, Vt @ W0
    return np.sum(A * B, axis=-1) / np.maximum(np.sum(B * B, axis=-1), 1e-300)


def _first_above(C, tau):
    above = C >= tau
    return np.where(above.any(axis=0), above.argmax(axis=0), np.inf).astype(float)


def _not_centred(X):
    X, _, _ = check_data(X)
    n = X.shape[0]
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    r = int(np.sum(s > rank_tolerance(s, X.shape, float(np.linalg.norm(X, 2)))))
    U, s, Vt = U[:, :r], s[:r], Vt[:r]
    return Whitened(U, s, Vt, np.hstack([U, np.full((n, 1), 1.0 / np.sqrt(n))]))


def _sigma_dropped(W, W1):
    return W.Vt @ np.asarray(W1, dtype=float)


MUTANTS = [
    Mutant("R5.1", "cosine_unnormalised", "bnproofs.nets.whitened:direction_cosines",
           _unnormalised, "(18) without ‖v_iᵀW‖₂ in the denominator"),
    Mutant("R5.1", "crossing_reversed", "verify.r5_1:crossing_steps", _first_above,
           "the crossing step as the first step with d_i ≥ τ (inequality reversed)"),
    Mutant("R5.1", "svd_not_centred", "bnproofs.data:whiten", _not_centred,
           "the SVD of X instead of (I − 11ᵀ/n)X (centring dropped before (18))"),
    Mutant("R5.1", "q_sigma_dropped", "bnproofs.nets.whitened:to_q", _sigma_dropped,
           "the mapped initialisation Q0 = VᵀW0 (Σ dropped from q = ΣVᵀw)"),
]
