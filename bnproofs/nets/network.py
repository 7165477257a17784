"""L-layer ReLU networks with BN before each ReLU, their objectives (3), (4)/(6), and rescalings.

``A^(0) = X``, ``A^(l) = ( BN_{γ^(l),α^(l)}(A^(l-1) W^(l)) )_+``, ``f_{θ,L}(X) = A^(L-1) W^(L)``.
Everything here is float64 numpy; it is the reference evaluator every claim uses to turn a
parameter set (closed form, rebuilt from a convex solution, or trained in torch) into a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bnproofs.nets.bn import ZERO_NORM, bn
from bnproofs.programs import losses


@dataclass
class Layer:
    W: np.ndarray  # m_{l-1} × m_l
    gamma: np.ndarray  # m_l
    alpha: np.ndarray  # m_l


@dataclass
class Net:
    """Hidden layers (each BN + ReLU) followed by output weights ``w_out`` (m_{L-1} or m×C).

    ``pool = K > 1`` makes the first layer convolutional ((13), Theorem 3.1): the input is the
    patch matrix ``M = [X_1; …; X_K]`` (nK × h, :mod:`bnproofs.nets.cnn`), the first layer's columns
    ``W`` are filters, its BN is eq. (2) on the stacked column ``M z`` — statistics over all nK
    patch outputs and the shift ``α/√(nK)`` — and its ReLU outputs are summed over the K patch
    blocks (sum pooling) before the next layer.
    """

    layers: list[Layer]
    w_out: np.ndarray
    notes: list[str] = field(default_factory=list)
    pool: int = 1

    @property
    def depth(self) -> int:
        return len(self.layers) + 1

    def copy(self) -> Net:
        return Net(
            [Layer(lay.W.copy(), lay.gamma.copy(), lay.alpha.copy()) for lay in self.layers],
            self.w_out.copy(),
            list(self.notes),
            self.pool,
        )


def hidden(net: Net, X: np.ndarray) -> np.ndarray:
    """``A^(L-1)``: the last hidden layer's activations."""
    A = np.asarray(X, dtype=float)
    for i, lay in enumerate(net.layers):
        A = np.maximum(bn(A @ lay.W, lay.gamma, lay.alpha), 0.0)
        if i == 0 and net.pool > 1:  # sum over the K patch blocks of n rows
            A = A.reshape(net.pool, A.shape[0] // net.pool, A.shape[1]).sum(axis=0)
    return A


def forward(net: Net, X: np.ndarray) -> np.ndarray:
    """``f_{θ,L}(X)``."""
    return hidden(net, X) @ net.w_out


def forward_at(net: Net, X_ref: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``f`` on inputs ``X`` with every BN using the statistics of the batch ``X_ref``.

    The full-batch inference convention ([E] Appendix A.1, moving-average momentum 1): layer by
    layer, ``BN(z) = (z − mean_ref)/‖Π z_ref‖₂ · γ + α/√n_ref`` with the mean, the centred norm
    and ``n_ref`` of the reference batch. ``forward_at(net, X, X) == forward(net, X)``.
    """
    if net.pool != 1:
        raise ValueError("forward_at is for fully connected networks (pool = 1)")
    A_ref = np.asarray(X_ref, dtype=float)
    A = np.asarray(X, dtype=float)
    n = A_ref.shape[0]
    for lay in net.layers:
        Z_ref, Z = A_ref @ lay.W, A @ lay.W
        mu = Z_ref.mean(axis=0)
        norms = np.linalg.norm(Z_ref - mu, axis=0)
        scale = np.abs(Z_ref).max(axis=0, initial=0.0)
        safe = np.where(norms > ZERO_NORM * scale, norms, np.inf)  # bn's constant-column rule
        A_ref = np.maximum(bn(Z_ref, lay.gamma, lay.alpha), 0.0)
        A = np.maximum((Z - mu) / safe * lay.gamma + lay.alpha / np.sqrt(n), 0.0)
    return A @ net.w_out


def loss(net: Net, X, y, loss_name: str = "squared") -> float:
    """``½ ‖f_{θ,L}(X) − y‖²`` (Frobenius for vector outputs); another convex loss of
    :mod:`bnproofs.programs.losses` by name (B.1)."""
    if loss_name != "squared":
        return losses.value(loss_name, forward(net, X), y)
    r = forward(net, X) - y
    return 0.5 * float(np.sum(r * r))


def objective_weight_decay(net: Net, X, y, beta: float) -> float:
    """Objective (3): loss + (β/2) Σ_l (‖γ^(l)‖² + ‖α^(l)‖² + ‖W^(l)‖_F²), γ^(L) = α^(L) = 0."""
    reg = sum(
        np.sum(lay.gamma**2) + np.sum(lay.alpha**2) + np.sum(lay.W**2) for lay in net.layers
    )
    reg += np.sum(net.w_out**2)
    return loss(net, X, y) + 0.5 * beta * float(reg)


def objective_effective(net: Net, X, y, beta: float) -> float:
    """(22): objective (3) without the layers that feed a BN (their decay can be driven to 0).

    ``loss + (β/2) Σ_j (γ_j^(L-1)² + α_j^(L-1)² + ‖w_j^(L)‖²)``.
    """
    last = net.layers[-1]
    reg = np.sum(last.gamma**2) + np.sum(last.alpha**2) + np.sum(net.w_out**2)
    return loss(net, X, y) + 0.5 * beta * float(reg)


def objective_l1(
    net: Net, X, y, beta: float, check_constraint: bool = True, loss_name: str = "squared"
) -> float:
    """Objective (4)/(6): loss + β Σ_j ‖w_j^(L)‖₂ on Θ_s = {γ_j^(L-1)² + α_j^(L-1)² = 1}.

    For scalar output the sum is ‖w^(L)‖₁; for vector output it is (10)'s Σ_j ‖w_j^(2)‖₂ over rows.
    Raises ``ValueError`` if the last BN layer is off Θ_s (use :func:`normalise_last` first).
    """
    last = net.layers[-1]
    if check_constraint:
        dev = np.abs(last.gamma**2 + last.alpha**2 - 1.0)
        if dev.size and dev.max() > 1e-9:
            raise ValueError(f"parameters are not on Θ_s (max |γ²+α²−1| = {dev.max():.2e})")
    w = net.w_out.reshape(net.w_out.shape[0], -1)
    return loss(net, X, y, loss_name) + beta * float(np.sum(np.linalg.norm(w, axis=1)))


def theta_s_deviation(net: Net) -> float:
    """``max_j |γ_j² + α_j² − 1|`` over the last BN layer's neurons with finite parameters: how
    far a network is from Θ_s (0 on Θ_s; the 0/0 neurons of a printed form are left out)."""
    last = net.layers[-1]
    dev = np.abs(last.gamma**2 + last.alpha**2 - 1.0)
    dev = dev[np.isfinite(dev)]
    return float(dev.max(initial=0.0))


def drop_undefined_zero_neurons(net: Net) -> Net | None:
    """The natural convention for a printed network with 0/0 BN parameters: a last-layer neuron
    whose γ or α is undefined but whose output weight is exactly 0 contributes ``0 · (·)`` and is
    dropped. ``None`` if an undefined neuron has a nonzero output weight (no convention gives
    the network a value); the network itself if nothing is undefined."""
    last = net.layers[-1]
    bad = ~(np.isfinite(last.gamma) & np.isfinite(last.alpha))
    w = net.w_out.reshape(net.w_out.shape[0], -1)
    if np.any(w[bad] != 0):
        return None
    if not bad.any():
        return net
    keep = np.flatnonzero(~bad)
    out = net.copy()
    out.layers[-1] = Layer(last.W[:, keep], last.gamma[keep], last.alpha[keep])
    out.w_out = net.w_out[keep]
    return out


def rescale_last(net: Net, eta: np.ndarray) -> Net:
    """Lemma 1.1's rescaling: ``γ, α ← η γ, η α`` and ``w^(L) ← w^(L)/η`` per last-layer neuron."""
    eta = np.asarray(eta, dtype=float)
    if np.any(eta <= 0):
        raise ValueError("rescaling factors must be positive")
    out = net.copy()
    out.layers[-1].gamma = out.layers[-1].gamma * eta
    out.layers[-1].alpha = out.layers[-1].alpha * eta
    out.w_out = out.w_out / (eta if out.w_out.ndim == 1 else eta[:, None])
    return out


def _bn_scale(net: Net) -> np.ndarray:
    last = net.layers[-1]
    return np.sqrt(last.gamma**2 + last.alpha**2)


def balancing_factors(net: Net) -> np.ndarray:
    """η_j with ``η_j² (γ_j² + α_j²) = ‖w_j‖² / η_j²`` (the AM–GM equality case of B.2.2).

    Neurons with a zero output weight or zero BN scale get η = 1 (they contribute nothing).
    """
    c = _bn_scale(net)
    w = np.linalg.norm(net.w_out.reshape(net.w_out.shape[0], -1), axis=1)
    ok = (c > 0) & (w > 0)
    eta = np.ones_like(c)
    eta[ok] = np.sqrt(w[ok] / c[ok])
    return eta


def normalise_last(net: Net) -> Net:
    """Map onto Θ_s: ``η_j = 1/√(γ_j² + α_j²)``; a neuron with γ = α = 0 is set to γ = 1 and
    its output weight to 0 (its BN output is the zero vector, so f is unchanged)."""
    c = _bn_scale(net)
    dead = c == 0
    eta = np.where(dead, 1.0, 1.0 / np.where(dead, 1.0, c))
    out = rescale_last(net, eta)
    out.layers[-1].gamma = np.where(dead, 1.0, out.layers[-1].gamma)
    if out.w_out.ndim == 1:
        out.w_out = np.where(dead, 0.0, out.w_out)
    else:
        out.w_out[dead] = 0.0
    return out


def shrink_bn_inputs(net: Net, c: float) -> Net:
    """Scale every parameter that only feeds a BN by ``c > 0``: all hidden ``W^(l)``, and the
    ``γ^(l), α^(l)`` of layers ``l ≤ L−2`` (their ReLU output is rescaled by the next BN).
    The output is unchanged (BN is scale invariant, ReLU positively homogeneous) while (3)'s
    decay on these parameters scales by ``c²``: as ``c → 0``, (3) tends to (22) — an infimum."""
    if c <= 0:
        raise ValueError("c must be positive")
    out = net.copy()
    for i, lay in enumerate(out.layers):
        lay.W = lay.W * c
        if i < len(out.layers) - 1:
            lay.gamma, lay.alpha = lay.gamma * c, lay.alpha * c
    return out
