"""The machinery :func:`bnproofs.ols.dynamics.bngd` and :func:`~bnproofs.ols.dynamics.gd`
share: numpy or torch arrays, per-run broadcasting, ``H w`` for dense or diagonal ``H``, and the
bookkeeping of a batch whose runs leave it when they reach the tolerance or blow up."""

from __future__ import annotations

import functools

import numpy as np

#: a run is declared divergent when |a|, ‖w‖ or the error exceed this (or stop being finite)
BLOWUP = 1e150


class Backend:
    """The few array operations the loops need, on numpy or on torch (float64)."""

    def __init__(self, backend: str, device: str):
        self.torch = backend == "torch" or device == "cuda"
        self.device = device
        if self.torch:
            import torch

            self.t = torch

    def asarray(self, x):
        if self.torch:
            return self.t.as_tensor(np.array(x, dtype=float), dtype=self.t.float64,
                                    device=self.device)
        return np.array(x, dtype=float)

    def empty(self, shape):
        if self.torch:
            return self.t.empty(shape, dtype=self.t.float64, device=self.device)
        return np.empty(shape)

    def sqrt(self, x):
        return self.t.sqrt(x) if self.torch else np.sqrt(x)

    def index(self, idx: np.ndarray):
        return self.t.as_tensor(idx, device=self.device) if self.torch else idx

    def numpy(self, x) -> np.ndarray:
        return x.detach().cpu().numpy() if self.torch else np.asarray(x)

    def sync(self):
        if self.torch and self.device == "cuda":
            self.t.cuda.synchronize()


def per_run(x, B: int, trailing: int) -> np.ndarray:
    """Broadcast a per-run quantity to a leading batch axis of size ``B``."""
    x = np.asarray(x, dtype=float)
    if x.ndim == trailing:
        return np.broadcast_to(x, (B,) + x.shape)
    if x.shape[0] != B:
        raise ValueError(f"expected leading dimension {B}, got shape {x.shape}")
    return x


def setup_runs(H, lam, g, u, w0, B):
    if (H is None) == (lam is None):
        raise ValueError("give exactly one of H (dense) or lam (diagonal)")
    dense = H is not None
    M = np.asarray(H if dense else lam, dtype=float)
    shared = M.ndim == (2 if dense else 1)
    d = w0.shape[1]
    g = per_run(g, B, 1)
    u = per_run(u, B, 1)
    if dense:
        Hu = u @ M if shared else np.einsum("bij,bj->bi", M, u)
    else:
        Hu = u * M
    if g.shape[1] != d or u.shape[1] != d:
        raise ValueError("g, u and w0 disagree on the dimension")
    return dense, shared, M, g, u, np.einsum("bi,bi->b", u, Hu)


def hmul(dense, shared, M, w):
    """``H w`` for the active rows (per-run ``M`` is kept aligned with them)."""
    if dense:
        return w @ M if shared else (M @ w[:, :, None])[:, :, 0]
    return w * M


class Batch:
    """Bookkeeping common to :func:`bngd` and :func:`gd`: budgets, hits, blow-ups, compaction."""

    def __init__(self, xb, B, steps, tol, stop_at_tol):
        self.xb = xb
        self.budget = np.broadcast_to(np.asarray(steps, dtype=int), (B,)).copy()
        self.total = int(self.budget.max())
        self.tol2 = None if tol is None else float(tol) ** 2
        self.stop_at_tol = stop_at_tol
        self.rows = np.arange(B)
        self.hit = np.full(B, -1)
        self.diverged = np.zeros(B, bool)
        self.stopped = self.budget.copy()

    def close_chunk(self, k, C, rel2, finite) -> np.ndarray | None:
        """Record hits in the chunk of states ``k … k+C−1``; return the rows to keep, or None."""
        rows = self.rows
        budget = self.budget[rows]
        done = np.zeros(rows.size, bool)
        if self.tol2 is not None:
            ok = (rel2 <= self.tol2) & (k + np.arange(C)[None, :] <= budget[:, None])
            first = np.where(ok.any(1), ok.argmax(1), -1)
            new = (first >= 0) & (self.hit[rows] < 0)
            self.hit[rows[new]] = k + first[new]
            if self.stop_at_tol:
                done |= self.hit[rows] >= 0
        bad = ~finite
        self.diverged[rows[bad]] = True
        done |= bad | (k + C > budget)
        if not done.any():
            return None
        self.stopped[rows[done]] = np.minimum(k + C - 1, budget[done])
        self.rows = rows[~done]
        return np.nonzero(~done)[0]


def finite_rows(*arrs) -> np.ndarray:
    ok = np.ones(arrs[0].shape[0], bool)
    for x in arrs:
        x2 = x.reshape(x.shape[0], -1)
        ok &= np.isfinite(x2).all(1) & (np.abs(x2) < BLOWUP).all(1)
    return ok


def quiet(fn):
    """Blow-ups are detected and reported per run; numpy's overflow warnings add nothing."""

    @functools.wraps(fn)
    def wrapper(*args, **kw):
        with np.errstate(over="ignore", invalid="ignore"):
            return fn(*args, **kw)

    return wrapper
