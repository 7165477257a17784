"""Deep-network pieces: the sphere constraint, the range check and the infimum path."""

import numpy as np
import pytest

pytest.importorskip("torch")  # noqa: E402

from bnproofs import closed_forms, instances
from bnproofs.certify.certificates import relu_sphere_norm
from bnproofs.nets import deep


def _ascent(V, rng, starts=200, iters=300):
    """Local maxima of ‖Vᵀu‖ on the nonnegative unit sphere: u ← (VVᵀu)_+ / ‖·‖ (monotone)."""
    B = V @ V.T
    U = np.abs(rng.standard_normal((V.shape[0], starts)))
    for _ in range(iters):
        U = np.maximum(B @ U, 0)
        U /= np.maximum(np.linalg.norm(U, axis=0), 1e-300)
    return np.linalg.norm(V.T @ U, axis=0).max()


@pytest.mark.parametrize("n,C", [(4, 1), (6, 2), (7, 3), (8, 5)])
def test_relu_sphere_norm_is_the_maximum(n, C, rng):
    V = rng.standard_normal((n, C))
    c, u = relu_sphere_norm(V)
    assert u.min() >= 0 and abs(np.linalg.norm(u) - 1) < 1e-12
    assert abs(np.linalg.norm(V.T @ u) - c) < 1e-12
    S = rng.standard_normal((n, 20000))
    S /= np.linalg.norm(S, axis=0)
    assert np.linalg.norm(V.T @ np.maximum(S, 0), axis=0).max() <= c * (1 + 1e-12)
    assert _ascent(V, rng) <= c * (1 + 1e-12)
    assert _ascent(V, rng) >= c * (1 - 1e-6)  # the ascent finds it from some start
    if C == 1:
        v = V[:, 0]
        assert abs(c - max(np.linalg.norm(np.maximum(v, 0)), np.linalg.norm(np.maximum(-v, 0)))) < 1e-12


def test_dropping_the_sign_condition_overestimates(rng):
    """Mutation: λ_max(VVᵀ) (any-sign eigenvectors) is not the constraint and is detectably larger."""
    V = np.c_[rng.standard_normal(6), rng.standard_normal(6)]
    V[:3, 0], V[3:, 0] = np.abs(V[:3, 0]), -np.abs(V[3:, 0])  # mixed signs: λ_max needs them
    assert np.sqrt(np.linalg.eigvalsh(V @ V.T)[-1]) > relu_sphere_norm(V)[0] * (1 + 1e-3)


def test_range_and_infimum_path(rng):
    X = rng.standard_normal((6, 3))
    wide, narrow = (deep.prefix_output(deep.random_prefix(rng, 3, [w]), X) for w in (12, 3))
    assert deep.range_check(wide)["full_range"] and not deep.range_check(narrow)["full_range"]
    y = instances.labels(rng, 6, "mixed")
    prefix = deep.random_prefix(rng, 3, [12])
    net = deep.stack(prefix, closed_forms.theorem_2_1_corrected(deep.prefix_output(prefix, X), y, 0.1))
    path = deep.infimum_path(net, X, y, 0.1)
    assert path["excess"][0] > 0 and path["c2_law_error"] < 1e-9 and path["output_change"] < 1e-9
