"""Convex losses ``L(f, y) = Σ_j ℓ(f_j, y_j)`` and their Fenchel conjugates (Appendix B.1 of [E]).

With ``f = Σ_i A_i (s_i − s_i')`` the Lagrangian of the cone program (P) in
:mod:`bnproofs.programs.cone` is ``L(f) + vᵀ(f − Σ_i A_i(s_i − s_i')) + β Σ‖s‖ − Σ ρᵀ G s``; minimising
over ``f`` gives ``−L*(−v)``, over ``s_i`` the constraints ``‖A_iᵀ v + G_iᵀ ρ_i‖ ≤ β`` (and
``s_i'`` the mirrored ones). So for every convex loss the dual is::

    max_v  −L*(−v)   s.t.  ‖A_iᵀ v + G_iᵀ ρ_i‖₂ ≤ β,  ‖−A_iᵀ v + G_iᵀ ρ_i'‖₂ ≤ β,  ρ ≥ 0      (D_L)

(B.1 prints ``max −L*(v)``: the same problem, since the constraint set is symmetric under
``(v, ρ, ρ') → (−v, ρ', ρ)``). At an optimum ``v = −∇L(f*)``. Per loss, with ``p = y ∘ v``:

* ``squared``  ``ℓ = ½(f − y)²``, ``ℓ*(u) = ½u² + uy``; ``−L*(−v) = −½‖v − y‖² + ½‖y‖²``, no
  domain restriction; ``v = y − f``.
* ``logistic`` (labels ±1) ``ℓ = log(1 + e^{−yf})``, ``ℓ*(u) = H(−yu)`` with
  ``H(p) = p log p + (1−p) log(1−p)`` on ``[0, 1]`` (+∞ outside);
  ``−L*(−v) = Σ_j −H(p_j)`` (binary entropy), domain ``p = y∘v ∈ [0, 1]^n``; ``v = y σ(−y f)``.
* ``hinge``    (labels ±1) ``ℓ = max(0, 1 − yf)``, ``ℓ*(u) = yu`` for ``yu ∈ [−1, 0]`` (+∞
  outside); ``−L*(−v) = Σ_j p_j = yᵀv``, domain ``p ∈ [0, 1]^n`` (a box with the sign pattern
  of ``y``); ``v = y · 1[y f < 1]`` is a subgradient choice (not unique at ``yf = 1``).

:func:`to_domain` projects a candidate ``v`` onto the domain (clip ``p`` to ``[0, 1]``); the
domain contains 0 and is star-shaped about it, so the scaling ``t v, t ∈ [0, 1]`` that
:mod:`bnproofs.certify.certificates` applies afterwards keeps it there.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, xlogy

from bnproofs.data import InputError

LOSSES = ("squared", "logistic", "hinge")


def check_loss(name: str, y) -> None:
    if name not in LOSSES:
        raise InputError(f"loss must be one of {LOSSES}, got {name!r}")
    if name != "squared":
        y = np.asarray(y, dtype=float)
        if not np.all(np.isin(y, (-1.0, 1.0))):
            raise InputError(f"the {name} loss needs labels in {{−1, +1}}")


def value(name: str, f, y) -> float:
    """``L(f, y)``."""
    f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
    if name == "squared":
        return 0.5 * float(np.sum((f - y) ** 2))
    if name == "logistic":
        return float(np.sum(np.logaddexp(0.0, -y * f)))
    if name == "hinge":
        return float(np.sum(np.maximum(0.0, 1.0 - y * f)))
    raise InputError(f"unknown loss {name!r}")


def to_domain(name: str, v, y) -> np.ndarray:
    """Project ``v`` onto ``dom L*(−·)``: identity for squared, ``y∘v ∈ [0, 1]`` otherwise."""
    v = np.asarray(v, dtype=float)
    if name == "squared":
        return v
    return np.asarray(y, dtype=float) * np.clip(np.asarray(y, dtype=float) * v, 0.0, 1.0)


def dual_objective(name: str, v, y) -> float:
    """``−L*(−v)``; ``−inf`` outside the domain (so an unprojected point never certifies)."""
    v, y = np.asarray(v, dtype=float), np.asarray(y, dtype=float)
    if name == "squared":
        return float(-0.5 * np.sum((v - y) ** 2) + 0.5 * np.sum(y * y))
    p = y * v
    if p.min(initial=0.0) < 0.0 or p.max(initial=0.0) > 1.0:
        return -np.inf
    if name == "logistic":
        return float(-np.sum(xlogy(p, p) + xlogy(1.0 - p, 1.0 - p)))
    if name == "hinge":
        return float(np.sum(p))
    raise InputError(f"unknown loss {name!r}")


def dual_from_prediction(name: str, f, y) -> np.ndarray:
    """``v = −∇L(f)`` (a subgradient for hinge): the dual point a primal solution implies."""
    f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
    if name == "squared":
        return y - f
    if name == "logistic":
        return y * expit(-y * f)
    if name == "hinge":
        return y * (y * f < 1.0)
    raise InputError(f"unknown loss {name!r}")


def torch_value(name: str, f, y):
    """``L(f, y)`` in torch, summed over the sample dimension ``-2`` and outputs ``-1``."""
    import torch

    if name == "squared":
        r = f - y
        return 0.5 * (r * r).sum(dim=(-2, -1))
    if name == "logistic":
        return torch.nn.functional.softplus(-y * f).sum(dim=(-2, -1))
    if name == "hinge":
        return torch.relu(1.0 - y * f).sum(dim=(-2, -1))
    raise InputError(f"unknown loss {name!r}")
