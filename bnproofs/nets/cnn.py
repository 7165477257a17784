"""Two-layer CNNs with BN (Section 3 of [E]): patches, conv-BN, the CNN (13).

**Patches.** A convolution of the data with a filter ``z ∈ R^h`` is ``{X_k z}_{k=1..K}`` for
patch matrices ``X_k ∈ R^{n×h}`` (row i = the k-th patch of sample i). :func:`patches` extracts
them with ``torch.nn.functional.unfold`` (1-D signals as images of height 1), the one
implementation used both by the torch CNN and by the convex program; ``h`` counts channels times
filter entries. ``M = [X_1; …; X_K] ∈ R^{nK×h}`` (:func:`bnproofs.programs.cnn.patch_matrix`).

**Conv-BN** (after (13)): for filter ``z`` with ``μ = (1/nK) Σ_k 1ᵀ X_k z``::

    BN_{γ,α}(X_k z) = (X_k z − μ1) / √(Σ_k' ‖X_k' z − μ1‖²) · γ + α/√(nK) · 1,

i.e. eq. (2) applied to the stacked column ``M z ∈ R^{nK}`` (statistics over all nK patch
outputs, shift ``1/√(nK)``), then cut back into its K blocks: :func:`conv_bn`,
:func:`conv_bn_torch`. The CNN of (13), ``f(X) = Σ_j Σ_k (BN(X_k z_j))_+ w_j``, is a
:class:`~bnproofs.nets.network.Net` with ``pool = K`` on the input ``M`` (same operator: ``bn`` on
the stacked rows, then a sum over the blocks); :func:`forward_13` writes (13) out block by block
as an independent evaluator for tests.

**Program (15)** (Theorem 3.1) is built by :func:`bnproofs.programs.cnn.program_15`, on the patch
matrix ``M`` of :func:`bnproofs.programs.cnn.patch_matrix`; a solution rebuilds as a CNN exactly as
(8) rebuilds as a network (:func:`bnproofs.certify.two_layer.certify_program` with ``pool = K``).
"""

from __future__ import annotations

import numpy as np

from bnproofs.data import InputError
from bnproofs.nets.bn import bn, bn_torch


def _pair(v, name) -> tuple[int, int]:
    t = (v, v) if np.isscalar(v) else tuple(v)
    if len(t) != 2 or any(int(a) != a for a in t):
        raise InputError(f"{name} must be an integer or a pair of integers, got {v!r}")
    return int(t[0]), int(t[1])


def patches(X, h, stride=1, padding=0) -> np.ndarray:
    """Patches ``X_k`` as an array ``K × n × h_eff`` (float64).

    ``X``: ``n × d`` (1-D, one channel), ``n × c × d`` (1-D, c channels) or ``n × c × H × W``
    (2-D). ``h``, ``stride``, ``padding``: integers, or pairs for 2-D (zero padding).
    ``h_eff = c · h`` (1-D) or ``c · h₁ · h₂`` (2-D); patches run row-major over positions.
    """
    import torch
    import torch.nn.functional as F

    X = np.asarray(X, dtype=float)
    if X.ndim not in (2, 3, 4) or X.shape[0] < 1 or not np.all(np.isfinite(X)):
        raise InputError(f"X must be finite, n×d, n×c×d or n×c×H×W; got shape {X.shape}")
    if X.ndim == 4:
        kernel, step, pad = _pair(h, "h"), _pair(stride, "stride"), _pair(padding, "padding")
        img = X
    else:
        if not all(np.isscalar(v) for v in (h, stride, padding)):
            raise InputError("1-D patches take integer h, stride and padding")
        kernel, step, pad = (1, int(h)), (1, int(stride)), (0, int(padding))
        img = (X[:, None, :] if X.ndim == 2 else X)[:, :, None, :]
    if min(kernel) < 1 or min(step) < 1 or min(pad) < 0:
        raise InputError("filter size and stride must be ≥ 1 and padding ≥ 0")
    if any(img.shape[2 + a] + 2 * pad[a] < kernel[a] for a in (0, 1)):
        raise InputError(f"filter {kernel} larger than the padded input {img.shape[2:]}")
    cols = F.unfold(torch.as_tensor(img), kernel_size=kernel, stride=step, padding=pad)
    return cols.permute(2, 0, 1).numpy().astype(float)  # K × n × (c·kernel)


def conv_bn(Z: np.ndarray, gamma, alpha) -> np.ndarray:
    """Conv-BN of (13) for patch outputs ``Z`` (K × n × m): eq. (2) over all nK rows."""
    K, n, m = Z.shape
    return bn(Z.reshape(K * n, m), gamma, alpha).reshape(K, n, m)


def conv_bn_torch(Z, gamma, alpha):
    """The same in torch, batched: ``Z`` is ``(..., K, n, m)``."""
    K, n, m = Z.shape[-3:]
    flat = Z.reshape(*Z.shape[:-3], K * n, m)
    return bn_torch(flat, gamma, alpha).reshape(Z.shape)


def forward_13(P: np.ndarray, filters, gamma, alpha, w) -> np.ndarray:
    """``Σ_j Σ_k (BN_{γ_j,α_j}(X_k z_j))_+ w_j`` with the BN written out as after (13):
    ``μ_j``, the root of the sum of squared centred block norms, and ``α_j/√(nK)``. An
    evaluator independent of :func:`conv_bn` and :class:`~bnproofs.nets.network.Net` (tests)."""
    K, n, _ = P.shape
    out = np.zeros(n)
    for j in range(np.shape(filters)[1]):
        blocks = [P[k] @ filters[:, j] for k in range(K)]
        mu = sum(b.sum() for b in blocks) / (n * K)
        den = np.sqrt(sum(np.sum((b - mu) ** 2) for b in blocks))
        for b in blocks:
            out += np.maximum((b - mu) / den * gamma[j] + alpha[j] / np.sqrt(n * K), 0) * w[j]
    return out
