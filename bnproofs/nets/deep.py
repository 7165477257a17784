"""Deep BN networks with closed-form last two layers (Theorems 4.1, 4.2 of [E]).

The layers ``1..L−2`` (the *prefix*) produce ``A^(L−2)``; Theorems 4.1/4.2 put Theorem 2.1's /
2.4's formulas with ``X → A^(L−2)`` on top, assuming ``range(A^(L−2)) = R^n``. Under that
assumption ``BN_{γ,α}(A^(L−2) w)`` with ``γ² + α² = 1`` ranges over every unit vector of ``R^n``
(``Π A w`` over all of ``1^⊥``), so the dual constraint becomes the sphere constraint of
:func:`bnproofs.certify.certificates.relu_sphere_norm`; for any prefix the BN outputs lie on the unit
sphere, so a point feasible there is dual feasible for the whole network.
"""

from __future__ import annotations

import numpy as np

from bnproofs.certify.certificates import relu_sphere_norm
from bnproofs.data import rank_tolerance
from bnproofs.nets.bn import bn
from bnproofs.nets.network import (
    Layer,
    Net,
    forward,
    hidden,
    objective_effective,
    objective_weight_decay,
)
from bnproofs.nets.network import shrink_bn_inputs as _shrink
from bnproofs.results import plot_series

#: c values of the infimum path (3) under :func:`bnproofs.nets.network.shrink_bn_inputs`
SHRINK = (1.0, 1e-1, 1e-2, 1e-3, 1e-4)


def random_prefix(rng, d: int, widths: list[int]) -> list[Layer]:
    """Random BN + ReLU layers: ``W ~ N(0, 1/m_in)``, ``γ, α ~ N(0, 1)``."""
    dims = [d, *widths]
    return [Layer(rng.standard_normal((dims[i], dims[i + 1])) / np.sqrt(dims[i]),
                  rng.standard_normal(dims[i + 1]), rng.standard_normal(dims[i + 1]))
            for i in range(len(widths))]


def ramp_layer(A: np.ndarray, width: int, rng) -> Layer:
    """A BN + ReLU layer on ``A`` (n × m, distinct rows) whose output has rank n: along a random
    direction ``w``, ``z = A w`` has distinct entries and ``u = Πz/‖Πz‖``; neuron k takes
    ``[γ; α] ∝ [1; −t_k √n]`` (on the unit circle), so its output is the ramp
    ``γ (u − t_k 1)_+`` with ``t_k`` below the k-th smallest entry of ``u`` and above the one
    before: the ramps of ``k = 0..n−1`` are nonzero on the top ``n − k`` entries (a triangular
    system). Columns beyond n repeat the first ramp. Needs ``width ≥ n``."""
    n = A.shape[0]
    if width < n:
        raise ValueError(f"a layer of width {width} < n = {n} cannot have rank n")
    w = rng.standard_normal(A.shape[1])
    z = A @ w
    u = np.sort((z - z.mean()) / np.linalg.norm(z - z.mean()))
    base = np.r_[u[0] - 1.0, 0.5 * (u[:-1] + u[1:])]
    t = np.r_[base, np.full(width - n, base[0])]
    alpha = -t * np.sqrt(n)
    scale = np.sqrt(1.0 + alpha**2)
    return Layer(np.tile(w[:, None], (1, width)), 1.0 / scale, alpha / scale)


def full_range_prefix(rng, X, widths: list[int]) -> list[Layer]:
    """Layers of :func:`ramp_layer`, one per width, each on the previous output: ``A^(L−2)``
    has range ``R^n`` (Theorem 4.1's assumption) when the rows of ``X`` are distinct."""
    layers, A = [], np.asarray(X, dtype=float)
    for m in widths:
        layers.append(ramp_layer(A, m, rng))
        A = prefix_output(layers[-1:], A)
    return layers


def prefix_output(prefix: list[Layer], X) -> np.ndarray:
    """``A^(L−2)``: the activations after the prefix (``X`` itself for an empty prefix)."""
    return hidden(Net(prefix, np.zeros(1)), X) if prefix else np.asarray(X, dtype=float)


def stack(prefix: list[Layer], top: Net) -> Net:
    """The deep network: prefix layers (copied), then ``top``'s layers and output weights."""
    layers = [Layer(lay.W.copy(), lay.gamma.copy(), lay.alpha.copy()) for lay in prefix]
    return Net(layers + top.copy().layers, top.w_out.copy())


def range_check(A: np.ndarray) -> dict:
    """``range(A) = R^n`` iff ``rank A = n``; numerical rank with the tolerance of
    :func:`bnproofs.data.rank_tolerance` (``10 · max(shape) · eps · σ_max``), recorded."""
    s = np.linalg.svd(A, compute_uv=False)
    tol = rank_tolerance(s, A.shape)
    rank = int(np.sum(s > tol))
    return {"rank": rank, "n": A.shape[0], "full_range": rank == A.shape[0], "rank_tol": tol,
            "sigma_max": float(s[0]) if s.size else 0.0,
            "sigma_n": float(s[A.shape[0] - 1]) if s.size >= A.shape[0] else 0.0}


def sampled_constraint(V, A: np.ndarray, rng, samples: int = 4000) -> float:
    """``max ‖Vᵀ (BN_{γ,α}(A w))_+‖`` over random ``w`` and ``γ = cos φ, α = sin φ``: every
    sample must stay below :func:`~bnproofs.certify.certificates.relu_sphere_norm` (BN outputs are unit
    vectors)."""
    V = np.asarray(V, dtype=float).reshape(A.shape[0], -1)
    phi = rng.uniform(0, 2 * np.pi, samples)
    U = np.maximum(bn(A @ rng.standard_normal((A.shape[1], samples)), np.cos(phi), np.sin(phi)), 0)
    return float(np.linalg.norm(V.T @ U, axis=0).max())


def sampled_constraint_prefixes(V, A: np.ndarray, X, widths, rng, others: int = 3,
                                samples: int = 1000) -> float:
    """:func:`sampled_constraint` on ``A`` and on the outputs of ``others`` fresh random prefixes
    of the same ``widths`` on ``X`` (``samples`` each): the sphere bound holds whatever the
    prefix, so no sample of any of them may exceed it."""
    return max(sampled_constraint(V, A, rng),
               *(sampled_constraint(V, prefix_output(random_prefix(rng, X.shape[1], widths), X),
                                    rng, samples) for _ in range(others)))


def infimum_path(net: Net, X, Y, beta: float) -> dict:
    """(3) along ``c → 0`` (:data:`SHRINK`) on every parameter that only feeds a BN, the limit
    (22) and the largest change of the output along the path."""
    f = forward(net, X)
    nets = [_shrink(net, c) for c in SHRINK]
    values = [objective_weight_decay(m, X, Y, beta) for m in nets]
    limit = objective_effective(net, X, Y, beta)
    excess = np.array(values) - limit
    # (3) − (22) = c² · (β/2) Σ ‖BN-feeding parameters‖²: exactly quadratic in c
    law = np.abs(excess - np.square(SHRINK) * excess[0]).max() / max(1.0, abs(limit))
    return {"c": list(SHRINK), "values": values, "limit": limit, "excess": excess.tolist(),
            "c2_law_error": float(law),
            "output_change": max(float(np.abs(forward(m, X) - f).max()) for m in nets)}


def attained_constraint(V, A: np.ndarray) -> float:
    """``‖Vᵀ (BN_{γ,α}(A w))_+‖`` at the candidate maximisers ``w = A† p`` for ``p = (±v)_+``
    (scalar) or ``p = `` the exact maximiser of :func:`~bnproofs.certify.certificates.relu_sphere_norm`
    (vector), with ``[γ; α] = [‖Πp‖; 1ᵀp/√n]/‖p‖``: then ``BN(A w) = p/‖p‖`` whenever
    ``p ∈ range(A)``, so this reaches the sphere constraint exactly when the range is ``R^n``."""
    V = np.asarray(V, dtype=float).reshape(A.shape[0], -1)
    n = A.shape[0]
    cands = [np.maximum(s * V[:, 0], 0) for s in (1, -1)] if V.shape[1] == 1 else []
    cands.append(relu_sphere_norm(V)[1])
    best, Ap = 0.0, np.linalg.pinv(A)
    for p in cands:
        norm = np.linalg.norm(p)
        if norm == 0:
            continue
        g, a = np.linalg.norm(p - p.mean()) / norm, p.sum() / np.sqrt(n) / norm
        u = np.maximum(bn((A @ (Ap @ p))[:, None], np.array([g]), np.array([a]))[:, 0], 0)
        best = max(best, float(np.linalg.norm(V.T @ u)))
    return best


def range_note(rc: dict) -> str:
    """:func:`range_check`'s outcome in words: the rank of ``A^(L−2)``, its tolerance and
    ``σ_n/σ_max``."""
    return (f"rank A^(L−2) = {rc['rank']} of n = {rc['n']} (tolerance {rc['rank_tol']:.2e}, "
            f"σ_n/σ_max = {rc['sigma_n'] / rc['sigma_max']:.2e})")


def infimum_series(path: dict, title: str, limit: str) -> dict:
    """The plot of :func:`infimum_path`: (3) minus its limit (problem ``limit``, e.g. ``(4)``)
    against ``c``, on log axes."""
    return plot_series(title, {f"(3) − limit {limit}": [max(e, 1e-16) for e in path["excess"]]},
                       x=path["c"], xlabel="c", ylabel=f"(3) − {limit}", log="xy")
