"""The objectives of ordinary least squares with and without batch normalisation.

The model of Cai, Li, Shen (ICML 2019), as the poster states it. Input ``x ∈ R^d`` with
``E[x] = 0``, label ``y``; ``H = E[x xᵀ]`` (symmetric positive definite), ``g = E[x y]``,
``c = E[y²]``, ``u = H⁻¹g`` (the OLS solution), ``‖w‖_H = √(wᵀHw)``::

    J₀(w)   = ½c − wᵀg + ½wᵀHw                                   (OLS)
    J(a, w) = ½c − a wᵀg/‖w‖_H + ½a²                             (OLS with BN)

Two facts used throughout (one line of algebra each): with the *effective weight*
``v = a w/‖w‖_H``, ``J(a, w) = J₀(v)`` and ``J₀(v) − J* = ½‖v − u‖_H²`` with ``J* = min J₀ =
½(c − uᵀHu)``. So the distance of a BNGD state from the minimisers is ``‖v − u‖_H``; this
package reports it relative to ``‖u‖_H`` (:func:`rel_error`), for GD ``‖w − u‖_H/‖u‖_H``.
The linearised BNGD dynamics near a minimiser live in ``H* = H − H u uᵀ H/(uᵀHu)``
(:func:`h_star`).
"""

from __future__ import annotations

import math

import numpy as np

from .problems import OLSProblem


def h_norm(p: OLSProblem, w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return np.sqrt(np.einsum("...i,ij,...j->...", w, p.H, w))


def J0(p: OLSProblem, w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return 0.5 * p.c - w @ p.g + 0.5 * np.einsum("...i,ij,...j->...", w, p.H, w)


def J(p: OLSProblem, a, w) -> np.ndarray:
    """``½c − a wᵀg/‖w‖_H + ½a²``."""
    w = np.asarray(w, dtype=float)
    return 0.5 * p.c - a * (w @ p.g) / h_norm(p, w) + 0.5 * np.asarray(a) ** 2


def grad_J(p: OLSProblem, a: float, w) -> tuple[float, np.ndarray]:
    """``(∂J/∂a, ∇_w J) = (a − wᵀg/‖w‖_H, −(a/‖w‖_H)(g − (wᵀg/‖w‖_H²) H w))``."""
    w = np.asarray(w, dtype=float)
    Hw = p.H @ w
    n2 = float(w @ Hw)
    n = math.sqrt(n2)
    wg = float(w @ p.g)
    return a - wg / n, -(a / n) * (p.g - (wg / n2) * Hw)


def hessian_J(p: OLSProblem, a: float, w) -> np.ndarray:
    """The ``(d+1)×(d+1)`` Hessian of ``J`` in ``(a, w)``, from ``φ(w) = wᵀg/‖w‖_H``::

        ∂²J/∂a² = 1,  ∂²J/∂a∂w = −∇φ,  ∂²J/∂w² = −a ∇²φ,
        ∇φ  = g/n − (wᵀg) Hw/n³,
        ∇²φ = −(g (Hw)ᵀ + Hw gᵀ + (wᵀg) H)/n³ + 3 (wᵀg) Hw (Hw)ᵀ/n⁵,   n = ‖w‖_H.
    """
    w = np.asarray(w, dtype=float)
    g, H = p.g, p.H
    Hw = H @ w
    n = math.sqrt(float(w @ Hw))
    wg = float(w @ g)
    dphi = g / n - wg * Hw / n**3
    d2phi = (-(np.outer(g, Hw) + np.outer(Hw, g) + wg * H) / n**3
             + 3 * wg * np.outer(Hw, Hw) / n**5)
    out = np.empty((w.size + 1, w.size + 1))
    out[0, 0] = 1.0
    out[0, 1:] = out[1:, 0] = -dphi
    out[1:, 1:] = -a * d2phi
    return 0.5 * (out + out.T)


def effective_weight(p: OLSProblem, a, w) -> np.ndarray:
    """``v = a w/‖w‖_H`` (the BN model's prediction is ``xᵀv``), batched over leading axes."""
    w = np.asarray(w, dtype=float)
    return np.asarray(a)[..., None] * w / h_norm(p, w)[..., None]


def rel_error(p: OLSProblem, v) -> np.ndarray:
    """``‖v − u‖_H/‖u‖_H`` (so ``J₀(v) − J* = ½ rel_error² uᵀHu``)."""
    return h_norm(p, np.asarray(v) - p.u) / math.sqrt(p.uHu)


def h_star(p: OLSProblem) -> np.ndarray:
    """``H* = H − H u uᵀ H/(uᵀHu)`` (symmetric, ``H* u = 0``)."""
    Hu = p.H @ p.u
    Hs = p.H - np.outer(Hu, Hu) / p.uHu
    return 0.5 * (Hs + Hs.T)


def effective_spectrum(p: OLSProblem) -> np.ndarray:
    """Eigenvalues ``0 ≈ λ*₁ ≤ λ*₂ ≤ … ≤ λ*_d`` of ``H*`` (ascending)."""
    return np.linalg.eigvalsh(h_star(p))
