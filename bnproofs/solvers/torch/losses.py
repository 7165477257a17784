"""The losses of (P) in torch, batched: value, derivatives, dual point and dual value.

For predictions ``f`` (…, b, n) of a batch whose instances share one loss
(:mod:`bnproofs.programs.losses` has the same losses in numpy):

* ``squared``  ``L = ½‖f − y‖²``, ``∂L/∂f = f − y``, curvature 1; dual point ``v = y − f`` and
  dual value ``−½‖v − y‖² + ½‖y‖²``;
* ``logistic`` ``L = Σ log(1 + e^{−y_j f_j})``, ``∂ℓ/∂f = −y σ(−y f)``, curvature
  ``σ(1 − σ)``; dual point ``v = y σ(−y∘f)``, dual value the binary entropy of ``p = y∘v``
  (clipped to its domain ``[0, 1]``, which these points and their scalings ``t v`` are in);
* ``hinge``    ``L = Σ max(0, 1 − y_j f_j)`` through the smoothing ``h_τ`` below; dual point
  ``v = y∘a``, ``a ∈ (0, 1)``, dual value ``Σ p``; the upper bound uses the hinge itself
  (:meth:`TorchLoss.true_value`).

**Hinge smoothing.** The slacks of ``ξ ≥ 0, ξ ≥ c`` (``c = 1 − y∘f``) under their own log
barrier with parameter ``τ``, minimised out in closed form (:meth:`TorchLoss._slack`)::

    h_τ(c) = min_ξ ξ − τ log ξ − τ log(ξ − c),
    a = ∂h/∂c = τ/(ξ − c) = 1 − τ/ξ ∈ (0, 1),   ∂²h/∂c² = a(1 − a)/√(c² + 4τ²).

The dual point ``y∘a`` lies in the box ``y∘v ∈ [0, 1]`` at any point, and per sample the
smoothing costs ``max(0, c) − a c < τ`` of gap. τ is a parameter of its own, cut with μ at
centred points (:mod:`bnproofs.solvers.torch.barrier`) and kept ``τ ≥ μ`` so that ``F/μ`` stays
self-concordant: the loss's curvature (~1/(8τ) at a kink) stays below the barrier's (~1/μ).
"""

from __future__ import annotations

import torch

#: the losses the torch solver takes
LOSSES = ("squared", "logistic", "hinge")


class TorchLoss:
    """The loss ``name`` for labels ``y`` (b, n); ``tau`` (b,): the hinge's smoothing."""

    def __init__(self, name, y, tau=None):
        if name not in LOSSES:
            raise ValueError(f"the torch solver takes the losses {LOSSES}, not {name!r}")
        self.name, self.y = name, y
        self.tau = tau  # hinge: the smoothing (b,)

    def value(self, f):
        """``L(f)`` summed over the samples (the smoothed ``h_τ`` for the hinge)."""
        if self.name == "squared":
            r = f - self.y
            return 0.5 * (r * r).sum(-1)
        if self.name == "hinge":
            xi, eta, _ = self._slack(f)
            tau = self.tau[:, None]
            return (xi - tau * (torch.log(xi) + torch.log(eta))).sum(-1)
        return torch.nn.functional.softplus(-self.y * f).sum(-1)

    def _slack(self, f):
        """Hinge: for ``c = 1 − y∘f`` the minimiser ``ξ`` of ``ξ − τ log ξ − τ log(ξ − c)``,
        ``η = ξ − c`` and ``S = √(c² + 4τ²)`` (``ξ``, ``η`` the positive roots of
        ``z² − (±c + 2τ) z ± τc``, each by the formula without cancellation)."""
        tau = self.tau[:, None]
        c = 1 - self.y * f
        S = torch.sqrt(c * c + 4 * tau * tau)

        def root(c):
            b = c + 2 * tau
            return torch.where(b >= 0, 0.5 * (b + S), 2 * tau * c / (b - S))
        return root(c), root(-c), S

    def true_value(self, f):
        """``L(f)`` itself (the hinge unsmoothed): the objective of (P)."""
        if self.name == "hinge":
            return torch.relu(1 - self.y * f).sum(-1)
        return self.value(f)

    def grad_hess(self, f):
        """``∂ℓ/∂f_j`` and ``∂²ℓ/∂f_j²`` (the Newton system's weights ``w``; ``None`` for the
        squared loss's 1)."""
        if self.name == "squared":
            return f - self.y, None
        if self.name == "hinge":  # a = τ/η = ∂h/∂c ∈ (0, 1), ∂²h/∂c² = a(1 − a)/S
            xi, eta, S = self._slack(f)
            tau = self.tau[:, None]
            a = tau / eta
            return -self.y * a, a * (tau / xi) / S
        s = torch.sigmoid(-self.y * f)
        return -self.y * s, s * (1 - s)

    def dual_point(self, f):
        """``v = −∇L(f)`` (the smoothed loss's for the hinge)."""
        return -self.grad_hess(f)[0]

    def dual_value(self, v):
        """``−L*(−v)``."""
        if self.name == "squared":
            r = v - self.y
            return -0.5 * (r * r).sum(-1) + 0.5 * (self.y * self.y).sum(-1)
        p = (self.y * v).clamp(0.0, 1.0)
        if self.name == "hinge":
            return p.sum(-1)
        return -(torch.xlogy(p, p) + torch.xlogy(1 - p, 1 - p)).sum(-1)


def relative_gap(upper, lower):
    """``(upper − lower) / max(1, |upper|)``."""
    return (upper - lower) / upper.abs().clamp_min(1.0)


def dual_bound(loss, beta, v, cmax):
    """``−L*(−t v)`` with ``t = min(1, β / max_g c_g)``: the lower bound of the dual point ``v``
    whose largest constraint norm is ``cmax``."""
    t = (beta / cmax.clamp_min(1e-300)).clamp(max=1.0)
    return loss.dual_value(t[:, None] * v)
