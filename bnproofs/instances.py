"""Seeded instance generators. Conditioning is built by construction, never by rejection.

* :func:`full_row_rank` — ``X = Q₁ diag(σ) Q₂ᵀ`` with ``σ`` log-spaced from 1 to ``1/cond``;
* :func:`general_position` — Gaussian rows (general position with probability one);
* :func:`with_ties` — some rows repeated exactly (ties in the data, not in general position);
* :func:`rank_deficient` — Gaussian data in a random ``rank``-dimensional subspace;
* :func:`labels` — mixed signs, one sign only, ties, constant;
* :func:`beta_for` — β placed relative to the label norms ``‖(y)_+‖`` and ``‖(−y)_+‖``.
"""

from __future__ import annotations

import numpy as np

LABEL_KINDS = ("mixed", "positive", "negative", "ties", "constant")
BETA_RULES = ("tiny", "between", "at_positive", "above", "random")


def _orthonormal(rng, rows, cols):
    Q, _ = np.linalg.qr(rng.standard_normal((rows, cols)))
    return Q[:, :cols]


def full_row_rank(rng, n: int, d: int, cond: float = 10.0) -> np.ndarray:
    """``n ≤ d``, rank n, condition number ``cond`` (ratio of extreme singular values)."""
    if n > d:
        raise ValueError("full row rank needs n ≤ d")
    sigma = np.logspace(0, -np.log10(cond), n)
    return _orthonormal(rng, n, n) @ np.diag(sigma) @ _orthonormal(rng, d, n).T


def general_position(rng, n: int, d: int) -> np.ndarray:
    return rng.standard_normal((n, d))


def with_ties(rng, n: int, d: int, repeats: int = 2) -> np.ndarray:
    """``n`` rows of which ``repeats`` (at most n − 1) are exact copies of earlier rows."""
    repeats = min(repeats, n - 1)
    base = rng.standard_normal((n - repeats, d))
    return np.vstack([base, base[rng.choice(n - repeats, repeats)]])


def rank_deficient(rng, n: int, d: int, rank: int) -> np.ndarray:
    return rng.standard_normal((n, rank)) @ _orthonormal(rng, d, rank).T


def labels(rng, n: int, kind: str) -> np.ndarray:
    if kind == "mixed":
        y = rng.standard_normal(n)
        y[0], y[1] = abs(y[0]), -abs(y[1])  # both signs present
        return y
    if kind == "positive":
        return np.abs(rng.standard_normal(n)) + 0.1
    if kind == "negative":
        return -np.abs(rng.standard_normal(n)) - 0.1
    if kind == "ties":
        return rng.choice([-1.0, 0.0, 1.0, 2.0], size=n)
    if kind == "constant":
        return np.full(n, float(rng.choice([-1.5, 1.5])))
    raise ValueError(f"unknown label kind {kind!r}")


def beta_for(rng, y: np.ndarray, rule: str) -> float:
    """β relative to ``a = ‖(y)_+‖``, ``b = ‖(−y)_+‖``: from tiny to above both."""
    a, b = np.linalg.norm(np.maximum(y, 0)), np.linalg.norm(np.maximum(-y, 0))
    hi, lo = max(a, b), min(a, b)
    if rule == "tiny":
        return 1e-3 * hi
    if rule == "between":
        return 0.5 * (lo + hi) if hi > lo else 0.5 * hi
    if rule == "at_positive":
        return a if a > 0 else b
    if rule == "above":
        return 1.5 * hi
    if rule == "random":
        return float(hi * 10 ** rng.uniform(-3, 0.3))
    raise ValueError(f"unknown beta rule {rule!r}")


def one_hot(rng, n: int, C: int) -> np.ndarray:
    """One-hot ``n × C`` labels with every class present (the first C samples cover the classes)
    and unequal class sizes in general (so β can fall between class norms ``√(count_j)``)."""
    if not 1 <= C <= n:
        raise ValueError("one-hot labels need 1 ≤ C ≤ n")
    cls = np.r_[rng.permutation(C), rng.choice(C, n - C, p=np.arange(1, C + 1) / (C * (C + 1) / 2))]
    return np.eye(C)[rng.permutation(cls)]
