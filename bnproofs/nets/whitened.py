"""The whitened model (16) of [E] Section 5, the map ``q_j = Σ Vᵀ w_j^(1)``, and truncation (17).

With the compact SVD ``Π X = U Σ Vᵀ`` (``U`` n×r, ``Σ`` r×r, ``V`` d×r) the two-layer BN model (9),
``f(X) = Σ_j ( BN_{γ_j,α_j}(X w_j^(1)) )_+ w_j^(2)ᵀ``, is rewritten (Lemma 5.1) as::

    f_b(U) = Σ_j ( U q_j / ‖q_j‖₂ · γ_j + α_j/√n · 1 )_+ w_j^(2)ᵀ,     q_j = Σ Vᵀ w_j^(1)      (16)

with the same regulariser ``(β/2) Σ_j (γ_j² + α_j² + ‖w_j^(2)‖²)`` on both sides (the weights
that feed a BN carry no decay, Appendix B.2.1; :func:`bnproofs.nets.network.objective_effective`).

The map and what it loses. ``to_q: R^{d×m} → R^{r×m}``, ``W ↦ Σ Vᵀ W`` is a bijection only when
``V`` is square (``r = d``: ``n > d`` and ``Π X`` of full column rank). Otherwise its kernel is the
part of ``w`` orthogonal to the row space of ``Π X`` — exactly the part (9) never sees, since
``Π X w = U q`` — and :func:`from_q` returns the minimum-norm preimage ``V Σ⁻¹ q`` (the
pseudo-inverse), so ``from_q(to_q(W)) = V Vᵀ W`` (the projection onto the row space) and
``to_q(from_q(Q)) = Q`` always. Nothing about the model is lost; the discarded component only
matters for a regulariser on ``w^(1)`` (which (9) does not have) and for inputs off the training
row space (test points).

Where BN is undefined (``q_j = 0``, i.e. ``Π X w_j = 0``) both models use :mod:`bnproofs.nets.bn`'s
convention: the normalised part is 0 and the neuron outputs ``(α_j/√n)_+``.

Section 5.2: ``g(X) = U T_k(Σ) Vᵀ`` keeps the top ``k`` singular values (17); :func:`truncate`
gives the whitening of the truncated data (the first ``k`` columns of ``U``), which is what the
truncated convex program and the network rebuilt from it use.

Everything here is float64; the torch functions are the autograd versions of the same formulas
(batched over a leading dimension) used for Theorem 5.1's gradients and for GD training.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from bnproofs.data import InputError, Whitened
from bnproofs.nets.bn import bn_torch
from bnproofs.nets.network import Layer, Net


@dataclass
class WhitenedNet:
    """Parameters of (16): ``Q`` (r × m), ``gamma``, ``alpha`` (m), ``w_out`` (m or m × C)."""

    Q: np.ndarray
    gamma: np.ndarray
    alpha: np.ndarray
    w_out: np.ndarray


def to_q(W: Whitened, W1: np.ndarray) -> np.ndarray:
    """``Q = Σ Vᵀ W^(1)`` (column j is ``q_j``)."""
    return W.sigma[:, None] * (W.Vt @ np.asarray(W1, dtype=float))


def from_q(W: Whitened, Q: np.ndarray) -> np.ndarray:
    """Minimum-norm preimage ``W^(1) = V Σ⁻¹ Q`` of :func:`to_q` (its inverse when ``r = d``)."""
    return W.Vt.T @ (np.asarray(Q, dtype=float) / W.sigma[:, None])


def lost_component(W: Whitened, W1: np.ndarray) -> np.ndarray:
    """``(I − V Vᵀ) W^(1)``: what :func:`to_q` discards (zero iff ``r = d`` or W1 ⊂ row space)."""
    W1 = np.asarray(W1, dtype=float)
    return W1 - W.Vt.T @ (W.Vt @ W1)


def to_whitened(W: Whitened, net: Net) -> WhitenedNet:
    """A two-layer :class:`~bnproofs.nets.network.Net` of (9) as parameters of (16)."""
    if net.depth != 2:
        raise InputError("the whitened model (16) is defined for two-layer networks")
    lay = net.layers[0]
    return WhitenedNet(to_q(W, lay.W), lay.gamma.copy(), lay.alpha.copy(), net.w_out.copy())


def from_whitened(W: Whitened, wnet: WhitenedNet) -> Net:
    """Parameters of (16) as a network of (9) (minimum-norm ``w^(1)``)."""
    return Net([Layer(from_q(W, wnet.Q), wnet.gamma.copy(), wnet.alpha.copy())],
               wnet.w_out.copy())


def forward_whitened(W: Whitened, wnet: WhitenedNet) -> np.ndarray:
    """``f_b(U)`` of (16), written out literally (it does not call :func:`bnproofs.nets.bn.bn`)."""
    n = W.U.shape[0]
    Q = np.asarray(wnet.Q, dtype=float)
    norms = np.linalg.norm(Q, axis=0)
    safe = np.where(norms > 0, norms, np.inf)  # q_j = 0: normalised part 0 (bn's convention)
    H = np.maximum(W.U @ (Q / safe) * wnet.gamma + wnet.alpha / np.sqrt(n), 0.0)
    return H @ wnet.w_out


def objective_16(W: Whitened, wnet: WhitenedNet, Y, beta: float) -> float:
    """(16): ``½‖f_b(U) − Y‖_F² + (β/2) Σ_j (γ_j² + α_j² + ‖w_j^(2)‖²)``."""
    R = forward_whitened(W, wnet) - np.asarray(Y, dtype=float)
    reg = np.sum(wnet.gamma**2) + np.sum(wnet.alpha**2) + np.sum(np.asarray(wnet.w_out) ** 2)
    return 0.5 * float(np.sum(R * R)) + 0.5 * beta * float(reg)


# ---------------------------------------------------------------- Section 5.2: truncation (17)

def truncate(W: Whitened, k: int) -> Whitened:
    """Whitening of ``g(X)``: the top ``k`` singular triplets and ``U'_k = [U_k, 1/√n]``."""
    if not 0 <= k <= W.r:
        raise InputError(f"k must be in [0, r = {W.r}], got {k}")
    n = W.U.shape[0]
    U = W.U[:, :k]
    return Whitened(U, W.sigma[:k].copy(), W.Vt[:k].copy(),
                    np.hstack([U, np.full((n, 1), 1.0 / np.sqrt(n))]))


def g(W: Whitened, k: int, mean=None) -> np.ndarray:
    """``g(X) = U T_k(Σ) Vᵀ`` (17), plus ``mean`` (the training mean, a row) if given.

    (17) is centred; adding the mean back does not change BN's training output (it is removed
    again) but fixes the statistics used for test points (see :func:`bnproofs.nets.network.forward_at`).
    """
    T = truncate(W, k)
    G = (T.U * T.sigma) @ T.Vt
    return G if mean is None else G + np.asarray(mean, dtype=float).reshape(1, -1)


# ---------------------------------------------------------------- torch: autograd and GD

@contextmanager
def _one_thread():
    """These problems are tiny (n ≤ a few hundred): torch's intra-op threads only contend for
    the cores (measured 36 ms against 3 ms per step on a loaded 2-core machine), so run them on
    one thread and restore the setting afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def objective_torch(model: str, data, Y, Wq, gamma, alpha, w_out, beta: float, decay_w1=0.0):
    """(9) (``model="bn"``, ``data = X``, ``Wq = W^(1)``) or (16) (``"whitened"``, ``data = U``,
    ``Wq = Q``) in torch, batched over leading dimensions: ``data`` (…, n, d|r), ``Wq`` (…, d|r, m),
    ``gamma, alpha`` (…, m), ``w_out`` (…, m, C), ``Y`` (n, C). Returns the objective per batch.

    ``decay_w1 > 0`` adds ``(decay_w1/2)‖W^(1)‖²`` (resp. ``‖Q‖²``): objective (3)'s decay on the
    BN-feeding weights, only used to probe Theorem 5.1's assumption that it is absent.
    """
    import torch

    n = data.shape[-2]
    Z = data @ Wq
    if model == "bn":
        A = bn_torch(Z, gamma, alpha)
    elif model == "whitened":
        norms = torch.linalg.vector_norm(Wq, dim=-2, keepdim=True).clamp_min(1e-150)
        A = data @ (Wq / norms) * gamma.unsqueeze(-2) + alpha.unsqueeze(-2) / n**0.5
    else:
        raise ValueError(model)
    R = torch.relu(A) @ w_out - Y
    reg = (gamma**2).sum(-1) + (alpha**2).sum(-1) + (w_out**2).sum((-2, -1))
    out = 0.5 * (R * R).sum((-2, -1)) + 0.5 * beta * reg
    if decay_w1:
        out = out + 0.5 * decay_w1 * (Wq**2).sum((-2, -1))
    return out


def gd(model: str, data, Y, Wq0, gamma0, alpha0, w_out0, beta: float, lr: float, steps: int,
       record_every: int = 0):
    """Plain full-batch gradient descent on (9) or (16) (see :func:`objective_torch`), float64.

    All arrays may carry a leading batch dimension (independent runs, e.g. several truncations).
    Returns ``(params, history)``: the final ``(Wq, gamma, alpha, w_out)`` as numpy and, if
    ``record_every``, the list of ``Wq`` every ``record_every`` steps (step 0 first) and the
    objective values at those steps.
    """
    import torch

    dt = torch.float64
    T = [torch.as_tensor(np.asarray(a, dtype=float), dtype=dt) for a in (data, Y)]
    P = [torch.tensor(np.asarray(a, dtype=float), dtype=dt, requires_grad=True)
         for a in (Wq0, gamma0, alpha0, w_out0)]
    hist, vals = [], []
    with _one_thread():
        _descend(model, T, P, beta, lr, steps, record_every, hist, vals)
    out = tuple(p.detach().numpy() for p in P)
    return out, {"W": hist, "objective": vals}


def _descend(model, T, P, beta, lr, steps, record_every, hist, vals):
    import torch

    for it in range(steps + 1):
        obj = objective_torch(model, T[0], T[1], *P, beta)
        if record_every and it % record_every == 0:
            hist.append(P[0].detach().numpy().copy())
            vals.append(obj.detach().numpy().copy())
        if it == steps:
            break
        grads = torch.autograd.grad(obj.sum(), P)
        with torch.no_grad():
            for p, gr in zip(P, grads, strict=True):
                p -= lr * gr


def gradients(model: str, data, Y, Wq, gamma, alpha, w_out, beta: float, decay_w1=0.0):
    """Autograd gradients of (9) or (16) at one point (numpy in, numpy out)."""
    import torch

    dt = torch.float64
    P = [torch.tensor(np.asarray(a, dtype=float), dtype=dt, requires_grad=True)
         for a in (Wq, gamma, alpha, w_out)]
    D, Yt = (torch.as_tensor(np.asarray(a, dtype=float), dtype=dt) for a in (data, Y))
    with _one_thread():
        obj = objective_torch(model, D, Yt, *P, beta, decay_w1=decay_w1)
        grads = torch.autograd.grad(obj, P)
    return tuple(g_.numpy() for g_ in grads), float(obj.detach())


def direction_cosines(Vt: np.ndarray, W: np.ndarray, W0: np.ndarray) -> np.ndarray:
    """(18): ``d_i(W, W0) = (v_iᵀW)(v_iᵀW0)ᵀ / (‖v_iᵀW‖ ‖v_iᵀW0‖)`` for each row ``v_iᵀ`` of Vt.

    For the whitened model ``Vt = I`` (the right singular vectors of ``U``), so ``d_i`` compares
    row i of ``Q`` with its initial value. Since row i of ``Σ Vᵀ W`` is ``σ_i v_iᵀW``, (18) for
    the BN model equals the same row-wise cosine of its weights mapped into q-space.
    """
    A, B = Vt @ W, Vt @ W0
    num = np.sum(A * B, axis=-1)
    den = np.linalg.norm(A, axis=-1) * np.linalg.norm(B, axis=-1)
    return num / np.where(den > 0, den, np.inf)

