"""[E] Theorem 4.2: the closed-form last two layers of a deep BN network, one-hot vector output.

What this module computes, each side independently:

* ``closed_form`` — objective (10)/(4) (``loss + β Σ_j ‖w_j^(L)‖₂`` on Θ_s) of the deep network
  topped by the printed last two layers; ``closed_form_in_22`` — the same parameters in (22)
  (the limit of (3)), without Lemma 1.1's rebalancing;
* ``lower`` — the dual point of C.6/F.2 (``v_j = β y_j/‖y_j‖`` or ``y_j``) made feasible for the
  sphere constraint ``max_{‖u‖=1} ‖Vᵀu_+‖₂ ≤ β``, computed exactly by enumerating supports
  (``bnproofs.certify.certificates.relu_sphere_norm``); valid over all layers;
  ``constraint_sampled`` (random BN outputs, must never exceed it) and ``constraint_attained``
  (at ``w = A† u*``);
* ``gd_last_two`` (Adam on the last two layers, fixed ``A^(L−2)``) and ``gd_full`` (whole
  network), evaluated in (10);
* ``infimum_path`` — (3) of the balanced closed form as BN-feeding parameters shrink by ``c``.

``range(A^(L−2)) = R^n`` is checked numerically as in T4.1. The printed form *holds* on a trial
if its (10)-value is within the interior-point tolerance of the verified lower bound; it *fails*
if certifiably worse than a network the suite found (:func:`verify.verdicts.printed_form`). What
the bound rests on decides as support: C.6's dual point feasible, the exact sphere constraint
never exceeded by samples and attained when the range is ``R^n``, training never below the
bound, and the infimum path reaching the closed form's (10)-value. Statements:
docs/theorems/ergen.md.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass

import numpy as np

from bnproofs import instances
from bnproofs.certify.certificates import relu_sphere_norm, sphere_dual_certificate
from bnproofs.closed_forms import theorem_2_4_dual, theorem_2_4_printed
from bnproofs.nets.deep import (
    attained_constraint,
    infimum_path,
    infimum_series,
    prefix_output,
    random_prefix,
    range_check,
    range_note,
    sampled_constraint_prefixes,
    stack,
)
from bnproofs.nets.network import balancing_factors, objective_effective, objective_l1, rescale_last
from bnproofs.nets.training import train
from bnproofs.results import FAIL, Finding, training_series
from bnproofs.tolerance import EXACT, IPM, TRAIN, at_least, relative_gap

from .claim import Claim, Comparison, Sides
from .verdicts import Audited, failed_notes, printed_form, printed_reason, status_of, support

CLAIM = Claim(
    id="T4.2",
    paper="E",
    title="Closed-form last two layers of deep BN networks, one-hot vector output",
    kind="closed form (optimality, tight equality with a verified dual value)",
    statement="Let Y be a one-hot encoded label matrix and the network be overparameterised "
              "such that the range of A^(L−2) is R^n; then an optimal solution to (3) can be "
              "found in closed form:\n"
              "    (w_j^(L−1)*, w_j^(L)*) = ( A^(L−2)† y_j, (‖y_j‖₂ − β)_+ e_j ),\n"
              "    [γ_j^(L−1)*; α_j^(L−1)*] = 1/‖y_j‖₂ · [‖y_j − (1/n)11ᵀy_j‖₂; (1/√n) 1ᵀy_j],"
              "   ∀ j ∈ [C].",
    assumptions=("Y one-hot", "range(A^(L−2)) = R^n (rank checked numerically)", "β > 0",
                 "L = 3, 4"),
    reference="Ergen et al., ICLR 2022, Theorem 4.2; proof in Appendix F.2 (Theorem 2.4, C.6)",
    tex=r"\begin{array}{l}\left(w_j^{(L-1)*}, w_j^{(L)*}\right) = \left(A^{(L-2)\dagger} y_j,\ "
        r"\left(\|y_j\|_2 - \beta\right)_+ e_j\right),\\ \begin{bmatrix}\gamma_j^{(L-1)*}\\ "
        r"\alpha_j^{(L-1)*}\end{bmatrix} = \frac{1}{\|y_j\|_2}\begin{bmatrix}\left\|y_j - "
        r"\frac{1}{n}\mathbf{1}\mathbf{1}^\top y_j\right\|_2\\ \frac{1}{\sqrt{n}}\mathbf{1}"
        r"^\top y_j\end{bmatrix}\quad \forall j \in [C].\end{array}",
)


@dataclass(frozen=True)
class Case:
    n: int
    d: int
    C: int  # classes
    widths: tuple  # widths of the prefix layers 1..L−2
    beta_rule: str  # relative to the class norms √count_j (:func:`beta_for_classes`)
    prefix: str  # "random" or "trained" (the earlier layers of the trained whole network)


CASES = [
    Case(6, 3, 2, (12,), "tiny", "random"),
    Case(7, 3, 3, (14, 14), "between", "random"),  # L = 4, β between class norms: a class drops
    Case(6, 2, 3, (12,), "above", "random"),  # β above every class norm: the zero network
    Case(8, 4, 4, (16,), "random", "random"),
    Case(6, 3, 3, (12,), "between", "trained"),  # earlier layers trained
    Case(5, 7, 2, (5, 10), "tiny", "random"),  # n < d, first width = n
    Case(8, 3, 2, (16, 16), "between", "random"),  # the largest
    Case(4, 2, 4, (8,), "tiny", "random"),  # C = n: one sample per class
    Case(6, 3, 1, (12,), "tiny", "random"),  # C = 1: constant labels, γ = 0
    Case(7, 3, 3, (14, 14), "random", "trained"),  # L = 4, trained
]
PROBES = [("too few neurons (width 3 < n = 8)", 8, 3, 3, [3]),
          ("too few neurons, L = 4 (widths 8, 4 < n = 8)", 8, 3, 3, [8, 4])]


def beta_for_classes(rng, Y, rule):
    """β relative to the class norms ``‖y_j‖ = √count_j``: tiny, between the smallest and the
    largest, above all, or random up to twice the largest."""
    norms = np.sort(np.linalg.norm(Y, axis=0))
    if rule == "tiny":
        return 1e-3 * norms[0]
    if rule == "between":
        return float(0.5 * (norms[0] + norms[-1])) if norms[-1] > norms[0] else 0.5 * norms[0]
    if rule == "above":
        return 1.5 * norms[-1]
    return float(norms[-1] * 10 ** rng.uniform(-3, 0.3))


def case(index: int, rng) -> Case:
    if index < len(CASES):
        return CASES[index]
    n, d = int(rng.integers(3, 8)), int(rng.integers(2, 6))
    C = int(rng.integers(1, min(n, 4) + 1))
    widths = (2 * n,) * int(rng.integers(1, 3))
    rule = str(rng.choice(["tiny", "between", "above", "random"]))
    return Case(n, d, C, widths, rule, "random")


def draw(c: Case, rng) -> tuple[np.ndarray, np.ndarray, float]:
    """The instance's ``X`` (rows in general position), one-hot ``Y`` and ``β``."""
    X = instances.general_position(rng, c.n, c.d)
    Y = instances.one_hot(rng, c.n, c.C)
    return X, Y, beta_for_classes(rng, Y, c.beta_rule)


def _sphere_side(Y, beta, A, X, widths, rng) -> dict:
    """The dual point of C.6/F.2 made feasible for the sphere constraint, the constraint exactly,
    sampled over BN outputs of several prefixes, and at its claimed maximiser."""
    V = theorem_2_4_dual(Y, beta)
    cert = sphere_dual_certificate(V, Y, beta)
    return {"lower": cert.lower_bound, "dual_scale": cert.scale,
            "constraint_over_beta": cert.max_constraint, "constraint_exact": relu_sphere_norm(V)[0],
            "constraint_sampled": sampled_constraint_prefixes(V, A, X, widths, rng),
            "constraint_attained": attained_constraint(V, A)}


def _infimum_side(net, X, Y, beta) -> dict | None:
    """:func:`~bnproofs.nets.deep.infimum_path` of the balanced closed form (when defined)."""
    if not np.all(np.isfinite(net.layers[-1].gamma)):
        return None
    return infimum_path(rescale_last(net, balancing_factors(net)), X, Y, beta)


def _series(gd_last, gd_full, lo: float, path: dict | None) -> dict:
    series = {"training": training_series(
        "Adam: best restart, relative excess over the verified lower bound",
        {"last two layers": gd_last.curve, "whole network": gd_full.curve}, lo, gd_last.every)}
    if path is not None:
        series["infimum"] = infimum_series(
            path, "(3) of the balanced closed form as BN-feeding weights shrink by c", "(10)")
    return series


def sides(c: Case, rng, ctx) -> Sides:
    X, Y, beta = draw(c, rng)
    m = 2 * (c.n + 1)
    gd_full = train(X, Y, beta, [*c.widths, m], restarts=4, steps=1500, seed=ctx.seed,
                    device=ctx.device)
    prefix = (gd_full.best_net.layers[:-1] if c.prefix == "trained"
              else random_prefix(rng, c.d, c.widths))
    A = prefix_output(prefix, X)
    rc = range_check(A)
    net = stack(prefix, theorem_2_4_printed(A, Y, beta))
    values = {"closed_form": objective_l1(net, X, Y, beta),
              "closed_form_in_22": objective_effective(net, X, Y, beta)}
    values.update(_sphere_side(Y, beta, A, X, c.widths, rng))
    gd_last = train(A, Y, beta, [m], restarts=4, steps=1500, seed=ctx.seed, device=ctx.device)
    values.update(gd_last_two=gd_last.best_value, gd_full=gd_full.best_value,
                  **{f"range_{k}": val for k, val in rc.items()})
    path = _infimum_side(net, X, Y, beta)
    if path is not None:  # (22) keeps β/2 (γ² + α²) of a neuron with output weight 0
        last, dead = net.layers[-1], ~np.any(net.w_out != 0, axis=1)
        path["dead_penalty"] = 0.5 * beta * float(np.sum((last.gamma**2 + last.alpha**2)[dead]))
        values.update(infimum_limit=path["limit"], infimum_last=path["values"][-1],
                      infimum_output_change=path["output_change"])
    params = {"beta": beta, "L": len(c.widths) + 2,
              "class_norms": np.linalg.norm(Y, axis=0).tolist()}
    return Sides(values, params, _series(gd_last, gd_full, values["lower"], path),
                 notes=[range_note(rc)], data={"path": path})


def _checks(v: dict, path: dict | None, hi: float) -> dict:
    """The printed form against the bracket (:func:`verify.verdicts.printed_form`), and what the
    bracket rests on: the rank assumption; the appendix's dual point feasible as C.6 claims; the
    exact sphere constraint never exceeded by sampled BN outputs and attained when the range is
    ``R^n`` (else the rank check and the reduction disagree); training never below the bound;
    the infimum path reaching the closed form's (10)-value (evaluators agree)."""
    lo, c_exact = v["lower"], v["constraint_exact"]
    pf = printed_form(v["closed_form"], lo, hi, IPM)
    checks = {
        "range_is_Rn": support(v["range_full_range"]),
        "dual_point_feasible": support(v["constraint_over_beta"] <= 1 + 1e-12),
        "samples_within_sphere_constraint": support(
            v["constraint_sampled"] <= c_exact * (1 + 1e-12)),
        "sphere_constraint_attained": support(
            not v["range_full_range"]
            or abs(v["constraint_attained"] - c_exact) <= 1e-8 * max(1.0, c_exact)),
        "strong_duality": pf.pop("strong_duality"),
        "gd_last_two_above_lower": support(at_least(v["gd_last_two"], lo, TRAIN)),
        "gd_full_above_lower": support(at_least(v["gd_full"], lo, TRAIN)),
        **pf,
    }
    if path is not None:
        cf = v["closed_form"]
        checks["infimum_path_to_limit"] = support(
            path["excess"][0] > 0 and path["c2_law_error"] <= 1e-9
            and path["output_change"] <= 1e-9
            and abs(path["limit"] - path["dead_penalty"] - cf) <= EXACT.bound(cf))
    return checks


def compare(c: Case, s: Sides) -> Comparison:
    v, p = s.values, s.params
    lo, printed = v["lower"], v["closed_form"]
    hi = min(v["gd_last_two"], v["gd_full"], printed if np.isfinite(printed) else np.inf)
    checks = _checks(v, s.data["path"], hi)
    why = printed_reason(checks, "the printed form is undefined (0/0)",
                         f"printed value {printed:.10g} exceeds a network found with {hi:.10g}")
    findings = []
    if status_of(checks) == FAIL:
        findings.append(Finding(
            "statement_fails",
            f"Theorem 4.2 as printed is not optimal for n={c.n}, C={c.C}, L={p['L']}, "
            f"β={p['beta']:.4g}: {why}. Certified optimum ∈ [{lo:.10g}, {hi:.10g}]."))
    gap = relative_gap(printed, lo) if np.isfinite(printed) else None
    return Comparison(checks, gap=gap, bracket=(lo, hi), tolerance=IPM.as_dict(),
                      notes=failed_notes(checks) + ([why] if why else []), findings=findings)


def probe(name, n, d, C, widths, seed) -> dict:
    """Break ``range(A^(L−2)) = R^n``; compare the closed form with training the last two layers
    on the same ``A^(L−2)`` (no exact program for vector outputs here: the bracket is
    [sphere bound, best trained])."""
    rng = np.random.default_rng(seed)
    X = instances.general_position(rng, n, d)
    Y = instances.one_hot(rng, n, C)
    beta = beta_for_classes(rng, Y, "tiny")
    prefix = random_prefix(rng, d, widths)
    A = prefix_output(prefix, X)
    cf = objective_l1(stack(prefix, theorem_2_4_printed(A, Y, beta)), X, Y, beta)
    gd = train(A, Y, beta, [2 * (n + 1)], restarts=4, steps=1500, seed=seed)
    return {"name": name, "n": n, "rank": range_check(A)["rank"], "beta": beta,
            "closed_form": cf, "gd_last_two": gd.best_value,
            "lower": sphere_dual_certificate(theorem_2_4_dual(Y, beta), Y, beta).lower_bound,
            "gap": relative_gap(cf, gd.best_value),
            "suboptimal": cf > gd.best_value + IPM.bound(gd.best_value)}


def _unbalanced_finding(result, ok: list) -> list[Finding]:
    unb = [t for t in ok if t.values["closed_form_in_22"] > t.values["closed_form"] + IPM.bound(
        t.values["closed_form"])]
    if not unb:
        return []
    t = max(unb, key=lambda t: t.values["closed_form_in_22"] - t.values["closed_form"])
    return [Finding(
        "observation",
        f"The statement says 'optimal solution to (3)', but the printed parameters lie on Θ_s "
        f"(γ² + α² = 1, ‖w_j‖ = ‖y_j‖ − β): as a point of (3)/(22) they are optimal only after "
        f"Lemma 1.1's rebalancing (on {len(unb)}/{len(ok)} trials they are not balanced; worst: "
        f"(22) = {t.values['closed_form_in_22']:.6g} against the optimum "
        f"{t.values['closed_form']:.6g}).", trial=result.trials.index(t))]


def _probe_finding(r: dict) -> Finding:
    return Finding(
        "assumption_needed" if r["suboptimal"] else "observation",
        f"Assumption probe ({r['name']}; rank A^(L−2) = {r['rank']} < n = {r['n']}, "
        f"β={r['beta']:.3g}): the printed closed form gives {r['closed_form']:.8g}, training "
        f"the last two layers on the same A^(L−2) reaches {r['gd_last_two']:.8g} (sphere "
        f"lower bound {r['lower']:.6g}) — "
        + (f"the closed form is suboptimal by at least {r['gap']:.3g} (relative): the "
           f"assumption is needed." if r["suboptimal"] else "no gap found on this instance."))


def summarise(result):
    ok = [t for t in result.trials if "closed_form" in t.values]
    if not ok:
        return []
    good = sum(t.checks["printed_optimal"] for t in ok)
    out = [Finding(
        "observation",
        f"Printed form optimal (equal to the verified lower bound) on {good}/{len(ok)} trials "
        f"(rank A^(L−2) = n on {sum(t.checks['range_is_Rn'] for t in ok)}/{len(ok)}; L = 3, 4; "
        f"earlier layers random or trained); the exact sphere constraint max‖Vᵀu_+‖ was never "
        f"exceeded by sampled BN outputs and was attained on "
        f"{sum(t.checks['sphere_constraint_attained'] for t in ok)}/{len(ok)} trials.")]
    out += _unbalanced_finding(result, ok)
    inf = [t for t in ok if "infimum_path_to_limit" in t.checks]
    if inf:
        out.append(Finding(
            "infimum",
            f"Over all layers the optimum of (3) is an infimum: shrinking every BN-feeding "
            f"parameter by c leaves the output unchanged and lowers (3) to the (10)-value as c² "
            f"({sum(t.checks['infimum_path_to_limit'] for t in inf)}/{len(inf)} trials), never "
            f"reaching it for c > 0."))
    for i, (name, n, d, C, widths) in enumerate(PROBES):
        out.append(_probe_finding(probe(name, n, d, C, widths, 300 + i)))
    return out


def _classes(kind: str) -> tuple[str, ...]:
    """The exact items of C.6's eight β cases for three classes (``bnproofs.exact.symbolic``)."""
    return tuple(f"{kind}, " + ", ".join(f"β {r} ‖y_{j + 1}‖" for j, r in enumerate(rel))
                 for rel in itertools.product(("≤", ">"), repeat=3))


E = "[E] Ergen et al., ICLR 2022"
AUDIT = (
    Audited("Let Y be a one-hot encoded label matrix and the network be overparameterized such "
            "that the range of A^(L−2) is R^n", f"{E}, Section 4.1, Theorem 4.2",
            checks=("range_is_Rn", "sphere_constraint_attained"),
            finding="needed: with rank A^(L−2) < n (the assumption probes) training the last two "
                    "layers beats the closed form"),
    Audited("(w_j^(L−1)*, w_j^(L)*) = (A^(L−2)† y_j, (‖y_j‖₂ − β)₊ e_j), ∀ j ∈ [C]",
            f"{E}, Theorem 4.2",
            checks=("printed_not_above_found", "printed_optimal", "strong_duality"),
            exact=_classes("T2.4 printed = dual (37)")),
    Audited("[γ_j^(L−1)*; α_j^(L−1)*] = 1/‖y_j‖₂ [‖y_j − (1/n)11ᵀy_j‖₂; (1/√n)1ᵀy_j]",
            f"{E}, Theorem 4.2", checks=("printed_defined",),
            exact=("closed-form BN parameters on the circle", "closed-form BN maps p to p/‖p‖"),
            finding="defined for every class with a sample (one-hot labels with all C classes "
                    "present, as here); an empty class y_j = 0 would make them 0/0"),
    Audited("then an optimal solution to (3) can be found in closed form",
            f"{E}, Theorem 4.2", checks=("infimum_path_to_limit",),
            finding="the printed parameters lie on Θ_s and are optimal for (10)/(4); as a point of "
                    "(3) they are optimal only after Lemma 1.1's rebalancing, and over all layers "
                    "(3)'s optimum is an infimum (BN-feeding weights → 0), not attained"),
    Audited("Applying the same steps in Theorem 2.4 for A^(L−2) yields (w_j^(L−1)*, w_j^(L)*) = "
            "(A^(L−2)†y_j, (‖y_j‖₂ − β)e_j) if β ≤ ‖y_j‖₂, − otherwise", f"{E}, Appendix F.2",
            checks=("printed_optimal",), exact=_classes("C.6 value (42)"),
            finding="the same as the theorem's (·)₊: a class with β > ‖y_j‖ gets no neuron"),
    Audited("v_j = β y_j/‖y_j‖₂ if β ≤ ‖y_j‖₂, y_j otherwise", f"{E}, Appendix F.2 (C.6, (37))",
            checks=("dual_point_feasible", "samples_within_sphere_constraint"),
            exact=_classes("C.6 V* feasible")),
    Audited("dual of (10): max −½‖V − Y‖_F² + ½‖Y‖_F² s.t. max_θ ‖Vᵀ(BN_{γ,α}(A^(L−2)w))₊‖₂ ≤ β",
            f"{E}, Appendix C.6 (35)–(36) with X → A^(L−2)",
            checks=("samples_within_sphere_constraint", "gd_last_two_above_lower",
                    "gd_full_above_lower"),
            finding="BN outputs on Θ_s are unit vectors, so the constraint over any earlier layers "
                    "is at most the exact sphere constraint max_{‖u‖=1} ‖Vᵀu₊‖: the bound holds "
                    "over all layers"),
)


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
