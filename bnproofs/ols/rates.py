"""Linear rates: GD's and BNGD's predicted rates, the effective step, and rates fitted to error
sequences."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def gd_rate(lam, eps) -> np.ndarray:
    """``max_i |1 − ε λ_i|`` for each ε (GD's linear rate on ``J₀``)."""
    lam = np.asarray(lam, dtype=float)
    eps = np.asarray(eps, dtype=float)
    return np.max(np.abs(1.0 - eps[..., None] * lam), axis=-1)


def gd_threshold(lam) -> float:
    """``2/λ_max``: GD on ``J₀`` converges from every ``w₀`` iff ``0 < ε < 2/λ_max``."""
    return 2.0 / float(np.max(lam))


def gd_optimal_step(lam) -> float:
    """``ε_opt = 2/(λ_max + λ_min)``, the ε that minimises :func:`gd_rate` (it balances
    ``1 − ελ_min = ελ_max − 1``)."""
    return 2.0 / (float(np.max(lam)) + float(np.min(lam)))


def gd_best_rate(kappa: float) -> float:
    """``(κ − 1)/(κ + 1)``: GD's rate at :func:`gd_optimal_step`, ``κ = λ_max/λ_min``."""
    return (kappa - 1) / (kappa + 1)


def rate_exponent(rho: float) -> float:
    """``log ρ``, with ``−∞`` for ``ρ = 0`` (a run that is exact after one step)."""
    return math.log(rho) if rho > 0 else -math.inf


def same_rate(measured: float, predicted: float, rtol: float, atol: float) -> bool:
    """Whether two linear rates agree as exponents: ``|log ρ_m − log ρ_p| ≤ atol + rtol·|log ρ_p|``
    (the ``rate`` tier of :mod:`bnproofs.tolerance`). A rate of 0 (exponent −∞) agrees only with
    a rate of 0; nothing here raises."""
    lm, lp = rate_exponent(measured), rate_exponent(predicted)
    if math.isinf(lm) or math.isinf(lp):
        return lm == lp
    return abs(lm - lp) <= atol + rtol * abs(lp)


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
    of it towards faster rates (the reported ``k0`` is where the fit starts). ``steps`` are the
    iteration numbers of the entries (default ``0, 1, 2, …``). ``None`` when the window has fewer
    than ``min_points`` entries.
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
