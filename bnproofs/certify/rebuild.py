"""Appendix C.3: an optimal non-convex network (6) rebuilt from a solution of (8).

For each nonzero ``s_i`` (and, with a negative output weight, each nonzero ``s_i'``) one neuron::

    w^(1) = V Σ⁻¹ q,   q = s_{i,1:r} / ‖s_{i,1:r}‖,
    [γ; α] = [‖s_{i,1:r}‖; s_{i,r+1}] / ‖s_i‖,      w^(2) = ± ‖s_i‖.

Then ``Π X w^(1) = U q`` has unit norm, ``BN(X w^(1)) = U' s_i / ‖s_i‖`` and the neuron outputs
``(U' s_i)_+ ‖s_i‖/‖s_i‖ = D_i U' s_i`` whenever ``s_i`` satisfies its cone constraint; the
regulariser ``β |w^(2)| = β ‖s_i‖`` matches (8) term by term. If ``s_{i,1:r} = 0`` the neuron is a
constant (γ = 0) and ``w^(1)`` is arbitrary; it is set to 0.

The rebuilt network is evaluated in the original model (6) by :mod:`bnproofs.nets.network`, so cone
constraints violated by a solver's round-off cannot make its value look better than it is.
"""

from __future__ import annotations

import numpy as np

from bnproofs.data import Whitened
from bnproofs.nets.network import Layer, Net
from bnproofs.programs.cone import ConeProgram

#: an s_i with ‖s_i‖ ≤ ACTIVE · max_j ‖s_j‖ is taken as zero (no neuron)
ACTIVE = 1e-7


def first_layer(W: Whitened, H: np.ndarray) -> Layer:
    """The hidden layer whose neuron k has ``BN(X w_k^(1)) = U' h_k/‖h_k‖`` (rows ``h_k`` of
    ``H``, nonzero): ``w^(1) = V Σ⁻¹ q``, ``q = h_{1:r}/‖h_{1:r}‖``, ``[γ; α] = [‖h_{1:r}‖;
    h_{r+1}]/‖h‖`` (``w^(1) = 0``, ``γ = 0`` when ``h_{1:r} = 0``: a constant neuron)."""
    r = W.r
    H = np.asarray(H, dtype=float).reshape(-1, r + 1)
    H = H / np.linalg.norm(H, axis=1, keepdims=True)
    nh = np.linalg.norm(H[:, :r], axis=1)
    q = H[:, :r] / np.where(nh > 0, nh, 1.0)[:, None]
    W1 = W.Vt.T @ (q / W.sigma).T if r else np.zeros((W.Vt.shape[1], H.shape[0]))
    return Layer(W1, nh, H[:, r].copy())


def rebuild_network(W: Whitened, S: np.ndarray, Sp: np.ndarray) -> Net:
    """Network with one neuron per active ``s_i`` (output +‖s_i‖) and ``s_i'`` (−‖s_i'‖)."""
    blocks = [(S, 1.0), (Sp, -1.0)]
    scale = max(np.linalg.norm(S, axis=1).max(initial=0), np.linalg.norm(Sp, axis=1).max(initial=0))
    rows, outs = [], []
    for M, sgn in blocks:
        for s in M:
            ns = np.linalg.norm(s)
            if ns <= ACTIVE * scale or ns == 0:
                continue
            rows.append(s)
            outs.append(sgn * ns)
    d = W.Vt.shape[1]
    if not rows:  # the zero network
        return Net([Layer(np.zeros((d, 1)), np.ones(1), np.zeros(1))], np.zeros(1))
    return Net([first_layer(W, np.array(rows))], np.array(outs))


def caratheodory_prune(prog: ConeProgram, S, Sp) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a solution of a cone program (:class:`~bnproofs.programs.cone.ConeProgram`: (8), (15),
    (46)) to at most ``n + 1`` active groups without changing the objective.

    Each active group ``j`` (an ``s_i`` or ``s_i'``) contributes ``a_j = (±A_i s_j, ‖s_j‖)`` to
    (output, regulariser). Scaling group ``j`` by ``t_j ≥ 0`` keeps it cone-feasible. While more than
    ``n + 1`` groups are active, the ``a_j`` of any ``n + 2`` of them are linearly dependent:
    ``Σ c_j a_j = 0`` with some ``c_j > 0``; moving ``t_j ← t_j − τ c_j`` with the largest ``τ``
    keeping ``t ≥ 0`` leaves output and regulariser unchanged and zeroes one group
    (the Carathéodory argument behind ``m* ≤ n + 1``, C.3 / Pilanci & Ergen 2020).
    """
    S, Sp = S.copy(), Sp.copy()
    n = prog.A.shape[1]
    scale = max(np.linalg.norm(S, axis=1).max(initial=0), np.linalg.norm(Sp, axis=1).max(initial=0))
    for M in (S, Sp):
        M[np.linalg.norm(M, axis=1) <= ACTIVE * scale] = 0.0

    def vectors(idx):
        cols = []
        for blk, i in idx:
            M, sgn = (S, 1.0) if blk == 0 else (Sp, -1.0)
            cols.append(np.r_[sgn * prog.A[i] @ M[i], np.linalg.norm(M[i])])
        return np.array(cols).T

    while True:
        active = [(0, i) for i in np.flatnonzero(np.linalg.norm(S, axis=1))]
        active += [(1, i) for i in np.flatnonzero(np.linalg.norm(Sp, axis=1))]
        if len(active) <= n + 1:
            return S, Sp
        group = active[: n + 2]
        A = vectors(group)
        c = np.linalg.svd(A)[2][-1]
        if c.max() <= 0:
            c = -c
        pos = c > 1e-12 * np.abs(c).max()
        tau = np.min(1.0 / c[pos])
        for (blk, i), cj in zip(group, c, strict=True):
            M = S if blk == 0 else Sp
            factor = 1.0 - tau * cj
            M[i] = 0.0 if factor <= 1e-12 else M[i] * factor
