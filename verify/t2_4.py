"""Theorem 2.4 of [E]: closed-form optimum of (10) for one-hot labels when n ≤ d.

Statement (as printed). Let ``Y`` be a one-hot encoded label matrix and ``X`` a full row-rank data
matrix with ``n ≤ d``; then an optimal solution to (10) admits, for every class ``j ∈ [C]``::

    (w_j^(1)*, w_j^(2)*) = (X† y_j, (‖y_j‖₂ − β)_+ e_j),
    [γ_j^(1)*; α_j^(1)*] = 1/‖y_j‖₂ · [‖y_j − (1/n) 1 1ᵀ y_j‖₂; (1/√n) 1ᵀ y_j].

Appendix C.6: the dual (35) ``max_V −½‖V − Y‖² + ½‖Y‖²`` s.t. ``max_{‖s‖=1} ‖Vᵀ(U's)_+‖ ≤ β``,
rewritten as (36) with ``max_{‖u‖=1} ‖Vᵀ u‖ ≤ β`` (U' is square orthogonal here), the dual
optimum (37) ``v_j* = β y_j/‖y_j‖`` if ``β ≤ ‖y_j‖``, else ``y_j``, and the primal (41) with a
neuron only where ``β ≤ ‖y_j‖``.

Assumptions: Y one-hot; n ≤ d; rank X = n; β > 0.
Reference: Ergen et al., ICLR 2022, Theorem 2.4; Appendix C.6; Figure 4 / A.6 (experiment).

What this module computes, each side independently:

* ``closed_form`` — objective (10) of the printed network (numpy forward pass; NaN if a BN
  parameter is 0/0); ``closed_form_corrected`` — (41)'s case split (no neuron where
  ``‖y_j‖ ≤ β``, which also covers empty classes);
* ``c6_dual`` — the dual objective at (37), with its feasibility *evaluated*: the constraint of
  (35) ``max_{‖s‖=1} ‖Vᵀ(U's)_+‖`` computed exactly (:func:`bnproofs.certify.vector.dual_constraint`:
  enumeration of supports for n ≤ 14, else ``‖V‖₂`` as a rigorous upper bound together with a
  matching candidate); ``lower`` — the best verified dual value;
* ``cg_lower`` / ``cg_upper`` — the certified bracket of the T2.3 machinery (column generation
  with the exact constraint) where the instance is small enough;
* ``gd_best`` — the best (10) value of Adam on (9) with ``nC + 1`` neurons, 4 restarts.

Assumption probes (one assumption broken at a time, the statement is not claimed there): labels
that are soft, multi-hot or real-valued; ``n > d``; rank-deficient ``X``. The closed form is
compared with the certified bracket and the outcome recorded as a finding.

Figure 4 (trial 0): scikit-learn's bundled digits, classes 0/1/2, 16 training images per class
(n = 48 ≤ d = 64, rank 48 checked), β = 1: the closed form's objective and computation time
against Adam runs of the non-convex network (5 seeds) over wall time, and the test accuracy of
both on the held-out images of those classes (BN frozen at the training-batch statistics).
"""

from __future__ import annotations

import time

import numpy as np

from bnproofs import instances
from bnproofs.certify.vector import (
    certified_vector_optimum,
    dual_certificate,
    dual_constraint,
    dual_value,
)
from bnproofs.closed_forms import theorem_2_4_corrected, theorem_2_4_dual, theorem_2_4_printed
from bnproofs.data import whiten
from bnproofs.nets.network import forward_at, objective_l1
from bnproofs.nets.training import train
from bnproofs.results import (
    FAIL,
    INCONCLUSIVE,
    PASS,
    Finding,
    Trial,
    excess_curve,
    failed_notes,
    plot_series,
)
from bnproofs.tolerance import EXACT, IPM, TRAIN, at_least, close, relative_gap

ID = "T2.4"
PAPER = "E"
TITLE = "Closed-form optimum for one-hot labels, n ≤ d (vector outputs), and Figure 4 on digits"
KIND = "closed form optimal (equals a verified dual bound), with assumption probes"
STATEMENT = __doc__.split("Assumptions:")[0].split("\n", 2)[2].strip()
ASSUMPTIONS = ["Y one-hot", "n ≤ d", "rank X = n", "β > 0"]

#: trial 0 is Figure 4; then documented cases (in-assumption first, then one probe each)
CASES = [
    {"figure4": True},
    {"n": 6, "d": 6, "C": 3, "labels": "onehot", "beta": "tiny"},  # n = d
    {"n": 6, "d": 9, "C": 3, "labels": "onehot", "beta": "above_all"},  # every class off
    {"n": 8, "d": 12, "C": 4, "labels": "onehot_empty", "beta": "between"},  # empty + unbalanced
    {"n": 12, "d": 16, "C": 10, "labels": "onehot", "beta": "random"},  # C = 10
    {"n": 6, "d": 8, "C": 3, "labels": "soft", "beta": "between", "probe": "soft labels"},
    {"n": 6, "d": 8, "C": 3, "labels": "multihot", "beta": "between", "probe": "multi-hot labels"},
    {"n": 6, "d": 8, "C": 2, "labels": "real", "beta": "between", "probe": "real-valued labels"},
    {"n": 7, "d": 2, "C": 3, "labels": "onehot", "beta": "between", "probe": "n > d"},
    {"n": 7, "d": 9, "C": 3, "labels": "onehot", "beta": "between", "data": "rank3",
     "probe": "rank-deficient X"},
]
#: certified bracket by column generation when U' is square with n ≤ this, or r + 1 ≤ 4
CG_MAX_SQUARE_N = 12
FIG4 = {"classes": (0, 1, 2), "per_class": 16, "beta": 1.0, "width": 64, "seeds": 5,
        "steps": 1000}


def one_hot(rng, n: int, C: int, empty: int | None = None) -> np.ndarray:
    """One-hot rows; every class present except ``empty``; unbalanced (geometric weights)."""
    classes = [c for c in range(C) if c != empty]
    if n < len(classes):
        raise ValueError("need n ≥ number of non-empty classes")
    p = 0.5 ** np.arange(len(classes))
    lab = np.r_[classes, rng.choice(classes, n - len(classes), p=p / p.sum())]
    Y = np.zeros((n, C))
    Y[np.arange(n), rng.permutation(lab)] = 1.0
    return Y


def labels(rng, n, C, kind) -> np.ndarray:
    if kind == "onehot":
        return one_hot(rng, n, C)
    if kind == "onehot_empty":
        return one_hot(rng, n, C, empty=C - 1)
    if kind == "soft":
        return rng.dirichlet(np.ones(C), size=n)
    if kind == "multihot":
        Y = (rng.random((n, C)) < 0.5).astype(float)
        Y[np.arange(n), rng.integers(0, C, n)] = 1.0
        return Y
    if kind == "real":
        return rng.standard_normal((n, C))
    raise ValueError(kind)


def beta_for(rng, Y, rule) -> float:
    """β relative to the class norms ‖y_j‖ (nonzero ones)."""
    norms = np.sort(np.linalg.norm(Y, axis=0))
    norms = norms[norms > 0]
    if rule == "tiny":
        return 1e-2 * norms[0]
    if rule == "above_all":
        return 1.2 * norms[-1]
    if rule == "between":  # some classes switched off, some on
        return 0.5 * (norms[0] + norms[-1]) if norms[-1] > norms[0] else 0.5 * norms[0]
    if rule == "random":
        return float(norms[-1] * 10 ** rng.uniform(-2, 0.1))
    raise ValueError(rule)


def instance(index: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    if index < len(CASES):
        case = dict(CASES[index])
    else:
        C = int(rng.integers(2, 11))
        n = int(rng.integers(C, 13))
        case = {"n": n, "d": n + int(rng.integers(0, 6)), "C": C, "labels": "onehot",
                "beta": "random"}
    if case.get("figure4"):
        return case
    n, d, C = case["n"], case["d"], case["C"]
    data = case.get("data", "full")
    if data == "rank3":
        X = instances.rank_deficient(rng, n, d, rank=3)
    elif n <= d:
        X = instances.full_row_rank(rng, n, d, cond=10.0)
    else:
        X = instances.general_position(rng, n, d)
    Y = labels(rng, n, C, case["labels"])
    case.update(X=X, Y=Y, beta_value=beta_for(rng, Y, case["beta"]), data=data)
    return case


def _objective(net, X, Y, beta) -> float:
    with np.errstate(invalid="ignore"):
        v = objective_l1(net, X, Y, beta, check_constraint=False)
    return float(v) if np.isfinite(v) else float("nan")


def closed_form_sides(X, Y, beta, W) -> tuple[dict, object]:
    """Closed form (printed, corrected) and the C.6 dual point with its verified constraint."""
    V = theorem_2_4_dual(Y, beta)
    cm = dual_constraint(W.Uprime, V)
    cert = dual_certificate(W.Uprime, V, Y, beta)
    values = {
        "closed_form": _objective(theorem_2_4_printed(X, Y, beta), X, Y, beta),
        "closed_form_corrected": _objective(theorem_2_4_corrected(X, Y, beta), X, Y, beta),
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


def check(index: int, seed: int, device: str = "cpu"):
    inst = instance(index, seed)
    if inst.get("figure4"):
        return figure4(seed, device)
    X, Y, beta, n, C = inst["X"], inst["Y"], inst["beta_value"], inst["n"], inst["C"]
    probe = inst.get("probe")
    W = whiten(X)
    rank_x = int(np.linalg.matrix_rank(X))
    params = {k: inst[k] for k in ("n", "d", "C", "labels", "beta", "data")}
    params.update(index=index, beta_value=beta, rank_X=rank_x, probe=probe or "",
                  class_norms=np.linalg.norm(Y, axis=0).round(6).tolist())
    values, cm = closed_form_sides(X, Y, beta, W)
    c6_feasible = cm.upper <= beta * (1 + 1e-12)
    lower = values["c6_certified_lower"]
    upper = np.inf
    if _cg_allowed(W, n):
        opt = certified_vector_optimum(X, Y, beta, W)
        values.update(cg_lower=opt.lower, cg_upper=opt.upper, cg_iterations=opt.iterations)
        lower, upper = max(lower, opt.lower), opt.upper
    gd = train(X, Y, beta, [n * C + 1], restarts=4, steps=1500, seed=seed, device=device)
    upper = min(upper, gd.best_value)
    cf, cfc = values["closed_form"], values["closed_form_corrected"]
    if np.isfinite(cfc):
        upper = min(upper, cfc)
    values.update(gd_best=gd.best_value, lower=lower, upper=upper, train_s=gd.elapsed_s)
    tol = IPM
    checks = {
        "gd_above_lower": at_least(gd.best_value, lower, TRAIN),
        "bracket_closed": upper - lower <= tol.bound(lower),
    }
    optimal = bool(np.isfinite(cf) and cf <= lower + tol.bound(lower))
    corrected_optimal = bool(np.isfinite(cfc) and cfc <= lower + tol.bound(lower))
    findings = []
    if probe is None:
        checks.update({
            "printed_defined": bool(np.isfinite(cf)),
            "c6_dual_feasible": c6_feasible,
            "closed_form_optimal": optimal,
            "corrected_optimal": corrected_optimal,
            # C.6: the dual point (37) attains the value of the primal (41)
            "c6_strong_duality": bool(np.isfinite(cfc) and close(
                values["c6_certified_lower"], cfc, EXACT.scaled(np.linalg.cond(X)))),
        })
        ok = checks["gd_above_lower"] and optimal and checks["c6_strong_duality"]
        status = FAIL if not ok else PASS
        if status == PASS and not all(checks.values()):
            status = INCONCLUSIVE
        if not np.isfinite(cf):
            empty = [j for j in range(C) if not np.any(Y[:, j])]
            findings.append(Finding(
                "statement_fails",
                f"Theorem 2.4 as printed is undefined for a one-hot Y with an empty class "
                f"(classes {empty} have y_j = 0; n={n}, d={inst['d']}, C={C}): "
                f"[γ_j; α_j] = 1/‖y_j‖[…] is 0/0, so the network output is NaN."))
            if corrected_optimal:
                findings.append(Finding(
                    "corrected_form_holds",
                    f"Appendix C.6's case split (41) (no neuron where ‖y_j‖ ≤ β) is defined and "
                    f"optimal there: (10) = {cfc:.10g} = verified dual value {lower:.10g}."))
        if not checks["c6_strong_duality"]:
            findings.append(Finding(
                "statement_fails",
                f"C.6's dual point (37) does not attain the primal (41): verified dual value "
                f"{values['c6_certified_lower']:.10g} vs (41) = {cfc:.10g} (n={n}, C={C}, "
                f"β={beta:.4g})."))
        if np.isfinite(cf) and not optimal and np.isfinite(lower):
            findings.append(Finding(
                "statement_fails",
                f"Closed form (10) = {cf:.10g} above the certified optimum bracket "
                f"[{lower:.10g}, {upper:.10g}] for n={n}, d={inst['d']}, C={C}, β={beta:.4g}."))
    else:
        values.update(c6_dual_feasible=c6_feasible, closed_form_optimal=optimal,
                      closed_form_excess=(cf - lower) if np.isfinite(cf) else None)
        if not checks["gd_above_lower"]:
            status = FAIL
        elif checks["bracket_closed"]:
            status = PASS
        else:
            status = INCONCLUSIVE
        if checks["bracket_closed"] and np.isfinite(cf):
            what = (f"n={n}, d={inst['d']}, rank X={rank_x}, C={C}, β={beta:.4g}, labels "
                    f"{inst['labels']}")
            if optimal:
                findings.append(Finding(
                    "observation",
                    f"Probe '{probe}': the closed form stays optimal ((10) = {cf:.10g}, "
                    f"certified bracket [{lower:.10g}, {upper:.10g}]; {what})."))
            else:
                findings.append(Finding(
                    "assumption_needed",
                    f"Probe '{probe}': the closed form is not optimal — (10) = {cf:.10g} vs "
                    f"certified optimum in [{lower:.10g}, {upper:.10g}] (excess "
                    f"{cf - upper:.4g}, {(cf - upper) / max(1.0, abs(upper)):.2%}); C.6's dual "
                    f"point is {'feasible' if c6_feasible else 'infeasible'} "
                    f"(constraint/β = {values['c6_constraint_over_beta']:.4g}); {what}."))
    # status of non-passing checks kept visible
    notes = failed_notes(checks)
    if probe:
        notes.append(f"assumption probe: {probe} (the statement is not claimed here)")
    series = {"training": plot_series(
        "Adam on (9): best restart, relative excess over the certified lower bound",
        {"gd (10)-value − lower": excess_curve(gd.curve, lower)},
        x=[i * gd.every for i in range(len(gd.curve))], xlabel="step",
        ylabel="(value − lower) / max(1, |lower|)", log="y")}
    # headline gap: the closed form's distance to the certified optimum where the statement
    # applies; on a probe (statement not claimed) the width of the certified bracket
    if probe:
        gap = relative_gap(upper, lower)
    else:
        gap = relative_gap(cf, lower) if np.isfinite(cf) else None
    trial = Trial(seed, params, values, status, gap=gap, bracket=(lower, upper),
                  tolerance=tol.as_dict(), notes=notes, series=series, checks=checks)
    return trial, findings


def digits_split(classes=FIG4["classes"], per_class=FIG4["per_class"]):
    """The first ``per_class`` digits of each class for training, the rest of them for test."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    idx = [np.flatnonzero(y == c) for c in classes]
    tr = np.concatenate([i[:per_class] for i in idx])
    te = np.concatenate([i[per_class:] for i in idx])
    lab = {c: j for j, c in enumerate(classes)}
    onehot = np.eye(len(classes))
    return (X[tr], onehot[[lab[c] for c in y[tr]]], X[te],
            np.array([lab[c] for c in y[te]]))


def figure4(seed: int, device: str = "cpu"):
    """Figure 4 on digits: closed form against Adam over wall time, and test accuracy."""
    Xtr, Ytr, Xte, yte = digits_split()
    beta = FIG4["beta"]
    n, d = Xtr.shape
    t0 = time.perf_counter()
    net = theorem_2_4_printed(Xtr, Ytr, beta)
    t_cf = time.perf_counter() - t0
    W = whiten(Xtr)
    values, cm = closed_form_sides(Xtr, Ytr, beta, W)
    lower = values["c6_certified_lower"]
    acc_cf = float(np.mean(np.argmax(forward_at(net, Xtr, Xte), axis=1) == yte))
    runs, accs = [], []
    for s in range(FIG4["seeds"]):
        r = train(Xtr, Ytr, beta, [FIG4["width"]], restarts=1, steps=FIG4["steps"],
                  seed=seed * 100 + s, device=device)
        runs.append(r)
        accs.append(float(np.mean(np.argmax(forward_at(r.best_net, Xtr, Xte), axis=1)
                                  == yte)))
    step_s = float(np.mean([r.elapsed_s / r.steps for r in runs]))
    every = runs[0].every
    xs = [(i * every + 1) * step_s for i in range(len(runs[0].curve))]
    curves = np.array([r.curve for r in runs])
    gd_final = [r.best_value for r in runs]
    cf = values["closed_form"]
    values.update({
        "n": n, "d": d, "rank_X": int(np.linalg.matrix_rank(Xtr)), "cond_X": float(
            np.linalg.cond(Xtr)), "closed_form_s": t_cf, "gd_run_s": float(
            np.mean([r.elapsed_s for r in runs])), "gd_best": min(gd_final),
        "gd_final_mean": float(np.mean(gd_final)), "gd_final_worst": max(gd_final),
        "lower": lower, "test_accuracy_closed_form": acc_cf,
        "test_accuracy_gd_mean": float(np.mean(accs)), "test_accuracy_gd_min": min(accs),
        "test_accuracy_gd_max": max(accs), "n_test": int(len(yte)),
    })
    tol = IPM
    checks = {
        "full_row_rank": values["rank_X"] == n and n <= d,
        "printed_defined": bool(np.isfinite(cf)),
        "c6_dual_feasible": cm.upper <= beta * (1 + 1e-12),
        "closed_form_optimal": bool(np.isfinite(cf) and cf <= lower + tol.bound(lower)),
        "gd_above_lower": all(at_least(v, lower, TRAIN) for v in gd_final),
    }
    status = PASS if all(checks.values()) else (
        FAIL if not (checks["closed_form_optimal"] and checks["gd_above_lower"]) else INCONCLUSIVE)
    params = {"index": 0, "figure": 4, "data": "sklearn digits", "classes": list(FIG4["classes"]),
              "per_class": FIG4["per_class"], "beta_value": beta, "width": FIG4["width"],
              "seeds": FIG4["seeds"], "steps": FIG4["steps"], "optimizer": "Adam, cosine lr",
              "trained_objective": "(9) (last-layer decay)"}
    title = (f"Figure 4 on digits (classes 0/1/2, n={n}, d={d}, β={beta:g}); closed form "
             f"computed in {t_cf * 1e3:.1f} ms")
    excess = excess_curve(curves.min(axis=0), lower), excess_curve(curves.max(axis=0), lower)
    cf_excess = excess_curve([cf], lower)[0] if np.isfinite(cf) else None
    series = {
        "figure4": plot_series(
            f"{title}: objective (10) over wall time",
            {"Adam, best of 5 seeds": curves.min(axis=0).tolist(),
             "Adam, worst of 5 seeds": curves.max(axis=0).tolist(),
             "closed form (drawn from its computation time on)": [
                 cf if x >= t_cf else None for x in xs]},
            x=xs, xlabel="wall time (s; mean time per Adam step × step)",
            ylabel="objective (10)", log="xy", hline={"verified lower bound (C.6 dual)": lower}),
        "figure4_excess": plot_series(
            f"{title}: relative excess over the verified lower bound (floored at 1e-16)",
            {"Adam, best of 5 seeds": excess[0], "Adam, worst of 5 seeds": excess[1],
             "closed form (drawn from its computation time on)": [
                 cf_excess if x >= t_cf else None for x in xs]},
            x=xs, xlabel="wall time (s; mean time per Adam step × step)",
            ylabel="(value − lower) / max(1, |lower|)", log="xy"),
    }
    findings = [Finding(
        "observation",
        f"Figure 4 on digits (classes 0/1/2, n={n} ≤ d={d}, rank {values['rank_X']}, "
        f"cond(X) = {values['cond_X']:.3g}, β={beta:g}): the closed form reaches (10) = {cf:.8g} "
        f"(= the verified dual bound {lower:.8g}) in {t_cf * 1e3:.1f} ms; Adam ({FIG4['seeds']} "
        f"seeds, width {FIG4['width']}, {FIG4['steps']} steps, {values['gd_run_s']:.2f} s per "
        f"run) ends at {min(gd_final):.8g}–{max(gd_final):.8g} "
        f"({(min(gd_final) - lower) / abs(lower):.1e}–{(max(gd_final) - lower) / abs(lower):.1e} "
        f"relative above). Test accuracy on {len(yte)} held-out digits: closed form "
        f"{acc_cf:.1%}, Adam {min(accs):.1%}–{max(accs):.1%} (mean {np.mean(accs):.1%}).")]
    trial = Trial(seed, params, values, status, gap=relative_gap(cf, lower),
                  bracket=(lower, cf), tolerance=tol.as_dict(),
                  notes=failed_notes(checks),
                  series=series, checks=checks)
    return trial, findings


def summarise(result):
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
