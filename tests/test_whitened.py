"""The whitened model (16), the map q = ΣVᵀw and its inverse, truncation (17), BN inference."""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bnproofs import instances
from bnproofs.data import InputError, whiten
from bnproofs.nets.network import Layer, Net, forward, forward_at, objective_effective
from bnproofs.nets.whitened import (
    WhitenedNet,
    forward_whitened,
    from_q,
    g,
    lost_component,
    objective_16,
    to_q,
    to_whitened,
    truncate,
)


def _case(seed, n, d, kind, C, m):
    rng = np.random.default_rng(seed)
    X = instances.data_matrix(rng, n, d, kind)
    W1 = rng.standard_normal((d, m)) * 10 ** rng.uniform(-2, 2)
    net = Net([Layer(W1, rng.standard_normal(m), rng.standard_normal(m))],
              rng.standard_normal((m, C)) if C > 1 else rng.standard_normal(m))
    Y = rng.standard_normal((n, C)) if C > 1 else rng.standard_normal(n)
    return X, net, Y, float(10 ** rng.uniform(-2, 1))


@given(seed=st.integers(0, 2**31), n=st.integers(2, 14), d=st.integers(1, 10),
       kind=st.sampled_from(["general", "rank2", "ties", "offset"]), C=st.integers(1, 4),
       m=st.integers(1, 5))
@example(seed=0, n=2, d=1, kind="general", C=1, m=1)  # smallest: r = 1
@example(seed=1, n=4, d=9, kind="general", C=3, m=2)  # n ≤ d
@example(seed=2, n=12, d=6, kind="rank2", C=2, m=3)  # rank-deficient, V not square
@example(seed=0, n=2, d=1, kind="ties", C=1, m=1)  # r = 0: BN input constant, q ∈ R^0
def test_lemma_5_1_objectives_agree(seed, n, d, kind, C, m):
    X, net, Y, beta = _case(seed, n, d, kind, C, m)
    W = whiten(X)
    a = objective_effective(net, X, Y, beta)
    b = objective_16(W, to_whitened(W, net), Y, beta)
    kappa = np.linalg.norm(X, 2) / W.sigma[-1] if W.r else 1.0  # r = 0: equal rows
    assert abs(a - b) <= 1e-11 * kappa * max(1.0, abs(a))


@given(seed=st.integers(0, 2**31), n=st.integers(2, 14), d=st.integers(1, 10),
       kind=st.sampled_from(["general", "rank2", "ties"]))
def test_map_inverse_and_what_it_loses(seed, n, d, kind):
    rng = np.random.default_rng(seed)
    X = instances.data_matrix(rng, n, d, kind)
    W = whiten(X)
    Q = rng.standard_normal((W.r, 3))
    assert np.allclose(to_q(W, from_q(W, Q)), Q, rtol=1e-10, atol=1e-12)
    W1 = rng.standard_normal((d, 3))
    back = from_q(W, to_q(W, W1))
    assert np.allclose(back, W1 - lost_component(W, W1), atol=1e-10)  # projection on row space
    lost = np.linalg.norm(lost_component(W, W1))
    if W.r == d:
        assert lost <= 1e-10 * np.linalg.norm(W1)  # V square: a bijection
    # the lost component never changes what (9) computes on the training data
    Xc = X - X.mean(0)
    assert np.allclose(Xc @ W1, Xc @ back, atol=1e-9 * np.linalg.norm(X) * np.linalg.norm(W1))


def test_wrong_map_breaks_the_identity():
    """Mutation: q = Vᵀw (no Σ) must not give (9)'s objective on data with unequal σ."""
    X, net, Y, beta = _case(3, 10, 4, "general", 2, 3)
    W = whiten(X)
    wn = to_whitened(W, net)
    wrong = WhitenedNet(W.Vt @ net.layers[0].W, wn.gamma, wn.alpha, wn.w_out)
    a = objective_effective(net, X, Y, beta)
    assert abs(objective_16(W, wrong, Y, beta) - a) > 1e-3 * abs(a)


def test_zero_q_column_is_a_constant_neuron_in_both_models():
    X, net, Y, _ = _case(4, 8, 3, "general", 1, 2)
    W = whiten(X)
    wn = to_whitened(W, net)
    wn.Q[:, 0] = 0.0
    net.layers[0].W[:, 0] = 0.0
    assert np.allclose(forward_whitened(W, wn), forward(net, X), atol=1e-12)


def test_forward_at_own_batch_is_forward():
    X, net, _, _ = _case(5, 9, 4, "offset", 2, 3)
    assert np.allclose(forward_at(net, X, X), forward(net, X), rtol=1e-9, atol=1e-9)


@given(seed=st.integers(0, 2**31), k=st.integers(0, 6))
def test_truncation_is_the_best_rank_k_approximation(seed, k):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((12, 6)) @ np.diag(np.logspace(0, -2, 6))
    W = whiten(X)
    k = min(k, W.r)
    Xc = X - X.mean(0)
    G = g(W, k)
    tail = np.sort(np.linalg.eigvalsh(Xc.T @ Xc))[::-1][k:]  # independent of the SVD
    assert np.linalg.matrix_rank(G, tol=1e-10) == k
    assert abs(np.linalg.norm(Xc - G) ** 2 - max(tail.sum(), 0)) <= 1e-9 * np.linalg.norm(Xc) ** 2
    for _ in range(5):  # random rank-k competitors (best fit in a random row space) do no better
        B = np.linalg.qr(rng.standard_normal((6, max(k, 1))))[0][:, :k]
        assert np.linalg.norm(Xc - Xc @ B @ B.T) >= np.linalg.norm(Xc - G) - 1e-12
    T = truncate(W, k)
    assert np.allclose(T.Uprime.T @ T.Uprime, np.eye(k + 1), atol=1e-12)


def test_truncate_rejects_bad_k():
    W = whiten(np.random.default_rng(0).standard_normal((5, 3)))
    with pytest.raises(InputError):
        truncate(W, W.r + 1)
