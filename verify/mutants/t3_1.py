"""Mutants of T3.1 (two-layer CNN with BN, program (15)): the patch matrix stacked sample by
sample, the whitening without centring, the CNN rebuilt without undoing the whitening, and
Cover's count off by one."""

from __future__ import annotations

import math

import numpy as np

from bnproofs.data import Whitened, check_data, rank_tolerance
from bnproofs.nets.network import Layer

from ..mutation import Mutant


def _sample_major(P):
    K, n, h = P.shape
    return np.asarray(P, dtype=float).transpose(1, 0, 2).reshape(K * n, h)


def _uncentred_whiten(X):
    X, _, _ = check_data(X)
    n = X.shape[0]
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    r = int(np.sum(s > rank_tolerance(s, X.shape, float(np.linalg.norm(X, 2))))) if s.size else 0
    U, s, Vt = U[:, :r], s[:r], Vt[:r]
    return Whitened(U, s, Vt, np.hstack([U, np.full((n, 1), 1.0 / np.sqrt(n))]))


def _sigma_dropped(W, H):
    r = W.r
    H = np.asarray(H, dtype=float).reshape(-1, r + 1)
    H = H / np.linalg.norm(H, axis=1, keepdims=True)
    nh = np.linalg.norm(H[:, :r], axis=1)
    q = H[:, :r] / np.where(nh > 0, nh, 1.0)[:, None]
    W1 = W.Vt.T @ q.T if r else np.zeros((W.Vt.shape[1], H.shape[0]))
    return Layer(W1, nh, H[:, r].copy())


def _cover_inclusive(n, k):
    return 2 * sum(math.comb(n - 1, i) for i in range(k + 1))


MUTANTS = [
    Mutant("T3.1", "patches_sample_major", "bnproofs.programs.cnn:patch_matrix", _sample_major,
           "M stacked sample by sample instead of [X_1; …; X_K] (a transposed stacking)"),
    Mutant("T3.1", "whiten_uncentred", "bnproofs.data:whiten", _uncentred_whiten,
           "M = U_MΣ_MV_Mᵀ without (I − (1/nK)11ᵀ): BN's centring dropped from U'_M"),
    Mutant("T3.1", "rebuild_sigma_dropped", "bnproofs.certify.rebuild:first_layer",
           _sigma_dropped, "filters z = V_M q rebuilt without Σ_M⁻¹ (the whitening not undone)"),
    Mutant("T3.1", "cover_count_inclusive", "bnproofs.programs.arrangements:cover_count",
           _cover_inclusive, "Cover's count 2Σ_{k≤r} C(n−1, k) (one term too many)"),
]
