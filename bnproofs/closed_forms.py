"""Closed-form networks of [E], exactly as printed, and the corrected forms the appendix implies.

Each function returns a :class:`~bnproofs.nets.network.Net`. Nothing here evaluates an objective or a
dual: the claims compare these networks against solver- and certificate-derived numbers.
"""

from __future__ import annotations

import numpy as np

from bnproofs.nets.network import Layer, Net


def _bn_params(part: np.ndarray) -> tuple[float, float]:
    """``[γ; α] = 1/‖p‖ [‖p − (1/n) 1 1ᵀ p‖; (1/√n) 1ᵀ p]`` (T2.1, T2.4, G.2)."""
    n = part.size
    norm = np.linalg.norm(part)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.linalg.norm(part - part.mean()) / norm
        alpha = part.sum() / np.sqrt(n) / norm
    return float(gamma), float(alpha)


def theorem_2_1_printed(X: np.ndarray, y: np.ndarray, beta: float) -> Net:
    """Theorem 2.1 as printed, for j = 1, 2 (j = 1 is the negative part, j = 2 the positive)::

        w_j^(1) = X† ((−1)^j y)_+,   w_j^(2) = (−1)^j (‖((−1)^j y)_+‖₂ − β),
        [γ_j; α_j] = 1/‖((−1)^j y)_+‖ [‖((−1)^j y)_+ − (1/n)11ᵀ((−1)^j y)_+‖; (1/√n) 1ᵀ((−1)^j y)_+].

    No clamping and no case split: where ``((−1)^j y)_+ = 0`` the BN parameters are 0/0 (NaN),
    exactly as the printed formula gives them.
    """
    Xp = np.linalg.pinv(X)
    cols, gam, alp, out = [], [], [], []
    for j in (1, 2):
        part = np.maximum((-1) ** j * y, 0.0)
        cols.append(Xp @ part)
        g, a = _bn_params(part)
        gam.append(g)
        alp.append(a)
        out.append((-1) ** j * (np.linalg.norm(part) - beta))
    return Net([Layer(np.array(cols).T, np.array(gam), np.array(alp))], np.array(out))


def theorem_2_1_corrected(X: np.ndarray, y: np.ndarray, beta: float) -> Net:
    """The case split of Appendix C.2 (Lemma C.1): a neuron for ``(±y)_+`` only where
    ``β < ‖(±y)_+‖``, with output weight ``±(‖(±y)_+‖ − β)_+``. Equivalent to Theorem 2.1 with
    ``(·)_+`` on the output weight and the empty neurons dropped."""
    Xp = np.linalg.pinv(X)
    cols, gam, alp, out = [], [], [], []
    for j in (1, 2):
        part = np.maximum((-1) ** j * y, 0.0)
        norm = np.linalg.norm(part)
        if norm <= beta:
            continue
        cols.append(Xp @ part)
        g, a = _bn_params(part)
        gam.append(g)
        alp.append(a)
        out.append((-1) ** j * (norm - beta))
    if not cols:
        return Net([Layer(np.zeros((X.shape[1], 1)), np.ones(1), np.zeros(1))], np.zeros(1))
    return Net([Layer(np.array(cols).T, np.array(gam), np.array(alp))], np.array(out))


def lemma_c1_dual(y: np.ndarray, beta: float) -> np.ndarray:
    """The optimal dual point of Lemma C.1 (Appendix C.1), by its four cases: each sign part
    contributes ``β (±y)_+/‖(±y)_+‖`` if ``β ≤ ‖(±y)_+‖`` and ``(±y)_+`` otherwise."""
    v = np.zeros_like(y, dtype=float)
    for sgn in (1.0, -1.0):
        part = np.maximum(sgn * y, 0.0)
        norm = np.linalg.norm(part)
        v += sgn * (beta * part / norm if beta <= norm and norm > 0 else part)
    return v


def theorem_2_4_printed(X: np.ndarray, Y: np.ndarray, beta: float) -> Net:
    """Theorem 2.4 as printed (one-hot ``Y``, n ≤ d), one neuron per class j ∈ [C]::

        w_j^(1) = X† y_j,   w_j^(2) = (‖y_j‖₂ − β)_+ e_j,
        [γ_j; α_j] = 1/‖y_j‖ [‖y_j − (1/n)11ᵀ y_j‖; (1/√n) 1ᵀ y_j].

    Nothing is clamped or dropped beyond the printed ``(·)_+``: an empty column ``y_j = 0`` gives
    0/0 BN parameters (NaN), exactly as printed. Also the T4.2 last two layers with ``X`` replaced
    by ``A^(L−2)``.
    """
    Y = np.asarray(Y, dtype=float)
    C = Y.shape[1]
    Xp = np.linalg.pinv(X)
    gam, alp = zip(*(_bn_params(Y[:, j]) for j in range(C)), strict=True)
    norms = np.linalg.norm(Y, axis=0)
    return Net(
        [Layer(Xp @ Y, np.array(gam), np.array(alp))], np.diag(np.maximum(norms - beta, 0.0))
    )


def theorem_g_2_printed(X: np.ndarray, y: np.ndarray, beta: float) -> tuple[np.ndarray, float, float, float]:
    """Theorem G.2 as printed (BN after ReLU, n ≤ d): the single neuron
    ``(w^(1), w^(2), γ, α) = (X†(y − min_i y_i 1), (‖y‖₂ − β)_+, …)`` with
    ``[γ; α] = 1/‖y‖ [‖y − (1/n)11ᵀy‖; (1/√n) 1ᵀ y]``. Returned as a tuple because the
    BN-after-ReLU model ``Σ_j BN((X w_j)_+) w_j^(2)`` is not a :class:`Net`."""
    y = np.asarray(y, dtype=float)
    w1 = np.linalg.pinv(X) @ (y - y.min())
    g, a = _bn_params(y)
    return w1, float(max(np.linalg.norm(y) - beta, 0.0)), g, a


def theorem_2_4_corrected(X: np.ndarray, Y: np.ndarray, beta: float) -> Net:
    """The case split of Appendix C.6 (41): a neuron for class j only where ``β < ‖y_j‖``
    (so an empty class ``y_j = 0``, whose printed BN parameters are 0/0, gets none)."""
    Y = np.asarray(Y, dtype=float)
    norms = np.linalg.norm(Y, axis=0)
    keep = np.flatnonzero(norms > beta)
    if keep.size == 0:
        return Net([Layer(np.zeros((X.shape[1], 1)), np.ones(1), np.zeros(1))],
                   np.zeros((1, Y.shape[1])))
    full = theorem_2_4_printed(X, Y[:, keep], beta)
    w_out = np.zeros((keep.size, Y.shape[1]))
    w_out[np.arange(keep.size), keep] = norms[keep] - beta
    return Net(full.layers, w_out)


def theorem_2_4_dual(Y: np.ndarray, beta: float) -> np.ndarray:
    """The dual point (37) of Appendix C.6, column by column: ``v_j = β y_j/‖y_j‖`` if
    ``β ≤ ‖y_j‖``, else ``v_j = y_j`` (so ``v_j = 0`` for an empty class)."""
    Y = np.asarray(Y, dtype=float)
    norms = np.linalg.norm(Y, axis=0)
    big = (norms >= beta) & (norms > 0)
    return np.where(big, beta * Y / np.where(big, norms, 1.0), Y)
