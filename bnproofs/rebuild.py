"""Appendix C.3: an optimal non-convex network (6) rebuilt from a solution of (8).

For each nonzero ``s_i`` (and, with a negative output weight, each nonzero ``s_i'``) one neuron::

    w^(1) = V Σ⁻¹ q,   q = s_{i,1:r} / ‖s_{i,1:r}‖,
    [γ; α] = [‖s_{i,1:r}‖; s_{i,r+1}] / ‖s_i‖,      w^(2) = ± ‖s_i‖.

Then ``Π X w^(1) = U q`` has unit norm, ``BN(X w^(1)) = U' s_i / ‖s_i‖`` and the neuron outputs
``(U' s_i)_+ ‖s_i‖/‖s_i‖ = D_i U' s_i`` whenever ``s_i`` satisfies its cone constraint; the
regulariser ``β |w^(2)| = β ‖s_i‖`` matches (8) term by term. If ``s_{i,1:r} = 0`` the neuron is a
constant (γ = 0) and ``w^(1)`` is arbitrary; it is set to 0.

The rebuilt network is evaluated in the original model (6) by :mod:`bnproofs.network`, so cone
constraints violated by a solver's round-off cannot make its value look better than it is.
"""

from __future__ import annotations

import numpy as np

from .data import Whitened
from .network import Layer, Net

#: an s_i with ‖s_i‖ ≤ ACTIVE · max_j ‖s_j‖ is taken as zero (no neuron)
ACTIVE = 1e-7


def rebuild_network(W: Whitened, S: np.ndarray, Sp: np.ndarray) -> Net:
    """Network with one neuron per active ``s_i`` (output +‖s_i‖) and ``s_i'`` (−‖s_i'‖)."""
    r = W.r
    blocks = [(S, 1.0), (Sp, -1.0)]
    scale = max(np.linalg.norm(S, axis=1).max(initial=0), np.linalg.norm(Sp, axis=1).max(initial=0))
    cols, gammas, alphas, outs = [], [], [], []
    for M, sgn in blocks:
        for s in M:
            ns = np.linalg.norm(s)
            if ns <= ACTIVE * scale or ns == 0:
                continue
            head = s[:r]
            nh = np.linalg.norm(head)
            q = head / nh if nh > 0 else np.zeros(r)
            cols.append(W.Vt.T @ (q / W.sigma) if r else np.zeros(W.Vt.shape[1]))
            gammas.append(nh / ns)
            alphas.append(s[r] / ns)
            outs.append(sgn * ns)
    d = W.Vt.shape[1]
    if not cols:  # the zero network
        return Net([Layer(np.zeros((d, 1)), np.ones(1), np.zeros(1))], np.zeros(1))
    return Net(
        [Layer(np.array(cols).T, np.array(gammas), np.array(alphas))],
        np.array(outs),
    )
