"""[C] GD on OLS: convergence only for small ε, at a linear rate (the baseline for BNGD).

Statement (poster, summary table, column "Gradient Descent"): convergence "only for small ε";
convergence rate "linear". Precise form *(derived; standard — THEOREMS_OLS.md, item 1)*: GD
``w_{k+1} = w_k + ε(g − H w_k)`` converges from every ``w₀`` iff ``0 < ε < 2/λ_max(H)``, with
linear rate ``max_i |1 − ε λ_i|``; the best rate is ``(κ − 1)/(κ + 1)`` at
``ε = 2/(λ_max + λ_min)``, ``κ = λ_max/λ_min``.

Assumptions: ``H`` symmetric positive definite; any ``g`` (``u = H⁻¹g``); any ``w₀``.
Reference: Cai, Li, Shen, ICML 2019 (poster: summary of theoretical results; the paper's
Section 3 recalls the GD facts).

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
*diverged* if its error grew by 1e6 or blew up.
"""

from __future__ import annotations

import math

import numpy as np

from bnproofs import ols
from bnproofs.results import FAIL, INCONCLUSIVE, PASS, Finding, Trial, plot_series
from bnproofs.tolerance import EXACT, RATE, close

ID = "C1"
PAPER = "C"
TITLE = "GD on OLS converges iff 0 < ε < 2/λ_max, with rate max|1 − ελ_i|"
KIND = "stability threshold and linear rate (derived standard form)"
STATEMENT = __doc__.split("Assumptions:")[0].split("\n", 2)[2].strip()
ASSUMPTIONS = ["H symmetric positive definite", "any g (u = H⁻¹g)", "any initial point w₀"]

#: (d, κ, source) run first: d = 1, moderate, ill-conditioned, a finite sample
CASES = [(1, 1.0, "population"), (2, 10.0, "population"), (6, 100.0, "population"),
         (8, 5.0, "sample"), (12, 30.0, "population")]
#: ε as fractions of 2/λ_max (the optimum and the threshold 1.0 are added)
FRACTIONS = (0.1, 0.4, 0.8, 0.95, 1.02, 1.1, 1.5)
TOL = 1e-12
MAX_STEPS = 30000
INITS = 2


def instance(index: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    if index < len(CASES):
        d, kappa, source = CASES[index]
    else:
        d, kappa, source = ols.draw_case(rng, 12, 2)
    p = ols.random_problem(rng, d, kappa, source)
    # every eigen-mode of the error w₀ − u equally present (random signs), so the tail window
    # shows the slowest mode rather than a mixture with faster ones
    lam, Q = p.eig()
    signs = rng.choice([-1.0, 1.0], size=(INITS, d))
    w0 = p.u + (signs / np.sqrt(lam)) @ Q.T * math.sqrt(p.uHu / d)
    return {"problem": p, "w0": w0, "d": d, "kappa_drawn": kappa, "source": p.source}


def _budget(rho: float) -> int:
    if rho <= 0:
        return 50
    if abs(math.log(rho)) < 1e-12:
        return 2000  # the threshold itself: watch the top mode neither grow nor decay
    return int(min(MAX_STEPS, math.ceil(abs(math.log(TOL if rho < 1 else 1e12) / math.log(rho))) + 50))


def check(index: int, seed: int, device: str = "cpu"):
    inst = instance(index, seed)
    p, W0 = inst["problem"], inst["w0"]
    lam, Q = p.eig()
    lmin, lmax = float(lam[0]), float(lam[-1])
    kappa = lmax / lmin
    eps_opt = 2.0 / (lmax + lmin)
    fr = np.array(sorted(set(FRACTIONS) | {1.0, eps_opt * lmax / 2}))
    eps = fr * 2.0 / lmax
    rho = ols.gd_rate(lam, eps)
    E = np.repeat(eps, INITS)
    runs = ols.gd_on(p, w0=np.tile(W0, (eps.size, 1)), eps=E, tol=TOL, record_every=1,
                     steps=np.repeat([_budget(r) for r in rho], INITS), device=device)
    err = runs.history["err"]
    err0 = err[:, 0]
    at_threshold = np.isclose(fr, 1.0)
    rows = []
    fits_ok, iff_ok, closed_ok, undecided = True, True, True, []
    for i, (f, e, r) in enumerate(zip(fr, eps, rho, strict=True)):
        for j in range(INITS):
            b = i * INITS + j
            tr = err[b][np.isfinite(err[b])]
            converged = bool(runs.hit[b] >= 0)
            diverged = bool(runs.diverged[b] or tr[-1] > 1e6 * err0[b])
            # closed form of the error after k steps, in the eigenbasis
            k = min(200, tr.size - 1)
            z = Q.T @ (W0[j] - p.u)
            closed = math.sqrt(np.sum(lam * ((1 - e * lam) ** k * z) ** 2) / p.uHu)
            tolk = EXACT.scaled(max(1, k) * kappa)
            c_ok = close(tr[k], closed, tolk) or (closed < 1e-12 and tr[k] < 1e-9)
            closed_ok &= bool(c_ok)
            if at_threshold[i]:
                expect = "neither"
                outcome = "neither" if not (converged or diverged) else (
                    "converged" if converged else "diverged")
            else:
                expect = "converged" if r < 1 else "diverged"
                outcome = "converged" if converged else ("diverged" if diverged else "neither")
            iff_ok &= outcome == expect
            fit = None
            if not at_threshold[i]:
                if r < 1:
                    fit = ols.fit_rate(err[b], upper=1e-3, lower=TOL)
                    rfit = fit.rate if fit else None
                else:
                    fit = ols.fit_rate(1.0 / err[b], upper=1e-3, lower=1e-140)
                    rfit = 1.0 / fit.rate if fit else None
            else:
                rfit = None
            if at_threshold[i]:
                rate_ok = True
            elif fit is None:
                # too fast for a window (ρ ≈ 0): the hit must come as early as predicted
                need = math.ceil(math.log(TOL / err0[b]) / math.log(max(r, 1e-300))) if r > 0 else 1
                rate_ok = converged and runs.hit[b] <= need + 3
                if not rate_ok:
                    undecided.append(f"no fit window for f={f:.3g}")
            else:
                rate_ok = close(math.log(rfit), math.log(r), RATE)
            fits_ok &= bool(rate_ok)
            rows.append({"f": float(f), "eps": float(e), "rho_pred": float(r),
                         "rho_fit": rfit, "window": [fit.k0, fit.k1] if fit else None,
                         "outcome": outcome, "expected": expect, "rate_ok": bool(rate_ok),
                         "closed_form_err": closed, "sim_err": float(tr[k]), "k": k})
    # the optimum: measured rates over the grid are smallest at ε_opt, and equal (κ−1)/(κ+1)
    meas = {}
    for row in rows:
        if row["rho_fit"] is not None and row["rho_pred"] < 1:
            meas.setdefault(row["f"], []).append(row["rho_fit"])
    f_opt = eps_opt * lmax / 2
    best_pred = (kappa - 1) / (kappa + 1)
    if f_opt in meas:
        m_opt = max(meas[f_opt])
        others = [max(v) for f, v in meas.items() if f != f_opt]
        best_ok = (all(m_opt <= o * (1 + RATE.rtol) for o in others)
                   and close(math.log(m_opt), math.log(best_pred), RATE))
    else:  # κ = 1: the optimum converges in one step, nothing to fit
        m_opt = None
        best_ok = bool(best_pred < 1e-12)
    checks = {"iff_threshold": bool(iff_ok), "rates_match": bool(fits_ok),
              "closed_form_trajectory": bool(closed_ok), "best_rate_at_opt": bool(best_ok)}
    params = {"index": index, "d": inst["d"], "kappa": kappa, "source": inst["source"],
              "lambda_min": lmin, "lambda_max": lmax, "fractions": fr.tolist(), "inits": INITS}
    values = {"threshold_2_over_lmax": 2 / lmax, "eps_opt": eps_opt,
              "best_rate_pred": best_pred, "best_rate_fit": m_opt, "runs": rows,
              "max_rate_gap": max((abs(math.log(r["rho_fit"]) - math.log(r["rho_pred"]))
                                   for r in rows if r["rho_fit"]), default=0.0)}
    shown = [np.argmin(abs(fr - f)) for f in (0.4, eps_opt * lmax / 2, 1.02)]
    x, ys = ols.on_grid([err[i * INITS] for i in shown])
    series = {
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
    findings = []
    if all(checks.values()):
        status = PASS
    elif undecided and checks["iff_threshold"] and checks["closed_form_trajectory"]:
        status = INCONCLUSIVE
    else:
        status = FAIL
        bad = [k for k, v in checks.items() if not v]
        findings.append(Finding(
            "statement_fails",
            f"GD facts fail on d={inst['d']}, κ={kappa:.4g} ({inst['source']}): {', '.join(bad)}."))
    gap = values["max_rate_gap"]
    notes = ["rate windows (iterations): "
             + "; ".join(f"f={r['f']:.3g}: {r['window']}" for r in rows[::INITS])] + undecided
    return Trial(seed, params, values, status, gap=gap, tolerance=RATE.as_dict(), notes=notes,
                 series=series, checks=checks), findings
