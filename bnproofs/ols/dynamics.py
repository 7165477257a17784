"""GD and BNGD on many runs at once::

    GD:    w_{k+1} = w_k + ε (g − H w_k)
    BNGD:  a_{k+1} = a_k + ε_a (w_kᵀg/‖w_k‖_H − a_k)
           w_{k+1} = w_k + (ε a_k/‖w_k‖_H) (g − (w_kᵀg/‖w_k‖_H²) H w_k)   (simultaneous)

The dynamics (:func:`bngd`, :func:`gd`) run many runs at once — any mix of ε, ε_a, initial
points and problems — in float64, on numpy (``device="cpu"``) or torch (``backend="torch"``,
``device="cpu"|"cuda"``). ``H`` is either dense (``(d, d)`` shared or ``(B, d, d)`` per run) or
diagonal (``lam``: ``(d,)`` or ``(B, d)``, the problem in its eigenbasis, where ``Hw`` is an
elementwise product; zero-padding there runs problems of different dimension in one batch,
because padded coordinates stay exactly 0). Runs that reach the tolerance or blow up are
dropped from the batch (their final state kept), so a sweep costs about the longest run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .batch import Backend, Batch, finite_rows, hmul, per_run, quiet, setup_runs
from .problems import OLSProblem, eigen_arrays


@dataclass
class Runs:
    """The outcome of a batch of runs (all numpy).

    ``hit[b]`` is the first iteration ``k`` with ``rel_error ≤ tol`` (−1 if never, within the
    budget); ``diverged[b]`` says the run blew up (at step ``stopped[b]``); ``stopped[b]`` is the
    number of updates the run made. ``history`` holds, every ``record_every`` steps (iteration
    numbers in ``history["k"]``), the relative error and (BNGD) ``‖w‖²`` and ``a``; entries after
    a run left the batch are NaN. ``states`` (when kept) hold every iterate.
    """

    a: np.ndarray | None
    w: np.ndarray
    hit: np.ndarray
    diverged: np.ndarray
    stopped: np.ndarray
    history: dict = field(default_factory=dict)
    states: dict = field(default_factory=dict)
    seconds: float = 0.0


class _Recorder:
    """What :func:`bngd` keeps besides the final states: every ``every`` steps the relative
    error, ``‖w‖²`` and ``a`` of the runs in ``rows`` (all runs when None, in that order), and
    (``keep``) every iterate of every run."""

    def __init__(self, xb, B, d, total, every, rows, keep):
        self.xb, self.every, self.keep = xb, every, keep
        self.n = total // every + 1 if every else 0
        self.slot = np.full(B, -1)
        rec = np.arange(B) if rows is None else np.asarray(rows, dtype=int)
        self.slot[rec] = np.arange(rec.size)
        self.hist = ({k: np.full((rec.size, self.n), np.nan) for k in ("err", "wnorm2", "a")}
                     if self.n else {})
        self.st_a = np.full((B, total + 1), np.nan) if keep else None
        self.st_w = np.full((B, total + 1, d), np.nan) if keep else None

    def step(self, i, rows, A, W, n, U, UHU, hm):
        """Record state ``i`` of the active ``rows`` (``n = ‖w‖_H``; ``hmul(*hm, V) = H V``)."""
        xb = self.xb
        if self.every and i % self.every == 0:
            V = (A / n)[:, None] * W - U
            err = xb.sqrt((V * hmul(*hm, V)).sum(-1) / UHU)
            c = i // self.every
            s_rows = self.slot[rows]
            sel = s_rows >= 0
            self.hist["err"][s_rows[sel], c] = xb.numpy(err)[sel]
            self.hist["wnorm2"][s_rows[sel], c] = xb.numpy((W * W).sum(-1))[sel]
            self.hist["a"][s_rows[sel], c] = xb.numpy(A)[sel]
        if self.keep:
            self.st_a[rows, i] = xb.numpy(A)
            self.st_w[rows, i] = xb.numpy(W)

    def history(self) -> dict:
        if self.hist:
            self.hist["k"] = np.arange(self.n) * self.every
        return self.hist

    def states(self) -> dict:
        return {"a": self.st_a, "w": self.st_w} if self.keep else {}


def _rel2(tt, pp, uHu, precise):
    """``‖v − u‖_H²/uᵀHu`` per run and step of a chunk, from what :func:`bngd` buffered:
    ``(v − u)ᵀH(v − u)`` when ``precise``, else ``t = φ − a`` and ``φ`` (its docstring)."""
    if precise:
        return tt / uHu[:, None]
    return (tt * tt + (uHu[:, None] - pp * pp)) / uHu[:, None]


def bngd_step(A, W, Hw, n, n2, wg, E, EA, G):
    """One BNGD update of the active rows, the poster's simultaneous step from ``(a_k, w_k)``::

        a_{k+1} = a_k + ε_a (w_kᵀg/‖w_k‖_H − a_k)
        w_{k+1} = w_k + (ε a_k/‖w_k‖_H) (g − (w_kᵀg/‖w_k‖_H²) H w_k)

    given ``Hw = H w_k``, ``n = ‖w_k‖_H``, ``n2 = n²`` and ``wg = w_kᵀg`` (the loop needs them for
    the error anyway). Returns ``(a_{k+1}, w_{k+1})``."""
    coef = E * A / n
    return A + EA * (wg / n - A), W + coef[:, None] * G - (coef * wg / n2)[:, None] * Hw


@quiet
def bngd(*, a0, w0, eps, eps_a, g, u, steps, H=None, lam=None, tol: float | None = None,
         record_every: int = 0, record_rows=None, keep_states: bool = False,
         stop_at_tol: bool = True, chunk: int = 64, device: str = "cpu",
         backend: str = "numpy") -> Runs:
    """Run BNGD (the poster's simultaneous update) on ``B`` runs.

    ``a0 (B,)``, ``w0 (B, d)``, ``eps, eps_a`` scalars or ``(B,)``; ``g, u`` ``(d,)`` or ``(B, d)``
    (``u = H⁻¹g`` is used only to measure the error); ``H`` dense or ``lam`` diagonal as in the
    module docstring; ``steps`` the budget of updates, one for all or ``(B,)``. With ``tol`` a
    run leaves the batch once ``‖v − u‖_H ≤ tol ‖u‖_H`` (``hit`` is the first such iteration;
    the final state is that of the end of its chunk), judged at every step. For ``tol ≥ 1e-7``
    the test uses ``J − J* = ½(a − φ)² + ½(uᵀHu − φ²)``, ``φ = wᵀg/‖w‖_H`` (two numbers per
    run, which the update needs anyway; its round-off floor is an error of ~1e-8); for smaller
    ``tol`` it uses ``(v − u)ᵀ(Hv − g)`` with ``Hv = (a/‖w‖_H) Hw`` (a few more vector operations
    per step, accurate to round-off). ``record_rows`` (indices) limits the history
    to those runs (its rows follow that order).
    """
    t0 = time.perf_counter()
    w0 = np.atleast_2d(np.asarray(w0, dtype=float))
    B, d = w0.shape
    dense, shared, M, g, u, uHu = setup_runs(H, lam, g, u, w0, B)
    xb = Backend(backend, device)
    if keep_states:
        stop_at_tol = False
    bat = Batch(xb, B, steps, tol, stop_at_tol)
    total = bat.total
    if keep_states:
        chunk = total + 1
    rec = _Recorder(xb, B, d, total, record_every, record_rows, keep_states)
    precise = tol is not None and tol < 1e-7
    A, W = xb.asarray(per_run(a0, B, 0)), xb.asarray(w0)
    E, EA = xb.asarray(per_run(eps, B, 0)), xb.asarray(per_run(eps_a, B, 0))
    G, U, UHU, Mx = xb.asarray(g), xb.asarray(u), xb.asarray(uHu), xb.asarray(M)
    a_out, w_out = np.array(per_run(a0, B, 0), dtype=float), w0.copy()
    k = 0
    while k <= total and bat.rows.size:
        rows = bat.rows
        C = min(chunk, total + 1 - k)
        buf_t, buf_phi = xb.empty((rows.size, C)), xb.empty((rows.size, C))
        for j in range(C):
            Hw = hmul(dense, shared, Mx, W)
            n2 = (W * Hw).sum(-1)
            n = xb.sqrt(n2)
            wg = (W * G).sum(-1)
            phi = wg / n
            t = phi - A
            if precise:  # buf_t holds (v − u)ᵀH(v − u)
                c = A / n
                buf_t[:, j] = ((c[:, None] * W - U) * (c[:, None] * Hw - G)).sum(-1)
            else:
                buf_t[:, j] = t
                buf_phi[:, j] = phi
            rec.step(k + j, rows, A, W, n, U, UHU, (dense, shared, Mx))
            if k + j == total:  # the last state is measured, not updated
                C = j + 1
                break
            A, W = bngd_step(A, W, Hw, n, n2, wg, E, EA, G)
        tt, pp = xb.numpy(buf_t[:, :C]), xb.numpy(buf_phi[:, :C])
        a_np, w_np = xb.numpy(A), xb.numpy(W)
        a_out[rows], w_out[rows] = a_np, w_np
        rel2 = _rel2(tt, pp, uHu[rows], precise)
        keep = bat.close_chunk(k, C, rel2, finite_rows(a_np, w_np, tt))
        k += C
        if keep is not None:
            kx = xb.index(keep)
            A, W, E, EA, G, U, UHU = (x[kx] for x in (A, W, E, EA, G, U, UHU))
            if not shared:
                Mx = Mx[kx]
    xb.sync()
    return Runs(a_out, w_out, bat.hit, bat.diverged, bat.stopped, rec.history(), rec.states(),
                time.perf_counter() - t0)


@quiet
def gd(*, w0, eps, g, u, steps, H=None, lam=None, tol: float | None = None,
       record_every: int = 0, stop_at_tol: bool = True, chunk: int = 64, device: str = "cpu",
       backend: str = "numpy") -> Runs:
    """Run GD ``w ← w + ε(g − Hw)`` on ``B`` runs (same conventions as :func:`bngd`).

    The error ``‖w − u‖_H/‖u‖_H`` is computed at every step as ``√(−(w − u)ᵀ(g − Hw)/uᵀHu)``.
    """
    t0 = time.perf_counter()
    w0 = np.atleast_2d(np.asarray(w0, dtype=float))
    B, d = w0.shape
    dense, shared, M, g, u, uHu = setup_runs(H, lam, g, u, w0, B)
    xb = Backend(backend, device)
    bat = Batch(xb, B, steps, tol, stop_at_tol)
    total = bat.total
    n_rec = total // record_every + 1 if record_every else 0
    hist = {"err": np.full((B, n_rec), np.nan)} if n_rec else {}
    W, E = xb.asarray(w0), xb.asarray(per_run(eps, B, 0))
    G, U, UHU, Mx = xb.asarray(g), xb.asarray(u), xb.asarray(uHu), xb.asarray(M)
    w_out = w0.copy()
    k = 0
    while k <= total and bat.rows.size:
        rows = bat.rows
        C = min(chunk, total + 1 - k)
        buf = xb.empty((rows.size, C))
        for j in range(C):
            R = G - hmul(dense, shared, Mx, W)
            err2 = -((W - U) * R).sum(-1) / UHU
            buf[:, j] = err2
            if record_every and (k + j) % record_every == 0:
                hist["err"][rows, (k + j) // record_every] = np.sqrt(np.abs(xb.numpy(err2)))
            if k + j == total:
                C = j + 1
                break
            W = W + E[:, None] * R
        e2 = xb.numpy(buf[:, :C])
        w_np = xb.numpy(W)
        w_out[rows] = w_np
        keep = bat.close_chunk(k, C, e2, finite_rows(w_np, e2))
        k += C
        if keep is not None:
            kx = xb.index(keep)
            W, E, G, U, UHU = (x[kx] for x in (W, E, G, U, UHU))
            if not shared:
                Mx = Mx[kx]
    xb.sync()
    if hist:
        hist["k"] = np.arange(n_rec) * record_every
    return Runs(None, w_out, bat.hit, bat.diverged, bat.stopped, hist, {},
                time.perf_counter() - t0)


def bngd_on(p: OLSProblem, *, a0, w0, eps, eps_a, steps, eigen: bool = True, **kw) -> Runs:
    """:func:`bngd` on one problem, in its eigenbasis when ``eigen`` (states mapped back)."""
    if not eigen:
        return bngd(a0=a0, w0=w0, eps=eps, eps_a=eps_a, g=p.g, u=p.u, H=p.H, steps=steps, **kw)
    e = eigen_arrays(p)
    Q = e["Q"]
    r = bngd(a0=a0, w0=np.atleast_2d(w0) @ Q, eps=eps, eps_a=eps_a, g=e["g"], u=e["u"],
             lam=e["lam"], steps=steps, **kw)
    r.w = r.w @ Q.T
    if r.states:
        r.states["w"] = r.states["w"] @ Q.T
    return r


def gd_on(p: OLSProblem, *, w0, eps, steps, eigen: bool = False, **kw) -> Runs:
    """:func:`gd` on one problem (dense by default; in its eigenbasis when ``eigen``)."""
    if not eigen:
        return gd(w0=w0, eps=eps, g=p.g, u=p.u, H=p.H, steps=steps, **kw)
    e = eigen_arrays(p)
    r = gd(w0=np.atleast_2d(w0) @ e["Q"], eps=eps, g=e["g"], u=e["u"], lam=e["lam"],
           steps=steps, **kw)
    r.w = r.w @ e["Q"].T
    return r
