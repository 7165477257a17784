"""Batch normalisation exactly as [E] defines it (eq. 2, full batch).

For a pre-activation column ``z = A w`` and the centring projector ``Π = I - (1/n) 1 1ᵀ``::

    BN_{γ,α}(z) = Π z / ‖Π z‖₂ · γ + α / √n · 1                                   (2)

It divides by the Euclidean norm of the centred column (not its standard deviation
``‖Π z‖₂ / √n``) and the shift carries ``1/√n``; so for ``γ² + α² = 1`` the output has unit norm.

Convention where (2) is undefined: if ``Π z = 0`` (a constant column) the normalised part is
taken as 0, so ``BN(z) = α/√n · 1``. This is the limit along which the paper's closed forms
put ``γ = 0`` (constant positive labels) and is recorded wherever it is used.

The conventional ``torch.nn.BatchNorm1d`` (weight g, bias b, biased variance, eps → 0) computes
``Π z / std · g + b`` with ``std = ‖Π z‖/√n``; :func:`to_batchnorm1d` and
:func:`from_batchnorm1d` convert between the two parametrisations (``g = γ/√n``, ``b = α/√n``).
"""

from __future__ import annotations

import numpy as np

#: centred columns with norm ≤ this times the column's largest entry count as constant
ZERO_NORM = 1e-13


def centre(Z: np.ndarray) -> np.ndarray:
    """``Π Z``: subtract the column means."""
    return Z - Z.mean(axis=0, keepdims=True)


def bn(Z: np.ndarray, gamma: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Column-wise BN of eq. (2) for ``Z ∈ R^{n×m}``, ``gamma, alpha ∈ R^m``."""
    Z = np.asarray(Z, dtype=float)
    n = Z.shape[0]
    C = centre(Z)
    norms = np.linalg.norm(C, axis=0)
    # relative to the column's own magnitude only: BN is scale invariant, so must the test be
    scale = np.abs(Z).max(axis=0, initial=0.0)
    safe = np.where(norms > ZERO_NORM * scale, norms, np.inf)
    return C / safe * gamma + alpha / np.sqrt(n)


def to_batchnorm1d(gamma, alpha, n: int):
    """(γ, α) of eq. (2) -> (weight, bias) of ``nn.BatchNorm1d`` in training mode, eps → 0."""
    return np.asarray(gamma) / np.sqrt(n), np.asarray(alpha) / np.sqrt(n)


def from_batchnorm1d(weight, bias, n: int):
    """Inverse of :func:`to_batchnorm1d`."""
    return np.asarray(weight) * np.sqrt(n), np.asarray(bias) * np.sqrt(n)


def bn_torch(Z, gamma, alpha):
    """The same operator in torch, batched over leading dimensions: ``Z`` is ``(..., n, m)``.

    Uses a tiny floor on the norm so gradients stay finite at constant columns.
    """
    import torch

    n = Z.shape[-2]
    C = Z - Z.mean(dim=-2, keepdim=True)
    norms = torch.linalg.vector_norm(C, dim=-2, keepdim=True).clamp_min(1e-150)
    return C / norms * gamma.unsqueeze(-2) + alpha.unsqueeze(-2) / n**0.5
