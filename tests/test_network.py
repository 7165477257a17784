"""Lemma 1.1 / B.2 identities as properties over random networks and rescalings."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from bnproofs.nets.network import (
    balancing_factors,
    forward,
    normalise_last,
    objective_effective,
    objective_l1,
    rescale_last,
    shrink_bn_inputs,
)
from bnproofs.nets.rescaling import random_net

nets = st.tuples(st.integers(0, 2**32 - 1), st.integers(2, 9), st.integers(1, 5),
                 st.lists(st.integers(1, 6), min_size=1, max_size=3))


def _make(seed, n, d, widths):
    rng = np.random.default_rng(seed)
    return rng, rng.standard_normal((n, d)), rng.standard_normal(n), random_net(rng, d, widths)


@given(nets, st.floats(1e-3, 1e3))
def test_rescaling_leaves_output_unchanged(args, spread):
    rng, X, _, net = _make(*args)
    eta = spread ** rng.uniform(-1, 1, net.w_out.size)
    np.testing.assert_allclose(forward(rescale_last(net, eta), X), forward(net, X),
                               rtol=1e-10, atol=1e-10)


@given(nets, st.floats(1e-2, 10))
def test_balanced_scaling_attains_l1_and_others_are_not_below(args, beta):
    rng, X, y, net = _make(*args)
    l1 = objective_l1(normalise_last(net), X, y, beta)
    balanced = objective_effective(rescale_last(net, balancing_factors(net)), X, y, beta)
    assert abs(balanced - l1) <= 1e-9 * max(1, abs(l1))
    for _ in range(5):
        eta = 10 ** rng.uniform(-2, 2, net.w_out.size)
        assert objective_effective(rescale_last(net, eta), X, y, beta) >= l1 - 1e-9 * abs(l1)


@given(nets, st.floats(1e-6, 1.0))
def test_shrinking_bn_inputs_keeps_output(args, c):
    _, X, _, net = _make(*args)
    np.testing.assert_allclose(forward(shrink_bn_inputs(net, c), X), forward(net, X),
                               rtol=1e-9, atol=1e-9)


def test_l1_objective_refuses_points_off_theta_s(rng):
    import pytest

    net = random_net(rng, 2, [3])
    net.layers[-1].gamma = net.layers[-1].gamma * 3
    with pytest.raises(ValueError, match="Θ_s"):
        objective_l1(net, rng.standard_normal((4, 2)), np.zeros(4), 1.0)
