"""[C] Robustness to learning rates: BNGD works over a wide range of ε, GD over a small one.

Statement (poster, summary table, row "Robustness to Learning Rates"): GD "small range of ε";
GD with BN "wide range of ε". Precise form *(derived — THEOREMS_OLS.md, item 7)*: the set of ε
for which BNGD reaches a given accuracy within a budget spans many decades, against GD's
``(0, 2/λ_max)``; iteration counts grow like ``1/ε`` for small ε and like ``ε`` for large ε (the
first steps inflate ``‖w‖``).

Assumptions: ``H`` symmetric positive definite; ``ε_a = 1`` (inside C5's ``(0, 1]``); generic
initial points.
Reference: Cai, Li, Shen, ICML 2019 (poster: summary of theoretical results; the paper's
"insensitivity to learning rates" section and its experiments).

What this module computes independently: iterations to ``‖v − u‖_H ≤ 1e-4‖u‖_H`` for BNGD
(``bnproofs.ols.bngd``, eigenbasis, ``ε_a = 1``) and to ``‖w − u‖_H ≤ 1e-4‖u‖_H`` for GD
(``bnproofs.ols.gd``, dense), from the same six ``w₀`` with ``‖w₀‖ = ‖u‖`` — so BNGD's
dimensionless ``ε λ_max‖u‖²/‖w₀‖²`` is GD's ``ε λ_max`` and both share one axis — over
``ε λ_max ∈ [10^-2, 10^3.5]`` (BNGD, 4 per decade) and ``[10^-2, 2)`` (GD, 16 per decade, with
the optimal step and two divergent ones). Budget 60 000 iterations.

* The *good range* of a method is the set of grid ε whose median count is at most
  ``K = 10 ×`` the best-tuned GD's count; its width is in decades (grid resolution: one step).
  BNGD's must be wider than GD's by at least one BNGD grid step (a quarter decade).
* The tail slopes of ``log(median count)`` against ``log ε`` (least squares): BNGD for
  ``ελ_max ≤ 0.1`` and for ``ελ_max ≥ 100``, GD for ``ελ_max ≤ 0.1``; compared with ``−1`` and
  ``+1`` in the ``rate`` tier scaled ×15 (rtol 0.15: the large-ε counts scatter with the
  random size of the first step's inflation, and an initial point with a small ``a₀`` is not
  inflated at all — those are counted and reported).
"""

from __future__ import annotations

import numpy as np

from bnproofs import ols
from bnproofs.results import FAIL, PASS, Finding, Trial, plot_series
from bnproofs.tolerance import RATE, close

ID = "C7"
PAPER = "C"
TITLE = "Robustness to learning rates: iterations against ε for GD and BNGD, tail slopes −1 and +1"
KIND = "qualitative claim (wide range of ε); derived scaling of iteration counts"
STATEMENT = __doc__.split("Assumptions:")[0].split("\n", 2)[2].strip()
ASSUMPTIONS = ["H symmetric positive definite", "ε_a = 1", "generic initial points"]

TOL = 1e-4
STEPS = 60_000
INITS = 6
BN_GRID = 10.0 ** np.arange(-2.0, 3.51, 0.25)
GD_GRID = 10.0 ** np.arange(-2.0, np.log10(2.0) - 1e-9, 1 / 16)
GD_DIVERGENT = (2.05, 3.0)
SLOPE_TOL = RATE.scaled(15)
GOOD_FACTOR = 10


def instance(index: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    d = int(rng.integers(5, 21))
    kappa = float(10 ** rng.uniform(1.0, 1.5))
    p = ols.random_problem(rng, d, kappa, "sample" if index % 3 == 2 else "population")
    a0, w0 = ols.random_inits(rng, p, INITS)
    return {"problem": p, "a0": a0, "w0": w0, "d": d}


def _median_counts(hit, n_eps):
    """Median over the starts, a start that never reached the tolerance counting as +∞
    (NaN when more than half did not)."""
    h = np.where(hit >= 0, hit, np.inf).reshape(n_eps, INITS).astype(float)
    med = np.median(h, axis=1)
    return np.where(np.isfinite(med), med, np.nan), h


def _width(grid, counts, K, step):
    good = np.isfinite(counts) & (counts <= K)
    if not good.any():
        return 0.0, None, True
    idx = np.nonzero(good)[0]
    contiguous = bool(np.all(np.diff(idx) == 1))
    return float(np.log10(grid[idx[-1]] / grid[idx[0]]) + step), [float(grid[idx[0]]), float(grid[idx[-1]])], contiguous


def check(index: int, seed: int, device: str = "cpu"):
    inst = instance(index, seed)
    p, a0, w0 = inst["problem"], inst["a0"], inst["w0"]
    lam = np.linalg.eigvalsh(p.H)
    lmax = lam[-1]
    # BNGD
    E = np.repeat(BN_GRID, INITS)
    A0, W0 = np.tile(a0, BN_GRID.size), np.tile(w0, (BN_GRID.size, 1))
    shown = [0, int(np.argmin(abs(np.log10(BN_GRID)))) * INITS, (BN_GRID.size - 1) * INITS]
    every = 20
    rb = ols.bngd_on(p, a0=A0, w0=W0, eps=ols.eps_from_scaled(p, W0, E), eps_a=1.0, steps=STEPS,
                     tol=TOL, record_every=every, record_rows=shown, device=device)
    bn_med, bn_all = _median_counts(rb.hit, BN_GRID.size)
    # GD, same initial points
    opt = 2 * lmax / (lam[0] + lmax)
    g_grid = np.sort(np.concatenate([GD_GRID, [opt], GD_DIVERGENT]))
    rg = ols.gd_on(p, w0=np.tile(w0, (g_grid.size, 1)), eps=np.repeat(g_grid, INITS) / lmax,
                   steps=STEPS, tol=TOL, device=device)
    gd_med, _ = _median_counts(rg.hit, g_grid.size)
    gd_diverged = rg.diverged.reshape(g_grid.size, INITS)
    best_gd = float(np.nanmin(gd_med))
    K = GOOD_FACTOR * best_gd
    bn_width, bn_range, bn_contig = _width(BN_GRID, bn_med, K, 0.25)
    gd_width, gd_range, _ = _width(g_grid, gd_med, K, 1 / 16)
    small = (BN_GRID <= 0.1) & np.isfinite(bn_med)
    large = (BN_GRID >= 100) & np.isfinite(bn_med)
    s_small = ols.loglog_slope(BN_GRID[small], bn_med[small]) if small.sum() >= 3 else None
    s_large = ols.loglog_slope(BN_GRID[large], bn_med[large]) if large.sum() >= 3 else None
    g_small = (g_grid <= 0.1) & np.isfinite(gd_med)
    s_gd = ols.loglog_slope(g_grid[g_small], gd_med[g_small]) if g_small.sum() >= 3 else None
    # initial points that are not inflated: flat counts at large ε
    top, mid = bn_all[-1], bn_all[int(np.argmin(abs(BN_GRID - 10)))]
    flat = int(np.sum(np.isfinite(top) & (top <= 3 * mid)))
    checks = {
        "bngd_range_wider": bn_width >= gd_width + 0.25,
        "gd_diverges_beyond_2_over_lmax": bool(gd_diverged[g_grid > 2].all()),
        "small_eps_slope_minus_1": s_small is not None and close(s_small, -1.0, SLOPE_TOL),
        "large_eps_slope_plus_1": s_large is not None and close(s_large, 1.0, SLOPE_TOL),
        "gd_small_eps_slope_minus_1": s_gd is not None and close(s_gd, -1.0, SLOPE_TOL),
    }
    # GD on BNGD's grid points (it is finer, and its points ≥ 2/λ_max diverge)
    on_bn = [np.nonzero(np.isclose(g_grid, v, rtol=1e-9))[0] for v in BN_GRID]
    ygd = [float(gd_med[i[0]]) if i.size and np.isfinite(gd_med[i[0]]) else None for i in on_bn]
    xs, ys = ols.on_grid(rb.history["err"], n=300, log=True, every=every)
    series = {
        "iterations": plot_series(
            f"Iterations to relative error {TOL:g} (median of {INITS} starts; ‖w₀‖ = ‖u‖)",
            {"BNGD (ε_a = 1)": [None if not np.isfinite(v) else float(v) for v in bn_med],
             "GD": ygd}, x=BN_GRID.tolist(), xlabel="ε λ_max", ylabel="iterations", log="xy",
            hline={"best-tuned GD": best_gd, f"K = {GOOD_FACTOR}× best GD": K}),
        "loss": plot_series("BNGD relative error ‖v_k − u‖_H/‖u‖_H (first start)",
                            dict(zip([f"ελ_max = {E[b]:.3g}" for b in shown], ys, strict=True)),
                            x=[max(1, v) for v in xs], xlabel="iteration", ylabel="relative error",
                            log="xy", hline={"tolerance": TOL}),
    }
    params = {"index": index, "d": inst["d"], "kappa": p.kappa, "source": p.source,
              "inits": INITS, "tol": TOL, "steps": STEPS, "good_factor": GOOD_FACTOR}
    values = {"best_gd_iterations": best_gd, "K": K, "bngd_good_range": bn_range,
              "bngd_width_decades": bn_width, "bngd_range_contiguous": bn_contig,
              "gd_good_range": gd_range, "gd_width_decades": gd_width,
              "slope_small_eps_bngd": s_small, "slope_large_eps_bngd": s_large,
              "slope_small_eps_gd": s_gd, "best_bngd_iterations": float(np.nanmin(bn_med)),
              "starts_not_inflated": flat, "bngd_median_iterations": bn_med.tolist(),
              "bngd_grid": BN_GRID.tolist(), "sweep_seconds": rb.seconds + rg.seconds}
    findings = []
    status = PASS if all(checks.values()) else FAIL
    if status == FAIL:
        bad = [k for k, v in checks.items() if not v]
        findings.append(Finding(
            "statement_fails",
            f"{', '.join(bad)} on d={inst['d']}, κ={p.kappa:.3g}: BNGD range {bn_width:.2f} decades "
            f"vs GD {gd_width:.2f}; slopes small {s_small}, large {s_large}, GD {s_gd}"))
    notes = [f"K = {K:.0f}; BNGD good for ελ_max ∈ {bn_range} ({bn_width:.2f} decades), GD for "
             f"{gd_range} ({gd_width:.2f}); tail slopes {s_small}, {s_large} (GD {s_gd}); "
             f"{flat}/{INITS} starts not inflated at the largest ε"]
    gap = max(abs((s_small or -1) + 1), abs((s_large or 1) - 1))
    return Trial(seed, params, values, status, gap=gap, tolerance=SLOPE_TOL.as_dict(),
                 notes=notes, series=series, checks=checks), findings


def summarise(result):
    ts = [t for t in result.trials if "bngd_width_decades" in t.values]
    if not ts:
        return []
    bw = [t.values["bngd_width_decades"] for t in ts]
    gw = [t.values["gd_width_decades"] for t in ts]
    ss = [t.values["slope_small_eps_bngd"] for t in ts if t.values["slope_small_eps_bngd"]]
    sl = [t.values["slope_large_eps_bngd"] for t in ts if t.values["slope_large_eps_bngd"]]
    flat = sum(t.values["starts_not_inflated"] for t in ts)
    return [Finding(
        "observation",
        f"Good range (≤ {GOOD_FACTOR}× the best-tuned GD's iterations): BNGD {np.median(bw):.2f} "
        f"decades (median; {min(bw):.2f}–{max(bw):.2f}), GD {np.median(gw):.2f} "
        f"({min(gw):.2f}–{max(gw):.2f}). Tail slopes of BNGD's iteration count: "
        f"{np.median(ss):.3f} for small ε (predicted −1), {np.median(sl):.3f} for large ε "
        f"(predicted +1). {flat} of {INITS * len(ts)} starts were not inflated at the largest ε "
        "(small a₀): their ε̂ settles near the stability edge and their count stays flat.")]
