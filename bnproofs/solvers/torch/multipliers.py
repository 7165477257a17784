"""Multipliers of the cone constraints: the batched NNLS that prices every group.

For a dual point ``v`` the dual (D) asks ``c_g(v) := min_{λ ≥ 0} ‖A_gᵀ v + G_gᵀ λ‖ ≤ β`` for every
group ``g``; by Moreau's decomposition ``c_g(v) = ‖Proj_{K_g}(A_gᵀ v)‖`` with
``K_g = {s : G_g s ≥ 0}``. :func:`nnls` computes it by FISTA with gradient restart, step
``1/λ_max(G_gᵀ G_g)``, for a batch of groups at once. Any ``λ ≥ 0`` gives a valid bound (the
scaling ``t = min(1, β / max_g c_g)`` makes any ``(v, λ)`` dual feasible), so an inexact NNLS
costs tightness, never validity.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from bnproofs.nets.training import resolve_device
from bnproofs.programs.cone import ConeProgram
from bnproofs.solvers.torch.batch import no_autograd
from bnproofs.solvers.torch.cones import DenseCone


@functools.cache
def fista_momentum(iters):
    """``(t_j − 1)/t_{j+1}`` for j < iters, ``t_0 = 1``, ``t_{j+1} = (1 + √(1 + 4 t_j²))/2``
    (float64, the same operations as the FISTA steps had them per group)."""
    out, t = [], 1.0
    for _ in range(iters):
        tn = 0.5 * (1 + math.sqrt(1 + 4 * t * t))
        out.append((t - 1) / tn)
        t = tn
    return tuple(out)


def nnls(c, op, lam, iters):
    """``min_{λ ≥ 0} ½‖c + Gᵀλ‖²`` per group (FISTA, gradient restart) from ``lam``, for the
    cone maps ``op`` (``op.mv``, ``op.t``, ``op.L``; :mod:`~.cones`); returns
    ``(λ, ‖c + Gᵀλ‖)``, the better of the start and the end per group.
    Shapes: c (…, k), lam (…, m)."""
    def norm(lm):
        return (c + op.t(lm)).norm(dim=-1)

    lam = torch.where(lam.isfinite(), lam, torch.zeros_like(lam))  # a broken start: restart at 0
    lam0, n0 = lam, norm(lam)
    step = (1.0 / op.L.clamp_min(1e-300)).unsqueeze(-1)
    x, yv = lam, lam
    # the momentum (t_j − 1)/t_{j+1} after j steps without a restart: one gather per step by a
    # per-group counter j instead of a handful of ops on t
    mtab = torch.tensor(fista_momentum(iters), dtype=c.dtype, device=c.device)
    j = torch.zeros(op.L.shape, dtype=torch.long, device=c.device)
    # (in place where a buffer is fresh: the same numbers with fewer (…, m) allocations)
    for _ in range(iters):
        grad = op.mv(c + op.t(yv), fresh=True)
        xn = step * grad
        xn = torch.sub(yv, xn, out=xn).clamp_min_(0)
        dxn = xn - x
        restart = grad.mul_(dxn).sum(-1) > 0
        mom = torch.where(restart, 0.0, mtab[j])
        yv = dxn.mul_(mom.unsqueeze(-1)).add_(xn)
        j = torch.where(restart, 0, j + 1)
        x = xn
    n1 = norm(x)
    better = n1 <= n0
    return torch.where(better.unsqueeze(-1), x, lam0), torch.where(better, n1, n0)


@no_autograd
def dual_multipliers(prog: ConeProgram, v, iters: int = 1000, device: str = "cpu"):
    """Multipliers ``(ρ, ρ') ≥ 0`` (P × m each) for the dual point ``v`` of any solver's answer:
    per group the NNLS ``min_{λ≥0} ‖±A_iᵀ v + G_iᵀ λ‖`` (``λ = 0`` where ``‖A_iᵀ v‖ ≤ β``), so
    that :func:`bnproofs.certify.audit.audit` can certify an answer that came without
    multipliers (pyscnn's, in ``benchmarks/solvers.py``)."""
    T = dict(device=torch.device(resolve_device(device)), dtype=torch.float64)
    A, G = torch.as_tensor(prog.A, **T), torch.as_tensor(prog.G, **T)
    Atv = torch.einsum("pnk,n->pk", A, torch.as_tensor(np.asarray(v, dtype=float), **T))
    L = torch.linalg.eigvalsh(G.transpose(-1, -2) @ G)[..., -1]
    out = []
    for c in (Atv, -Atv):
        lam = torch.zeros(G.shape[:2], **T)
        need = torch.nonzero(c.norm(dim=-1) > prog.beta).flatten()
        if len(need):
            lam[need] = nnls(c[need], DenseCone(G[need], L[need]), lam[need], iters)[0]
        out.append(lam.cpu().numpy())
    return out[0], out[1]
