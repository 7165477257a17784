"""[E] Theorem 2.4: closed-form optimum of (10) for one-hot labels when n ≤ d, and Figure 4.

Appendix C.6: the dual (35) ``max_V −½‖V − Y‖² + ½‖Y‖²`` s.t. ``max_{‖s‖=1} ‖Vᵀ(U's)_+‖ ≤ β``,
rewritten as (36) with ``max_{‖u‖=1} ‖Vᵀ u‖ ≤ β`` (U' is square orthogonal here), the dual
optimum (37) ``v_j* = β y_j/‖y_j‖`` if ``β ≤ ‖y_j‖``, else ``y_j``, and the primal (41) with a
neuron only where ``β ≤ ‖y_j‖``. Statements: docs/theorems/ergen.md.

What this module computes, each side independently:

* ``closed_form`` — objective (10) of the printed network (numpy forward pass; NaN if a BN
  parameter is 0/0); ``closed_form_convention`` — the same with the natural convention for an
  empty class, whose printed neuron is 0/0 but has output weight ``(0 − β)_+ = 0``: that neuron
  dropped (the statement is judged on this value, the convention recorded);
  ``closed_form_corrected`` — (41)'s case split (no neuron where ``‖y_j‖ ≤ β``, which also
  covers empty classes);
* ``c6_dual`` — the dual objective at (37), with its feasibility *evaluated*: the constraint of
  (35) ``max_{‖s‖=1} ‖Vᵀ(U's)_+‖`` computed exactly
  (:func:`bnproofs.certify.vector.dual_constraint`: enumeration of supports for n ≤ 14, else
  ``‖V‖₂`` as a rigorous upper bound together with a matching candidate); ``lower`` — the best
  verified dual value;
* ``cg_lower`` / ``cg_upper`` — the certified bracket of the T2.3 machinery (column generation
  with the exact constraint) where the instance is small enough;
* ``gd_best`` — the best (10) value of Adam on (9) with ``nC + 1`` neurons, 4 restarts,
  compared with the bracket, never part of it; the bracket's upper end is an actual network
  (column generation's, or the corrected closed form on Θ_s).

Optimality is two-sided (a value below the verified lower bound is a broken evaluation). Column
generation (:func:`~bnproofs.certify.vector.certified_vector_optimum`) solves its masters with
Clarabel only (no ``--solver``/``--device`` choice there); training uses the run's device.

Assumption probes (one assumption broken at a time, the statement is not claimed there): labels
that are soft, multi-hot or real-valued; ``n > d``; rank-deficient ``X``. The closed form is
compared with the certified bracket and the outcome recorded as a finding.

Figure 4 (trial 0): scikit-learn's bundled digits, classes 0/1/2, 16 training images per class
(n = 48 ≤ d = 64, rank 48 checked), β = 1: the closed form's objective and computation time
against Adam runs of the non-convex network (5 seeds) over wall time, and the test accuracy of
both on the held-out images of those classes (BN frozen at the training-batch statistics).
"""

from __future__ import annotations

import itertools
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from bnproofs import instances
from bnproofs.certify.audit import DUAL_SLACK
from bnproofs.certify.vector import (
    certified_vector_optimum,
    dual_certificate,
    dual_constraint,
    dual_value,
)
from bnproofs.closed_forms import theorem_2_4_corrected, theorem_2_4_dual, theorem_2_4_printed
from bnproofs.data import whiten
from bnproofs.nets.network import (
    drop_undefined_zero_neurons,
    forward_at,
    objective_l1,
    theta_s_deviation,
)
from bnproofs.nets.training import train
from bnproofs.results import Finding, excess_curve, plot_series, training_series
from bnproofs.tolerance import EXACT, IPM, TRAIN, at_least, close, relative_gap

from .claim import Claim, Comparison, Sides
from .verdicts import Audited, failed_notes, record, statement, support

CLAIM = Claim(
    id="T2.4",
    paper="E",
    title="Closed-form optimum for one-hot labels, n ≤ d (vector outputs), and Figure 4 on digits",
    kind="closed form optimal (equals a verified dual bound), with assumption probes",
    statement="Let Y be a one-hot encoded label matrix and X a full row-rank data matrix with "
              "n ≤ d; then an optimal solution to (10) admits, for every class j ∈ [C]: "
              "(w_j^(1)*, w_j^(2)*) = (X† y_j, (‖y_j‖₂ − β)_+ e_j), [γ_j^(1)*; α_j^(1)*] = "
              "1/‖y_j‖₂ · [‖y_j − (1/n) 1 1ᵀ y_j‖₂; (1/√n) 1ᵀ y_j].",
    assumptions=("Y one-hot", "n ≤ d", "rank X = n", "β > 0"),
    reference="Ergen et al., ICLR 2022, Theorem 2.4; Appendix C.6; Figure 4 / A.6 (experiment)",
    tex=r"\begin{array}{l}\left(w_j^{(1)*}, w_j^{(2)*}\right) = \left(X^\dagger y_j,\ "
        r"\left(\|y_j\|_2 - \beta\right)_+ e_j\right), \\ \begin{bmatrix}\gamma_j^{(1)*} \\ "
        r"\alpha_j^{(1)*}\end{bmatrix} = \frac{1}{\|y_j\|_2} \begin{bmatrix}\left\|y_j - "
        r"\frac{1}{n}\mathbf{1}\mathbf{1}^\top y_j\right\|_2 \\ \frac{1}{\sqrt{n}}\mathbf{1}^\top "
        r"y_j\end{bmatrix} \quad \forall j \in [C]\end{array}",
)

#: certified bracket by column generation when U' is square with n ≤ this, or r + 1 ≤ 4
CG_MAX_SQUARE_N = 12


@dataclass(frozen=True)
class Case:
    n: int
    d: int
    C: int
    labels: str  # onehot | onehot_empty | soft | multihot | real
    beta: str  # β rule relative to the class norms: tiny | above_all | between | random
    data: str = "full"  # full (full row rank, or general position when n > d) | rank3
    probe: str = ""  # the assumption this case breaks ("" where the statement is claimed)
    steps: int = field(default=1500, repr=False)  # Adam steps per restart
    restarts: int = field(default=4, repr=False)


@dataclass(frozen=True)
class Figure4:
    """Trial 0: Figure 4 on scikit-learn's digits."""

    figure: int = 4
    data: str = "sklearn digits"
    classes: tuple[int, ...] = (0, 1, 2)
    per_class: int = 16
    beta_value: float = 1.0
    width: int = 64
    seeds: int = 5
    steps: int = 1000
    optimizer: str = "Adam, cosine lr"
    trained_objective: str = "(9) (last-layer decay)"


#: trial 0 is Figure 4; then documented cases (in-assumption first, then one probe each)
CASES = [
    Figure4(),
    Case(6, 6, 3, "onehot", "tiny"),  # n = d
    Case(6, 9, 3, "onehot", "above_all"),  # every class off
    Case(8, 12, 4, "onehot_empty", "between"),  # empty + unbalanced
    Case(12, 16, 10, "onehot", "random"),  # C = 10
    Case(6, 8, 3, "soft", "between", probe="soft labels"),
    Case(6, 8, 3, "multihot", "between", probe="multi-hot labels"),
    Case(6, 8, 2, "real", "between", probe="real-valued labels"),
    Case(7, 2, 3, "onehot", "between", probe="n > d"),
    Case(7, 9, 3, "onehot", "between", data="rank3", probe="rank-deficient X"),
]


def case(index: int, rng) -> Case | Figure4:
    if index < len(CASES):
        return CASES[index]
    C = int(rng.integers(2, 11))
    n = int(rng.integers(C, 13))
    return Case(n, n + int(rng.integers(0, 6)), C, "onehot", "random")


def _data(c: Case, rng) -> tuple[np.ndarray, np.ndarray, float]:
    if c.data == "rank3":
        X = instances.rank_deficient(rng, c.n, c.d, rank=3)
    elif c.n <= c.d:
        X = instances.full_row_rank(rng, c.n, c.d, cond=10.0)
    else:
        X = instances.general_position(rng, c.n, c.d)
    Y = instances.class_labels(rng, c.n, c.C, c.labels)
    return X, Y, instances.beta_for_classes(rng, Y, c.beta)


def _objective(net, X, Y, beta) -> float:
    with np.errstate(invalid="ignore"):
        v = objective_l1(net, X, Y, beta, check_constraint=False)
    return float(v) if np.isfinite(v) else float("nan")


def printed_values(X, Y, beta) -> dict:
    """(10) at the printed network, its distance from Θ_s, and its value under the natural
    convention for a 0/0 neuron of output weight 0 (an empty class: ``(0 − β)_+ = 0``): the
    neuron dropped (``nan`` if a 0/0 neuron had a nonzero weight)."""
    net = theorem_2_4_printed(X, Y, beta)
    conv = drop_undefined_zero_neurons(net)
    return {"closed_form": _objective(net, X, Y, beta),
            "closed_form_convention": np.nan if conv is None else _objective(conv, X, Y, beta),
            "printed_theta_s_deviation": theta_s_deviation(net)}


def closed_form_sides(X, Y, beta, W) -> tuple[dict, object]:
    """Closed form (printed, corrected) and the C.6 dual point with its verified constraint."""
    V = theorem_2_4_dual(Y, beta)
    cm = dual_constraint(W.Uprime, V)
    cert = dual_certificate(W.Uprime, V, Y, beta)
    corrected = theorem_2_4_corrected(X, Y, beta)
    values = {
        **printed_values(X, Y, beta),
        "closed_form_corrected": _objective(corrected, X, Y, beta),
        "corrected_on_theta_s": theta_s_deviation(corrected) <= 1e-9,
        "c6_dual": dual_value(V, Y),
        "c6_constraint_over_beta": cm.value / beta,
        "c6_constraint_upper_over_beta": cm.upper / beta,
        "c6_constraint_exact": cm.exact,
        # (36) as printed: max over the whole unit sphere of ‖Vᵀu‖ = ‖V‖₂ (≥ the (35) value)
        "c6_spectral_over_beta": float(np.linalg.norm(V, 2)) / beta,
        "c6_constraint_method": cm.method,
        "c6_certified_lower": cert.lower_bound,
    }
    return values, cm


def _cg_allowed(W, n) -> bool:
    k = W.r + 1
    return (k == n and n <= CG_MAX_SQUARE_N) or k <= 4


def _at_lower(value: float, lower: float) -> bool:
    """A closed form's value is defined and certified optimal: within the interior-point tier
    of the verified lower bound, on both sides (a value below a verified lower bound is a
    broken evaluation, never an optimum)."""
    return bool(np.isfinite(value) and abs(value - lower) <= IPM.bound(lower))


def _bracket_side(c: Case, X, Y, beta, W, values, ctx):
    """The certified bracket: the best verified dual value (C.6, column generation where
    allowed) below; above, the better of two actual networks evaluated in (10), column
    generation's and the corrected closed form (on Θ_s). Adam is compared with the bracket,
    never part of it (a trained value below the lower bound must not close the bracket)."""
    lower, upper = values["c6_certified_lower"], np.inf
    if _cg_allowed(W, c.n):
        opt = certified_vector_optimum(X, Y, beta, W)
        values.update(cg_lower=opt.lower, cg_upper=opt.upper, cg_iterations=opt.iterations)
        lower, upper = max(lower, opt.lower), opt.upper
    gd = train(X, Y, beta, [c.n * c.C + 1], restarts=c.restarts, steps=c.steps, seed=ctx.seed,
               device=ctx.device)
    if np.isfinite(values["closed_form_corrected"]) and values["corrected_on_theta_s"]:
        upper = min(upper, values["closed_form_corrected"])
    values.update(gd_best=gd.best_value, lower=lower, upper=upper, train_s=gd.elapsed_s)
    return gd


def sides(c: Case | Figure4, rng, ctx) -> Sides:
    if isinstance(c, Figure4):
        return _figure4_sides(c, ctx)
    X, Y, beta = _data(c, rng)
    W = whiten(X)
    values, cm = closed_form_sides(X, Y, beta, W)
    gd = _bracket_side(c, X, Y, beta, W, values, ctx)
    cf, lower = values["closed_form"], values["lower"]
    c6_feasible = cm.upper <= beta * (1 + DUAL_SLACK)
    if c.probe:
        values.update(c6_dual_feasible=c6_feasible, closed_form_optimal=_at_lower(cf, lower),
                      closed_form_excess=(cf - lower) if np.isfinite(cf) else None)
    params = {"beta_value": beta, "rank_X": int(np.linalg.matrix_rank(X)),
              "class_norms": np.linalg.norm(Y, axis=0).round(6).tolist()}
    series = {"training": training_series(
        "Adam on (9): best restart, relative excess over the certified lower bound",
        {"gd (10)-value − lower": gd.curve}, lower, gd.every)}
    data = {"c6_feasible": c6_feasible, "cond_X": np.linalg.cond(X),
            "empty": [j for j in range(c.C) if not np.any(Y[:, j])]}
    return Sides(values, params, series, data=data)


def _claimed_checks(s: Sides) -> dict:
    """Where the statement is claimed: the printed network has a value (directly, or with its
    0/0 neurons of weight 0 dropped) on Θ_s and equal to the verified lower bound, C.6's dual
    point attains the corrected primal (41), training stays above the lower bound (statement);
    the rest support; whether the convention was needed is recorded."""
    v, lower = s.values, s.values["lower"]
    cf, cfc = v["closed_form"], v["closed_form_corrected"]
    value = cf if np.isfinite(cf) else v["closed_form_convention"]
    return {
        "gd_above_lower": statement(at_least(v["gd_best"], lower, TRAIN)),
        "bracket_closed": support(abs(v["upper"] - lower) <= IPM.bound(lower)),
        "printed_defined": record(np.isfinite(cf)),
        "printed_has_value": statement(np.isfinite(value)),
        "printed_on_theta_s": statement(v["printed_theta_s_deviation"] <= EXACT.bound(1.0)),
        "c6_dual_feasible": support(s.data["c6_feasible"]),
        "closed_form_optimal": statement(_at_lower(value, lower)),
        "corrected_optimal": support(_at_lower(cfc, lower)),
        # C.6: the dual point (37) attains the value of the primal (41)
        "c6_strong_duality": statement(np.isfinite(cfc) and close(
            v["c6_certified_lower"], cfc, EXACT.scaled(s.data["cond_X"]))),
    }


def _convention_finding(c: Case, s: Sides, checks: dict) -> list[Finding]:
    """An empty class: the printed 0/0 neuron has output weight (0 − β)_+ = 0; what the printed
    network is under the natural convention (that neuron dropped)."""
    v = s.values
    value, lower = v["closed_form_convention"], v["lower"]
    head = (f"Theorem 2.4 as printed gives 0/0 BN parameters for the empty class(es) "
            f"{s.data['empty']} (y_j = 0; n={c.n}, d={c.d}, C={c.C})")
    if not np.isfinite(value):
        return [Finding("statement_fails", f"{head} with a nonzero output weight: the printed "
                                           f"network has no value.")]
    optimal = "optimal" if checks["closed_form_optimal"].held else "not optimal"
    return [Finding("observation", f"{head}, but their printed output weight is (0 − β)_+ = 0: "
                                   f"with those neurons dropped (0 · undefined = 0) the printed "
                                   f"network is C.6's (41) and {optimal}: (10) = {value:.10g}, "
                                   f"verified dual value {lower:.10g}.")]


def _claimed_findings(c: Case, s: Sides, checks: dict) -> list[Finding]:
    v, beta = s.values, s.params["beta_value"]
    cf, cfc, lower = v["closed_form"], v["closed_form_corrected"], v["lower"]
    out = [] if np.isfinite(cf) else _convention_finding(c, s, checks)
    if not checks["c6_strong_duality"].held:
        out.append(Finding(
            "statement_fails",
            f"C.6's dual point (37) does not attain the primal (41): verified dual value "
            f"{v['c6_certified_lower']:.10g} vs (41) = {cfc:.10g} (n={c.n}, C={c.C}, "
            f"β={beta:.4g})."))
    bad = [k for k in ("closed_form_optimal", "printed_on_theta_s") if not checks[k].held]
    if bad and checks["printed_has_value"].held:
        value = cf if np.isfinite(cf) else v["closed_form_convention"]
        out.append(Finding(
            "statement_fails",
            f"Closed form (10) = {value:.10g} is not the certified optimum ({', '.join(bad)} "
            f"failed; bracket [{lower:.10g}, {v['upper']:.10g}]) for n={c.n}, d={c.d}, C={c.C}, "
            f"β={beta:.4g}."))
    return out


def _probe_findings(c: Case, s: Sides, checks: dict) -> list[Finding]:
    v, pr = s.values, s.params
    cf, lower, upper = v["closed_form"], v["lower"], v["upper"]
    if not (checks["bracket_closed"].held and np.isfinite(cf)):
        return []
    what = (f"n={c.n}, d={c.d}, rank X={pr['rank_X']}, C={c.C}, β={pr['beta_value']:.4g}, "
            f"labels {c.labels}")
    if v["closed_form_optimal"]:
        return [Finding(
            "observation",
            f"Probe '{c.probe}': the closed form stays optimal ((10) = {cf:.10g}, "
            f"certified bracket [{lower:.10g}, {upper:.10g}]; {what}).")]
    return [Finding(
        "assumption_needed",
        f"Probe '{c.probe}': the closed form is not optimal — (10) = {cf:.10g} vs "
        f"certified optimum in [{lower:.10g}, {upper:.10g}] (excess "
        f"{cf - upper:.4g}, {(cf - upper) / max(1.0, abs(upper)):.2%}); C.6's dual "
        f"point is {'feasible' if v['c6_dual_feasible'] else 'infeasible'} "
        f"(constraint/β = {v['c6_constraint_over_beta']:.4g}); {what}.")]


def compare(c: Case | Figure4, s: Sides) -> Comparison:
    if isinstance(c, Figure4):
        return _figure4_compare(c, s)
    v = s.values
    lower, upper = v["lower"], v["upper"]
    if c.probe:  # the statement is not claimed: only the bracket is judged
        checks = {"gd_above_lower": statement(at_least(v["gd_best"], lower, TRAIN)),
                  "bracket_closed": support(abs(upper - lower) <= IPM.bound(lower))}
        findings = _probe_findings(c, s, checks)
        notes = [*failed_notes(checks), f"assumption probe: {c.probe} (the statement is not "
                                        f"claimed here)"]
        gap = relative_gap(upper, lower)
    else:  # headline gap: the closed form's distance to the certified optimum
        checks = _claimed_checks(s)
        findings = _claimed_findings(c, s, checks)
        notes = failed_notes(checks)
        cf = v["closed_form"]
        gap = relative_gap(cf, lower) if np.isfinite(cf) else None
    return Comparison(checks, gap=gap, bracket=(lower, upper), tolerance=IPM.as_dict(),
                      notes=notes, findings=findings)


def _figure4_training(f: Figure4, Xtr, Ytr, Xte, yte, ctx) -> tuple[list, list[float]]:
    """Adam on (9), one run per seed, and each run's test accuracy."""
    runs, accs = [], []
    for s in range(f.seeds):
        r = train(Xtr, Ytr, f.beta_value, [f.width], restarts=1, steps=f.steps,
                  seed=ctx.seed * 100 + s, device=ctx.device)
        runs.append(r)
        accs.append(float(np.mean(np.argmax(forward_at(r.best_net, Xtr, Xte), axis=1) == yte)))
    return runs, accs


def _figure4_series(f: Figure4, runs, cf: float, lower: float, t_cf: float, n, d) -> dict:
    """The objective over wall time (the time axis: mean time per Adam step × step)."""
    step_s = float(np.mean([r.elapsed_s / r.steps for r in runs]))
    xs = [(i * runs[0].every + 1) * step_s for i in range(len(runs[0].curve))]
    curves = np.array([r.curve for r in runs])
    title = (f"Figure 4 on digits (classes 0/1/2, n={n}, d={d}, β={f.beta_value:g}); closed form "
             f"computed in {t_cf * 1e3:.1f} ms")
    excess = excess_curve(curves.min(axis=0), lower), excess_curve(curves.max(axis=0), lower)
    cf_excess = excess_curve([cf], lower)[0] if np.isfinite(cf) else None
    late = "closed form (drawn from its computation time on)"
    return {
        "figure4": plot_series(
            f"{title}: objective (10) over wall time",
            {"Adam, best of 5 seeds": curves.min(axis=0).tolist(),
             "Adam, worst of 5 seeds": curves.max(axis=0).tolist(),
             late: [cf if x >= t_cf else None for x in xs]},
            x=xs, xlabel="wall time (s; mean time per Adam step × step)",
            ylabel="objective (10)", log="xy", hline={"verified lower bound (C.6 dual)": lower}),
        "figure4_excess": plot_series(
            f"{title}: relative excess over the verified lower bound (floored at 1e-16)",
            {"Adam, best of 5 seeds": excess[0], "Adam, worst of 5 seeds": excess[1],
             late: [cf_excess if x >= t_cf else None for x in xs]},
            x=xs, xlabel="wall time (s; mean time per Adam step × step)",
            ylabel="(value − lower) / max(1, |lower|)", log="xy"),
    }


def _figure4_sides(f: Figure4, ctx) -> Sides:
    """Figure 4 on digits: the closed form (timed) and its C.6 dual bound, Adam runs, and the
    test accuracy of both."""
    Xtr, Ytr, Xte, yte = instances.digits_split(f.classes, f.per_class)
    n, d = Xtr.shape
    t0 = time.perf_counter()
    net = theorem_2_4_printed(Xtr, Ytr, f.beta_value)
    t_cf = time.perf_counter() - t0
    values, cm = closed_form_sides(Xtr, Ytr, f.beta_value, whiten(Xtr))
    lower = values["c6_certified_lower"]
    acc_cf = float(np.mean(np.argmax(forward_at(net, Xtr, Xte), axis=1) == yte))
    runs, accs = _figure4_training(f, Xtr, Ytr, Xte, yte, ctx)
    gd_final = [r.best_value for r in runs]
    values.update({
        "n": n, "d": d, "rank_X": int(np.linalg.matrix_rank(Xtr)), "cond_X": float(
            np.linalg.cond(Xtr)), "closed_form_s": t_cf, "gd_run_s": float(
            np.mean([r.elapsed_s for r in runs])), "gd_best": min(gd_final),
        "gd_final_mean": float(np.mean(gd_final)), "gd_final_worst": max(gd_final),
        "lower": lower, "test_accuracy_closed_form": acc_cf,
        "test_accuracy_gd_mean": float(np.mean(accs)), "test_accuracy_gd_min": min(accs),
        "test_accuracy_gd_max": max(accs), "n_test": int(len(yte)),
    })
    series = _figure4_series(f, runs, values["closed_form"], lower, t_cf, n, d)
    return Sides(values, {}, series, data={"c6_upper": cm.upper, "gd_final": gd_final,
                                           "accs": accs})


def _figure4_compare(f: Figure4, s: Sides) -> Comparison:
    v, gd_final, accs = s.values, s.data["gd_final"], s.data["accs"]
    cf, lower, beta, n, d = v["closed_form"], v["lower"], f.beta_value, v["n"], v["d"]
    checks = {
        "full_row_rank": support(v["rank_X"] == n and n <= d),
        "printed_defined": support(np.isfinite(cf)),
        "printed_on_theta_s": statement(v["printed_theta_s_deviation"] <= EXACT.bound(1.0)),
        "c6_dual_feasible": support(s.data["c6_upper"] <= beta * (1 + DUAL_SLACK)),
        "closed_form_optimal": statement(_at_lower(cf, lower)),
        "gd_above_lower": statement(all(at_least(x, lower, TRAIN) for x in gd_final)),
    }
    rel = [(x - lower) / abs(lower) for x in (min(gd_final), max(gd_final))]
    finding = Finding(
        "observation",
        f"Figure 4 on digits (classes 0/1/2, n={n} ≤ d={d}, rank {v['rank_X']}, "
        f"cond(X) = {v['cond_X']:.3g}, β={beta:g}): the closed form reaches (10) = {cf:.8g} "
        f"({'=' if checks['closed_form_optimal'].held else '≠'} the verified dual bound "
        f"{lower:.8g}); Adam ({f.seeds} seeds, width {f.width}, {f.steps} steps) ends at "
        f"{min(gd_final):.8g}–{max(gd_final):.8g} ({rel[0]:.1e}–{rel[1]:.1e} relative above). "
        f"Test accuracy on {v['n_test']} held-out digits: closed form "
        f"{v['test_accuracy_closed_form']:.1%}, Adam {min(accs):.1%}–{max(accs):.1%} "
        f"(mean {np.mean(accs):.1%}). Wall times are in the trial's values.")
    return Comparison(checks, gap=relative_gap(cf, lower), bracket=(lower, cf),
                      tolerance=IPM.as_dict(), notes=failed_notes(checks), findings=[finding])


def summarise(result) -> list[Finding]:
    ts = [t for t in result.trials if "c6_spectral_over_beta" in t.values]
    if not ts:
        return []
    diff = [t.values["c6_spectral_over_beta"] - t.values["c6_constraint_over_beta"] for t in ts]
    inside = [d for t, d in zip(ts, diff, strict=True) if not t.params.get("probe")]
    return [Finding(
        "observation",
        f"C.6 rewrites the constraint of (35), max_{{‖s‖=1}} ‖Vᵀ(U's)_+‖ ≤ β, as (36), "
        f"max_{{‖u‖=1}} ‖Vᵀu‖ = ‖V‖₂ ≤ β. That is a restriction, not an equivalence "
        f"(‖Vᵀu_+‖ ≤ ‖V‖₂ ‖u_+‖); at the one-hot dual point (37) the two agree (largest "
        f"difference / β on in-assumption trials: {max(inside, default=0.0):.1e}), so the proof's "
        f"conclusion stands; on the probes they differ by up to {max(diff):.3g} β.")]


# ------------------------------------------------------------------ audit

_CASES = [", ".join(f"β {op} ‖y_{j}‖" for j, op in enumerate(ops, 1))
          for ops in itertools.product(("≤", ">"), repeat=3)]

AUDIT = (
    Audited("Theorem 2.4: (w_j^(1)*, w_j^(2)*) = (X†y_j, (‖y_j‖₂ − β)_+ e_j), [γ_j; α_j] = "
            "1/‖y_j‖₂ [‖y_j − (1/n)11ᵀy_j‖₂; (1/√n)1ᵀy_j] is optimal for (10) (Y one-hot, "
            "n ≤ d, X full row rank)", "main text, Theorem 2.4",
            checks=("printed_has_value", "printed_on_theta_s", "closed_form_optimal"),
            exact=tuple(f"T2.4 printed = dual (37), {c}" for c in _CASES),
            finding="holds; for an empty class (y_j = 0) the printed [γ_j; α_j] is 0/0 but its "
                    "output weight (0 − β)_+ = 0, so the network is C.6's (41) once that neuron "
                    "is dropped (the natural convention, recorded as printed_defined)"),
    Audited("(35) can be rewritten as (36): max_{‖u‖₂=1} ‖Vᵀu‖₂ ≤ β (Y one-hot)",
            "Appendix C.6", checks=("c6_dual_feasible",),
            finding="a restriction, not an equivalence (‖Vᵀu_+‖ ≤ ‖V‖₂‖u_+‖); at (37) the two "
                    "constraints agree, so the proof's conclusion stands (see the run's "
                    "observation)"),
    Audited("(37): v_j* = β y_j/‖y_j‖₂ if β ≤ ‖y_j‖₂, y_j otherwise", "Appendix C.6",
            checks=("c6_dual_feasible", "c6_strong_duality"),
            exact=tuple(f"C.6 V* feasible, {c}" for c in _CASES)),
    Audited("(41): (w_j^(1)*, w_j^(2)*) = (X†y_j, (‖y_j‖₂ − β)e_j) if β ≤ ‖y_j‖₂, none "
            "otherwise; (42) = (39): strong duality p_2v* = d_2v*", "Appendix C.6",
            checks=("corrected_optimal", "c6_strong_duality", "bracket_closed"),
            exact=tuple(f"C.6 value (42), {c}" for c in _CASES)),
    Audited("Figure 4: the closed form is computationally light-weight and quickly finds a "
            "global optimum that GD does not reach even after convergence",
            "Section 6, Figure 4", checks=("closed_form_optimal", "gd_above_lower"),
            finding="reproduced on digits (trial 0): the closed form equals the verified dual "
                    "bound while Adam ends above it (the run's Figure 4 observation; wall times "
                    "in the trial's values)"),
    Audited("assumptions: Y one-hot, n ≤ d, X full row rank", "main text, Theorem 2.4",
            finding="needed: the probes (soft, multi-hot, real-valued labels; n > d; "
                    "rank-deficient X) find the closed form suboptimal against a certified "
                    "bracket"),
)

if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
