"""Vector outputs: the exact dual constraint of (11), certified brackets, and mutations they
must catch (the L2.1/T2.3/T2.4 claims: tests/claims/)."""

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bnproofs import closed_forms
from bnproofs.certify import vector
from bnproofs.certify.two_layer import certified_optimum
from bnproofs.data import whiten
from bnproofs.nets.network import forward, forward_at
from bnproofs.nets.rescaling import random_net, rescaling_checks
from bnproofs.programs.arrangements import enumerate_arrangements


def _sphere(rng, k, m):
    S = rng.standard_normal((k, m))
    return S / np.linalg.norm(S, axis=0)


@settings(deadline=None, max_examples=10)
@given(n=st.integers(3, 7), d=st.integers(1, 2), C=st.integers(1, 3),
       seed=st.integers(0, 2**31))
@example(n=3, d=1, C=1, seed=0)
def test_exact_constraint_dominates_sampling_and_is_attained(n, d, C, seed):
    rng = np.random.default_rng(seed)
    X, V = rng.standard_normal((n, d)), rng.standard_normal((n, C))
    U = whiten(X).Uprime
    cm = vector.dual_constraint(U, V)
    sampled = vector.constraint_function(U, V, _sphere(rng, U.shape[1], 20000)).max()
    assert sampled <= cm.value * (1 + 1e-12) + 1e-14
    assert abs(np.linalg.norm(cm.s) - 1) < 1e-12
    assert vector.constraint_function(U, V, cm.s[:, None])[0] == pytest.approx(cm.value, rel=1e-12)
    assert cm.value <= np.linalg.norm(V, 2) * (1 + 1e-12)
    if U.shape[1] == 2:  # a circle: a grid of 10^5 angles comes within 1e-4 of the maximum
        t = np.linspace(0, 2 * np.pi, 100000, endpoint=False)
        grid = vector.constraint_function(U, V, np.vstack([np.cos(t), np.sin(t)])).max()
        assert cm.value * (1 - 1e-4) <= grid <= cm.value * (1 + 1e-12)


def _t2_2_constraint(U, v):
    """Scalar constraint of (7)/(24): max_i max_{s ∈ K_i, ‖s‖ ≤ 1} ±vᵀ D_i U' s, by Clarabel."""
    best = 0.0
    for D in enumerate_arrangements(U):
        sgn = 2 * D - 1.0
        for pm in (1.0, -1.0):
            s = cp.Variable(U.shape[1])
            prob = cp.Problem(cp.Maximize(pm * (v * D) @ U @ s),
                              [cp.multiply(sgn, U @ s) >= 0, cp.norm(s) <= 1])
            prob.solve(solver=cp.CLARABEL)
            best = max(best, prob.value)
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scalar_case_agrees_with_the_t2_2_constraint(seed):
    rng = np.random.default_rng(seed)
    X, v = rng.standard_normal((6, 2)), rng.standard_normal(6)
    U = whiten(X).Uprime
    assert vector.dual_constraint(U, v[:, None]).value == pytest.approx(
        _t2_2_constraint(U, v), rel=1e-6)


def test_orthant_constraint_exact_and_spectral_paths():
    rng = np.random.default_rng(3)
    V = rng.standard_normal((6, 3))
    om = vector.orthant_constraint(V)
    S = np.abs(_sphere(rng, 6, 50000))
    assert om.exact and np.linalg.norm(V.T @ S, axis=0).max() <= om.value * (1 + 1e-12)
    # one-hot dual point: ‖V‖₂ is attained by a nonnegative vector, so even the n > 14 path is exact
    Y = np.eye(3)[rng.integers(0, 3, 30)]
    big = vector.orthant_constraint(closed_forms.theorem_2_4_dual(Y, 1.0))
    assert big.method == "orthant-spectral" and big.exact and big.value == pytest.approx(1.0)


def test_dropping_lower_dimensional_faces_underestimates_the_constraint(monkeypatch):
    """Mutation: the maximiser often sits on a face; evaluating only full-dimensional regions
    must be caught by sampling on some instance."""
    rng = np.random.default_rng(0)
    real = vector.flats
    caught = False
    for _ in range(20):
        X, V = rng.standard_normal((6, 2)), rng.standard_normal((6, 1))
        U = whiten(X).Uprime
        monkeypatch.setattr(vector, "flats", lambda U: real(U)[:1])
        wrong = vector.dual_constraint(U, V).value
        monkeypatch.setattr(vector, "flats", real)
        sampled = vector.constraint_function(U, V, _sphere(rng, 3, 20000)).max()
        caught |= sampled > wrong * (1 + 1e-9)
    assert caught


def test_bracket_closes_and_matches_t2_2_for_one_output():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((8, 2)), rng.standard_normal(8)
    W = whiten(X)
    ov = vector.certified_vector_optimum(X, y[:, None], 0.5, W)
    o2 = certified_optimum(X, y, 0.5, W, enumerate_arrangements(W.Uprime))
    assert ov.upper - ov.lower <= 1e-7 * ov.upper
    assert max(ov.lower, o2.lower) <= min(ov.upper, o2.upper) + 1e-7
    # the rebuilt network computes exactly A G
    A = np.maximum(W.Uprime @ ov.H.T, 0.0)
    assert np.abs(forward(ov.network, X) - A @ ov.G).max() < 1e-10


def test_certificate_rescales_an_infeasible_point():
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((6, 1)), rng.standard_normal((6, 2))
    U = whiten(X).Uprime
    cert = vector.dual_certificate(U, 10 * Y, Y, 0.3)
    assert cert.scale < 1
    assert vector.dual_constraint(U, cert.V).value <= 0.3 * (1 + 1e-12)


@settings(deadline=None)
@given(n=st.integers(2, 8), d=st.integers(1, 4), m=st.integers(1, 5), C=st.integers(1, 4),
       seed=st.integers(0, 2**31))
def test_l2_1_rescaling_identities(n, d, m, C, seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((n, d)), rng.standard_normal((n, C))
    net = random_net(rng, d, [m], outputs=C)
    values, checks = rescaling_checks(net, X, Y, 0.7, 10 ** rng.uniform(-3, 3, m), rng)
    assert all(checks.values()), values


def test_forward_at_is_forward_on_the_fit_batch():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((7, 3))
    net = random_net(rng, 3, [4, 5], outputs=2)
    assert np.abs(forward(net, X) - forward_at(net, X, X)).max() < 1e-12


def test_train_keeps_a_single_output_column_two_dimensional():
    pytest.importorskip("torch")
    from bnproofs.nets.network import objective_l1
    from bnproofs.nets.training import train

    rng = np.random.default_rng(5)
    X, Y = rng.standard_normal((5, 2)), rng.standard_normal((5, 1))
    res = train(X, Y, 0.5, [4], restarts=1, steps=5)
    assert res.best_net.w_out.shape == (4, 1)
    scalar = res.best_net.copy()
    scalar.w_out = scalar.w_out[:, 0]
    assert res.best_value == pytest.approx(objective_l1(scalar, X, Y[:, 0], 0.5), rel=1e-12)


def test_caratheodory_pruning_keeps_output_and_regulariser():
    rng = np.random.default_rng(6)
    A, G = np.abs(rng.standard_normal((4, 20))), rng.standard_normal((20, 2))
    P = vector.prune_columns(A, G)
    assert np.count_nonzero(np.linalg.norm(P, axis=1)) <= 4 * 2 + 1
    assert np.abs(A @ P - A @ G).max() < 1e-10
    assert np.linalg.norm(P, axis=1).sum() == pytest.approx(np.linalg.norm(G, axis=1).sum(),
                                                           rel=1e-10)


def test_bad_dual_point_is_an_input_error():
    from bnproofs.data import InputError

    U = whiten(np.random.default_rng(0).standard_normal((5, 1))).Uprime
    with pytest.raises(InputError):
        vector.dual_constraint(U, np.ones((4, 2)))
    with pytest.raises(InputError):
        vector.dual_constraint(U, np.full((5, 2), np.nan))
