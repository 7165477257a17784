"""[C] Robustness to dimensions: the width of the good learning-rate range against d, BNGD and GD.

What this module measures (everything is computed; the verdict reports the measurement):

* for each ``d`` in ``Case.dims`` (default 2 … 128), eight problems ``H = diag(λ)`` with
  ``λ_i`` i.i.d. uniform on ``[0.1, 1]`` and ``u ~ N(0, I/d)`` (so ``‖u‖ ≈ 1`` at every ``d``;
  the problems are rotation-invariant, so diagonal ``H`` loses nothing), six starts each with
  ``‖w₀‖ = ‖u‖`` (random direction); ``a₀`` by trial: ``0`` (trials 0, 3, …), ``1`` (1, 4, …)
  or ``N(0, uᵀHu)`` (2, 5, …) — the outcome depends on it, so each rule is a regime;
* per start, ``K = 10 ×`` the best-tuned GD's iterations to ``‖·‖_H`` relative error 1e-3 (GD
  over ``ελ_max ∈ [10^-2, 2)``, 16 per decade, and the optimal step); a learning rate is *good*
  for a method at that ``d`` when at least half of the 48 runs reach the tolerance within
  their ``K``; the *width* is the number of good grid points times the grid step, in decades
  (BNGD: ``ελ_max ∈ [10^-2, 10^4]``, 4 per decade);
* the trend: the least-squares slope of width against ``log₂ d``, with a bootstrap interval
  (200 resamples of the 48 runs per ``d``). A slope whose 90 % interval lies above 0 agrees
  with "the higher the better" (``pass``); an interval entirely below 0.05 decade per doubling
  excludes any meaningful improvement and contradicts it (``fail``, ``statement_fails``);
  otherwise ``inconclusive``. GD's trend is reported the same way.

Larger sizes: ``Case(dims=(2, 4, …, 512), problems=…, inits=…)``.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass

import numpy as np

from bnproofs import ols
from bnproofs.results import FAIL, PASS, Finding, plot_series

from .claim import Claim, Comparison, Sides
from .verdicts import record, statement, status_of, support

CLAIM = Claim(
    id="C8",
    paper="C",
    title="Robustness to dimensions: width of the good learning-rate range against d (BNGD vs "
          "GD)",
    kind="measurement of a qualitative claim (\"the higher the better\")",
    statement="Poster, summary table, row \"Robustness to Dimensions\": GD \"no effect\"; GD with "
              "BN \"the higher the better\". Precise form (derived: docs/theorems/ols.md, item "
              "8): measure, for spectra drawn from one distribution at increasing d, the width "
              "of BNGD's good learning-rate range (and GD's); report what the measurement shows, "
              "whichever way it goes.",
    assumptions=("spectrum law fixed as d grows (λ_i i.i.d. U[0.1, 1])", "ε_a = 1",
                 "generic initial points"),
    reference="Cai, Li, Shen, ICML 2019 (poster: summary of theoretical results; the paper's "
              "discussion of dimension and its experiments)",
    tex=r"\text{GD: } \frac{\partial\, \text{width}}{\partial d} = 0 \ \text{(no effect)};\qquad "
        r"\text{BNGD: width of } \{\varepsilon : \text{good}\} \text{ increases with } d\ "
        r"\text{(the higher the better)}.",
)

DIMS = (2, 4, 8, 16, 32, 64, 128)
PROBLEMS = 8
INITS = 6
TOL = 1e-3
GOOD_FACTOR = 10
BN_STEP = 0.25
BN_GRID = 10.0 ** np.arange(-2.0, 4.01, BN_STEP)
GD_STEP = 1 / 16
GD_GRID = 10.0 ** np.arange(-2.0, np.log10(2.0) - 1e-9, GD_STEP)
BOOT = 200
#: how a₀ is initialised, by trial (index mod 3); the measurement depends on it
A0_RULES = ("zero", "one", "gaussian")
A0_TEXT = {"zero": "a₀ = 0", "one": "a₀ = 1", "gaussian": "a₀ ~ N(0, uᵀHu)"}
#: a trend smaller than this (decades per doubling of d) counts as no improvement
MEANINGFUL = 0.05


@dataclass(frozen=True)
class Case:
    a0_rule: str  # "zero", "one" or "gaussian"
    dims: tuple = DIMS
    problems: int = PROBLEMS  # problems per d
    inits: int = INITS  # starts per problem


def case(index: int, rng) -> Case:
    return Case(A0_RULES[index % len(A0_RULES)])


def regime(c: Case, s: Sides) -> str:
    """The a₀ rule: 'the higher the better' holds or fails by how a starts."""
    return A0_TEXT[c.a0_rule]


def _draw(rng, d, problems, inits, a0_rule="gaussian"):
    """Per-run arrays (diagonal H) for ``problems × inits`` runs at dimension ``d``."""
    lam = np.sort(rng.uniform(0.1, 1.0, size=(problems, d)), axis=1)
    u = rng.standard_normal((problems, d)) / np.sqrt(d)
    lam_r, u_r = np.repeat(lam, inits, 0), np.repeat(u, inits, 0)
    uHu = np.einsum("bi,bi,bi->b", u_r, lam_r, u_r)
    w0 = rng.standard_normal((problems * inits, d))
    w0 *= np.linalg.norm(u_r, axis=1, keepdims=True) / np.linalg.norm(w0, axis=1, keepdims=True)
    a0 = rng.standard_normal(problems * inits) * np.sqrt(uHu)
    if a0_rule == "zero":
        a0 = np.zeros_like(a0)
    elif a0_rule == "one":
        a0 = np.ones_like(a0)
    return lam_r, u_r, w0, a0


def _gd_side(lam, u, w0, device):
    """Per run: ``K`` (10 × best-tuned GD's count) and GD's counts over ``GD_GRID``."""
    n = w0.shape[0]
    lmax = lam[:, -1]
    g = lam * u
    # best-tuned GD per run: the optimal step first, then the grid with 10× its count
    opt = 2 / (lam[:, 0] + lmax)
    r0 = ols.gd(w0=w0, eps=opt, g=g, u=u, lam=lam, steps=100_000, tol=TOL, device=device)
    cap = int(GOOD_FACTOR * r0.hit.max()) + 1
    G = GD_GRID.size
    rg = ols.gd(w0=np.tile(w0, (G, 1)), eps=np.repeat(GD_GRID, n) / np.tile(lmax, G),
                g=np.tile(g, (G, 1)), u=np.tile(u, (G, 1)), lam=np.tile(lam, (G, 1)), steps=cap,
                tol=TOL, device=device)
    gd_hits = np.where(rg.hit >= 0, rg.hit, np.inf).reshape(G, n)
    best = np.minimum(gd_hits.min(0), r0.hit)
    return GOOD_FACTOR * best, gd_hits, rg.seconds + r0.seconds


def _bngd_side(lam, u, w0, a0, K, device):
    """BNGD's counts over ``BN_GRID`` (``ε_a = 1``), each run with its own budget ``K``."""
    n, M = w0.shape[0], BN_GRID.size
    eps = np.repeat(BN_GRID, n) / np.tile(lam[:, -1], M)  # ‖w₀‖ = ‖u‖: ε̃ = ελ_max
    rb = ols.bngd(a0=np.tile(a0, M), w0=np.tile(w0, (M, 1)), eps=eps, eps_a=1.0,
                  g=np.tile(lam * u, (M, 1)), u=np.tile(u, (M, 1)), lam=np.tile(lam, (M, 1)),
                  steps=np.tile(K, M).astype(int), tol=TOL, device=device)
    return np.where(rb.hit >= 0, rb.hit, np.inf).reshape(M, n), rb.seconds


def _measure(c: Case, rng, device):
    """Per ``d``: ``K``, the success matrices (grid point × run) of BNGD and GD, BNGD's counts."""
    per_d, seconds = [], 0.0
    for d in c.dims:
        lam, u, w0, a0 = _draw(rng, d, c.problems, c.inits, c.a0_rule)
        K, gd_hits, sec_gd = _gd_side(lam, u, w0, device)
        bn_hits, sec_bn = _bngd_side(lam, u, w0, a0, K, device)
        seconds += sec_bn + sec_gd
        per_d.append({"K": K, "bn": bn_hits <= K, "gd": gd_hits <= K, "hits": bn_hits})
    return per_d, seconds


def _width(success, step, cols=None):
    s = success if cols is None else success[:, cols]
    return float(np.sum(s.mean(1) >= 0.5) * step)


def _slope(dims, widths):
    return float(np.polyfit(np.log2(dims), widths, 1)[0])


def _bootstrap(per_d, dims, n, rng):
    """90 % intervals of the BNGD and GD slopes over resamples of the ``n`` runs per ``d``."""
    boot_bn, boot_gd = [], []
    for _ in range(BOOT):
        cols = [rng.integers(0, n, n) for _ in dims]
        boot_bn.append(_slope(dims, [_width(x["bn"], BN_STEP, c)
                                     for x, c in zip(per_d, cols, strict=True)]))
        boot_gd.append(_slope(dims, [_width(x["gd"], GD_STEP, c)
                                     for x, c in zip(per_d, cols, strict=True)]))
    return ([float(np.quantile(boot_bn, 0.05)), float(np.quantile(boot_bn, 0.95))],
            [float(np.quantile(boot_gd, 0.05)), float(np.quantile(boot_gd, 0.95))])


def _series(per_d, dims, bw, gw, n):
    with warnings.catch_warnings():  # all runs at an ε may miss the budget: NaN is right
        warnings.simplefilter("ignore", RuntimeWarning)
        ratio = [np.nanmedian(np.where(np.isfinite(x["hits"]), x["hits"], np.nan) / x["K"], axis=1)
                 for x in per_d]
    shown = [0, len(dims) // 2, len(dims) - 1]
    return {
        "width": plot_series("Width of the good learning-rate range against d",
                             {"BNGD": bw.tolist(), "GD": gw.tolist()}, x=list(dims),
                             xlabel="dimension d", ylabel="decades", log="x"),
        "iterations": plot_series(f"BNGD iterations / K (median of {n} runs; ≤ 1 is good)",
                                  {f"d = {dims[i]}": ratio[i].tolist() for i in shown},
                                  x=BN_GRID.tolist(), xlabel="ε λ_max", ylabel="iterations / K",
                                  log="xy", hline={"K": 1.0}),
    }


def sides(c: Case, rng, ctx) -> Sides:
    dims, n = c.dims, c.problems * c.inits
    per_d, seconds = _measure(c, rng, ctx.device)
    bw = np.array([_width(x["bn"], BN_STEP) for x in per_d])
    gw = np.array([_width(x["gd"], GD_STEP) for x in per_d])
    ci_bn, ci_gd = _bootstrap(per_d, dims, n, rng)
    values = {"bngd_width": bw.tolist(), "gd_width": gw.tolist(), "slope_bngd": _slope(dims, bw),
              "slope_gd": _slope(dims, gw), "ci90_bngd": ci_bn, "ci90_gd": ci_gd,
              "median_K": [float(np.median(x["K"])) for x in per_d], "sweep_seconds": seconds}
    params = {"dims": list(dims), "tol": TOL, "good_factor": GOOD_FACTOR,
              "spectrum": "λ_i i.i.d. U[0.1, 1]", "bngd_grid_step": BN_STEP,
              "gd_grid_step": GD_STEP}
    return Sides(values, params, _series(per_d, dims, bw, gw, n))


def _text(c: Case, v, status) -> str:
    trend = {PASS: "increases", FAIL: "does not increase"}.get(
        status, "shows no trend that the measurement can resolve")
    ci_bn, ci_gd = v["ci90_bngd"], v["ci90_gd"]
    bw, gw = np.array(v["bngd_width"]), np.array(v["gd_width"])
    text = (f"With {A0_TEXT[c.a0_rule]}, BNGD's good range {trend} with d: widths "
            f"{dict(zip(c.dims, bw.round(2).tolist(), strict=True))} decades, slope "
            f"{v['slope_bngd']:+.3f}/doubling (90% CI {ci_bn[0]:+.3f} … {ci_bn[1]:+.3f}); GD "
            f"{dict(zip(c.dims, gw.round(2).tolist(), strict=True))}, slope {v['slope_gd']:+.3f} "
            f"(CI {ci_gd[0]:+.3f} … {ci_gd[1]:+.3f}).")
    if status == FAIL:
        text += (f" The interval excludes an improvement of {MEANINGFUL} decade per doubling: "
                 "'the higher the better' does not hold for this initialisation.")
    return text


def compare(c: Case, s: Sides) -> Comparison:
    v = s.values
    lo, hi = v["ci90_bngd"]
    checks = {
        # pass: the 90 % interval of BNGD's slope lies above 0
        "bngd_width_increases_with_d": support(lo > 0),
        # fail: it lies below MEANINGFUL (and not above 0): no meaningful improvement
        "improvement_not_excluded": statement(lo > 0 or not hi < MEANINGFUL),
        "measurement_complete": record(np.all(np.isfinite(v["median_K"]))),
    }
    status = status_of(checks)
    text = _text(c, v, status)
    findings = [Finding("statement_fails" if status == FAIL else "observation", text)]
    return Comparison(checks, notes=[text], findings=findings)


def summarise(result):
    ts = [t for t in result.trials if "bngd_width" in t.values]
    if not ts:
        return []
    out = []
    for rule in A0_RULES:
        sel = [t for t in ts if t.params["a0_rule"] == rule]
        if not sel:
            continue
        dims = sel[0].params["dims"]
        bw = np.mean([t.values["bngd_width"] for t in sel], axis=0)
        gw = np.mean([t.values["gd_width"] for t in sel], axis=0)
        sb = [t.values["slope_bngd"] for t in sel]
        kind = "corrected_form_holds" if all(t.status == PASS for t in sel) else "observation"
        out.append(Finding(
            kind,
            f"a₀ rule '{rule}' ({len(sel)} trials): mean BNGD width "
            f"{dict(zip(dims, bw.round(2).tolist(), strict=True))} decades, GD "
            f"{dict(zip(dims, gw.round(2).tolist(), strict=True))}; BNGD slope per doubling of d "
            f"{np.median(sb):+.3f} (range {min(sb):+.3f} … {max(sb):+.3f})."
            + (" 'The higher the better' holds when a starts at 0. A reading consistent with "
               "the numbers (derived, not from the paper): a random w₀ is nearly H-orthogonal to "
               "u in high dimension, so a₁ = φ(w₀) ~ ‖u‖_H/√d; the first kick inflates ‖w‖² by "
               "~ε²/d instead of ~ε², ε̂ ~ d/ε, and the upper end of the good range moves up by "
               "log₁₀2 ≈ 0.30 decade per doubling of d." if kind == "corrected_form_holds"
               else "")))
    return out


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
