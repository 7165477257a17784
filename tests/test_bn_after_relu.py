"""BN after ReLU (Appendix G): model (45), program (46) printed and exact, the G.2 dual."""

import numpy as np
import pytest

from bnproofs import instances
from bnproofs.closed_forms import theorem_g_2_printed
from bnproofs.data import InputError
from bnproofs.nets import bn_after_relu as bnr
from bnproofs.programs.arrangements import cover_count, enumerate_arrangements
from bnproofs.programs.bn_after_relu import CONES, extreme_rays, program_46


def test_forward_matches_definition_and_normalise_keeps_output():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 3))
    net = bnr.ReluBNNet(rng.standard_normal((3, 2)), np.array([2.0, -0.5]), np.array([1.0, 3.0]),
                        np.array([0.7, -1.2]))
    Z = np.maximum(X @ net.W, 0)
    C = Z - Z.mean(0)
    ref = (C / np.linalg.norm(C, axis=0) * net.gamma + net.alpha / np.sqrt(5)) @ net.w_out
    assert np.allclose(bnr.forward(net, X), ref, rtol=1e-13)
    nn_ = bnr.normalise(net)
    assert np.allclose(bnr.forward(nn_, X), ref, rtol=1e-13)
    with pytest.raises(ValueError):
        bnr.objective(net, X, np.zeros(5), 1.0)


def test_arrangements_of_x_match_cover_count():
    X = np.random.default_rng(1).standard_normal((7, 3))
    assert len(enumerate_arrangements(X)) == cover_count(7, 3)


def test_extreme_rays_of_small_cone():
    # {μ ≥ 0 : μ1 − μ2 = 0} in R^3: rays (1,1,0) and (0,0,1)
    Q = np.array([[1.0], [-1.0], [0.0]]) / np.sqrt(2)
    rays = extreme_rays(Q)
    got = {tuple(np.round(r, 12)) for r in rays}
    assert got == {(1.0, 1.0, 0.0), (0.0, 0.0, 1.0)}


def test_rebuilt_network_attains_program_value():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((6, 2)), rng.standard_normal(6)
    D = enumerate_arrangements(X)
    for cone in CONES:
        c = bnr.certified_46(X, y, 0.1, D, cone)
        assert c.solvers_optimal
        assert c.lower <= c.upper + 1e-8
        assert c.upper - c.lower <= 1e-6 * max(1, c.upper)


def test_g2_dual_constraint_by_sampling_and_closed_form_value():
    rng = np.random.default_rng(3)
    X = instances.full_row_rank(rng, 4, 6, 10.0)
    v = rng.standard_normal(4)
    sampled, attained = bnr.sample_dual_constraint(X, v, 3000, rng)
    assert sampled <= np.linalg.norm(v) * (1 + 1e-9)
    assert attained == pytest.approx(np.linalg.norm(v), rel=1e-10)
    y, beta = rng.standard_normal(4), 0.3
    w1, w2, g, a = theorem_g_2_printed(X, y, beta)
    net = bnr.ReluBNNet(w1[:, None], np.array([g]), np.array([a]), np.array([w2]))
    ny = np.linalg.norm(y)
    assert bnr.objective(net, X, y, beta) == pytest.approx(beta * ny - beta**2 / 2, rel=1e-10)


def test_bad_input():
    with pytest.raises(InputError):
        program_46(np.eye(3), np.ones((1, 3), bool), np.zeros(3), 1.0, cone="other")
    with pytest.raises(InputError):
        bnr.certified_46(np.eye(3), np.zeros(3), 1.0, np.ones((1, 4), bool))
