"""Mutants of L1.1 ((3) ⇔ (4) by rescaling): wrong versions of the balancing factors, of the
rescaling, of the shrink path along which (3) tends to (22), of (22) itself, and of the dual
point that gives the deep bracket its lower end."""

from __future__ import annotations

import numpy as np

from bnproofs.nets import network

from ..mutation import Mutant

#: the originals, out of reach of the replacement (it rebinds every module attribute that is
#: the target, so a plain alias here would call the mutant itself)
_ORIGINAL = {"weight_decay": network.objective_weight_decay}


def _balancing_no_sqrt(net):
    last = net.layers[-1]
    c = np.sqrt(last.gamma**2 + last.alpha**2)
    w = np.linalg.norm(net.w_out.reshape(net.w_out.shape[0], -1), axis=1)
    ok = (c > 0) & (w > 0)
    eta = np.ones_like(c)
    eta[ok] = w[ok] / c[ok]
    return eta


def _rescale_w_over_eta_squared(net, eta):
    eta = np.asarray(eta, dtype=float)
    out = net.copy()
    out.layers[-1].gamma = out.layers[-1].gamma * eta
    out.layers[-1].alpha = out.layers[-1].alpha * eta
    out.w_out = out.w_out / (eta**2 if out.w_out.ndim == 1 else eta[:, None] ** 2)
    return out


def _shrink_every_bn(net, c):
    out = net.copy()
    for lay in out.layers:
        lay.W, lay.gamma, lay.alpha = lay.W * c, lay.gamma * c, lay.alpha * c
    return out


def _effective_keeps_all_decay(net, X, y, beta):
    return _ORIGINAL["weight_decay"](net, X, y, beta)


def _c1_unnormalised(y, beta):
    v = np.zeros_like(y, dtype=float)
    for sgn in (1.0, -1.0):
        part = np.maximum(sgn * y, 0.0)
        v += sgn * (beta * part if beta <= np.linalg.norm(part) else part)
    return v


MUTANTS = [
    Mutant("L1.1", "balancing_no_sqrt", "bnproofs.nets.network:balancing_factors",
           _balancing_no_sqrt, "η_j = abs(w_j)/√(γ_j² + α_j²) instead of its square root (wrong "
                               "exponent in the balancing rescaling)"),
    Mutant("L1.1", "rescale_w_eta_squared", "bnproofs.nets.network:rescale_last",
           _rescale_w_over_eta_squared, "w_j^(L) ← w_j^(L)/η_j² instead of /η_j (wrong "
                                        "exponent in the rescaling)"),
    Mutant("L1.1", "shrink_last_bn_too", "bnproofs.nets.network:shrink_bn_inputs",
           _shrink_every_bn, "the shrink c → 0 applied to the last BN's γ, α as well (they "
                             "feed the output, not a BN)"),
    Mutant("L1.1", "effective_keeps_all_decay", "bnproofs.nets.network:objective_effective",
           _effective_keeps_all_decay, "(22) with the decay of the BN-feeding layers kept "
                                       "(B.2.1's reduction dropped)"),
    Mutant("L1.1", "c1_unnormalised", "bnproofs.closed_forms:lemma_c1_dual", _c1_unnormalised,
           "the deep bracket's dual point β(y)_+ − β(−y)_+ without the division by ‖(±y)_+‖"),
]
