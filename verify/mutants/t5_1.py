"""Mutants of T5.1 (one GD step on (9) and (16)): wrong versions of the q-space relation, the map
q = ΣVᵀw, the gradients of (9) and the weight normalisation of (16)."""

from __future__ import annotations

import numpy as np
import torch

from bnproofs.nets import whitened
from bnproofs.nets.bn import bn_torch

from ..mutation import Mutant


def _sigma_not_squared(sigma, delta_b):
    return sigma[:, None] * delta_b


def _reversed(sigma, delta_b):
    return delta_b / sigma[:, None] ** 2


def _sigma_dropped(W, W1):
    return W.Vt @ np.asarray(W1, dtype=float)


def _decay_on_w1(model, data, Y, Wq, gamma, alpha, w_out, beta, decay_w1=0.0):
    """Autograd gradients of (3) — (9) with decay 0.1 on the BN-feeding weights — for ``bn``."""
    P = [torch.tensor(np.asarray(a, dtype=float), dtype=torch.float64, requires_grad=True)
         for a in (Wq, gamma, alpha, w_out)]
    D, Yt = (torch.as_tensor(np.asarray(a, dtype=float), dtype=torch.float64) for a in (data, Y))
    decay = 0.1 if model == "bn" else decay_w1
    obj = whitened.objective_torch(model, D, Yt, *P, beta, decay_w1=decay)
    return tuple(g.numpy() for g in torch.autograd.grad(obj, P)), float(obj.detach())


def _norm_squared(model, data, Y, Wq, gamma, alpha, w_out, beta, decay_w1=0.0):
    """(16) with U q_j/‖q_j‖² (wrong exponent of the weight normalisation); (9) unchanged."""
    n = data.shape[-2]
    if model == "bn":
        A = bn_torch(data @ Wq, gamma, alpha)
    else:
        norms = torch.linalg.vector_norm(Wq, dim=-2, keepdim=True).clamp_min(1e-150)
        A = data @ (Wq / norms**2) * gamma.unsqueeze(-2) + alpha.unsqueeze(-2) / n**0.5
    R = torch.relu(A) @ w_out - Y
    reg = (gamma**2).sum(-1) + (alpha**2).sum(-1) + (w_out**2).sum((-2, -1))
    return (0.5 * (R * R).sum((-2, -1)) + 0.5 * beta * reg
            + 0.5 * decay_w1 * (Wq**2).sum((-2, -1)))


MUTANTS = [
    Mutant("T5.1", "sigma_not_squared", "verify.t5_1:predicted_bn_update", _sigma_not_squared,
           "Δ_v2 = Σ Δ_v2b (Σ for Σ²)"),
    Mutant("T5.1", "reversed_relation", "verify.t5_1:predicted_bn_update", _reversed,
           "Δ_v2b = Σ² Δ_v2, the relation reversed (as the proof's last line reads)"),
    Mutant("T5.1", "q_sigma_dropped", "bnproofs.nets.whitened:to_q", _sigma_dropped,
           "q = Vᵀw (Σ dropped from the correspondence)"),
    Mutant("T5.1", "decay_on_w1", "bnproofs.nets.whitened:gradients", _decay_on_w1,
           "GD on (3), with decay on the BN-feeding weights, for GD on (9)"),
    Mutant("T5.1", "weight_norm_squared", "bnproofs.nets.whitened:objective_torch",
           _norm_squared, "(16) with U q_j/‖q_j‖² (wrong exponent in the weight normalisation)"),
]
