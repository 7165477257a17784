"""The program restricted to the working sets, solved by primal log-barrier path following.

On the working set ``W`` of each instance, minimise::

    F = L(Σ_w A_w x_w) + β Σ_w ‖x_w‖ − μ Σ_w ω_w Σ_j log (G_w x_w)_j

by damped Newton steps (:mod:`~.newton`), ``μ ← μ / MU_FACTOR`` once the Newton decrement is
``≤ MU_LAMBDA``. The iterate stays in the interior of each cone, which does not contain 0, so
``‖x_w‖`` is smooth there and no epigraph variable is needed. On the central path
``λ_w = μ ω_w / (G_w x_w)`` makes ``‖A_wᵀ v + G_wᵀ λ_w‖ = β`` exactly, with ``v = −∇L(f)``: a
dual-feasible point of the restricted program with gap ``μ ν``, ``ν = Σ_w ω_w m_w``. A solve
ends when that gap (plus, for the hinge, the smoothing's ``Σ max(0, c) − a c``) is at most the
restricted target ``tol_r × max(1, objective)`` at a centred point (hinge: also λ ≤
``HINGE_LAMBDA`` or no longer falling, since the dual point moves by ~``λ √(μ/8τ)`` at the
kinks), or once half of the batch has finished (the caller re-packs the rest).

**Entering groups** start on the ray of an interior direction ``e`` of their cone
(:func:`~.cones.interior_directions`) at the minimiser of ``F`` along it with the others held,
the root of ``qα² + (c + β)α − μ m_w = 0`` for ``c = (A e)ᵀ ∇L``, ``q = ‖A e‖²_W``, but no further
out than ``μ m_w / β`` (where a group with ``c_w = 0`` sits on the path) and, for a loss other
than squared, ``‖A e α‖ ≤ 10 √n``; then all entering groups of an instance are scaled by one
common factor ``≤ 1``, the minimiser of ``F`` along that joint ray. A group whose cone shows no
interior direction is kept at 0.

**Weights.** ``ω_w = 1`` for the groups entering now and those at ≥ ``WEIGHT_REL`` × the
instance's largest norm at the start of the call, ``max(WEIGHT_MIN, ratio / WEIGHT_REL)`` for
the others — the groups the optimum leaves at 0, each of which would otherwise add ``μ m_w`` to
the gap. A weight only reshapes the path: the weighted barrier is still a barrier of the same
cone, and the full check certifies whatever point it gives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from bnproofs.solvers.torch.losses import TorchLoss
from bnproofs.solvers.torch.newton import (
    DENSE_MU,
    HINGE_LADDER,
    LADDER,
    MU_LAMBDA,
    RESCUE,
    dense_direction,
    factor,
    gradient_hessian,
    ray_root,
    step_length,
    woodbury,
)
from bnproofs.solvers.torch.state import ENTERED, NO_INTERIOR, OUTSIDE

MU_FACTOR = 5.0
#: hinge: centre to a Newton decrement ≤ HINGE_LAMBDA before a solve ends
HINGE_LAMBDA = 1e-6
#: a group at ≤ WEIGHT_REL × the largest norm is weighted by that ratio over WEIGHT_REL, at least
#: WEIGHT_MIN
WEIGHT_REL, WEIGHT_MIN = 1e-2, 1e-2


@dataclass
class Restricted:
    """The program restricted to the working sets of instances ``b`` (padded to ``Wn`` groups
    with the dummy), with the products each Newton step reuses."""

    g: torch.Tensor  # (b, W) group ids
    usable: torch.Tensor  # (b, W) in W and with an interior start
    new: torch.Tensor  # (b, W) entering now
    has: torch.Tensor  # (b, W) entering now with an interior direction
    A: torch.Tensor  # (b, W, n, k) the groups' ±A_i, 0 on unusable groups
    rowmask: torch.Tensor  # (b, W, m) the real rows of the usable groups
    wgt: torch.Tensor  # (b, W) the barrier weights ω_w
    rw: torch.Tensor  # (b, W, m) the rows' weights (0 off the rows)
    nu: torch.Tensor  # (b,) Σ_w ω_w m_w
    op: object  # the cone maps, zero on the unusable groups
    loss: TorchLoss
    y: torch.Tensor
    beta: torch.Tensor
    T: dict

    def __post_init__(self):
        nb, Wn, n, k = self.A.shape
        self.nb, self.Wn, self.n, self.k = nb, Wn, n, k
        self.hinge = self.loss.name == "hinge"
        T = self.T
        self.eyek, self.eyen = torch.eye(k, **T), torch.eye(n, **T)
        # A2 = [A_1 … A_W] (n × Wk): Σ_w A_w x_w = A2 vec(x), A_wᵀ r = blocks of A2ᵀ r; AtU =
        # [A_wᵀ | −∇_w F] per group, the right-hand sides of one triangular solve per step
        self.A2 = self.A.permute(0, 2, 1, 3).reshape(nb, n, Wn * k)
        self.AtU = torch.cat([self.A.transpose(-1, -2), torch.zeros(nb, Wn, k, 1, **T)], -1)
        # on rows outside rowmask G x is exactly 0, so G x + off is 1 there along any step
        self.off = 1.0 - self.rowmask
        self.lad = torch.tensor(LADDER + (HINGE_LADDER if self.hinge else ()),
                                **T)[:, None, None]
        self.rescue = torch.tensor(RESCUE, **T)[:, None, None]
        self.A4 = self.A2.view(nb, n, Wn, k)
        self.um4 = self.usable[..., None, None]
        self.A2T = self.A2.mT
        self.beta2, self.beta3 = self.beta[:, None], self.beta[:, None, None]

    def gx(self, x):
        """``G x``, and 1 off the rows (where ``G x`` is exactly 0)."""
        return self.op.mv(x) + self.off


@dataclass
class Path:
    """The barrier path's state per instance."""

    x: torch.Tensor  # (b, W, k)
    Gx: torch.Tensor  # (b, W, m) G x + off
    mu: torch.Tensor  # (b,)
    tau: torch.Tensor  # (b,) hinge: the loss's smoothing (τ ≥ μ)
    tol: torch.Tensor  # (b,) the restricted relative target
    it: torch.Tensor  # (b,) Newton steps, counted on the device
    it0: torch.Tensor  # (b,) the count at the start
    mu_lam: torch.Tensor  # (b,) μ of the last step taken (λ = μ ω / G x is formed from it)
    lam_prev: torch.Tensor  # (b,) the last centred decrement (hinge)
    active: torch.Tensor  # (b,) bool
    broken: torch.Tensor  # (b,) bool: the Newton system lost to round-off


def _gather(ch, b):
    """The working sets of instances ``b`` (padded with the dummy ``2P``): group ids, their
    arrangements and signs, validity, and the groups' current points and entry states."""
    bt = ch.bt
    Wg = ch.in_ws[b]
    size = int(Wg.sum(1).max())
    order = torch.argsort(Wg.to(torch.int8), dim=1, descending=True, stable=True)[:, :size]
    valid = torch.take_along_dim(Wg, order, 1)
    g = torch.where(valid, order, 2 * bt.P)
    i, s = bt.arr(g)
    bi = b[:, None]
    return g, i, s, valid, ch.x[bi, g], ch.entered[bi, g]


def _interior_starts(bt, b, i, x, new):
    """Interior directions for the entering groups: ``x`` set to them where one exists, and
    which entering groups have one."""
    k = bt.k
    cnt = int(new.sum(1).max())
    has = torch.zeros_like(new)
    if cnt:
        sel = torch.argsort(new.to(torch.int8), dim=1, descending=True, stable=True)[:, :cnt]
        ok_sel = torch.take_along_dim(new, sel, 1)
        E, margin = bt.interior(b, torch.take_along_dim(i, sel, 1), ok_sel)
        good = ok_sel & (margin > 0)
        sk = sel.unsqueeze(-1).expand(-1, -1, k)  # padded: non-entering groups keep their x
        x = x.scatter(1, sk, torch.where(good[..., None], E, x.gather(1, sk)))
        has = has.scatter(1, sel, good)
    return x, has


def restrict(ch, b):
    """The restricted program of instances ``b`` and the start point ``x`` (entering groups on
    their interior directions, unit length)."""
    bt = ch.bt
    g, i, s, valid, x, st = _gather(ch, b)
    new = valid & (st == OUTSIDE)
    usable = valid & (st != NO_INTERIOR)
    x, has = _interior_starts(bt, b, i, x, new)
    usable = usable & ~(new & ~has)
    A = bt.dense(b, i, s) * usable[..., None, None]
    rowmask = bt.rowmask[b[:, None], i] * usable[..., None]
    x = torch.where(usable[..., None], x, torch.zeros_like(x))
    # the barrier's weight per group: 1, but down to WEIGHT_MIN for the groups that an earlier
    # solve left at ≤ WEIGHT_REL × the instance's largest norm; rw: the rows' weights
    xn0 = x.norm(dim=-1)
    top = xn0.amax(1, keepdim=True) if xn0.shape[1] else xn0.new_ones(())
    wgt = torch.where(new, 1.0, (xn0 / (WEIGHT_REL * top).clamp_min(1e-300))
                      .clamp(WEIGHT_MIN, 1.0))
    rw = rowmask * wgt[..., None]
    y = bt.y[b]
    rp = Restricted(g, usable, new, has, A, rowmask, wgt, rw, rw.sum(-1).sum(1),
                    bt.cone_op(b, i).masked(usable), TorchLoss(bt.loss.name, y), y, bt.beta[b],
                    bt.T)
    return rp, x


def _on_rays(rp, x, mu):
    """The entering groups moved along their rays to the minimiser of ``F`` (module
    docstring), then scaled together by the minimiser along the joint ray."""
    has, A, beta, n = rp.has, rp.A, rp.beta, rp.n
    f0 = torch.einsum("bwnk,bwk->bn", A, torch.where(has[..., None], 0.0, x))
    g0, w0 = rp.loss.grad_hess(f0)  # (a quadratic model of the loss if not squared)
    Ae = torch.einsum("bwnk,bwk->bwn", A, x)
    c = torch.einsum("bwn,bn->bw", Ae, g0) + beta[:, None]
    q = (Ae * Ae).sum(-1) if w0 is None else (Ae * Ae * w0[:, None]).sum(-1)
    mm = mu[:, None] * rp.rowmask.sum(-1)
    al = ray_root(q, c, mm)
    al = torch.where(mm > 0, al, 1e-3 * rp.y.norm(dim=1, keepdim=True))
    if w0 is not None:  # a flat loss (w ≈ 0) must not send the group far out: |A e α| ≤ 10 √n
        al = torch.minimum(al, 10 * math.sqrt(n) / Ae.norm(dim=-1).clamp_min(1e-300))
    # no further out than μ m_g / β: most entering groups end at 0, and Newton shrinks a group
    # that starts far out only by damped steps (its step through the apex is cut at the boundary)
    al = torch.where(mm > 0, torch.minimum(al, mm / beta[:, None].clamp_min(1e-300)), al)
    al = torch.where(has, al, 0.0)
    # one common scale s ≤ 1 of all entering groups: each α was found with the others held
    u = torch.einsum("bw,bwn->bn", al, Ae)
    qj = (u * u).sum(-1) if w0 is None else (u * u * w0).sum(-1)
    cj = (u * g0).sum(-1) + beta * al.sum(1)
    mj = (torch.where(has, mm, 0.0)).sum(1)
    sj = torch.where((mj > 0) & (qj > 0), ray_root(qj, cj, mj), 1.0).clamp(max=1.0)
    return torch.where(has[..., None], (sj[:, None] * al)[..., None] * x, x)


def _start(rp, x, ch, bidx, mu0, tau0):
    """The path's start: ``μ0``, ``τ = max(τ0, μ0)``, the entering groups on their rays."""
    T, dev = rp.T, x.device
    mu = mu0.clone()
    tau = torch.maximum(tau0, mu0)
    if rp.hinge:
        rp.loss.tau = tau
    if bool(rp.new.any()):  # (entering groups: to the minimiser of F along their rays)
        x = _on_rays(rp, x, mu)
    it = torch.as_tensor(ch.iters[bidx], device=dev)
    return Path(x, rp.gx(x), mu, tau, torch.as_tensor(ch.inner_tol[bidx], **T), it, it.clone(),
                mu.clone(), torch.full((len(bidx),), math.inf, **T),
                torch.ones(len(bidx), dtype=torch.bool, device=dev),
                torch.zeros(len(bidx), dtype=torch.bool, device=dev))


def barrier(ch, b, bidx, mu0, tau0, max_iter, verbose):
    """Path following on the working sets of instances ``b`` (``bidx`` on the host) from
    ``μ0``, ``τ0``, at most ``max_iter`` Newton steps in all; the point, its multipliers and the
    entry states go back to ``ch``. Returns where each path stopped (μ, τ), which instances
    broke down, and which were handed back unfinished."""
    rp, x = restrict(ch, b)
    path = _start(rp, x, ch, bidx, mu0, tau0)
    # once half the batch has finished, hand back: the caller re-packs the rest (smaller |W|
    # padding, no work on finished instances) and continues their paths (one host sync a step)
    while (na := int(path.active.sum())) and (len(bidx) == 1 or 2 * na > len(bidx)):
        _newton_step(rp, path, max_iter)
    _write_back(ch, rp, path, b, bidx)
    if verbose:
        it = path.it.cpu().numpy()
        print(f"  barrier on |W| ≤ {rp.Wn}: iterations {it.min()}..{it.max()}, "
              f"ν ≤ {int(rp.nu.max())}")
    return path.mu, path.tau, path.broken, path.active


def _newton_step(rp, path, max_iter):
    """One damped Newton step of every active instance, then the path's update."""
    f, r, wl, xn, grad, H = gradient_hessian(rp, path)
    ch, fail = factor(H, rp.eyek)
    # an instance whose Newton system cannot be factored (μ at round-off level) stops here; its
    # last iterate stays feasible (its factors may hold nan: instances do not mix in the batched
    # solves, and its step is zeroed below)
    gs = grad.sum((-1, -2))  # (nonfinite iff some entry is, short of an overflow)
    broken = path.broken | fail | ((gs - gs) != 0)
    dx, singular = woodbury(rp, ch, grad, wl)
    broken = broken | singular
    if rp.hinge and float(path.mu.amin()) < DENSE_MU:
        dx = dense_direction(rp, H, grad, wl, dx)
    dx = torch.where(broken[:, None, None], 0.0, dx.nan_to_num_(0.0, 0.0, 0.0))
    dec = -(grad * dx).sum((1, 2))
    # a direction that does not descend: the system is lost to round-off
    path.broken = broken | (dec < -1e-12 * path.mu)
    path.active = path.active & ~path.broken
    lam_n = (dec / path.mu).clamp_min(0).sqrt()
    step, none = step_length(rp, path, f, dx, lam_n)
    # no step lowers F although the point is not centred: the direction is lost to round-off
    path.broken = path.broken | (path.active & none & (lam_n > MU_LAMBDA))
    path.active = path.active & ~path.broken
    path.x = path.x + step[..., None] * dx
    path.it += path.active
    path.Gx = rp.gx(path.x)  # also the next step's
    _follow(rp, path, f, r, wl, xn, lam_n, max_iter)


def _follow(rp, path, f, r, wl, xn, lam_n, max_iter):
    """Cut μ (and the hinge's τ) at centred points until the restricted target is met."""
    mu, active = path.mu, path.active
    # stop on the barrier's own gap μ ν: exact at a centred point
    path.mu_lam = torch.where(active, mu, path.mu_lam)
    # a scale for the relative gap (at the previous point)
    if rp.hinge:  # the objective of (P), as the full check scales its gap
        upper = rp.loss.true_value(f) + rp.beta * (xn * rp.usable).sum(1)
    else:
        upper = rp.loss.value(f) if wl is not None else 0.5 * (r * r).sum(-1)
    go = active & (lam_n <= MU_LAMBDA)  # centred
    if rp.hinge:  # the smoothing's share of the gap at f: Σ max(0, c) − a c (< n τ)
        cc = 1 - rp.y * f
        sgap = (torch.relu(cc) + rp.y * r * cc).sum(-1)
    else:
        sgap = 0.0
    tgt = path.tol * upper.clamp_min(1.0)
    met = mu * rp.nu + sgap <= tgt
    fin = (go & met & ((lam_n <= HINGE_LAMBDA) | (lam_n > 0.5 * path.lam_prev)) if rp.hinge
           else go & met)
    path.lam_prev = torch.where(go & met, lam_n, math.inf)
    cut = go & ~met
    path.mu = torch.where(cut & (mu * rp.nu > 0.5 * tgt), mu / MU_FACTOR, mu)
    if rp.hinge:  # τ ≥ μ: F/μ stays self-concordant
        path.tau = torch.maximum(torch.where(cut & (sgap > 0.5 * tgt), path.tau / MU_FACTOR,
                                             path.tau), path.mu)
    path.active = (active ^ fin) & (path.it < max_iter)


def _write_back(ch, rp, path, b, bidx):
    """The point, the multipliers ``λ = μ ω / G x`` of each instance's last step (the last
    check's where it took none) and the entry states back to the batch's state."""
    g = rp.g
    bi = b[:, None]
    lam_out = torch.where((path.it > path.it0)[:, None, None],
                          path.mu_lam[:, None, None] * rp.rw / path.Gx, ch.lam[bi, g])
    ch.iters[bidx] = path.it.cpu().numpy()
    rows = bi.expand_as(g)
    ch.x[rows, g] = path.x
    ch.entered[rows, g] = torch.where(rp.usable, ENTERED, NO_INTERIOR).to(ch.entered.dtype)
    ch.lam[rows, g] = lam_out
    ch.x[:, -1] = 0
    ch.entered[:, -1] = OUTSIDE
    ch.lam[:, -1] = 0
