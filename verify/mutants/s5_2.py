"""Mutants of S5.2 (truncation g(X) = U T_k(Σ) Vᵀ): wrong versions of the truncation, of the
truncated whitening and of the network rebuilt from the convex program."""

from __future__ import annotations

import numpy as np

from bnproofs.data import Whitened
from bnproofs.nets.network import Layer

from ..mutation import Mutant


def _printed_indicator(W, k, mean=None):
    """T_k(Σ)_ii = σ_i 1{i ≥ k} literally: keeps σ_k … σ_r."""
    lo = max(k - 1, 0)
    G = (W.U[:, lo:] * W.sigma[lo:]) @ W.Vt[lo:]
    return G if mean is None else G + np.asarray(mean, dtype=float).reshape(1, -1)


def _sigma_squared(W, k, mean=None):
    G = (W.U[:, :k] * W.sigma[:k] ** 2) @ W.Vt[:k]
    return G if mean is None else G + np.asarray(mean, dtype=float).reshape(1, -1)


def _ones_over_n(W, k):
    n = W.U.shape[0]
    U = W.U[:, :k]
    return Whitened(U, W.sigma[:k].copy(), W.Vt[:k].copy(), np.hstack([U, np.full((n, 1), 1 / n)]))


def _preimage_sigma(W, H):
    r = W.r
    H = np.asarray(H, dtype=float).reshape(-1, r + 1)
    H = H / np.linalg.norm(H, axis=1, keepdims=True)
    nh = np.linalg.norm(H[:, :r], axis=1)
    q = H[:, :r] / np.where(nh > 0, nh, 1.0)[:, None]
    return Layer(W.Vt.T @ (q * W.sigma).T, nh, H[:, r].copy())


MUTANTS = [
    Mutant("S5.2", "printed_indicator", "bnproofs.nets.whitened:g", _printed_indicator,
           "T_k(Σ)_ii = σ_i 1{i ≥ k} as printed (keeps the smallest singular values)"),
    Mutant("S5.2", "sigma_squared", "bnproofs.nets.whitened:g", _sigma_squared,
           "g(X) = U T_k(Σ²) Vᵀ (Σ² for Σ)"),
    Mutant("S5.2", "ones_column_1_over_n", "bnproofs.nets.whitened:truncate", _ones_over_n,
           "U'_k = [U_k, 1/n] instead of [U_k, 1/√n] (wrong constant in the bias column)"),
    Mutant("S5.2", "rebuild_sigma", "bnproofs.certify.rebuild:first_layer", _preimage_sigma,
           "rebuilt first layer w = VΣq instead of VΣ⁻¹q (wrong exponent, Appendix C.3)"),
]
