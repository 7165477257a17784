"""[C] BNGD converges for arbitrary ε provided ε_a ≤ 1.

Statement (poster, summary table, row "Convergence"): GD converges "only for small ε"; GD with
BN converges for "arbitrary ε provided ε_a ≤ 1". Precise form *(derived — THEOREMS_OLS.md,
item 5)*: for every ``ε > 0``, ``ε_a ∈ (0, 1]`` and ``w₀ ≠ 0`` BNGD converges; for almost every
initial point it converges to a minimiser, i.e. the effective weight ``a w/‖w‖_H → u`` and
``J → J*``. Outside ``(0, 1]`` the theorem says nothing; this module reports what happens.

Assumptions: ``H`` symmetric positive definite; ``ε > 0``; ``0 < ε_a ≤ 1``; ``w₀ ≠ 0``; a
generic initial point (the set of starts that stay on the saddle set ``a = 0, wᵀg = 0`` has
measure zero).
Reference: Cai, Li, Shen, ICML 2019 (poster: summary of theoretical results; the paper's
convergence theorem for BNGD on OLS).

What this module computes independently: BNGD runs (``bnproofs.ols.bngd`` in the eigenbasis of
``H``, all runs of a trial in one batch) from random initial points, with ε given by the
dimensionless rate ``ε̃ = ε λ_max‖u‖²/‖w₀‖²`` (only ``ε/‖w₀‖²`` matters, C3).

*How convergence is decided.* A run has converged when its effective weight is within
``rtol = 1e-4`` of ``u`` in the ``H``-norm, ``‖a w/‖w‖_H − u‖_H ≤ 1e-4 ‖u‖_H`` — equivalently
``J − J* ≤ 5e-9 uᵀHu`` — within the budget ``⌈40 κ (1 + ε̃ + 1/ε̃)⌉`` iterations (BNGD needs
about ``1/ε̂`` steps and ``ε̂ ≈ ε̃`` for small ε, ``∝ 1/ε̃`` for large ε). The final state is then
re-evaluated with the separate closed forms ``bnproofs.ols.J`` and ``rel_error`` (``first``
tier). A run that blows up (``|a|``, ``‖w‖`` or the error beyond 1e150, or not finite) counts
against the statement; a run that is still short of the tolerance at the end of its budget makes
the trial inconclusive.

Trials alternate: every third trial (0, 3, 6, …) sweeps ε̃ over eight decades, ``10^-3.9 … 10^4.1`` (17 values),
on well-conditioned problems (``κ ≤ 3.2``, where eight decades fit the time budget); the others
sweep ``10^-1 … 10^2`` on ill-conditioned ones (``κ`` 10–50, ``d`` up to 20; trials 2, 5, 8, … on finite samples). Each trial also
runs ``ε_a ∈ {1.5, 1.9}`` and ``{2, 2.5}`` (outside the theorem, reported as observations) and
trial 0 starts one run on the saddle set.
"""

from __future__ import annotations

import numpy as np

from bnproofs import ols
from bnproofs.results import FAIL, INCONCLUSIVE, PASS, Finding, Trial, plot_series
from bnproofs.tolerance import FIRST_ORDER

ID = "C5"
PAPER = "C"
TITLE = "BNGD converges for every ε > 0 when 0 < ε_a ≤ 1 (eight decades of ε)"
KIND = "global convergence (qualitative claim; derived precise form)"
STATEMENT = __doc__.split("Assumptions:")[0].split("\n", 2)[2].strip()
ASSUMPTIONS = ["H symmetric positive definite", "ε > 0", "0 < ε_a ≤ 1", "w₀ ≠ 0",
               "generic initial point (not on the saddle set a = 0, wᵀg = 0)"]

TOL = FIRST_ORDER.rtol  # 1e-4 on ‖v − u‖_H/‖u‖_H
WIDE = 10.0 ** np.arange(-3.9, 4.11, 0.5)
NARROW = 10.0 ** np.arange(-1.0, 2.01, 0.5)
EPS_A_IN = {"wide": (1.0, 0.5, 0.1), "narrow": (1.0, 0.3)}
EPS_A_OUT = (1.5, 1.9, 2.0, 2.5)
OUT_EPS = (1e-1, 1.0, 1e1)
BUDGET_FACTOR = 40


def budget(kappa: float, eps_scaled) -> np.ndarray:
    e = np.asarray(eps_scaled, dtype=float)
    return np.ceil(BUDGET_FACTOR * kappa * (1 + e + 1 / e)).astype(int)


def instance(index: int, seed: int, wide_grid=WIDE, inits: int = 2) -> dict:
    rng = np.random.default_rng(seed)
    if index % 3 == 0:
        kind, d, kappa = "wide", int(rng.integers(2, 11)), float(10 ** rng.uniform(0.2, 0.5))
        grid, n_init = wide_grid, inits
    else:
        kind, d, kappa = "narrow", int(rng.integers(5, 21)), float(10 ** rng.uniform(1, 1.7))
        grid, n_init = NARROW, inits + 1
    source = "sample" if index % 3 == 2 else "population"
    p = ols.random_problem(rng, d, kappa, source)
    eps_a = EPS_A_IN[kind]
    n = grid.size * len(eps_a) * n_init
    a0, w0 = ols.random_inits(rng, p, n, log_scale=(-1, 1))
    E = np.repeat(grid, len(eps_a) * n_init)
    EA = np.tile(np.repeat(eps_a, n_init), grid.size)
    n_out = len(EPS_A_OUT) * len(OUT_EPS) * 2
    a_out, w_out = ols.random_inits(rng, p, n_out, log_scale=(-1, 1))
    E_out = np.repeat(OUT_EPS, len(EPS_A_OUT) * 2)
    EA_out = np.tile(np.repeat(EPS_A_OUT, 2), len(OUT_EPS))
    return {"problem": p, "kind": kind, "d": d, "grid": grid, "a0": a0, "w0": w0,
            "eps_scaled": E, "eps_a": EA, "a_out": a_out, "w_out": w_out, "eps_scaled_out": E_out,
            "eps_a_out": EA_out, "rng": rng}


def _saddle_probe(p, device):
    """Runs started on the saddle set ``a₀ = 0``, ``w₀ ⊥ g`` (excluded by 'almost every').

    ``w₀ = (g₂, −g₁, 0, …)`` makes ``w₀ᵀg = g₁g₂ − g₂g₁ = 0`` exactly in floating point, so the
    run is exactly on the set (dense ``H``, no rotation); a second run starts 1e-12·‖u‖_H away in
    ``a`` to show whether the saddle repels.
    """
    if p.d < 2:
        return None
    w = np.zeros(p.d)
    w[0], w[1] = p.g[1], -p.g[0]
    a0 = np.array([0.0, 1e-12 * np.sqrt(p.uHu)])
    r = ols.bngd_on(p, a0=a0, w0=np.stack([w, w]), eps=1.0, eps_a=1.0, steps=3000, tol=TOL,
                    eigen=False, device=device)
    err = ols.rel_error(p, ols.effective_weight(p, r.a, r.w))
    return {"moved": float(np.linalg.norm(r.w[0] - w) / np.linalg.norm(w)), "a": float(r.a[0]),
            "rel_error": float(err[0]), "perturbed_hit": int(r.hit[1]),
            "perturbed_rel_error": float(err[1])}


def run_sweep(inst, device="cpu"):
    """The in-theorem sweep and the outside runs of one instance (used by ``check``)."""
    p = inst["problem"]
    kappa = p.kappa
    eps = ols.eps_from_scaled(p, inst["w0"], inst["eps_scaled"])
    steps = budget(kappa, inst["eps_scaled"])
    # history for three runs (ε_a = 1, first init): smallest, ε̃ = 1-ish, largest ε̃
    grid, per = inst["grid"], inst["eps_scaled"].size // inst["grid"].size
    shown = [0, int(np.argmin(abs(np.log10(grid)))) * per, (grid.size - 1) * per]
    every = max(1, int(steps.max()) // 20000)
    r = ols.bngd_on(p, a0=inst["a0"], w0=inst["w0"], eps=eps, eps_a=inst["eps_a"], steps=steps,
                    tol=TOL, record_every=every, record_rows=shown, device=device)
    eps_out = ols.eps_from_scaled(p, inst["w_out"], inst["eps_scaled_out"])
    r_out = ols.bngd_on(p, a0=inst["a_out"], w0=inst["w_out"], eps=eps_out,
                        eps_a=inst["eps_a_out"], steps=budget(kappa, inst["eps_scaled_out"]),
                        tol=TOL, device=device)
    return r, r_out, shown, every, steps


def check(index: int, seed: int, device: str = "cpu"):
    inst = instance(index, seed)
    p = inst["problem"]
    r, r_out, shown, every, steps = run_sweep(inst, device)
    v = ols.effective_weight(p, r.a, r.w)
    final_err = ols.rel_error(p, v)
    final_gap = (ols.J(p, r.a, r.w) - p.J_star) / (0.5 * p.uHu)
    converged = (r.hit >= 0) & (final_err <= TOL * (1 + FIRST_ORDER.rtol)) & \
        (final_gap <= (TOL**2) * (1 + 1e-2) + FIRST_ORDER.atol)
    blew_up = r.diverged
    pending = ~converged & ~blew_up
    E, EA = inst["eps_scaled"], inst["eps_a"]
    # outside the theorem
    out = {}
    v_out = ols.effective_weight(p, r_out.a, r_out.w)
    err_out = ols.rel_error(p, v_out)
    for ea in EPS_A_OUT:
        m = inst["eps_a_out"] == ea
        grew = r_out.diverged[m] | ~(err_out[m] <= 1e3)  # blown up, or on its way
        out[str(ea)] = {"converged": int(np.sum(r_out.hit[m] >= 0)),
                        "blew_up": int(np.sum(grew)),
                        "neither": int(np.sum((r_out.hit[m] < 0) & ~grew)),
                        "runs": int(m.sum()),
                        "median_final_rel_error": float(np.median(err_out[m][np.isfinite(err_out[m])]))
                        if np.isfinite(err_out[m]).any() else None}
    saddle = _saddle_probe(p, device) if index == 0 else None
    decades = float(np.log10(E.max() / E.min()))
    checks = {"all_converged": bool(converged.all()), "none_blew_up": not bool(blew_up.any()),
              "at_least_8_decades_or_narrow": inst["kind"] == "narrow" or decades >= 8 - 1e-9}
    hits = np.where(r.hit >= 0, r.hit, np.nan).astype(float)
    per_eps = {}
    for ea in sorted(set(EA), reverse=True):
        per_eps[str(ea)] = [float(np.nanmedian(hits[(E == e) & (EA == ea)]))
                            if np.any(np.isfinite(hits[(E == e) & (EA == ea)])) else None
                            for e in inst["grid"]]
    x, ys = ols.on_grid(r.history["err"], n=300, log=True, every=every)
    series = {
        "iterations": plot_series(
            f"BNGD iterations to ‖v − u‖_H ≤ {TOL:g}‖u‖_H (median over initial points)",
            {f"ε_a = {k}": v for k, v in per_eps.items()}, x=inst["grid"].tolist(),
            xlabel="ε̃ = ε λ_max‖u‖²/‖w₀‖²", ylabel="iterations", log="xy"),
        "loss": plot_series(
            "Relative error of the effective weight (ε_a = 1; ε̃ range in the trial's parameters)",
            dict(zip(["smallest ε̃", "ε̃ ≈ 1", "largest ε̃"], ys, strict=True)), x=[max(1, k) for k in x],
            xlabel="iteration", ylabel="‖v_k − u‖_H/‖u‖_H", log="xy", hline={"tolerance": TOL}),
    }
    params = {"index": index, "kind": inst["kind"], "d": inst["d"], "kappa": p.kappa,
              "source": p.source, "eps_scaled_range": [float(E.min()), float(E.max())],
              "decades": decades, "eps_a": sorted(set(EA.tolist())), "runs": int(E.size),
              "budget_rule": f"ceil({BUDGET_FACTOR}·κ·(1 + ε̃ + 1/ε̃))", "tol": TOL}
    values = {"converged": int(converged.sum()), "blew_up": int(blew_up.sum()),
              "pending": int(pending.sum()), "max_iterations": int(np.nanmax(hits)) if np.isfinite(hits).any() else None,
              "max_final_rel_error": float(np.max(final_err)),
              "iterations_median_by_eps_a": per_eps, "outside_theorem": out,
              "saddle_start": saddle, "sweep_seconds": r.seconds, "runs_per_second": E.size / r.seconds}
    findings = []
    if blew_up.any():
        status = FAIL
        b = int(np.nonzero(blew_up)[0][0])
        findings.append(Finding("statement_fails",
                                f"BNGD blew up with ε_a = {EA[b]} ≤ 1, ε̃ = {E[b]:.3g} on d={inst['d']}, "
                                f"κ={p.kappa:.3g} ({blew_up.sum()} runs)"))
    elif pending.any():
        status = INCONCLUSIVE
        b = int(np.nonzero(pending)[0][0])
        findings.append(Finding("observation",
                                f"{pending.sum()} runs short of the tolerance at the end of their budget "
                                f"(first: ε̃ = {E[b]:.3g}, ε_a = {EA[b]}, budget {steps[b]}, error "
                                f"{final_err[b]:.3g})"))
    else:
        status = PASS
    notes = [f"{E.size} runs over ε̃ ∈ [{E.min():.3g}, {E.max():.3g}] ({decades:.1f} decades), "
             f"ε_a ∈ {sorted(set(EA.tolist()))}: {converged.sum()} converged, {blew_up.sum()} blew up, "
             f"{pending.sum()} pending; longest run {values['max_iterations']} iterations; "
             f"{values['runs_per_second']:.0f} runs/s"]
    return Trial(seed, params, values, status, gap=float(np.max(final_err)),
                 tolerance=FIRST_ORDER.as_dict(), notes=notes, series=series,
                 checks=checks), findings


def summarise(result):
    trials = [t for t in result.trials if "outside_theorem" in t.values]
    if not trials:
        return []
    tot = {}
    for t in trials:
        for ea, o in t.values["outside_theorem"].items():
            acc = tot.setdefault(ea, {"converged": 0, "blew_up": 0, "neither": 0, "runs": 0,
                                      "errors": []})
            for k in ("converged", "blew_up", "neither", "runs"):
                acc[k] += o[k]
            if o["median_final_rel_error"] is not None:
                acc["errors"].append(o["median_final_rel_error"])
    mid = [f"ε_a = {ea}: {o['converged']}/{o['runs']} converged, {o['blew_up']} blew up, "
           f"{o['neither']} neither" for ea, o in tot.items() if float(ea) < 2]
    high = [f"ε_a = {ea}: {o['converged']}/{o['runs']} converged, {o['blew_up']} blew up (error > 1e3), "
            f"{o['neither']} neither" + (f" (median final error {np.median(o['errors']):.3g})"
                                        if o["errors"] else "")
            for ea, o in tot.items() if float(ea) >= 2]
    out = [Finding("observation",
                   f"Outside the theorem, ε_a ∈ (1, 2) (same budgets, ε̃ ∈ {list(OUT_EPS)}): "
                   + "; ".join(mid) + ". The a-update alone contracts by |1 − ε_a| < 1 there."),
           Finding("observation",
                   "Outside the theorem, ε_a ≥ 2: " + "; ".join(high)
                   + ". For ε_a ≥ 2 the a-update alone does not contract (|1 − ε_a| ≥ 1).")]
    runs = sum(t.params["runs"] for t in trials)
    conv = sum(t.values["converged"] for t in trials)
    wide = [t for t in trials if t.params["kind"] == "wide"]
    if wide:
        lo = min(t.params["eps_scaled_range"][0] for t in wide)
        hi = max(t.params["eps_scaled_range"][1] for t in wide)
        out.append(Finding("observation",
                           f"In the theorem (0 < ε_a ≤ 1): {conv}/{runs} runs converged to the "
                           f"1e-4 tolerance; the eight-decade trials cover ε̃ ∈ [{lo:.3g}, {hi:.3g}]; "
                           f"longest run {max(t.values['max_iterations'] or 0 for t in trials)} iterations."))
    saddle = [t.values["saddle_start"] for t in trials if t.values.get("saddle_start")]
    if saddle:
        s = saddle[0]
        out.append(Finding("observation",
                           f"A start exactly on the saddle set (a₀ = 0, w₀ᵀg = 0 in floating point) "
                           f"never moves (relative change {s['moved']:.2g}, a = {s['a']:.2g}, error "
                           f"{s['rel_error']:.3g}): 'almost every initial point' is needed. Moved "
                           f"1e-12·‖u‖_H off it in a, the run reaches the 1e-4 tolerance at iteration "
                           f"{s['perturbed_hit']} (error {s['perturbed_rel_error']:.2g}): the saddles repel."))
    return out
