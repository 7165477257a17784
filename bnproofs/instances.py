"""Seeded instance generators. Conditioning is built by construction, never by rejection.

* :func:`full_row_rank` — ``X = Q₁ diag(σ) Q₂ᵀ`` with ``σ`` log-spaced from 1 to ``1/cond``;
* :func:`general_position` — Gaussian rows (general position with probability one);
* :func:`with_ties` — some rows repeated exactly (ties in the data, not in general position);
* :func:`rank_deficient` — Gaussian data in a random ``rank``-dimensional subspace;
* :func:`labels` — mixed signs, one sign only, ties, constant;
* :func:`beta_for` — β placed relative to the label norms ``‖(y)_+‖`` and ``‖(−y)_+‖``;
* :func:`class_labels`, :func:`beta_for_classes` — ``n × C`` labels (one-hot, soft, multi-hot,
  real) and β relative to the class norms;
* :func:`sampled_hinge_8` — program (8), hinge loss, on sampled arrangements at small β.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits

from bnproofs.data import whiten
from bnproofs.programs.arrangements import sample_arrangements
from bnproofs.programs.cone import ConeProgram, program_8

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


#: label kinds of :func:`class_labels` (T2.4 and its probes)
CLASS_LABEL_KINDS = ("onehot", "onehot_empty", "soft", "multihot", "real")


def one_hot_unbalanced(rng, n: int, C: int, empty: int | None = None) -> np.ndarray:
    """One-hot ``n × C`` rows; every class present except ``empty``; unbalanced class sizes
    (geometric weights), so β can fall between class norms."""
    classes = [c for c in range(C) if c != empty]
    if n < len(classes):
        raise ValueError("need n ≥ number of non-empty classes")
    p = 0.5 ** np.arange(len(classes))
    lab = np.r_[classes, rng.choice(classes, n - len(classes), p=p / p.sum())]
    Y = np.zeros((n, C))
    Y[np.arange(n), rng.permutation(lab)] = 1.0
    return Y


def class_labels(rng, n: int, C: int, kind: str) -> np.ndarray:
    """``n × C`` labels of one kind (:data:`CLASS_LABEL_KINDS`): one-hot (every class present,
    or the last one empty), soft (Dirichlet rows), multi-hot, real (Gaussian)."""
    if kind == "onehot":
        return one_hot_unbalanced(rng, n, C)
    if kind == "onehot_empty":
        return one_hot_unbalanced(rng, n, C, empty=C - 1)
    if kind == "soft":
        return rng.dirichlet(np.ones(C), size=n)
    if kind == "multihot":
        Y = (rng.random((n, C)) < 0.5).astype(float)
        Y[np.arange(n), rng.integers(0, C, n)] = 1.0
        return Y
    if kind == "real":
        return rng.standard_normal((n, C))
    raise ValueError(f"unknown label kind {kind!r}")


def beta_for_classes(rng, Y: np.ndarray, rule: str) -> float:
    """β relative to the class norms ‖y_j‖ (nonzero ones): tiny, above all, between the
    smallest and the largest, or random."""
    norms = np.sort(np.linalg.norm(Y, axis=0))
    norms = norms[norms > 0]
    if rule == "tiny":
        return 1e-2 * norms[0]
    if rule == "above_all":
        return 1.2 * norms[-1]
    if rule == "between":  # some classes switched off, some on
        return 0.5 * (norms[0] + norms[-1]) if norms[-1] > norms[0] else 0.5 * norms[0]
    if rule == "random":
        return float(norms[-1] * 10 ** rng.uniform(-2, 0.1))
    raise ValueError(f"unknown beta rule {rule!r}")


#: data kinds for the whitened-model claims (L5.1, T5.1): shapes and ranks (17) allows
DATA_KINDS = ("general", "rank2", "illcond", "offset", "ties")


def data_matrix(rng, n: int, d: int, kind: str) -> np.ndarray:
    """``X ∈ R^{n×d}`` of one kind: Gaussian; rank 2; condition 1e6 (log-spaced spectrum); a
    common mean of 1e3 on every column (centring cancels it); duplicated rows; full row rank
    with condition 30 (n ≤ d)."""
    if kind == "general":
        return general_position(rng, n, d)
    if kind == "rank2":
        return rank_deficient(rng, n, d, min(2, d))
    if kind == "illcond":
        k = min(n, d)
        sigma = np.logspace(0, -6, k)
        return _orthonormal(rng, n, k) @ np.diag(sigma) @ _orthonormal(rng, d, k).T
    if kind == "offset":
        return general_position(rng, n, d) + 1e3
    if kind == "ties":
        return with_ties(rng, n, d, repeats=2)
    if kind == "full_row_rank":
        return full_row_rank(rng, n, d, cond=30.0)
    raise ValueError(f"unknown data kind {kind!r}")


#: (n, d, data kind, C) for the whitened-model claims: n > d (V square), n < d, n = d, rank 2,
#: n = 2, ill-conditioned, large mean, duplicated rows
WHITENED_CASES = [
    (8, 3, "general", 1),
    (4, 9, "general", 3),
    (5, 5, "general", 2),
    (12, 6, "rank2", 2),
    (2, 3, "general", 1),
    (10, 4, "illcond", 1),
    (10, 4, "offset", 4),
    (9, 3, "ties", 2),
]


def whitened_shape(index: int, rng) -> tuple[int, int, str, int]:
    """``(n, d, data kind, C)`` of instance ``index`` for the whitened-model claims (L5.1,
    T5.1): one of :data:`WHITENED_CASES`, else drawn from ``rng``."""
    if index < len(WHITENED_CASES):
        return WHITENED_CASES[index]
    n, d = int(rng.integers(2, 16)), int(rng.integers(1, 12))
    kind = str(rng.choice(DATA_KINDS))
    return n, d, kind, int(rng.integers(1, 5))


def whitened_data(rng, n: int, d: int, kind: str, C: int) -> tuple[np.ndarray, np.ndarray, float]:
    """``(X, Y, β)`` for :func:`whitened_shape`'s shape: ``X`` of :func:`data_matrix`'s ``kind``,
    Gaussian labels ``Y ∈ R^{n×C}`` and β log-uniform in ``[1e-3, 10]``."""
    X = data_matrix(rng, n, d, kind)
    Y = rng.standard_normal((n, C))
    return X, Y, float(10 ** rng.uniform(-3, 1))


def two_layer_parameters(rng, rows: int, C: int):
    """First-layer weights (rows × m, random scale 1e-3..1e3), γ, α (both signs) and output
    weights (m × C) of a two-layer BN network; m between 1 and 6."""
    m = int(rng.integers(1, 7))
    scale = 10 ** rng.uniform(-3, 3)
    return (rng.standard_normal((rows, m)) * scale, rng.standard_normal(m) * 2,
            rng.standard_normal(m) * 2, rng.standard_normal((m, C)))


def digits(rng, n: int | None = None, classes=None):
    """scikit-learn's bundled 8×8 digits (1797 × 64, pixel values 0..16; no download): a random
    subset of ``n`` images (all if None) of the given ``classes`` (all ten if None), as
    ``(X, labels)`` in a seeded random order."""
    X, lab = load_digits(return_X_y=True)
    keep = np.arange(len(lab)) if classes is None else np.flatnonzero(np.isin(lab, classes))
    keep = rng.permutation(keep)
    if n is not None:
        keep = keep[:n]
    return X[keep].astype(float), lab[keep]


def digits_split(classes, per_class: int):
    """scikit-learn's digits of ``classes``: the first ``per_class`` images of each class for
    training (one-hot labels ``n × len(classes)``), the rest for test (class positions):
    ``(X_train, Y_train, X_test, y_test)``. Figure 4 of [E] on a bundled data set."""
    X, y = load_digits(return_X_y=True)
    idx = [np.flatnonzero(y == c) for c in classes]
    tr = np.concatenate([i[:per_class] for i in idx])
    te = np.concatenate([i[per_class:] for i in idx])
    lab = {c: j for j, c in enumerate(classes)}
    onehot = np.eye(len(classes))
    return (X[tr], onehot[[lab[c] for c in y[tr]]], X[te],
            np.array([lab[c] for c in y[te]]))


def sampled_hinge_8(seed: int, n: int = 30, P: int = 1000, beta: float = 0.02) -> ConeProgram:
    """Program (8) with the hinge loss on whitened Gaussian data ``U'`` (n × 3), ``P`` sampled
    arrangements (:func:`~bnproofs.programs.arrangements.sample_arrangements`, ~700 distinct of 1000 at
    n = 30) and ±1 labels, at a small β: set A of ``benchmarks/hinge_small_beta.py``, whose
    instances stress the torch solver's hinge path (its tests use the same ones)."""
    rng = np.random.default_rng(seed)
    Up = whiten(rng.standard_normal((n, 3))).Uprime
    D = sample_arrangements(Up, P, rng)
    y = np.where(rng.standard_normal(n) >= 0, 1.0, -1.0)
    return program_8(Up, D, y, beta, "hinge")
