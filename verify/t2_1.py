"""[E] Theorem 2.1: closed-form optimal two-layer BN network when n ≤ d, and strong duality.

The proof is in Appendix C.1 (Lemma C.1, the dual optimum of (7) by a four-way case split on β)
and C.2. Statements: docs/theorems/ergen.md.

What this module computes, each side independently:

* ``closed_form`` — objective (6) of the printed network, evaluated by the numpy forward pass;
* ``closed_form_corrected`` — the same with Appendix C.2's case split (output weight clamped at
  0 and the neuron dropped when ``β ≥ ‖((−1)^j y)_+‖``);
* ``convex`` / ``dual`` — the values of (8) and (24) over **all** ``2^n`` arrangements (``U'`` is
  square orthogonal here, so every sign pattern occurs; the count is checked);
* ``lower`` — a dual point of (24) made feasible and verified (``bnproofs.certify.certificates``);
* ``rebuilt_network`` — (6) at the network rebuilt from the solution of (8) (Appendix C.3);
* ``gd_best`` — the best (6) value from Adam on the network with ``2(n+1)`` neurons, 4 restarts;
* ``dual_closed_form`` — the dual objective at Lemma C.1's ``v*``, with its feasibility checked
  exactly (for orthogonal square ``U'``, ``max_{‖s‖=1} vᵀ(U's)_+ = ‖(v)_+‖``).

Bracket: ``[lower, min(rebuilt_network, gd_best)]`` contains ``p_2*``. The printed form *holds*
on a trial if its value is within the interior-point tolerance of ``lower`` and the bracket is
that tight (strong duality); it *fails* if it is undefined (0/0 when a sign part of ``y`` is
empty) or certifiably worse than a network the suite found
(:func:`verify.verdicts.printed_form`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

from bnproofs import instances
from bnproofs.certify.certificates import dual_value
from bnproofs.certify.two_layer import certified_optimum
from bnproofs.closed_forms import (
    lemma_c1_dual,
    theorem_2_1_corrected,
    theorem_2_1_printed,
)
from bnproofs.data import whiten
from bnproofs.nets.network import objective_l1
from bnproofs.nets.training import train
from bnproofs.programs.arrangements import enumerate_arrangements
from bnproofs.results import FAIL, Finding, excess_curve, training_series
from bnproofs.tolerance import IPM, TRAIN, at_least, relative_gap

from .claim import Claim, Comparison, Sides
from .verdicts import (
    PRINTED_FAILURES,
    printed_form,
    printed_reason,
    record,
    smallest_counterexamples,
    status_of,
    support,
)

CLAIM = Claim(
    id="T2.1",
    paper="E",
    title="Closed-form optimal two-layer BN network for n ≤ d, and strong duality",
    kind="closed form (optimality, tight equality p2* = d2*)",
    statement="Suppose n ≤ d and X has full row rank. Then an optimal solution of (6) is, for "
              "j = 1, 2: w_j^(1)* = X† ((−1)^j y)_+, w_j^(2)* = (−1)^j (‖((−1)^j y)_+‖₂ − β), "
              "[γ_j^(1)*; α_j^(1)*] = 1/‖((−1)^j y)_+‖₂ · [‖((−1)^j y)_+ − (1/n)11ᵀ((−1)^j y)_+‖₂; "
              "(1/√n)1ᵀ((−1)^j y)_+], and strong duality holds, p_2* = d_2*.",
    assumptions=("n ≤ d", "X has full row rank (rank X = n)", "β > 0", "any labels y"),
    reference="Ergen et al., ICLR 2022, Theorem 2.1; proof in Appendix C.1 (Lemma C.1) and C.2",
    tex=r"\begin{aligned}&w_j^{(1)*} = X^\dagger \left((-1)^j y\right)_+, \quad w_j^{(2)*} = "
        r"(-1)^j \left(\|((-1)^j y)_+\|_2 - \beta\right), \\ &\begin{bmatrix}\gamma_j^{(1)*} \\ "
        r"\alpha_j^{(1)*}\end{bmatrix} = \frac{1}{\|((-1)^j y)_+\|_2} \begin{bmatrix}\left\|"
        r"((-1)^j y)_+ - \frac{1}{n}\mathbf{1}\mathbf{1}^\top ((-1)^j y)_+\right\|_2 \\ "
        r"\frac{1}{\sqrt{n}}\mathbf{1}^\top ((-1)^j y)_+\end{bmatrix} \quad (j = 1, 2), \\ "
        r"&p_2^* = d_2^* \quad \text{if } n \le d,\ \operatorname{rank} X = n.\end{aligned}",
)


@dataclass(frozen=True)
class Case:
    n: int
    d: int
    labels: str  # instances.LABEL_KINDS
    beta_rule: str  # instances.BETA_RULES
    cond: float  # condition number of X
    steps: int = field(default=1500, repr=False)  # Adam steps per restart
    restarts: int = field(default=4, repr=False)


#: the documented edge cases, run first
CASES = [
    Case(2, 2, "mixed", "tiny", 10.0),
    Case(5, 5, "mixed", "between", 10.0),
    Case(4, 7, "mixed", "above", 10.0),
    Case(4, 6, "positive", "tiny", 10.0),
    Case(5, 6, "ties", "between", 10.0),
    Case(6, 6, "mixed", "random", 1e4),
    Case(5, 8, "mixed", "at_positive", 10.0),
    Case(3, 5, "constant", "tiny", 10.0),
    Case(6, 9, "negative", "random", 100.0),
]


def case(index: int, rng) -> Case:
    if index < len(CASES):
        return CASES[index]
    n = int(rng.integers(2, 8))
    d = int(rng.integers(n, 11))
    kind = str(rng.choice(instances.LABEL_KINDS))
    rule = str(rng.choice(instances.BETA_RULES))
    return Case(n, d, kind, rule, float(10 ** rng.uniform(0, 4)))


def _closed_form_side(X, y, beta) -> dict:
    """(6) at the printed and the corrected closed forms; Lemma C.1's dual point and its
    feasibility ``max(‖(v)_+‖, ‖(−v)_+‖)/β`` (≤ 1 when feasible)."""
    v_c1 = lemma_c1_dual(y, beta)
    feas = max(np.linalg.norm(np.maximum(v_c1, 0)), np.linalg.norm(np.maximum(-v_c1, 0)))
    return {"closed_form": objective_l1(theorem_2_1_printed(X, y, beta), X, y, beta),
            "closed_form_corrected": objective_l1(theorem_2_1_corrected(X, y, beta), X, y, beta),
            "dual_closed_form": dual_value(v_c1, y), "dual_closed_form_feasibility": feas / beta}


def _convex_side(c: Case, X, y, beta, ctx):
    """The certified bracket of (8)/(24) over every arrangement of ``U'``."""
    W = whiten(X)
    D = enumerate_arrangements(W.Uprime)
    note = f"rank(ΠX) = {W.r}; arrangements P = {len(D)} (all 2^n = {2**c.n} expected)"
    return certified_optimum(X, y, beta, W, D, solver=ctx.solver, device=ctx.device), len(D), note


def sides(c: Case, rng, ctx) -> Sides:
    X = instances.full_row_rank(rng, c.n, c.d, c.cond)
    y = instances.labels(rng, c.n, c.labels)
    beta = instances.beta_for(rng, y, c.beta_rule)
    a, b = (float(np.linalg.norm(np.maximum(s * y, 0))) for s in (1, -1))
    opt, P, note = _convex_side(c, X, y, beta, ctx)
    gd = train(X, y, beta, [2 * (c.n + 1)], restarts=c.restarts, steps=c.steps, seed=ctx.seed,
               device=ctx.device)
    closed = _closed_form_side(X, y, beta)
    lo, printed = opt.lower, closed["closed_form"]
    values = {**closed, **opt.values(), "gd_best": gd.best_value, "arrangements": P,
              "train_s": gd.elapsed_s}
    series = {"training": training_series(
        "Adam on (6): best restart, relative excess over the certified lower bound",
        {"gd (6)-value − lower": gd.curve}, lo, gd.every,
        hline={"closed form (printed)": excess_curve([printed], lo)[0]}
        if np.isfinite(printed) else {})}
    params = {"beta": beta, "norm_pos": a, "norm_neg": b, "solver": ctx.solver}
    return Sides(values, params, series, notes=[note],
                 data={"bracket": (lo, min(opt.upper, gd.best_value)),
                       "solvers_optimal": opt.solvers_optimal})


def compare(c: Case, s: Sides) -> Comparison:
    v, pr = s.values, s.params
    (lo, hi), tol = s.data["bracket"], IPM
    printed, corrected, beta = v["closed_form"], v["closed_form_corrected"], pr["beta"]
    checks = {
        "all_arrangements": support(v["arrangements"] == 2**c.n),
        "solvers_optimal": record(s.data["solvers_optimal"]),
        "gd_above_lower": support(at_least(v["gd_best"], lo, TRAIN)),
        "corrected_optimal": record(abs(corrected - lo) <= tol.bound(lo)),
        **printed_form(printed, lo, hi, tol),
    }
    why = printed_reason(
        checks, "the printed BN parameters are 0/0 because ((−1)^j y)_+ = 0 (labels of one sign)",
        f"printed value {printed:.10g} exceeds a network found with value {hi:.10g}"
        + ("; β ≥ ‖(y)_+‖ or ‖(−y)_+‖ makes a printed output weight have the wrong sign"
           if beta > min(pr["norm_pos"], pr["norm_neg"]) else ""))
    findings = []
    if status_of(checks) == FAIL:
        findings.append(Finding(
            "statement_fails",
            f"Theorem 2.1 as printed is not optimal for n={c.n}, d={c.d}, labels "
            f"'{c.labels}', β={beta:.4g} (‖(y)_+‖={pr['norm_pos']:.4g}, "
            f"‖(−y)_+‖={pr['norm_neg']:.4g}): {why}. Certified p2* ∈ [{lo:.10g}, {hi:.10g}]; "
            f"corrected form (C.2 case split) gives {corrected:.10g}.",
        ))
    gap = relative_gap(printed, lo) if np.isfinite(printed) else None
    return Comparison(checks, gap=gap, bracket=(lo, hi), tolerance=tol.as_dict(),
                      notes=[why] if why else [], findings=findings)


def probe(kind: str, seed: int) -> dict:
    """Break one assumption (``n > d``, or ``rank X < n`` with ``n ≤ d``) and compare the
    corrected closed form with the certified optimum (no training: the bracket decides)."""
    rng = np.random.default_rng(seed)
    n, d = (8, 3) if kind == "n > d" else (6, 8)
    X = (instances.general_position(rng, n, d) if kind == "n > d"
         else instances.rank_deficient(rng, n, d, n - 2))
    y = instances.labels(rng, n, "mixed")
    beta = instances.beta_for(rng, y, "tiny")
    W = whiten(X)
    opt = certified_optimum(X, y, beta, W, enumerate_arrangements(W.Uprime))
    corrected = objective_l1(theorem_2_1_corrected(X, y, beta), X, y, beta)
    return {"kind": kind, "n": n, "d": d, "rank": int(np.linalg.matrix_rank(X)), "beta": beta,
            "lower": opt.lower, "upper": opt.upper, "closed_form_corrected": corrected,
            "suboptimal": corrected > opt.upper + IPM.bound(opt.upper)}


def summarise(result) -> list[Finding]:
    """Corrected form and strong duality over the run, the smallest counterexamples, and the
    assumption probes."""
    ok = [t for t in result.trials if "closed_form_corrected" in t.values]
    good = sum(t.checks["corrected_optimal"] for t in ok)
    sd = sum(t.checks["strong_duality"] for t in ok)
    out = [Finding(
        "corrected_form_holds" if good == len(ok) else "observation",
        f"The case-split form of Appendix C.2 (output weights ±(‖(±y)_+‖ − β)_+, empty neurons "
        f"dropped) is optimal within the certified bracket on {good}/{len(ok)} trials; strong "
        f"duality (bracket width ≤ tolerance) on {sd}/{len(ok)}.",
    )]
    out += smallest_counterexamples(
        ok, PRINTED_FAILURES, size=lambda t: (t.params["n"], t.params["d"]),
        describe=lambda t: (f"n={t.params['n']}, d={t.params['d']}, labels "
                            f"'{t.params['labels']}', β={t.params['beta']:.4g}"))
    for kind, seed in (("n > d", 101), ("rank X < n", 102)):
        r = probe(kind, seed)
        out.append(Finding(
            "assumption_needed" if r["suboptimal"] else "observation",
            f"Assumption probe ({kind}: n={r['n']}, d={r['d']}, β={r['beta']:.3g}): the corrected "
            f"closed form gives {r['closed_form_corrected']:.10g} against certified p2* ∈ "
            f"[{r['lower']:.10g}, {r['upper']:.10g}] — "
            + ("suboptimal: the assumption is needed." if r["suboptimal"]
               else "still optimal on this instance."),
        ))
    return out


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
