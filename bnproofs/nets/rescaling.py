"""The rescaling argument of Lemmas 1.1 and 2.1 (Appendix B.2.2, C.4), checked on a network.

``γ_j, α_j ← η_j γ_j, η_j α_j`` and ``w_j^(L) ← w_j^(L)/η_j`` (a row for vector outputs) leaves
the output unchanged; by AM–GM ``(β/2)(γ_j² + α_j² + ‖w_j‖²) ≥ β ‖w_j‖ √(γ_j² + α_j²)`` with
equality at ``η_j = √(‖w_j‖ / √(γ_j² + α_j²))``. Scalar (L1.1, (3) ⇔ (4)) and vector outputs
(L2.1, (9) ⇔ (10)) share this code: only the shape of ``w^(L)`` differs.
"""

from __future__ import annotations

import numpy as np

from bnproofs.nets.network import (
    Layer,
    Net,
    balancing_factors,
    forward,
    normalise_last,
    objective_effective,
    objective_l1,
    rescale_last,
    shrink_bn_inputs,
)
from bnproofs.tolerance import EXACT, at_least, close


def random_net(rng, d: int, widths: list[int], outputs: int | None = None) -> Net:
    """Random BN network; ``outputs=None`` gives a scalar output (vector ``w^(L)``), else
    ``w^(L)`` is ``m × outputs``."""
    dims = [d, *widths]
    layers = [
        Layer(rng.standard_normal((dims[i], dims[i + 1])) * rng.uniform(0.1, 3),
              rng.standard_normal(dims[i + 1]), rng.standard_normal(dims[i + 1]))
        for i in range(len(widths))
    ]
    shape = widths[-1] if outputs is None else (widths[-1], outputs)
    return Net(layers, rng.standard_normal(shape))


def rescaling_checks(net: Net, X, y, beta, eta, rng) -> tuple[dict, dict]:
    """The exact parts of the lemma: output invariance, the balanced identity, the inequality."""
    f = forward(net, X)
    scale = max(1.0, float(np.abs(f).max()))
    l1_reg = objective_l1(normalise_last(net), X, y, beta) - 0.5 * float(np.sum((f - y) ** 2))
    balanced = rescale_last(net, balancing_factors(net))
    bal_reg = objective_effective(balanced, X, y, beta) - 0.5 * float(np.sum((f - y) ** 2))
    others = [objective_effective(rescale_last(net, 10 ** rng.uniform(-2, 2, eta.size)), X, y, beta)
              for _ in range(20)]
    eff_min = min([objective_effective(rescale_last(net, eta), X, y, beta), *others])
    l1_value = objective_l1(normalise_last(net), X, y, beta)
    tol = EXACT.scaled(float(eta.max() / eta.min()) ** 0.5)
    values = {
        "output_change": float(np.abs(forward(rescale_last(net, eta), X) - f).max()),
        "shrink_output_change": float(np.abs(forward(shrink_bn_inputs(net, 1e-3), X) - f).max()),
        "balanced_reg": bal_reg,
        "l1_reg": l1_reg,
        "min_rescaled_minus_l1": eff_min - l1_value,
    }
    checks = {
        "output_unchanged": values["output_change"] <= tol.bound(scale),
        "shrink_output_unchanged": values["shrink_output_change"] <= tol.bound(scale),
        "balanced_equals_l1": close(bal_reg, l1_reg, tol),
        "rescaled_never_below_l1": at_least(eff_min, l1_value, tol),
    }
    return values, checks


def random_rescaling(rng, d: int, widths: list[int], outputs: int | None = None):
    """The instance of :func:`rescaling_checks`: a random BN network (:func:`random_net`) and
    positive factors ``η_j``, log-uniform over ``[1e-3, 1e3]``, one per last hidden neuron."""
    net = random_net(rng, d, widths, outputs)
    return net, 10 ** rng.uniform(-3, 3, size=widths[-1])
