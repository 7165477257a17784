import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bnproofs.data import InputError, check_data, whiten


@given(st.integers(0, 2**32 - 1), st.integers(2, 10), st.integers(1, 6))
def test_whitened_columns_are_orthonormal_and_reproduce_centred_data(seed, n, d):
    X = np.random.default_rng(seed).standard_normal((n, d)) + 5.0
    W = whiten(X)
    assert W.r == min(n - 1, d)
    np.testing.assert_allclose(W.Uprime.T @ W.Uprime, np.eye(W.r + 1), atol=1e-10)
    C = X - X.mean(0)
    np.testing.assert_allclose(W.U * W.sigma @ W.Vt, C, atol=1e-10)


def test_rank_of_two_rows_with_large_mean_is_one():
    X = np.array([[100.0, 3.0, -2.0], [101.0, 2.5, -1.0]])
    assert whiten(X).r == 1


@pytest.mark.parametrize(
    "X, y, beta, msg",
    [
        (np.array([[np.nan, 1.0]]), None, None, "NaN"),
        (np.ones(3), None, None, "n×d"),
        (np.ones((3, 2)), np.ones(4), None, "3 rows"),
        (np.ones((3, 2)), np.array([1.0, np.inf, 0.0]), None, "NaN or infinite"),
        (np.ones((3, 2)), np.ones(3), 0.0, "positive"),
        (np.ones((3, 2)), np.ones(3), -1.0, "positive"),
    ],
)
def test_bad_input_is_a_clear_error(X, y, beta, msg):
    with pytest.raises(InputError, match=msg):
        check_data(X, y, beta)


def test_library_entry_points_reject_bad_input(rng):
    from bnproofs.certify.two_layer import certified_optimum
    from bnproofs.programs.arrangements import enumerate_arrangements

    X, y = rng.standard_normal((5, 2)), rng.standard_normal(5)
    W = whiten(X)
    D = enumerate_arrangements(W.Uprime)
    with pytest.raises(InputError, match="beta"):
        certified_optimum(X, y, -1.0, W, D)
    with pytest.raises(InputError, match="do not fit"):
        certified_optimum(X, y, 1.0, W, D[:, :4])
    y_nan = y.copy()
    y_nan[0] = np.nan
    with pytest.raises(InputError, match="NaN"):
        certified_optimum(X, y_nan, 1.0, W, D)


def test_training_rejects_bad_input(rng):
    pytest.importorskip("torch")
    from bnproofs.nets.training import train

    X, y = rng.standard_normal((5, 2)), rng.standard_normal(5)
    with pytest.raises(InputError, match="beta"):
        train(X, y, 0.0, [3])
    with pytest.raises(InputError, match="rows"):
        train(X, y[:4], 1.0, [3])
