"""Mutants of L2.1 ((9) ⇔ (10) for C outputs): wrong versions of the balancing factors, of the
rescaling of the output rows, of (10)'s group norm and of the dual objective of (11) that gives
the bracket its lower end."""

from __future__ import annotations

import numpy as np

from bnproofs.nets.network import forward
from bnproofs.programs import losses

from ..mutation import Mutant


def _balancing_no_sqrt(net):
    last = net.layers[-1]
    c = np.sqrt(last.gamma**2 + last.alpha**2)
    w = np.linalg.norm(net.w_out.reshape(net.w_out.shape[0], -1), axis=1)
    ok = (c > 0) & (w > 0)
    eta = np.ones_like(c)
    eta[ok] = w[ok] / c[ok]
    return eta


def _rescale_rows_over_eta_squared(net, eta):
    eta = np.asarray(eta, dtype=float)
    out = net.copy()
    out.layers[-1].gamma = out.layers[-1].gamma * eta
    out.layers[-1].alpha = out.layers[-1].alpha * eta
    out.w_out = out.w_out / (eta**2 if out.w_out.ndim == 1 else eta[:, None] ** 2)
    return out


def _entrywise_l1(net, X, y, beta, check_constraint=True, loss_name="squared"):
    f = forward(net, X)
    fit = 0.5 * float(np.sum((f - y) ** 2)) if loss_name == "squared" else \
        losses.value(loss_name, f, y)
    return fit + beta * float(np.abs(net.w_out).sum())


def _dual_half_dropped(V, Y):
    return float(-0.5 * np.sum((V - Y) ** 2) + np.sum(Y * Y))


MUTANTS = [
    Mutant("L2.1", "balancing_no_sqrt", "bnproofs.nets.network:balancing_factors",
           _balancing_no_sqrt, "η_j = ‖w_j^(2)‖/√(γ_j² + α_j²) instead of its square root "
                               "(wrong exponent in the balancing rescaling)"),
    Mutant("L2.1", "rescale_rows_eta_squared", "bnproofs.nets.network:rescale_last",
           _rescale_rows_over_eta_squared, "w_j^(2) ← w_j^(2)/η_j² instead of /η_j (wrong "
                                           "exponent in the rescaling)"),
    Mutant("L2.1", "entrywise_l1", "bnproofs.nets.network:objective_l1", _entrywise_l1,
           "(10) with β Σ_{j,c} abs(w_jc^(2)) (entrywise ℓ1) instead of β Σ_j ‖w_j^(2)‖₂"),
    Mutant("L2.1", "dual_half_dropped", "bnproofs.certify.vector:dual_value", _dual_half_dropped,
           "the dual objective of (11) as −½‖V − Y‖_F² + ‖Y‖_F² (½ dropped on the second term)"),
]
