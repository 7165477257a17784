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
  window reported; for a diverging run the fit is on ``1/err``), against the predicted rate
  (``rate`` tier on ``log ρ``).

ε runs over fractions ``f`` of ``2/λ_max`` on both sides of the threshold, plus the optimal ε
and the threshold itself (where the top mode neither grows nor decays). A run *converged* if its
error reached 1e-12 within a budget of ``ln(1e-12)/ln ρ`` (+50, at most 30 000) steps, and
*diverged* if its error grew by 1e6 or blew up. A run too fast for a fit window (ρ ≈ 0) must
hit 1e-12 as early as predicted; where it does not, the rate checks cannot decide and the trial
is inconclusive unless the threshold or the closed form fails.
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
from .verdicts import failed_names, statement, status_of, support

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


def _outcome(converged: bool, diverged: bool, at_threshold: bool, r: float):
    """(what happened, what the statement predicts)."""
    if at_threshold:
        return ("neither" if not (converged or diverged) else
                "converged" if converged else "diverged"), "neither"
    return ("converged" if converged else ("diverged" if diverged else "neither"),
            "converged" if r < 1 else "diverged")


def _rate(err_b, r, at_threshold, converged, hit, err0, f):
    """The fitted rate (on ``err`` when converging, ``1/err`` when diverging), whether it
    matches ρ, and a note where no window exists and the hit came later than predicted."""
    if at_threshold:
        return None, None, True, None
    if r < 1:
        fit = ols.fit_rate(err_b, upper=1e-3, lower=TOL)
        rfit = fit.rate if fit else None
    else:
        fit = ols.fit_rate(1.0 / err_b, upper=1e-3, lower=1e-140)
        rfit = 1.0 / fit.rate if fit else None
    if fit is not None:
        return fit, rfit, close(math.log(rfit), math.log(r), RATE), None
    # too fast for a window (ρ ≈ 0): the hit must come as early as predicted
    need = math.ceil(math.log(TOL / err0) / math.log(max(r, 1e-300))) if r > 0 else 1
    ok = converged and hit <= need + 3
    return None, rfit, ok, None if ok else f"no fit window for f={f:.3g}"


def _run_row(p, lam, Q, w0, f, e, r, at_threshold, runs, b):
    """One run (one ε, one ``w₀``): outcome, rate fit and the closed-form error after k steps."""
    err = runs.history["err"]
    tr = err[b][np.isfinite(err[b])]
    converged = bool(runs.hit[b] >= 0)
    diverged = bool(runs.diverged[b] or tr[-1] > 1e6 * err[b, 0])
    k = min(200, tr.size - 1)
    z = Q.T @ (w0 - p.u)
    closed = math.sqrt(np.sum(lam * ((1 - e * lam) ** k * z) ** 2) / p.uHu)
    outcome, expect = _outcome(converged, diverged, at_threshold, r)
    fit, rfit, rate_ok, note = _rate(err[b], r, at_threshold, converged, runs.hit[b],
                                     err[b, 0], f)
    return {"f": float(f), "eps": float(e), "rho_pred": float(r),
            "rho_fit": rfit, "window": [fit.k0, fit.k1] if fit else None,
            "outcome": outcome, "expected": expect, "rate_ok": bool(rate_ok),
            "closed_form_err": closed, "sim_err": float(tr[k]), "k": k}, note


def _measured(rows) -> dict:
    """The fitted rates of the converging runs, by fraction f."""
    meas = {}
    for row in rows:
        if row["rho_fit"] is not None and row["rho_pred"] < 1:
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
    kappa, eps_opt = lmax / lmin, 2.0 / (lmax + lmin)
    f_opt = eps_opt * lmax / 2
    fr = np.array(sorted(set(FRACTIONS) | {1.0, f_opt}))
    eps = fr * 2.0 / lmax
    rho = ols.gd_rate(lam, eps)
    runs = ols.gd_on(p, w0=np.tile(W0, (eps.size, 1)), eps=np.repeat(eps, c.inits), tol=TOL,
                     record_every=1, steps=np.repeat([_budget(r) for r in rho], c.inits),
                     device=ctx.device)
    at_threshold = np.isclose(fr, 1.0)
    rows, undecided = [], []
    for i, (f, e, r) in enumerate(zip(fr, eps, rho, strict=True)):
        for j in range(c.inits):
            row, note = _run_row(p, lam, Q, W0[j], f, e, r, at_threshold[i], runs,
                                 i * c.inits + j)
            rows.append(row)
            undecided += [note] if note else []
    meas = _measured(rows)
    best_pred = (kappa - 1) / (kappa + 1)
    values = {"threshold_2_over_lmax": 2 / lmax, "eps_opt": eps_opt,
              "best_rate_pred": best_pred, "best_rate_fit": max(meas[f_opt]) if f_opt in meas
              else None, "runs": rows,
              "max_rate_gap": max((abs(math.log(r["rho_fit"]) - math.log(r["rho_pred"]))
                                   for r in rows if r["rho_fit"]), default=0.0)}
    params = {"kappa": kappa, "source": p.source, "lambda_min": lmin, "lambda_max": lmax,
              "fractions": fr.tolist(), "inits": c.inits}
    shown = [np.argmin(abs(fr - f)) for f in (0.4, f_opt, 1.02)]
    notes = ["rate windows (iterations): "
             + "; ".join(f"f={r['f']:.3g}: {r['window']}" for r in rows[::c.inits])] + undecided
    return Sides(values, params,
                 _series(fr, rho, runs.history["err"], shown, meas, best_pred, c.inits), notes,
                 data={"f_opt": f_opt, "undecided": bool(undecided)})


def _best_rate_ok(meas: dict, f_opt: float, m_opt, best_pred: float) -> bool:
    """The measured rates are smallest at ε_opt and equal (κ−1)/(κ+1) there; for κ = 1 the
    optimum converges in one step and there is nothing to fit."""
    if m_opt is None:
        return bool(best_pred < 1e-12)
    others = [max(v) for f, v in meas.items() if f != f_opt]
    return (all(m_opt <= o * (1 + RATE.rtol) for o in others)
            and close(math.log(m_opt), math.log(best_pred), RATE))


def compare(c: Case, s: Sides) -> Comparison:
    v, kappa, rows = s.values, s.params["kappa"], s.values["runs"]
    closed_ok = all(close(r["sim_err"], r["closed_form_err"],
                          EXACT.scaled(max(1, r["k"]) * kappa))
                    or (r["closed_form_err"] < 1e-12 and r["sim_err"] < 1e-9) for r in rows)
    best_ok = _best_rate_ok(_measured(rows), s.data["f_opt"], v["best_rate_fit"],
                            v["best_rate_pred"])
    # a rate check that no fit window could decide leaves the trial inconclusive
    rate_role = support if s.data["undecided"] else statement
    checks = {"iff_threshold": statement(all(r["outcome"] == r["expected"] for r in rows)),
              "rates_match": rate_role(all(r["rate_ok"] for r in rows)),
              "closed_form_trajectory": statement(closed_ok),
              "best_rate_at_opt": rate_role(best_ok)}
    findings = []
    if status_of(checks) == FAIL:
        findings.append(Finding(
            "statement_fails",
            f"GD facts fail on d={c.d}, κ={kappa:.4g} ({s.params['source']}): "
            f"{', '.join(failed_names(checks))}."))
    return Comparison(checks, gap=v["max_rate_gap"], tolerance=RATE.as_dict(),
                      findings=findings)


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
