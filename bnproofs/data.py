"""Input validation and the whitening of [E]: ``Π X = U Σ Vᵀ``, ``U' = [U, 1/√n]``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class InputError(ValueError):
    """Bad input to the suite: reported as one clear line, never a traceback."""


def check_data(X, y=None, beta=None):
    """Validate ``X ∈ R^{n×d}``, labels with n rows, and ``β > 0``; return float64 copies."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise InputError(f"X must be a non-empty n×d matrix, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise InputError("X contains NaN or infinite entries")
    if y is not None:
        y = np.asarray(y, dtype=float)
        if y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
            raise InputError(
                f"labels must have {X.shape[0]} rows to match X (shape {X.shape}), got {y.shape}"
            )
        if not np.all(np.isfinite(y)):
            raise InputError("labels contain NaN or infinite entries")
    if beta is not None:
        if not np.isfinite(beta) or beta <= 0:
            raise InputError(f"beta must be a positive finite number, got {beta}")
        beta = float(beta)
    return X, y, beta


def rank_tolerance(sigma: np.ndarray, shape, scale: float = 0.0) -> float:
    """``10 · max(shape) · eps · max(σ_max, scale)``.

    ``scale`` is the norm of the data *before* centring: centring ``X`` leaves round-off of order
    ``eps · ‖X‖``, which can exceed numpy's default ``eps · σ_max(Π X)`` when the rows have a
    large common mean (e.g. ``n = 2``, where ``Π X`` has rank 1 but a round-off second value).
    """
    top = max(sigma[0] if sigma.size else 0.0, scale)
    return 10 * max(shape) * np.finfo(float).eps * top


@dataclass(frozen=True)
class Whitened:
    """Compact SVD of the centred data and the whitened matrix ``U'`` of Theorem 2.2."""

    U: np.ndarray  # n × r
    sigma: np.ndarray  # r
    Vt: np.ndarray  # r × d
    Uprime: np.ndarray  # n × (r+1), orthonormal columns

    @property
    def r(self) -> int:
        return self.U.shape[1]

    @property
    def condition(self) -> float:
        return float(self.sigma[0] / self.sigma[-1]) if self.r else 1.0


def whiten(X) -> Whitened:
    """``Π X = U Σ Vᵀ`` (compact, numerical rank by numpy's rule) and ``U' = [U, 1/√n · 1]``."""
    X, _, _ = check_data(X)
    n = X.shape[0]
    C = X - X.mean(axis=0, keepdims=True)
    U, s, Vt = np.linalg.svd(C, full_matrices=False)
    scale = float(np.linalg.norm(X, 2))
    r = int(np.sum(s > rank_tolerance(s, C.shape, scale))) if s.size else 0
    U, s, Vt = U[:, :r], s[:r], Vt[:r]
    Up = np.hstack([U, np.full((n, 1), 1.0 / np.sqrt(n))])
    return Whitened(U, s, Vt, Up)


def row_space_projector(X) -> np.ndarray:
    """``P = (ΠX)⁺ ΠX`` (d × d), the orthogonal projector onto the row space of the centred data,
    by numpy's pseudo-inverse with :func:`whiten`'s rank rule: the same subspace as ``V Vᵀ``,
    computed without :func:`whiten`."""
    X, _, _ = check_data(X)
    C = X - X.mean(axis=0, keepdims=True)
    s = np.linalg.svd(C, compute_uv=False)
    cut = rank_tolerance(s, C.shape, float(np.linalg.norm(X, 2)))
    if not s.size or s[0] <= cut:
        return np.zeros((X.shape[1], X.shape[1]))
    return np.linalg.pinv(C, rcond=cut / s[0]) @ C


def whitening_gap(W: Whitened, X) -> float:
    """``max(‖UΣVᵀ − ΠX‖_F/‖ΠX‖_F, max|UᵀU − I|, ‖1ᵀU‖/√n)``: how far ``W`` is from the compact
    SVD of the centred data (``‖Uq‖ = ‖q‖``, ``U ⊥ 1``); 0 for ``r = 0``."""
    X, _, _ = check_data(X)
    if W.r == 0:
        return 0.0
    C = X - X.mean(axis=0, keepdims=True)
    rec = np.linalg.norm((W.U * W.sigma) @ W.Vt - C) / max(np.linalg.norm(C), 1e-300)
    orth = np.abs(W.U.T @ W.U - np.eye(W.r)).max()
    mean = np.linalg.norm(W.U.sum(axis=0)) / np.sqrt(X.shape[0])
    return float(max(rec, orth, mean))
