"""[C] Robustness to dimensions: the width of the good learning-rate range against d, BNGD and GD.

What this module measures (everything is computed; the verdict reports the measurement):

* for each ``d`` in ``Case.dims`` (default 2 … 128), eight problems ``H = diag(λ)`` with
  ``λ_i`` i.i.d. uniform on ``[0.1, 1]`` and ``u ~ N(0, I/d)`` (so ``‖u‖ ≈ 1`` at every ``d``;
  the problems are rotation-invariant, so diagonal ``H`` loses nothing), six starts each with
  ``‖w₀‖ = ‖u‖`` (random direction); ``a₀`` by trial: ``0`` (trials 0, 3, …), ``1`` (1, 4, …)
  or ``N(0, uᵀHu)`` (2, 5, …) — the outcome depends on it, so each rule is a regime;
* per start, ``K = 10 ×`` the best-tuned GD's iterations to ``‖·‖_H`` relative error 1e-3 (GD
  over ``ελ_max ∈ [10^-2, 2)``, 16 per decade, and the optimal step, whose count must respect
  the rate bound ``⌈log(tol/e₀)/log((κ − 1)/(κ + 1))⌉``); a learning rate is *good*
  for a run when the run reaches the tolerance within its ``K``; the *width* at ``d`` is the
  mean over the 48 runs of the number of good grid points times the grid step, in decades
  (BNGD: ``ελ_max ∈ [10^-2, 10^4]``, 4 per decade) — the expected width of one run's good set,
  which moves by 1/48 of a grid step where counting the ε good for half of the runs moves by a
  whole one;
* the trend: the least-squares slope of width against ``log₂ d``, with a bootstrap interval
  (200 resamples of the 48 runs per ``d``). A slope whose 90 % interval lies above 0 agrees
  with "the higher the better" (``pass``); an interval entirely below 0.05 decade per doubling
  excludes any meaningful improvement and contradicts it (``fail``, ``statement_fails``);
  otherwise ``inconclusive``. GD's "no effect" is a statement too: its interval must lie
  within ``±0.05``.

The regimes are the a₀ rules, and trials 0, 1, 2 are one of each (``CASES``), so every
regime's verdict is decided by the first three trials. Where the regimes part is shown exactly
on ``H = I`` (:func:`counterexample`).

Larger sizes: ``Case(dims=(2, 4, …, 512), problems=…, inits=…)``.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass

import numpy as np

from bnproofs import ols
from bnproofs.exact import symbolic_ols as SO
from bnproofs.results import FAIL, PASS, Finding, plot_series

from .claim import Claim, Comparison, Sides
from .verdicts import Audited, FailureMode, record, statement, status_of, support

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
A0_TEXT = {"zero": "a₀ = 0", "one": "a₀ = 1 (of order ‖u‖_H)",
           "gaussian": "a₀ ~ N(0, uᵀHu) (of order ‖u‖_H)"}
#: a trend smaller than this (decades per doubling of d) counts as no improvement
MEANINGFUL = 0.05


@dataclass(frozen=True)
class Case:
    a0_rule: str  # "zero", "one" or "gaussian"
    dims: tuple = DIMS
    problems: int = PROBLEMS  # problems per d
    inits: int = INITS  # starts per problem


#: the documented cases, one per regime: trials 0, 1, 2 decide every regime's verdict
CASES = tuple(Case(rule) for rule in A0_RULES)


def case(index: int, rng) -> Case:
    return CASES[index % len(CASES)]


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
    """Per run: ``K`` (10 × best-tuned GD's count; ∞ where GD never reached the tolerance) and
    GD's counts over ``GD_GRID``."""
    n = w0.shape[0]
    lmax = lam[:, -1]
    g = lam * u
    # best-tuned GD per run: the optimal step first, then the grid with 10× its count
    opt = np.array([ols.gd_optimal_step(row) for row in lam])
    r0 = ols.gd(w0=w0, eps=opt, g=g, u=u, lam=lam, steps=100_000, tol=TOL, device=device)
    cap = int(GOOD_FACTOR * max(r0.hit.max(), 0)) + 1
    G = GD_GRID.size
    rg = ols.gd(w0=np.tile(w0, (G, 1)), eps=np.repeat(GD_GRID, n) / np.tile(lmax, G),
                g=np.tile(g, (G, 1)), u=np.tile(u, (G, 1)), lam=np.tile(lam, (G, 1)), steps=cap,
                tol=TOL, device=device)
    gd_hits = np.where(rg.hit >= 0, rg.hit, np.inf).reshape(G, n)
    best = np.minimum(gd_hits.min(0), np.where(r0.hit >= 0, r0.hit, np.inf))
    slow = int(np.sum(r0.hit > _rate_bound(lam, u, w0)))
    return GOOD_FACTOR * best, gd_hits, rg.seconds + r0.seconds, slow


def _rate_bound(lam, u, w0) -> np.ndarray:
    """Per run, the most iterations GD at ``ε_opt`` may take to relative error ``TOL``: every
    mode of ``w − u`` contracts by ``|1 − ε_opt λ_i| ≤ (κ − 1)/(κ + 1)`` per step, so
    ``‖w_k − u‖_H ≤ ρ^k‖w₀ − u‖_H`` and the count is at most ``⌈log(TOL/e₀)/log ρ⌉``
    (``e₀`` the initial relative error; +1 for rounding). A run that never reached the tolerance
    (hit −1) counts as within it only through ``K``'s own check."""
    e0 = np.sqrt(np.sum(lam * (w0 - u) ** 2, 1) / np.sum(lam * u**2, 1))
    rho = ols.gd_best_rate(lam[:, -1] / lam[:, 0])
    with np.errstate(divide="ignore"):
        need = np.ceil(np.log(TOL / e0) / np.log(rho))
    return np.where(e0 <= TOL, 0, need) + 1


def _bngd_side(lam, u, w0, a0, K, device):
    """BNGD's counts over ``BN_GRID`` (``ε_a = 1``), each run with its own budget ``K`` (none
    where ``K`` is not finite: that run has no good ε, and the measurement is incomplete)."""
    n, M = w0.shape[0], BN_GRID.size
    eps = np.repeat(BN_GRID, n) / np.tile(lam[:, -1], M)  # ‖w₀‖ = ‖u‖: ε̃ = ελ_max
    rb = ols.bngd(a0=np.tile(a0, M), w0=np.tile(w0, (M, 1)), eps=eps, eps_a=1.0,
                  g=np.tile(lam * u, (M, 1)), u=np.tile(u, (M, 1)), lam=np.tile(lam, (M, 1)),
                  steps=np.tile(np.where(np.isfinite(K), K, 0), M).astype(int), tol=TOL,
                  device=device)
    return np.where(rb.hit >= 0, rb.hit, np.inf).reshape(M, n), rb.seconds


def _measure(c: Case, rng, device):
    """Per ``d``: ``K``, the success matrices (grid point × run) of BNGD and GD, BNGD's counts."""
    per_d, seconds = [], 0.0
    for d in c.dims:
        lam, u, w0, a0 = _draw(rng, d, c.problems, c.inits, c.a0_rule)
        K, gd_hits, sec_gd, slow = _gd_side(lam, u, w0, device)
        bn_hits, sec_bn = _bngd_side(lam, u, w0, a0, K, device)
        seconds += sec_bn + sec_gd
        per_d.append({"K": K, "bn": bn_hits <= K, "gd": gd_hits <= K, "hits": bn_hits,
                      "gd_opt_slow": slow})
    return per_d, seconds


def _width(success, step, cols=None):
    """The mean over runs (columns, or the resampled ``cols``) of the good grid points times the
    grid step: the expected width of one run's good set, in decades."""
    s = success if cols is None else success[:, cols]
    return float(s.sum(0).mean() * step)


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
              "median_K": [float(np.median(x["K"])) for x in per_d],
              "runs_without_K": int(sum(np.sum(~np.isfinite(x["K"])) for x in per_d)),
              "gd_opt_above_rate_bound": int(sum(x["gd_opt_slow"] for x in per_d)),
              "sweep_seconds": seconds}
    params = {"dims": list(dims), "tol": TOL, "good_factor": GOOD_FACTOR,
              "spectrum": "λ_i i.i.d. U[0.1, 1]", "bngd_grid_step": BN_STEP,
              "gd_grid_step": GD_STEP}
    return Sides(values, params, _series(per_d, dims, bw, gw, n))


def _trend(ci) -> str:
    """BNGD's trend from the 90 % interval of its slope: ``PASS`` (above 0), ``FAIL`` (below
    ``MEANINGFUL``, not above 0) or ``""`` (the measurement cannot resolve it)."""
    lo, hi = ci
    return PASS if lo > 0 else FAIL if hi < MEANINGFUL else ""


def _text(c: Case, v, trend_status) -> str:
    trend = {PASS: "increases", FAIL: "does not increase"}.get(
        trend_status, "shows no trend that the measurement can resolve")
    ci_bn, ci_gd = v["ci90_bngd"], v["ci90_gd"]
    bw, gw = np.array(v["bngd_width"]), np.array(v["gd_width"])
    text = (f"With {A0_TEXT[c.a0_rule]}, BNGD's good range {trend} with d: widths "
            f"{dict(zip(c.dims, bw.round(2).tolist(), strict=True))} decades, slope "
            f"{v['slope_bngd']:+.3f}/doubling (90% CI {ci_bn[0]:+.3f} … {ci_bn[1]:+.3f}); GD "
            f"{dict(zip(c.dims, gw.round(2).tolist(), strict=True))}, slope {v['slope_gd']:+.3f} "
            f"(CI {ci_gd[0]:+.3f} … {ci_gd[1]:+.3f}).")
    if trend_status == FAIL:
        text += (f" The interval excludes an improvement of {MEANINGFUL} decade per doubling: "
                 "'the higher the better' does not hold for this initialisation.")
    return text


def _corrected(c: Case, trend_status) -> bool:
    """The corrected statement on this trial: the range widens with d for ``a₀ = 0`` and gains
    nothing for ``a₀`` of order ``‖u‖_H``."""
    return trend_status == (PASS if c.a0_rule == "zero" else FAIL)


def compare(c: Case, s: Sides) -> Comparison:
    """Roles: BNGD's interval below ``MEANINGFUL`` refutes "the higher the better" and GD's
    interval outside ``±MEANINGFUL`` refutes GD's "no effect" (statements); BNGD's interval above
    0 and a finite GD baseline ``K`` for every run are what a pass needs (support)."""
    v = s.values
    lo, hi = v["ci90_bngd"]
    glo, ghi = v["ci90_gd"]
    trend_status = _trend(v["ci90_bngd"])
    checks = {
        "bngd_width_increases_with_d": support(lo > 0),
        "improvement_not_excluded": statement(lo > 0 or not hi < MEANINGFUL),
        "gd_no_effect": statement(-MEANINGFUL < glo and ghi < MEANINGFUL),
        "measurement_complete": support(v["runs_without_K"] == 0),
        "gd_baseline_at_best_rate": support(v["gd_opt_above_rate_bound"] == 0),
        "corrected_form": record(_corrected(c, trend_status)),
    }
    text = _text(c, v, trend_status)
    kind = "statement_fails" if status_of(checks) == FAIL else "observation"
    return Comparison(checks, notes=[text], findings=[Finding(kind, text)])


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
               "~ε²/d instead of ~ε², ε̂ ~ d/ε, and the upper end of the good range moves up "
               "with d (exactly on H = I: the expected first inflation is (d − 1)/(d(d + 2))"
               "·(ελ)², see the failure mode's counterexample)." if kind == "corrected_form_holds"
               else "")))
    return out


def counterexample() -> dict:
    """Where the two regimes part, exactly, on the isotropic member ``H = I`` of the model
    (``ε_a = 1``, ``‖w₀‖ = ‖u‖``, ``w₀`` uniform in direction, ``x = ελ_max``): BNGD's trajectory
    depends on ``d`` only through the starting angle, and the expected first inflation of
    ``‖w‖²`` — which sets ``ε̂ = ε‖u‖²/‖w‖²`` and so the large-ε end of the good range — is
    ``(1 − 1/d)x²`` for ``a₀ = ‖u‖_H`` and ``(d − 1)/(d(d + 2))·x²`` for ``a₀ = 0``
    (:func:`bnproofs.exact.symbolic_ols.isotropic_kick`). From ``d = 3`` to ``d = 4`` the first
    grows and the second shrinks; no smaller pair of dimensions parts them
    (tests/claims/test_c8.py searches ``2 ≤ d₁ < d₂ ≤ 8``)."""
    k = {(d, r): SO.isotropic_kick(d, r) for d in (3, 4) for r in (1, 0)}
    parted = bool(k[(4, 1)] > k[(3, 1)] and k[(4, 0)] < k[(3, 0)])
    exact = {f"E inflation, a₀ = {'‖u‖_H' if r else '0'}, d = {d}": f"{k[(d, r)]}·x²"
             for (d, r) in k}
    return {"instance": {"H": "I_d", "d": "3 → 4", "a₀": "‖u‖_H (this mode) against 0",
                         "‖w₀‖": "‖u‖", "w₀": "uniform in direction", "ε_a": "1"},
            "exact": exact, "proved": parted,
            "text": "Exact on H = I: going from d = 3 to d = 4, the expected first inflation of "
                    "‖w‖² grows from 2/3·x² to 3/4·x² when a₀ = ‖u‖_H (a smaller ε̂ at large ε: "
                    "no gain from dimension) and shrinks from 2/15·x² to 1/8·x² when a₀ = 0; "
                    "the widths themselves are measured (bootstrap intervals), not proved."}


FAILURE_MODES = (
    FailureMode(
        "no gain from dimension",
        "a₀ of order ‖u‖_H (a₀ = 1, or a₀ ~ N(0, uᵀHu))",
        lambda t: t.status == FAIL and t.params["a0_rule"] != "zero",
        counterexample,
        corrected="With a₀ = 0 BNGD's good learning-rate range widens with d; with a₀ of order "
                  "‖u‖_H dimension brings no such gain.",
        corrected_tex=r"a_0 = 0:\ \text{the good range widens with } d;\qquad a_0 \sim \|u\|_H:"
                      r"\ \text{no gain with } d",
        evidence="record check corrected_form on every trial (a₀ = 0: the interval above 0; "
                 "otherwise below the meaningful gain); exactly on H = I the a₀ = 0 inflation "
                 "(d − 1)/(d(d + 2))·x² shrinks from d = 3 on"),
)

POSTER = "[C] poster, Summary of Theoretical Results"
AUDIT = (
    Audited("Robustness to Dimensions, Gradient Descent with BN: the higher the better", POSTER,
            checks=("improvement_not_excluded", "bngd_width_increases_with_d"),
            exact=("BNGD on λI in (a, ‖w‖², wᵀu)",),
            finding="holds for a₀ = 0 and fails for a₀ of order ‖u‖_H: the poster fixes no a₀, "
                    "and the claim is a statement about that regime"),
    Audited("Robustness to Dimensions, Gradient Descent: no effect", POSTER,
            checks=("gd_no_effect",)),
    Audited("the precise form fixes none of a₀, ε_a, the budget, the tolerance, the spectrum "
            "law, the scale of w₀", "docs/theorems/ols.md, item 8",
            checks=("measurement_complete", "gd_baseline_at_best_rate"),
            finding="fixed here: a₀ by regime, ε_a = 1, budget K = 10× the best-tuned GD's "
                    "count, tolerance 1e-3, λ_i i.i.d. U[0.1, 1], ‖w₀‖ = ‖u‖"),
    Audited("Those properties are also observed in neural network experiments.",
            "[C] poster, below the summary table",
            finding="not tested: this suite checks the OLS statements only"),
)

if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
