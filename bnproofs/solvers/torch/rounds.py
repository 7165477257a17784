"""The working-set method, round by round, and the answer it returns.

Each round, per instance still solving: a full check at the current feasible point
(:func:`~.pricing.full_check`: the upper bound ``U`` at the point, the lower bound ``L`` of its
dual point scaled into (D)); stop if the best bracket is certified; otherwise prune and grow the
working set (:mod:`~.pricing`) and solve the program restricted to it (:func:`~.barrier.barrier`)
to the relative target ``max(tol/4, INNER × the check's gap)`` (``tol/1.5`` for the hinge),
tightened tenfold where nothing could enter. The path starts at
``μ0 = gap × max(1, L(0)) / ν`` (the check's gap spread over the barrier parameter
``ν = Σ_w m_w``), but no higher than ``MU_CONT`` × where it stopped (where nothing entered: where it
stopped); the hinge's smoothing at ``gap × max(1, L(0)) / n``, no higher than ``MU_CONT`` × its
last value.

**Stopping rule** (never a gradient norm): ``(U* − L*) / max(1, |U*|) ≤ tol`` for the lowest
``U*`` and the highest ``L*`` of the checks so far — each bound holds on its own, so a feasible
point of one check and a dual point of another bracket the optimum together. Status
``converged``; else ``max_iter`` after ``max_iter`` Newton steps, or ``stalled`` after
``STALL_ROUNDS`` checks without the gap falling by 1 %, or when a Newton system cannot be
factored even with a ridge or gives a direction that does not descend. Returned: the point of
``U*`` and the dual point and multipliers of ``L*`` (a later breakdown cannot make the answer
worse). These bounds are the stopping rule's, computed in torch; the caller audits the answer
(:mod:`bnproofs.certify.audit`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from bnproofs.nets.training import resolve_device
from bnproofs.programs.cone import ConeProgram
from bnproofs.solvers.torch.barrier import barrier
from bnproofs.solvers.torch.batch import Batch, cpu_chunk, no_autograd
from bnproofs.solvers.torch.losses import TorchLoss
from bnproofs.solvers.torch.pricing import full_check, grow, prune
from bnproofs.solvers.torch.state import Chunk

INNER, MU_CONT = 0.1, 1.5
STALL_ROUNDS = 30


@dataclass
class TorchSolution:
    """The torch solver's answer: a strictly feasible point, a dual point with multipliers, and
    the bounds its stopping rule compared (computed in torch; the caller audits the answer)."""

    S: np.ndarray  # P × k, the s_i of the returned feasible point
    Sp: np.ndarray  # P × k, the s_i'
    upper: float  # the stopping rule's best upper bound: the objective of (P) at (S, Sp)
    lower: float  # its best lower bound: the dual point (v, rho, rhop) scaled into (D)
    gap: float  # (upper − lower) / max(1, |upper|), what the stopping rule compared with tol
    iterations: int  # Newton steps (all rounds)
    rounds: int  # full checks
    working_set: int  # groups in the final working set
    status: str  # "converged" (gap ≤ tol), "max_iter" or "stalled"
    v: np.ndarray  # dual point before scaling, −∇L(f) at the check of the best lower bound
    rho: np.ndarray  # P × m multipliers (≥ 0) of the s_i cone constraints
    rhop: np.ndarray  # P × m, of the s_i'
    solve_s: float  # wall time of the batch this instance was solved in


@no_autograd
def solve_batch(progs: list[ConeProgram], *, tol: float = 1e-6, max_iter: int = 20000,
                nnls_iters: int = 200, device: str = "auto", dtype=None, chunk: int | None = None,
                verbose: bool = False) -> list[TorchSolution]:
    """Solve the instances ``progs`` (equal n, one loss) of (P), batched. ``chunk``: instances
    per batch (by default all of them on CUDA, and :func:`~.batch.cpu_chunk` on the CPU, where
    a batch pays for its padding with real work). ``solve_s`` is the wall time of the batch an
    instance was solved in."""
    if not progs:
        return []
    n = progs[0].shape[1]
    if any(p.shape[1] != n for p in progs):
        raise ValueError("all instances of a batch must share n")
    if len({p.loss for p in progs}) != 1:
        raise ValueError("all instances of a batch must share the loss")
    dev = resolve_device(device)
    if chunk is None:
        chunk = cpu_chunk(progs) if dev == "cpu" else len(progs)
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, not {chunk}")
    kw = dict(tol=tol, max_iter=max_iter, nnls_iters=nnls_iters, device=dev, dtype=dtype,
              verbose=verbose)
    return [s for j in range(0, len(progs), chunk) for s in solve_chunk(progs[j:j + chunk], **kw)]


def solve_torch(prog: ConeProgram, **kw) -> TorchSolution:
    """One instance: :func:`solve_batch` of ``[prog]``."""
    return solve_batch([prog], **kw)[0]


def solve_chunk(progs, *, tol, max_iter, nnls_iters, device, dtype, verbose):
    """:func:`solve_batch` of one batch."""
    T = dict(device=torch.device(device), dtype=dtype or torch.float64)
    t_start = time.perf_counter()
    ch = Chunk.start(Batch(progs, T))
    rnd = 0
    while True:
        rnd += 1
        bidx = np.flatnonzero(ch.todo)
        if not len(bidx) or not _round(ch, bidx, tol, max_iter, nnls_iters,
                                       (rnd, t_start) if verbose else None):
            break
    return _solutions(ch, progs, tol, time.perf_counter() - t_start)


def _round(ch, bidx, tol, max_iter, nnls_iters, verbose) -> bool:
    """One round on instances ``bidx``: check, then (for those not done) the working sets and
    the restricted solve. False when every instance is done. ``verbose``: ``None``, or the
    round's number and the solve's start time, to print its figures."""
    dev = ch.device
    b = torch.as_tensor(bidx, device=dev)
    gap, up_t, lo_t, cn, lam_all, vck = full_check(ch, bidx, nnls_iters)
    ch.rounds[bidx] += 1
    gap_np = gap.cpu().numpy()  # this check's own gap: it sets the next restricted solve
    _record_best(ch, bidx, up_t, lo_t, lam_all, vck)
    done, gap_best = _progress(ch, bidx, tol, max_iter)
    if verbose:
        rnd, t_start = verbose
        print(f"round {rnd}: worst gap {gap_np.max():.3e} (best bracket "
              f"{gap_best.max():.3e}), todo {int(ch.todo.sum())}, "
              f"|W| ≤ {int(ch.in_ws.sum(1).max())}, {time.perf_counter() - t_start:.2f}s")
    keep = ~done
    if not keep.any():
        return False
    kt = torch.as_tensor(keep, device=dev)
    bidx, b, cn, gap = bidx[keep], b[kt], cn[kt], gap[kt]
    prune(ch, b, cn, gap)
    stalled = (grow(ch, b, cn) == 0).cpu().numpy()
    _inner_targets(ch, bidx, stalled, gap_np[keep], tol)
    mu0, tau0 = _path_start(ch, b, gap, stalled)
    ch.mu[b], ch.tau[b], broken, unfinished = barrier(ch, b, bidx, mu0, tau0, max_iter,
                                                      verbose is not None)
    ch.stalled[bidx[broken.cpu().numpy()]] = True
    ch.paused[bidx] = unfinished.cpu().numpy()
    return True


def _record_best(ch, bidx, up_t, lo_t, lam_all, vck):
    """Keep the point of the lowest upper bound and the dual point and multipliers of the
    highest lower bound so far."""
    dev = ch.device
    up_np, lo_np = up_t.cpu().numpy(), lo_t.cpu().numpy()
    imp = up_np < ch.best_up[bidx]
    if imp.any():
        ib = torch.as_tensor(bidx[imp], device=dev)
        ch.best_x[ib] = ch.x[ib]
        ch.best_up[bidx[imp]] = up_np[imp]
    imp = lo_np > ch.best_lo[bidx]
    if imp.any():
        ib = torch.as_tensor(bidx[imp], device=dev)
        it_ = torch.as_tensor(np.flatnonzero(imp), device=dev)
        ch.best_lam[ib], ch.best_v[ib] = lam_all[it_], vck[it_]
        ch.best_lo[bidx[imp]] = lo_np[imp]


def _progress(ch, bidx, tol, max_iter):
    """The gap of the best bracket (what stops a solve and measures its progress), the stall
    count, and which instances are done."""
    best_up = ch.best_up[bidx]
    gap_best = (best_up - ch.best_lo[bidx]) / np.maximum(1.0, np.abs(best_up))
    progress = gap_best < 0.99 * ch.best_gap[bidx]
    ch.flat[bidx] = np.where(progress, 0, ch.flat[bidx] + 1)
    ch.best_gap[bidx] = np.minimum(ch.best_gap[bidx], gap_best)
    ch.stalled[bidx[ch.flat[bidx] >= STALL_ROUNDS]] = True
    done = (gap_best <= tol) | (ch.iters[bidx] >= max_iter) | ch.stalled[bidx]
    ch.todo[bidx[done]] = False
    return done, gap_best


def _inner_targets(ch, bidx, stalled, gap, tol):
    """The restricted solves' targets, tightened where nothing could be added."""
    tighten = stalled & ~ch.paused[bidx]
    ch.inner_tol[bidx[tighten]] = np.maximum(ch.inner_tol[bidx[tighten]] / 10, 1e-14)
    ch.inner_tol[bidx] = np.maximum(np.minimum(ch.inner_tol[bidx], INNER * gap),
                                    tol / (1.5 if ch.bt.loss.name == "hinge" else 4))


def _path_start(ch, b, gap, stalled):
    """``μ0`` and the hinge's ``τ0`` of the restricted solves (module docstring)."""
    bt = ch.bt
    up = TorchLoss(bt.loss.name, bt.y[b]).true_value(torch.zeros_like(bt.y[b]))  # objective at 0
    nu = ch.in_ws[b].sum(1) * bt.m
    mu0 = (gap * up.clamp_min(1.0) / nu).clamp_min(1e-14)
    # (an empty working set — hinge only, its smoothing alone keeps the gap open: no μ)
    mu0 = torch.where(nu > 0, mu0, 1e-14)
    # where the working set did not change, the path continues from where it stopped
    mu0 = torch.where(torch.as_tensor(stalled, device=ch.device) & (ch.mu[b] > 0), ch.mu[b], mu0)
    # and elsewhere it restarts no higher than MU_CONT × where it stopped: the groups already
    # in W are centred there and the entering ones start at their ray optimum
    mu0 = torch.where(ch.mu[b] > 0, torch.minimum(mu0, MU_CONT * ch.mu[b]), mu0)
    tau0 = torch.minimum(gap * up.clamp_min(1.0) / bt.n, MU_CONT * ch.tau[b])
    return mu0, tau0


def _solutions(ch, progs, tol, solve_s):
    """Each instance's answer: the point of the best upper bound, the dual point and
    multipliers of the best lower bound, cut back to its own P, m, k."""
    P = ch.bt.P
    out = []
    for bb, prog in enumerate(progs):
        Pb, _, mb, kb = prog.shape
        x = ch.best_x[bb].cpu().numpy()
        lam = ch.best_lam[bb].cpu().numpy()
        # the dual point of the best lower bound's check: −∇L(f) at that check's prediction
        # (hinge: the smoothed loss's −∇L_τ(f), a subgradient only as τ → 0)
        v = ch.best_v[bb].cpu().numpy()
        upper, lower = float(ch.best_up[bb]), float(ch.best_lo[bb])
        gap = (upper - lower) / max(1.0, abs(upper))
        status = "converged" if gap <= tol else "stalled" if ch.stalled[bb] else "max_iter"
        out.append(TorchSolution(x[:Pb, :kb].copy(), x[P:P + Pb, :kb].copy(), upper, lower, gap,
                                 int(ch.iters[bb]), int(ch.rounds[bb]), int(ch.in_ws[bb].sum()),
                                 status, v, lam[:Pb, :mb], lam[P:P + Pb, :mb], solve_s))
    return out
