"""[C] GD on OLS: convergence only for small ε, at a linear rate (the baseline for BNGD).

The precise form tested is derived and standard (docs/theorems/ols.md, item 1); the paper's
Section 3 recalls the GD facts.

What this module computes independently:

* the GD iterates, run on the dense ``H`` (``bnproofs.ols.gd``, batched over ε and ``w₀``), and
  from them the relative error ``‖w_k − u‖_H/‖u‖_H``;
* two initial points whose errors ``w₀ − u`` have equal ``H``-weight in every eigen-mode (random
  signs): "from every ``w₀``" includes them, and the tail then shows the slowest mode, not a
  mixture of nearly equal rates that no finite window separates;
* the eigenvalues of ``H`` (``numpy.linalg.eigh``) and from them the predicted rate
  ``max_i|1 − ελ_i|``, the threshold ``2/λ_max`` and the optimal ε;
* the error after a fixed number of steps in closed form, ``‖(I − εH)^k (w₀ − u)‖_H`` in the
  eigenbasis, against the simulated one (``exact`` tier, scaled by the step count);
* the rate *fitted* on a tail window of the simulated error (least squares on ``log err``;
  window reported; for a growing run the fit is on ``1/err``), against the predicted rate
  (``rate`` tier on ``log ρ``; a rate of 0 has exponent −∞ and matches only 0);
* the rate envelope at every step: from an equal-mode start ``err_k/err₀ = √((1/d) Σ_i
  (1 − ελ_i)^{2k})`` lies in ``[ρ^k/√d, ρ^k]`` exactly when ``ρ = max_i|1 − ελ_i|`` — a rate
  check without a window or a logarithm.

ε runs over fractions ``f`` of ``2/λ_max`` on both sides of the threshold, plus the optimal ε
and the threshold itself (where the top mode neither grows nor decays); the expected outcome of
each run comes from the printed threshold ``2/λ_max``. A run *converged* if its error reached
1e-12 within a budget of ``ln(1e-12)/ln ρ`` (+50, at most 30 000) steps, and *diverged* if its
error grew by 1e6 or blew up. A run too fast for a fit window (ρ ≈ 0) decides its rate when it
hits 1e-12 as early as predicted; otherwise that run alone is undecided (``rate_windows_found``,
support), and a mismatch in any other run still fails the trial.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

from bnproofs import ols
from bnproofs.results import FAIL, Finding, plot_series
from bnproofs.tolerance import EXACT, RATE, close

from .claim import Claim, Comparison, Sides
from .verdicts import Audited, failed_names, statement, status_of, support

CLAIM = Claim(
    id="C1",
    paper="C",
    title="GD on OLS converges iff 0 < ε < 2/λ_max, with rate max|1 − ελ_i|",
    kind="stability threshold and linear rate (derived standard form)",
    statement="Poster, summary table, column “Gradient Descent”: convergence “only for small ε”; "
              "convergence rate “linear”. Precise form (derived; standard — "
              "docs/theorems/ols.md, item 1): GD w_{k+1} = w_k + ε(g − H w_k) converges from "
              "every w₀ iff 0 < ε < 2/λ_max(H), with linear rate max_i |1 − ε λ_i|; the best "
              "rate is (κ − 1)/(κ + 1) at ε = 2/(λ_max + λ_min), κ = λ_max/λ_min.",
    assumptions=("H symmetric positive definite", "any g (u = H⁻¹g)", "any initial point w₀"),
    reference="Cai, Li, Shen, ICML 2019 (poster: summary of theoretical results; the paper's "
              "Section 3 recalls the GD facts)",
    tex=r"\begin{array}{l}w_{k+1} = w_k + \varepsilon (g - H w_k) \text{ converges from every } "
        r"w_0 \iff 0 < \varepsilon < \frac{2}{\lambda_{\max}(H)},\ \text{rate } \max_i "
        r"|1 - \varepsilon \lambda_i|;\\ \text{best rate } \frac{\kappa - 1}{\kappa + 1} "
        r"\text{ at } \varepsilon = \frac{2}{\lambda_{\max} + \lambda_{\min}},\quad "
        r"\kappa = \frac{\lambda_{\max}}{\lambda_{\min}}\end{array}",
)

#: ε as fractions of 2/λ_max (the optimum and the threshold 1.0 are added)
FRACTIONS = (0.1, 0.4, 0.8, 0.95, 1.02, 1.1, 1.5)
TOL = 1e-12
MAX_STEPS = 30000


@dataclass(frozen=True)
class Case:
    d: int
    kappa: float  # condition number drawn for H (a finite sample's H has its own)
    source: str  # "population" or "sample"
    inits: int = 2  # initial points per ε


#: run first: d = 1, moderate, ill-conditioned, a finite sample
CASES = [Case(1, 1.0, "population"), Case(2, 10.0, "population"), Case(6, 100.0, "population"),
         Case(8, 5.0, "sample"), Case(12, 30.0, "population")]


def case(index: int, rng) -> Case:
    if index < len(CASES):
        return CASES[index]
    return Case(*ols.draw_case(rng, 12, 2))


def equal_mode_inits(rng, p, n: int) -> np.ndarray:
    """``n`` points ``w₀`` whose errors ``w₀ − u`` have equal ``H``-weight in every eigen-mode
    (random signs), so a tail window shows the slowest mode rather than a mixture."""
    lam, Q = p.eig()
    signs = rng.choice([-1.0, 1.0], size=(n, p.d))
    return p.u + (signs / np.sqrt(lam)) @ Q.T * math.sqrt(p.uHu / p.d)


def _budget(rho: float) -> int:
    if rho <= 0:
        return 50
    if abs(math.log(rho)) < 1e-12:
        return 2000  # the threshold itself: watch the top mode neither grow nor decay
    return int(min(MAX_STEPS,
                   math.ceil(abs(math.log(TOL if rho < 1 else 1e12) / math.log(rho))) + 50))


def _outcome(converged: bool, diverged: bool, e: float, threshold: float):
    """(what happened, what the printed threshold predicts: converged for ε < 2/λ_max,
    diverged above it, neither at it)."""
    seen = "converged" if converged else ("diverged" if diverged else "neither")
    if abs(e - threshold) <= 1e-9 * threshold:
        return seen, "neither"
    return seen, "converged" if e < threshold else "diverged"


def _fit(err_b, decaying: bool):
    """The rate measured on a tail window: on ``err`` when the run decays, on ``1/err`` when it
    grows (which one the data say, not the prediction)."""
    if decaying:
        fit = ols.fit_rate(err_b, upper=1e-3, lower=TOL)
        return fit, fit.rate if fit else None
    fit = ols.fit_rate(1.0 / err_b, upper=1e-3, lower=1e-140)
    return fit, 1.0 / fit.rate if fit else None


def _rate(err_b, r, at_threshold, decaying, hit, err0):
    """``(fit, measured rate, matches ρ, decided)``. A run without a fit window decides only
    when it is too fast for one (ρ ≈ 0) and hits 1e-12 as early as ρ says; otherwise it is
    undecided on its own."""
    if at_threshold:
        return None, None, True, True
    fit, rfit = _fit(err_b, decaying)
    if fit is not None:
        return fit, rfit, ols.same_rate(rfit, r, RATE.rtol, RATE.atol), True
    if hit >= 0 and 0 <= r < 1:
        need = 1 if r == 0 else math.ceil(math.log(TOL / err0) / math.log(r))
        if hit <= need + 3:
            return None, None, True, True
    return None, rfit, False, False


def closed_form_error(lam, z, eps: float, k: int, uHu: float) -> float:
    """``‖(I − εH)^k (w₀ − u)‖_H/‖u‖_H`` in the eigenbasis (``z = Qᵀ(w₀ − u)``): GD's error
    recursion ``w_{k+1} − u = (I − εH)(w_k − u)`` applied k times."""
    return math.sqrt(np.sum(lam * ((1 - eps * lam) ** k * z) ** 2) / uHu)


def rate_envelope(err_b, rho: float, d: int, kappa: float) -> float:
    """The worst excess of the simulated error outside ``[ρ^k/√d, ρ^k]·err₀``, in units of the
    ``exact`` tier scaled by ``k κ`` (≤ 1: inside). With equal H-weight in every mode (the
    initial points here) ``err_k²/err₀² = (1/d) Σ_i (1 − ελ_i)^{2k}``, which lies in that
    interval for every k exactly when ρ = max_i |1 − ελ_i|: a rate check at every step, with or
    without a fit window, that a rate of 0 passes or fails without a logarithm."""
    k = np.arange(err_b.size, dtype=float)
    ok = np.isfinite(err_b)
    k, ratio = k[ok], err_b[ok] / err_b[0]
    scale = np.maximum(1.0, k * kappa)
    with np.errstate(over="ignore", invalid="ignore"):
        top = np.power(float(rho), k)
        allow = scale * (EXACT.atol + EXACT.rtol * top)
        excess = np.maximum(ratio - top, top / math.sqrt(d) - ratio) / allow
    return float(np.nanmax(np.where(np.isnan(excess), np.inf, excess)))


def _run_row(p, lam, Q, w0, f, e, r, threshold, kappa, runs, b):
    """One run (one ε, one ``w₀``): outcome, rate fit, the rate envelope and the closed-form
    error after k steps."""
    err = runs.history["err"]
    tr = err[b][np.isfinite(err[b])]
    converged = bool(runs.hit[b] >= 0)
    diverged = bool(runs.diverged[b] or tr[-1] > 1e6 * err[b, 0])
    k = min(200, tr.size - 1)
    closed = closed_form_error(lam, Q.T @ (w0 - p.u), e, k, p.uHu)
    outcome, expect = _outcome(converged, diverged, e, threshold)
    at_threshold = expect == "neither"
    fit, rfit, rate_ok, decided = _rate(err[b], r, at_threshold, converged or tr[-1] < err[b, 0],
                                        runs.hit[b], err[b, 0])
    return {"f": float(f), "eps": float(e), "rho_pred": float(r),
            "rho_fit": rfit, "window": [fit.k0, fit.k1] if fit else None,
            "outcome": outcome, "expected": expect, "rate_ok": bool(rate_ok),
            "rate_decided": bool(decided), "closed_form_err": closed, "sim_err": float(tr[k]),
            "k": k, "envelope_excess": rate_envelope(err[b], r, p.d, kappa)}


def _measured(rows) -> dict:
    """The fitted rates of the converging runs, by fraction f."""
    meas = {}
    for row in rows:
        if row["rho_fit"] is not None and row["outcome"] == "converged":
            meas.setdefault(row["f"], []).append(row["rho_fit"])
    return meas


def _series(fr, rho, err, shown, meas, best_pred, inits) -> dict:
    x, ys = ols.on_grid([err[i * inits] for i in shown])
    return {
        "loss": plot_series(
            "GD: relative error ‖w_k − u‖_H/‖u‖_H (first initial point)",
            dict(zip(["ε = 0.4·2/λ_max", "ε = 2/(λ_max+λ_min)", "ε = 1.02·2/λ_max"], ys,
                     strict=True)),
            x=x, xlabel="iteration", ylabel="relative error", log="y"),
        "rate_fit": plot_series(
            "GD rate: fitted on the tail window against max|1 − ελ_i|",
            {"fitted": [max(meas.get(f, [np.nan])) for f in fr], "predicted": rho.tolist()},
            x=fr.tolist(), xlabel="ε λ_max / 2", ylabel="rate per step",
            hline={"1 (threshold)": 1.0, "(κ−1)/(κ+1)": best_pred}),
    }


def sides(c: Case, rng, ctx) -> Sides:
    p = ols.random_problem(rng, c.d, c.kappa, c.source)
    W0 = equal_mode_inits(rng, p, c.inits)
    lam, Q = p.eig()
    lmin, lmax = float(lam[0]), float(lam[-1])
    kappa, eps_opt = lmax / lmin, ols.gd_optimal_step(lam)
    f_opt = eps_opt * lmax / 2
    fr = np.array(sorted(set(FRACTIONS) | {1.0, f_opt}))
    eps = fr * 2.0 / lmax
    rho = ols.gd_rate(lam, eps)
    runs = ols.gd_on(p, w0=np.tile(W0, (eps.size, 1)), eps=np.repeat(eps, c.inits), tol=TOL,
                     record_every=1, steps=np.repeat([_budget(r) for r in rho], c.inits),
                     device=ctx.device)
    threshold = ols.gd_threshold(lam)
    rows = [_run_row(p, lam, Q, W0[j], f, e, r, threshold, kappa, runs, i * c.inits + j)
            for i, (f, e, r) in enumerate(zip(fr, eps, rho, strict=True))
            for j in range(c.inits)]
    undecided = [f"no fit window for f={r['f']:.3g}" for r in rows if not r["rate_decided"]]
    meas = _measured(rows)
    best_pred = ols.gd_best_rate(kappa)
    values = {"threshold_2_over_lmax": threshold, "eps_opt": eps_opt,
              "best_rate_pred": best_pred, "best_rate_fit": max(meas[f_opt]) if f_opt in meas
              else None, "runs": rows,
              "max_rate_gap": max((abs(ols.rate_exponent(r["rho_fit"])
                                       - ols.rate_exponent(r["rho_pred"]))
                                   for r in rows if r["rho_fit"]), default=0.0)}
    params = {"kappa": kappa, "source": p.source, "lambda_min": lmin, "lambda_max": lmax,
              "fractions": fr.tolist(), "inits": c.inits}
    shown = [np.argmin(abs(fr - f)) for f in (0.4, f_opt, 1.02)]
    notes = ["rate windows (iterations): "
             + "; ".join(f"f={r['f']:.3g}: {r['window']}" for r in rows[::c.inits])] + undecided
    return Sides(values, params,
                 _series(fr, rho, runs.history["err"], shown, meas, best_pred, c.inits), notes,
                 data={"f_opt": f_opt})


def _best_rate(meas: dict, f_opt: float, m_opt, best_pred: float) -> tuple[bool, bool]:
    """``(holds, decided)``: the measured rates are smallest at ε_opt and equal (κ−1)/(κ+1)
    there. Where κ = 1 the optimum is exact after one step: nothing to fit, and the run's own
    rate check (a hit within the steps ρ = 0 allows) decides; where the optimum had no fit
    window otherwise, undecided."""
    if m_opt is None:
        return bool(best_pred < 1e-12), bool(best_pred < 1e-12)
    others = [max(v) for f, v in meas.items() if f != f_opt]
    return (all(m_opt <= o * (1 + RATE.rtol) for o in others)
            and ols.same_rate(m_opt, best_pred, RATE.rtol, RATE.atol)), True


def _closed_ok(r: dict, kappa: float) -> bool:
    return (close(r["sim_err"], r["closed_form_err"], EXACT.scaled(max(1, r["k"]) * kappa))
            or (r["closed_form_err"] < 1e-12 and r["sim_err"] < 1e-9))


def compare(c: Case, s: Sides) -> Comparison:
    """Roles per run: a rate that a run's fit window decided is a statement; a run without a
    window is undecided on its own (``rate_windows_found``, support) and hides no mismatch
    elsewhere. The envelope decides every run at every step."""
    v, kappa, rows = s.values, s.params["kappa"], s.values["runs"]
    best_ok, best_decided = _best_rate(_measured(rows), s.data["f_opt"], v["best_rate_fit"],
                                       v["best_rate_pred"])
    checks = {"iff_threshold": statement(all(r["outcome"] == r["expected"] for r in rows)),
              "rates_match": statement(all(r["rate_ok"] for r in rows if r["rate_decided"])),
              "rate_windows_found": support(all(r["rate_decided"] for r in rows)),
              "error_within_rate_envelope": statement(all(r["envelope_excess"] <= 1.0
                                                          for r in rows)),
              "closed_form_trajectory": statement(all(_closed_ok(r, kappa) for r in rows)),
              "best_rate_at_opt": (statement if best_decided else support)(best_ok)}
    findings = []
    if status_of(checks) == FAIL:
        findings.append(Finding(
            "statement_fails",
            f"GD facts fail on d={c.d}, κ={kappa:.4g} ({s.params['source']}): "
            f"{', '.join(failed_names(checks))}."))
    return Comparison(checks, gap=v["max_rate_gap"], tolerance=RATE.as_dict(),
                      findings=findings)


POSTER = "[C] poster"
AUDIT = (
    Audited("Gradient descent dynamics: w_{k+1} = w_k − ε∇_w J₀(w_k) = w_k + ε(g − Hw_k), where "
            "H := E[xxᵀ], g := E[xy], c := E[y²]", f"{POSTER}, OLS regression without BN",
            checks=("closed_form_trajectory",), exact=("GD error recursion",)),
    Audited("min_w J₀(w) := E_{x,y}[½(y − xᵀw)²]", f"{POSTER}, OLS regression without BN",
            finding="J₀ = ½c − wᵀg + ½wᵀHw from the moments; GD uses only its gradient Hw − g "
                    "= H(w − u), which the error recursion and the simulated trajectories test"),
    Audited("Convergence, Gradient Descent: only for small ε",
            f"{POSTER}, Summary of Theoretical Results",
            checks=("iff_threshold",),
            finding="tested in its precise form: converges from every w₀ iff 0 < ε < 2/λ_max "
                    "(derived; docs/theorems/ols.md, item 1), both sides of the threshold and "
                    "at it"),
    Audited("Convergence Rate, Gradient Descent: linear",
            f"{POSTER}, Summary of Theoretical Results",
            checks=("rates_match", "error_within_rate_envelope", "rate_windows_found"),
            exact=("GD: error of an equal-mode start",)),
    Audited("best rate (κ − 1)/(κ + 1) at ε = 2/(λ_max + λ_min), κ = λ_max/λ_min",
            "docs/theorems/ols.md, item 1 (derived; standard)", checks=("best_rate_at_opt",),
            exact=("GD: λ_min contracts by (κ−1)/(κ+1) at ε_opt",
                   "GD: λ_max contracts by (κ−1)/(κ+1) at ε_opt")),
)


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
