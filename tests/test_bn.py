import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bnproofs.nets.bn import bn, centre, from_batchnorm1d, to_batchnorm1d

seeds = st.integers(0, 2**32 - 1)


@given(seeds, st.integers(2, 12), st.integers(1, 5), st.floats(0, 2 * np.pi))
@example(33191, 2, 5, 1.0)  # a nearly constant column: its two entries differ by 4e-6
def test_unit_norm_when_gamma2_plus_alpha2_is_one(seed, n, m, angle):
    Z = np.random.default_rng(seed).standard_normal((n, m))
    out = bn(Z, np.full(m, np.cos(angle)), np.full(m, np.sin(angle)))
    # centring loses ~eps × max|z| against ‖Π z‖: the tolerance follows the column's condition
    cond = np.abs(Z).max(axis=0) / np.linalg.norm(centre(Z), axis=0)
    err = np.abs(np.linalg.norm(out, axis=0) - 1.0)
    assert (err <= 10 * n * np.finfo(float).eps * np.maximum(cond, 1.0)).all(), (err, cond)


@given(seeds, st.floats(1e-3, 1e3))
def test_scale_invariant_in_its_input(seed, c):
    rng = np.random.default_rng(seed)
    Z, g, a = rng.standard_normal((6, 3)), rng.standard_normal(3), rng.standard_normal(3)
    np.testing.assert_allclose(bn(c * Z, g, a), bn(Z, g, a), atol=1e-12)


def test_constant_column_convention():
    Z = np.full((4, 1), 3.0)
    np.testing.assert_allclose(bn(Z, np.array([0.7]), np.array([0.5])), 0.5 / 2.0)


def test_matches_torch_batchnorm1d_through_the_conversion(rng):
    torch = pytest.importorskip("torch")
    n, m = 7, 3
    Z = rng.standard_normal((n, m))
    g, a = rng.standard_normal(m), rng.standard_normal(m)
    layer = torch.nn.BatchNorm1d(m, eps=1e-300, dtype=torch.float64)  # torch needs eps > 0
    w, b = to_batchnorm1d(g, a, n)
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(w))
        layer.bias.copy_(torch.as_tensor(b))
    layer.train()
    # BatchNorm1d: Πz/std·weight + bias with std = ‖Πz‖/√n, so weight = γ/√n, bias = α/√n
    np.testing.assert_allclose(layer(torch.as_tensor(Z)).detach().numpy(), bn(Z, g, a),
                               atol=1e-12)
    gg, aa = from_batchnorm1d(w, b, n)
    np.testing.assert_allclose([gg, aa], [g, a])


@given(seeds, st.floats(1e-12, 1e-3))
def test_tiny_columns_are_normalised_not_treated_as_constant(seed, c):
    """Regression: an absolute floor in the constant-column test broke scale invariance."""
    rng = np.random.default_rng(seed)
    Z, g, a = rng.standard_normal((5, 2)), rng.standard_normal(2), rng.standard_normal(2)
    np.testing.assert_allclose(bn(c * Z, g, a), bn(Z, g, a), atol=1e-10)
