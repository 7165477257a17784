"""Ordinary least squares with and without batch normalisation: problems, objectives, GD, BNGD.

The model of Cai, Li, Shen (ICML 2019), as the poster states it. Input ``x ∈ R^d`` with
``E[x] = 0``, label ``y``; ``H = E[x xᵀ]`` (symmetric positive definite), ``g = E[x y]``,
``c = E[y²]``, ``u = H⁻¹g`` (the OLS solution), ``‖w‖_H = √(wᵀHw)``::

    J₀(w)   = ½c − wᵀg + ½wᵀHw                                   (OLS)
    J(a, w) = ½c − a wᵀg/‖w‖_H + ½a²                             (OLS with BN)
    GD:    w_{k+1} = w_k + ε (g − H w_k)
    BNGD:  a_{k+1} = a_k + ε_a (w_kᵀg/‖w_k‖_H − a_k)
           w_{k+1} = w_k + (ε a_k/‖w_k‖_H) (g − (w_kᵀg/‖w_k‖_H²) H w_k)   (simultaneous)

Two facts used throughout (one line of algebra each): with the *effective weight*
``v = a w/‖w‖_H``, ``J(a, w) = J₀(v)`` and ``J₀(v) − J* = ½‖v − u‖_H²`` with ``J* = min J₀ =
½(c − uᵀHu)``. So the distance of a BNGD state from the minimisers is ``‖v − u‖_H``; this
module reports it relative to ``‖u‖_H`` (``rel_error``), for GD ``‖w − u‖_H/‖u‖_H``.

A problem is an :class:`OLSProblem` ``(H, g, c)``: the population problem built from a chosen
spectrum and ``u`` (:func:`population`), or a finite sample ``H = XᵀX/n, g = Xᵀy/n, c = yᵀy/n``
with centred ``X`` (:func:`finite_sample`).

The dynamics (:func:`bngd`, :func:`gd`) run many runs at once — any mix of ε, ε_a, initial
points and problems — in float64, on numpy (``device="cpu"``) or torch (``backend="torch"``,
``device="cpu"|"cuda"``). ``H`` is either dense (``(d, d)`` shared or ``(B, d, d)`` per run) or
diagonal (``lam``: ``(d,)`` or ``(B, d)``, the problem in its eigenbasis, where ``Hw`` is an
elementwise product; zero-padding there runs problems of different dimension in one batch,
because padded coordinates stay exactly 0). Runs that reach the tolerance or blow up are
dropped from the batch (their final state kept), so a sweep costs about the longest run.

Nothing here knows about claims; it computes.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

#: a run is declared divergent when |a|, ‖w‖ or the error exceed this (or stop being finite)
BLOWUP = 1e150


# ----------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class OLSProblem:
    """``J₀(w) = ½c − wᵀg + ½wᵀHw`` with ``H`` SPD; ``source`` says how it was made."""

    H: np.ndarray
    g: np.ndarray
    c: float
    source: str = "population"

    @property
    def d(self) -> int:
        return self.g.shape[0]

    @property
    def u(self) -> np.ndarray:
        """The OLS solution ``H⁻¹g`` (Cholesky solve)."""
        return scipy.linalg.cho_solve(scipy.linalg.cho_factor(self.H), self.g)

    @property
    def uHu(self) -> float:
        u = self.u
        return float(u @ self.H @ u)

    @property
    def J_star(self) -> float:
        """``½(c − uᵀHu)``, the closed form of ``min J₀``."""
        return 0.5 * (self.c - self.uHu)

    def eig(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues (ascending) and orthonormal eigenvectors of ``H``."""
        lam, Q = np.linalg.eigh(self.H)
        return lam, Q

    @property
    def kappa(self) -> float:
        lam = np.linalg.eigvalsh(self.H)
        return float(lam[-1] / lam[0])


def random_orthogonal(rng: np.random.Generator, d: int) -> np.ndarray:
    """A Haar-distributed orthogonal matrix (QR of a Gaussian with the sign fix)."""
    Z = rng.standard_normal((d, d))
    Q, R = np.linalg.qr(Z)
    return Q * np.sign(np.diag(R))


def geometric_spectrum(d: int, kappa: float, top: float = 1.0) -> np.ndarray:
    """``d`` log-spaced eigenvalues from ``top/κ`` to ``top`` (condition number exactly κ)."""
    if d == 1:
        return np.array([float(top)])
    return top * np.logspace(-np.log10(kappa), 0.0, d)


def random_spectrum(rng: np.random.Generator, d: int, kappa: float, top: float = 1.0):
    """Log-uniform eigenvalues in ``[top/κ, top]`` with both ends attained (κ by construction)."""
    if d == 1:
        return np.array([float(top)])
    inner = rng.uniform(-np.log10(kappa), 0.0, size=d - 2)
    return top * np.sort(10.0 ** np.concatenate([[-np.log10(kappa)], inner, [0.0]]))


def population(lam, u, noise: float = 0.0, Q: np.ndarray | None = None) -> OLSProblem:
    """``H = Q diag(λ) Qᵀ`` (``Q = I`` if omitted), ``g = H u``, ``c = uᵀHu + noise²``."""
    lam = np.asarray(lam, dtype=float)
    u = np.asarray(u, dtype=float)
    if np.any(lam <= 0):
        raise ValueError("H must be positive definite")
    Q = np.eye(lam.size) if Q is None else Q
    H = (Q * lam) @ Q.T
    H = 0.5 * (H + H.T)
    g = H @ u
    return OLSProblem(H, g, float(u @ g + noise**2), "population")


def finite_sample(rng: np.random.Generator, n: int, lam, w_star, noise: float = 0.1,
                  Q: np.ndarray | None = None) -> OLSProblem:
    """``n`` samples ``x = Q diag(√λ) z`` (``z`` standard normal), centred, ``y = xᵀw* + noise·ξ``.

    ``H = XᵀX/n``, ``g = Xᵀy/n``, ``c = yᵀy/n`` with the centred ``X`` (so ``E_n[x] = 0`` as the
    model assumes). ``n ≥ d + 1`` keeps ``H`` positive definite almost surely.
    """
    lam = np.asarray(lam, dtype=float)
    d = lam.size
    Q = np.eye(d) if Q is None else Q
    X = (rng.standard_normal((n, d)) * np.sqrt(lam)) @ Q.T
    X = X - X.mean(axis=0)
    y = X @ np.asarray(w_star, dtype=float) + noise * rng.standard_normal(n)
    H = X.T @ X / n
    return OLSProblem(0.5 * (H + H.T), X.T @ y / n, float(y @ y / n), f"sample(n={n})")


# ----------------------------------------------------------------------------- objectives


def h_norm(p: OLSProblem, w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return np.sqrt(np.einsum("...i,ij,...j->...", w, p.H, w))


def J0(p: OLSProblem, w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return 0.5 * p.c - w @ p.g + 0.5 * np.einsum("...i,ij,...j->...", w, p.H, w)


def J(p: OLSProblem, a, w) -> np.ndarray:
    """``½c − a wᵀg/‖w‖_H + ½a²``."""
    w = np.asarray(w, dtype=float)
    return 0.5 * p.c - a * (w @ p.g) / h_norm(p, w) + 0.5 * np.asarray(a) ** 2


def grad_J(p: OLSProblem, a: float, w) -> tuple[float, np.ndarray]:
    """``(∂J/∂a, ∇_w J) = (a − wᵀg/‖w‖_H, −(a/‖w‖_H)(g − (wᵀg/‖w‖_H²) H w))``."""
    w = np.asarray(w, dtype=float)
    Hw = p.H @ w
    n2 = float(w @ Hw)
    n = math.sqrt(n2)
    wg = float(w @ p.g)
    return a - wg / n, -(a / n) * (p.g - (wg / n2) * Hw)


def hessian_J(p: OLSProblem, a: float, w) -> np.ndarray:
    """The ``(d+1)×(d+1)`` Hessian of ``J`` in ``(a, w)``, from ``φ(w) = wᵀg/‖w‖_H``::

        ∂²J/∂a² = 1,  ∂²J/∂a∂w = −∇φ,  ∂²J/∂w² = −a ∇²φ,
        ∇φ  = g/n − (wᵀg) Hw/n³,
        ∇²φ = −(g (Hw)ᵀ + Hw gᵀ + (wᵀg) H)/n³ + 3 (wᵀg) Hw (Hw)ᵀ/n⁵,   n = ‖w‖_H.
    """
    w = np.asarray(w, dtype=float)
    g, H = p.g, p.H
    Hw = H @ w
    n = math.sqrt(float(w @ Hw))
    wg = float(w @ g)
    dphi = g / n - wg * Hw / n**3
    d2phi = (-(np.outer(g, Hw) + np.outer(Hw, g) + wg * H) / n**3
             + 3 * wg * np.outer(Hw, Hw) / n**5)
    out = np.empty((w.size + 1, w.size + 1))
    out[0, 0] = 1.0
    out[0, 1:] = out[1:, 0] = -dphi
    out[1:, 1:] = -a * d2phi
    return 0.5 * (out + out.T)


def effective_weight(p: OLSProblem, a, w) -> np.ndarray:
    """``v = a w/‖w‖_H`` (the BN model's prediction is ``xᵀv``), batched over leading axes."""
    w = np.asarray(w, dtype=float)
    return np.asarray(a)[..., None] * w / h_norm(p, w)[..., None]


def rel_error(p: OLSProblem, v) -> np.ndarray:
    """``‖v − u‖_H/‖u‖_H`` (so ``J₀(v) − J* = ½ rel_error² uᵀHu``)."""
    return h_norm(p, np.asarray(v) - p.u) / math.sqrt(p.uHu)


# ----------------------------------------------------------------------------- rates


def gd_rate(lam, eps) -> np.ndarray:
    """``max_i |1 − ε λ_i|`` for each ε (GD's linear rate on ``J₀``)."""
    lam = np.asarray(lam, dtype=float)
    eps = np.asarray(eps, dtype=float)
    return np.max(np.abs(1.0 - eps[..., None] * lam), axis=-1)


def h_star(p: OLSProblem) -> np.ndarray:
    """``H* = H − H u uᵀ H/(uᵀHu)`` (symmetric, ``H* u = 0``)."""
    Hu = p.H @ p.u
    Hs = p.H - np.outer(Hu, Hu) / p.uHu
    return 0.5 * (Hs + Hs.T)


def effective_spectrum(p: OLSProblem) -> np.ndarray:
    """Eigenvalues ``0 ≈ λ*₁ ≤ λ*₂ ≤ … ≤ λ*_d`` of ``H*`` (ascending)."""
    return np.linalg.eigvalsh(h_star(p))


def effective_step(eps, w_inf, u) -> np.ndarray:
    """``ε̂ = ε ‖u‖²/‖w∞‖²`` (Euclidean norms), batched over leading axes of ``w_inf``."""
    w_inf = np.asarray(w_inf, dtype=float)
    return np.asarray(eps) * float(u @ u) / np.einsum("...i,...i->...", w_inf, w_inf)


def bngd_rate(lam_star, eps_hat, eps_a) -> np.ndarray:
    """``max(|1 − ε_a|, max_{i≥2} |1 − ε̂ λ*_i|)``; ``lam_star`` ascending, ``λ*₁`` skipped."""
    ls = np.asarray(lam_star, dtype=float)[1:]
    eps_hat = np.asarray(eps_hat, dtype=float)
    w_part = np.max(np.abs(1.0 - eps_hat[..., None] * ls), axis=-1) if ls.size else 0.0 * eps_hat
    return np.maximum(np.abs(1.0 - np.asarray(eps_a, dtype=float)), w_part)


@dataclass
class RateFit:
    """A least-squares fit ``log err_k ≈ α + k log ρ`` on the window ``k ∈ [k0, k1]``."""

    rate: float
    k0: int
    k1: int
    points: int
    max_residual: float  # largest |log err − fit| in the window (wiggles from oscillating modes)


def fit_rate(err, steps=None, upper: float = 1e-3, lower: float = 1e-11,
             min_points: int = 8, tail: float = 0.25) -> RateFit | None:
    """Fit a linear rate on the tail window of an error sequence.

    The window ends just before ``err`` first falls below ``lower`` (round-off) and starts where
    it last came down through ``upper`` (transients over); the fit uses the last ``tail``
    fraction of it (at least ``min_points`` entries), because a mode whose rate is only a little
    faster than the slowest one is still present early in the window and biases a fit over all
    of it towards faster rates (the reported ``k0`` is where the fit starts). ``steps`` are the iteration numbers of
    the entries (default ``0, 1, 2, …``). ``None`` when the window has fewer than
    ``min_points`` entries.
    """
    err = np.asarray(err, dtype=float)
    k = np.arange(err.size) if steps is None else np.asarray(steps)
    # end: just before the error first drops below ``lower`` (or to 0, or stops being recorded)
    low = np.nonzero(~(np.isfinite(err) & (err >= lower)))[0]
    stop = (low[0] if low.size else err.size) - 1
    above = np.nonzero(err[: stop + 1] > upper)[0]
    start = above[-1] + 1 if above.size else 0
    if stop - start + 1 < min_points:
        return None
    start = max(start, stop + 1 - max(min_points, int(math.ceil(tail * (stop - start + 1)))))
    kk, le = k[start:stop + 1].astype(float), np.log(err[start:stop + 1])
    slope, icept = np.polyfit(kk, le, 1)
    resid = float(np.max(np.abs(le - (icept + slope * kk))))
    return RateFit(float(np.exp(slope)), int(k[start]), int(k[stop]), int(stop - start + 1), resid)


def loglog_slope(x, y) -> float:
    """Least-squares slope of ``log y`` against ``log x``."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


# ----------------------------------------------------------------------------- dynamics


class _Backend:
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


def _per_run(x, B: int, trailing: int) -> np.ndarray:
    """Broadcast a per-run quantity to a leading batch axis of size ``B``."""
    x = np.asarray(x, dtype=float)
    if x.ndim == trailing:
        return np.broadcast_to(x, (B,) + x.shape)
    if x.shape[0] != B:
        raise ValueError(f"expected leading dimension {B}, got shape {x.shape}")
    return x


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


def _setup(H, lam, g, u, w0, B):
    if (H is None) == (lam is None):
        raise ValueError("give exactly one of H (dense) or lam (diagonal)")
    dense = H is not None
    M = np.asarray(H if dense else lam, dtype=float)
    shared = M.ndim == (2 if dense else 1)
    d = w0.shape[1]
    g = _per_run(g, B, 1)
    u = _per_run(u, B, 1)
    if dense:
        Hu = u @ M if shared else np.einsum("bij,bj->bi", M, u)
    else:
        Hu = u * M
    if g.shape[1] != d or u.shape[1] != d:
        raise ValueError("g, u and w0 disagree on the dimension")
    return dense, shared, M, g, u, np.einsum("bi,bi->b", u, Hu)


def _hmul(dense, shared, M, w):
    """``H w`` for the active rows (per-run ``M`` is kept aligned with them)."""
    if dense:
        return w @ M if shared else (M @ w[:, :, None])[:, :, 0]
    return w * M


class _Batch:
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


def _finite(*arrs) -> np.ndarray:
    ok = np.ones(arrs[0].shape[0], bool)
    for x in arrs:
        x2 = x.reshape(x.shape[0], -1)
        ok &= np.isfinite(x2).all(1) & (np.abs(x2) < BLOWUP).all(1)
    return ok


def _quiet(fn):
    """Blow-ups are detected and reported per run; numpy's overflow warnings add nothing."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kw):
        with np.errstate(over="ignore", invalid="ignore"):
            return fn(*args, **kw)

    return wrapper


@_quiet
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
    dense, shared, M, g, u, uHu = _setup(H, lam, g, u, w0, B)
    xb = _Backend(backend, device)
    if keep_states:
        stop_at_tol = False
    bat = _Batch(xb, B, steps, tol, stop_at_tol)
    total = bat.total
    if keep_states:
        chunk = total + 1
    n_rec = total // record_every + 1 if record_every else 0
    slot = np.full(B, -1)
    rec = np.arange(B) if record_rows is None else np.asarray(record_rows, dtype=int)
    slot[rec] = np.arange(rec.size)
    hist = {k: np.full((rec.size, n_rec), np.nan) for k in ("err", "wnorm2", "a")} if n_rec else {}
    st_a = np.full((B, total + 1), np.nan) if keep_states else None
    st_w = np.full((B, total + 1, d), np.nan) if keep_states else None

    precise = tol is not None and tol < 1e-7
    A, W = xb.asarray(_per_run(a0, B, 0)), xb.asarray(w0)
    E, EA = xb.asarray(_per_run(eps, B, 0)), xb.asarray(_per_run(eps_a, B, 0))
    G, U, UHU, Mx = xb.asarray(g), xb.asarray(u), xb.asarray(uHu), xb.asarray(M)
    a_out, w_out = np.array(_per_run(a0, B, 0), dtype=float), w0.copy()
    k = 0
    while k <= total and bat.rows.size:
        rows = bat.rows
        C = min(chunk, total + 1 - k)
        buf_t, buf_phi = xb.empty((rows.size, C)), xb.empty((rows.size, C))
        for j in range(C):
            Hw = _hmul(dense, shared, Mx, W)
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
            if record_every and (k + j) % record_every == 0:
                V = (A / n)[:, None] * W - U
                err = xb.sqrt((V * _hmul(dense, shared, Mx, V)).sum(-1) / UHU)
                c = (k + j) // record_every
                s_rows = slot[rows]
                sel = s_rows >= 0
                hist["err"][s_rows[sel], c] = xb.numpy(err)[sel]
                hist["wnorm2"][s_rows[sel], c] = xb.numpy((W * W).sum(-1))[sel]
                hist["a"][s_rows[sel], c] = xb.numpy(A)[sel]
            if keep_states:
                st_a[rows, k + j] = xb.numpy(A)
                st_w[rows, k + j] = xb.numpy(W)
            if k + j == total:  # the last state is measured, not updated
                C = j + 1
                break
            coef = E * A / n
            W = W + coef[:, None] * G - (coef * wg / n2)[:, None] * Hw
            A = A + EA * t
        tt, pp = xb.numpy(buf_t[:, :C]), xb.numpy(buf_phi[:, :C])
        a_np, w_np = xb.numpy(A), xb.numpy(W)
        a_out[rows], w_out[rows] = a_np, w_np
        if precise:
            rel2 = tt / uHu[rows, None]
        else:
            rel2 = (tt * tt + (uHu[rows, None] - pp * pp)) / uHu[rows, None]
        keep = bat.close_chunk(k, C, rel2, _finite(a_np, w_np, tt))
        k += C
        if keep is not None:
            kx = xb.index(keep)
            A, W, E, EA, G, U, UHU = (x[kx] for x in (A, W, E, EA, G, U, UHU))
            if not shared:
                Mx = Mx[kx]
    xb.sync()
    if hist:
        hist["k"] = np.arange(n_rec) * record_every
    states = {"a": st_a, "w": st_w} if keep_states else {}
    return Runs(a_out, w_out, bat.hit, bat.diverged, bat.stopped, hist, states,
                time.perf_counter() - t0)


@_quiet
def gd(*, w0, eps, g, u, steps, H=None, lam=None, tol: float | None = None,
       record_every: int = 0, stop_at_tol: bool = True, chunk: int = 64, device: str = "cpu",
       backend: str = "numpy") -> Runs:
    """Run GD ``w ← w + ε(g − Hw)`` on ``B`` runs (same conventions as :func:`bngd`).

    The error ``‖w − u‖_H/‖u‖_H`` is computed at every step as ``√(−(w − u)ᵀ(g − Hw)/uᵀHu)``.
    """
    t0 = time.perf_counter()
    w0 = np.atleast_2d(np.asarray(w0, dtype=float))
    B, d = w0.shape
    dense, shared, M, g, u, uHu = _setup(H, lam, g, u, w0, B)
    xb = _Backend(backend, device)
    bat = _Batch(xb, B, steps, tol, stop_at_tol)
    total = bat.total
    n_rec = total // record_every + 1 if record_every else 0
    hist = {"err": np.full((B, n_rec), np.nan)} if n_rec else {}
    W, E = xb.asarray(w0), xb.asarray(_per_run(eps, B, 0))
    G, U, UHU, Mx = xb.asarray(g), xb.asarray(u), xb.asarray(uHu), xb.asarray(M)
    w_out = w0.copy()
    k = 0
    while k <= total and bat.rows.size:
        rows = bat.rows
        C = min(chunk, total + 1 - k)
        buf = xb.empty((rows.size, C))
        for j in range(C):
            R = G - _hmul(dense, shared, Mx, W)
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
        keep = bat.close_chunk(k, C, e2, _finite(w_np, e2))
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


# ----------------------------------------------------------------------------- batching help


def eigen_arrays(p: OLSProblem, d_pad: int | None = None) -> dict:
    """The problem in its eigenbasis: ``lam, g, u`` (zero-padded to ``d_pad``) and ``Q``.

    A state ``w`` maps to ``Qᵀw``; the dynamics commute with this rotation (scaling property
    (i) with μ = γ = 1), and padded coordinates (λ = 0, g = u = 0, w = 0) never move.
    """
    lam, Q = p.eig()
    d_pad = d_pad or p.d
    out = {k: np.zeros(d_pad) for k in ("lam", "g", "u")}
    out["lam"][: p.d], out["g"][: p.d], out["u"][: p.d] = lam, Q.T @ p.g, Q.T @ p.u
    out["Q"] = Q
    return out


def stack_eigen(problems: list[OLSProblem], index) -> dict:
    """Per-run eigen arrays ``lam, g, u`` of shape ``(B, d_max)`` for runs on ``problems[index]``."""
    d_max = max(p.d for p in problems)
    parts = [eigen_arrays(p, d_max) for p in problems]
    index = np.asarray(index)
    return {k: np.stack([parts[i][k] for i in index]) for k in ("lam", "g", "u")}


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


def random_inits(rng: np.random.Generator, p: OLSProblem, n: int,
                 log_scale: tuple[float, float] = (0.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
    """``n`` initial points: ``w₀`` uniform in direction with ``‖w₀‖ = ‖u‖·10^U(log_scale)``,
    ``a₀ ~ N(0, uᵀHu)``."""
    w0 = rng.standard_normal((n, p.d))
    w0 /= np.linalg.norm(w0, axis=1, keepdims=True)
    w0 *= np.linalg.norm(p.u) * 10.0 ** rng.uniform(*log_scale, size=(n, 1))
    return rng.standard_normal(n) * math.sqrt(p.uHu), w0


def eps_from_scaled(p: OLSProblem, w0, eps_scaled) -> np.ndarray:
    """The ε with ``ε λ_max ‖u‖²/‖w₀‖² = eps_scaled`` for each run.

    ``ε λ_max ‖u‖²/‖w₀‖²`` is the dimensionless learning rate: unchanged by both scaling
    properties (``H → μH, u → u/√μ``; ``w₀ → γw₀, u → γu``), and for small ε it is the
    effective ``ε̂ λ_max`` because ``‖w‖`` hardly grows. With ``‖w₀‖ = ‖u‖`` it is ``ε λ_max``,
    GD's own scale.
    """
    w0 = np.atleast_2d(w0)
    lam_max = np.linalg.eigvalsh(p.H)[-1]
    return np.asarray(eps_scaled) * np.einsum("bi,bi->b", w0, w0) / (lam_max * (p.u @ p.u))


def draw_case(rng: np.random.Generator, max_d: int, max_log_kappa: float) -> tuple[int, float, str]:
    """A random ``(d, κ, source)`` for the trials after a claim's documented cases: ``d`` uniform
    in ``[1, max_d]``, ``κ`` log-uniform in ``[1, 10^max_log_kappa]`` (1 when ``d = 1``), and the
    population or a finite-sample problem."""
    d = int(rng.integers(1, max_d + 1))
    kappa = 1.0 if d == 1 else float(10 ** rng.uniform(0, max_log_kappa))
    source = str(rng.choice(["population", "sample"]))
    return d, kappa, source


def random_problem(rng: np.random.Generator, d: int, kappa: float, source: str = "population",
                   noise: float = 0.5, n: int | None = None) -> OLSProblem:
    """A problem with a log-uniform spectrum of condition ``κ`` (both ends attained), a Haar
    eigenbasis and ``u ~ N(0, I)``: the population problem, or a finite sample of ``n`` points
    (default ``4d + 8``; its ``H = XᵀX/n`` then has its own condition number)."""
    lam = random_spectrum(rng, d, kappa)
    Q = random_orthogonal(rng, d)
    u = rng.standard_normal(d)
    if source == "population":
        return population(lam, u, noise, Q)
    return finite_sample(rng, n or 4 * d + 8, lam, u, noise, Q)


def on_grid(curves, n: int = 300, log: bool = False, every: int = 1) -> tuple[list, list[list]]:
    """Sample curves (1-D arrays indexed by iteration, NaN where a run had stopped) on one
    shared grid of at most ``n`` iterations — linear, or log-spaced from 1 when ``log`` — for a
    plot series: ``(x, [y, …])``, NaN past the end of a curve. Entry ``i`` of a curve is
    iteration ``i·every``."""
    curves = [np.asarray(c, dtype=float) for c in curves]
    ends = [int(np.nonzero(np.isfinite(c))[0][-1]) if np.isfinite(c).any() else 0
            for c in curves]
    L = max(ends) + 1
    if log:
        x = np.unique(np.geomspace(1, max(L, 2), n).astype(int) - 1)
    else:
        x = np.unique(np.linspace(0, L - 1, min(n, L)).astype(int))
    ys = [[float(c[k]) if k <= e else float("nan") for k in x] for c, e in zip(curves, ends,
                                                                                 strict=True)]
    return (x * every).tolist(), ys
