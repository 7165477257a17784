"""The full check (pricing every group) and the working sets it grows and prunes.

At the current feasible point ``x`` (``x_g = 0`` outside the working set ``W``) the dual point is
``v = −∇L(f)``, ``f = Σ_g A_g x_g`` (``y − f`` for the squared loss), and every group is priced
by ``c_g(v) = min_{λ ≥ 0} ‖A_gᵀ v + G_gᵀ λ‖`` (:mod:`~.multipliers`): ``‖A_gᵀ v‖`` where that is
``≤ β`` (``λ = 0``); else the last check's ``λ`` where it does better; else the NNLS in bursts of
``NNLS_BURST`` iterations, each only on the groups still above β — ``NNLS_SHORT`` iterations in
all while more than n groups are above β (clear violators: the gap is far from tol, and ``c_g``
only ranks them), up to ``nnls_iters`` once at most n are left. The check's bounds:

* upper ``U = L(f) + β Σ_g ‖x_g‖`` (the loss itself, not its smoothing), at a feasible point;
* lower ``L = −L*(−t v)``, ``t = min(1, β / max_g c_g)``: ``(t v, t λ)`` is feasible for (D).

Then, while the gap is above ``PRUNE_GAP``, the groups of ``W`` at ≤ ``PRUNE`` × the largest
group norm that the check does not price in (``c_g ≤ β``) leave ``W`` (each at most once, so
nothing cycles), and the groups outside ``W`` with ``c_g > β`` enter, the largest first, at most
``max(n, GROWTH |W|)`` of them.
"""

from __future__ import annotations

import torch

from bnproofs.solvers.torch.losses import TorchLoss, dual_bound, relative_gap
from bnproofs.solvers.torch.multipliers import nnls
from bnproofs.solvers.torch.state import OUTSIDE

NNLS_SHORT, NNLS_BURST = 10, 5
GROWTH, PRUNE, PRUNE_GAP = 1.5, 1e-2, 1e-3


def full_check(ch, bidx, nnls_iters):
    """The check at the feasible points of instances ``bidx`` (sorted): relative gap, upper and
    lower bound, ``c_g`` and ``λ`` of every group, and the dual point ``v``; the ``λ`` are kept
    as the next check's warm starts."""
    bt = ch.bt
    P = bt.P
    b = torch.as_tensor(bidx, device=ch.device)
    every = len(bidx) == bt.B  # all instances: views of the state, no copies
    loss = TorchLoss(bt.loss.name, bt.y[b], ch.tau[b])
    f = bt.predict(b, ch.x[b, :P] - ch.x[b, P:2 * P])
    v = loss.dual_point(f)  # y − f for the squared loss
    c_all, cn, lam_all = _warm_prices(ch, b, v, every)
    cn, lam_all = _nnls_bursts(bt, b, c_all, cn, lam_all, ch.lam, nnls_iters)
    if every:
        ch.lam[:, :2 * P] = lam_all  # warm starts for the next check
    else:
        ch.lam[b, :2 * P] = lam_all
    lower = dual_bound(loss, bt.beta[b], v, cn.amax(1))
    upper = loss.true_value(f) + bt.beta[b] * ch.x[b].norm(dim=-1).sum(1)
    return relative_gap(upper, lower), upper, lower, cn, lam_all, v


def _warm_prices(ch, b, v, every):
    """``A_gᵀ v`` of every group, and ``c_g``, ``λ_g`` from ``λ = 0`` or the last check's ``λ``,
    whichever is lower (group g and g + P share the maps of arrangement g mod P: ``G_gᵀλ`` for
    both halves at once)."""
    bt = ch.bt
    P, m, k, nb = bt.P, bt.m, bt.k, len(b)
    Atv = bt.adjoint(b, v)
    c_all = torch.cat([Atv, -Atv], 1)  # (b,2P,k)
    cn = c_all.norm(dim=-1)
    warm = ch.lam[:, :2 * P] if every else ch.lam[b, :2 * P]
    cw = (c_all + bt.cone_op(b, torch.arange(P, device=ch.device).expand(nb, -1)).t(
        warm.view(nb, 2, P, m).transpose(0, 1)).transpose(0, 1).reshape(nb, 2 * P, k)
          ).norm(dim=-1)
    use = cw < cn
    cn = torch.where(use, cw, cn)
    lam_all = torch.where(use.unsqueeze(-1), warm, 0.0)
    return c_all, cn, lam_all


def _nnls_bursts(bt, b, c_all, cn, lam_all, lam_last, nnls_iters):
    """The NNLS on the groups priced above β, in bursts (module docstring). A burst's groups are
    a subset of the last one's: the bursts run on one gathered subset, the groups that fell to
    ≤ β kept frozen in it (their results dropped: per group the same numbers as a burst on the
    rest alone), gathered anew only once many have fallen."""
    m = bt.m
    need = cn > bt.beta[b, None]
    cnt = int(need.sum(1).max()) if len(b) else 0
    done_it = 0
    while cnt:
        order = torch.argsort(need.to(torch.int8), dim=1, descending=True, stable=True)[:, :cnt]
        act = torch.take_along_dim(need, order, 1)
        cn_s, lam_s, act, cnt, done_it = _subset_bursts(
            bt, b, order, act, c_all, cn, lam_all, lam_last, done_it, nnls_iters)
        cn = cn.scatter(1, order, cn_s)
        lam_all = lam_all.scatter(1, order.unsqueeze(-1).expand(-1, -1, m), lam_s)
        if cnt:
            need = torch.zeros_like(need).scatter(1, order, act)
    return cn, lam_all


def _subset_bursts(bt, b, order, act, c_all, cn, lam_all, lam_last, done_it, nnls_iters):
    """Bursts on the groups ``order`` (``act``: still above β) until none is left, the
    iterations are spent, or the subset is worth gathering anew."""
    P, n = bt.P, bt.n
    cnt = width = order.shape[1]
    gsel = torch.where(act, order, 2 * P)  # (padding: the dummy, G = 0)
    op = bt.cone_op(b, bt.arr(gsel)[0])
    c = torch.take_along_dim(c_all, order.unsqueeze(-1), 1)
    lam_s = torch.take_along_dim(lam_all, order.unsqueeze(-1), 1)
    start = lam_last[b[:, None], gsel]  # the last check's λ: the restart of a zero λ
    cn_s = torch.take_along_dim(cn, order, 1)
    while True:
        lam0 = torch.where((lam_s == 0).all(-1, keepdim=True), start, lam_s)
        lam, nrm = nnls(c, op, lam0, NNLS_BURST)
        done_it += NNLS_BURST
        cn_s = torch.where(act, nrm, cn_s)
        lam_s = torch.where(act.unsqueeze(-1), lam, lam_s)
        act = act & (cn_s > bt.beta[b, None])
        cnt = int(act.sum(1).max())
        if not cnt or done_it >= (NNLS_SHORT if cnt > n else nnls_iters):
            return cn_s, lam_s, act, 0, done_it
        if width - cnt >= max(64, width // 4):  # gather the rest anew
            return cn_s, lam_s, act, cnt, done_it


def prune(ch, b, cn, gap):
    """Drop from the working sets of instances ``b`` the groups the last restricted solve sent
    to ~0 and the check does not price in, while the check's ``gap`` is above ``PRUNE_GAP``."""
    P = ch.bt.P
    nrm = ch.x[b, :2 * P].norm(dim=-1)
    drop = (ch.in_ws[b, :2 * P] & (nrm <= PRUNE * nrm.amax(1, keepdim=True))
            & ~ch.pruned[b, :2 * P] & (cn <= ch.bt.beta[b, None]) & (gap > PRUNE_GAP)[:, None])
    if bool(drop.any()):
        rr, gg = drop.nonzero(as_tuple=True)
        ch.in_ws[b[rr], gg] = False
        ch.pruned[b[rr], gg] = True  # once: a group dropped and priced back in stays
        ch.x[b[rr], gg] = 0
        ch.entered[b[rr], gg] = OUTSIDE


def grow(ch, b, cn):
    """Add to the working sets the violators ``c_g > β`` outside them, the largest first, at
    most ``max(n, GROWTH |W|)``; returns how many each instance took."""
    P, n = ch.bt.P, ch.bt.n
    Wg = ch.in_ws[b, :2 * P]
    viol = torch.where(~Wg & (cn > ch.bt.beta[b, None]), cn, torch.zeros_like(cn))
    nviol = (viol > 0).sum(1)
    nadd = torch.minimum(nviol, torch.clamp((GROWTH * Wg.sum(1)).long(), min=n))
    if int(nadd.max()):
        top = torch.argsort(viol, dim=1, descending=True)[:, :int(nadd.max())]
        ok = torch.arange(top.shape[1], device=ch.device)[None, :] < nadd[:, None]
        rows = b[:, None].expand_as(top)
        ch.in_ws[rows[ok], top[ok]] = True
    return nadd
