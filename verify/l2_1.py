"""[E] Lemma 2.1: for C outputs, the weight-decay problem (9) is equivalent to (10).

Proof (Appendix C.4, the vector analogue of Lemma 1.1 / B.2.2): the rescaling
``γ_j, α_j ← η_j γ_j, η_j α_j``, ``w_j^(2) ← w_j^(2)/η_j`` (``w_j^(2)`` the j-th row of the m × C
output matrix) leaves the output unchanged, and
``½ Σ_j (γ_j² + α_j² + ‖w_j^(2)‖²) ≥ Σ_j ‖w_j^(2)‖ √(γ_j² + α_j²)`` with equality at
``η_j = √(‖w_j^(2)‖ / √(γ_j² + α_j²))``. Statements: docs/theorems/ergen.md.

What this module computes independently (shared with L1.1 through
:mod:`bnproofs.nets.rescaling`):

* ``output_change`` — ``max |f(rescaled) − f|`` for a random positive rescaling (≈ 0);
* ``balanced_reg`` vs ``l1_reg`` — the (9) regulariser at the balancing η against
  ``β Σ_j ‖w_j^(2)‖₂`` after mapping to Θ_s (equal); ``min_rescaled_minus_l1`` over random η
  (never negative);
* ``balanced_9_minus_10`` — (9) at the balanced network minus (10) at its Θ_s image (= 0);
* the ``infimum`` series — (9) with its first-layer decay ``‖w_j^(1)‖²`` along ``c → 0`` on
  ``W^(1)`` (the output does not move): it decreases to (9) without that decay, so C.4's
  removal of the ``w^(1)`` decay (B.2.1) holds as an infimum, not attained;
* ``lower`` / ``upper`` — a certified bracket on the optimum of (10)
  (:func:`bnproofs.certify.vector.certified_vector_optimum`: verified dual point of (11), network
  from column generation); ``optimal_9_at_upper`` — (9) at that network after balancing, which
  must equal ``upper``: with the inequality (9) ≥ (10) this puts the optimum of (9) in the same
  bracket, i.e. the two optimal values agree to within the bracket width;
* ``trained_9`` / ``trained_10`` — best values from Adam on (9) (last-layer decay, mapped to Θ_s)
  and on (10) directly, same width ``nC + 1`` and restarts; neither may go below ``lower``.

The exact identities, the infimum path and the trained values above the certified lower bound
are the statement; the bracket's width is support (a bracket wider than the interior-point tier,
or crossed, leaves a trial inconclusive). How close the two trained values come to each other is
reported (``trained_gap``), not required. The bracket comes from
:func:`~bnproofs.certify.vector.certified_vector_optimum`, whose restricted masters are solved by
Clarabel only (no ``--solver``/``--device`` choice there); training uses the run's device.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

from bnproofs.certify.vector import certified_vector_optimum
from bnproofs.data import whiten
from bnproofs.nets.network import (
    balancing_factors,
    normalise_last,
    objective_effective,
    objective_l1,
    objective_weight_decay,
    rescale_last,
    shrink_bn_inputs,
)
from bnproofs.nets.rescaling import random_rescaling, rescaling_checks
from bnproofs.nets.training import train
from bnproofs.results import Finding, plot_series, training_series
from bnproofs.tolerance import EXACT, IPM, TRAIN, at_least, close, relative_gap

from .claim import Claim, Comparison, Sides
from .verdicts import Audited, failed_notes, failed_statements, statement, support

CLAIM = Claim(
    id="L2.1",
    paper="E",
    title="Rescaling for C outputs: (9) is equivalent to the group-ℓ1 problem (10)",
    kind="equivalence (identity + inequality, tight at the balanced scaling)",
    statement="Problem (9), min_θ ½‖f_{θ,2}(X) − Y‖_F² + (β/2) Σ_j (‖w_j^(1)‖₂² + γ_j^(1)² + "
              "α_j^(1)² + ‖w_j^(2)‖₂²), is equivalent to min_{θ∈Θ_s} ½‖f_{θ,2}(X) − Y‖_F² + "
              "β Σ_j ‖w_j^(2)‖₂ (10), with Θ_s = {θ : γ_j^(1)² + α_j^(1)² = 1 ∀j}.",
    assumptions=("two layers, any width m and outputs C", "any X, Y", "β > 0"),
    reference="Ergen et al., ICLR 2022, Lemma 2.1; proof in Appendix C.4",
    tex=r"\begin{array}{l}\min_{\theta} \tfrac{1}{2}\|f_{\theta,2}(X) - Y\|_F^2 + \frac{\beta}{2}"
        r"\sum_{j} \left(\|w_j^{(1)}\|_2^2 + \gamma_j^{(1)2} + \alpha_j^{(1)2} + \|w_j^{(2)}\|_2^2"
        r"\right) \\ \quad= \min_{\theta \in \Theta_s} \tfrac{1}{2}\|f_{\theta,2}(X) - Y\|_F^2 "
        r"+ \beta \sum_{j} \|w_j^{(2)}\|_2, \quad \Theta_s = \{\theta : \gamma_j^{(1)2} + "
        r"\alpha_j^{(1)2} = 1\ \forall j\}\end{array}",
)


@dataclass(frozen=True)
class Case:
    n: int
    d: int  # r + 1 ≤ 4: the dual constraint is evaluated exactly
    C: int
    m: int  # width of the random network of the exact checks
    steps: int = field(default=1500, repr=False)  # Adam steps per restart
    restarts: int = field(default=4, repr=False)


def case(index: int, rng) -> Case:
    n = int(rng.integers(3, 10))
    d = int(rng.integers(1, 4))
    C = (2, 3, 5, 1)[index % 4] if index < 8 else int(rng.integers(1, 7))
    return Case(n, d, C, int(rng.integers(1, 7)))


def _certified_side(X, Y, beta) -> dict:
    """The certified bracket on the optimum of (10), and (9) at its network after balancing."""
    opt = certified_vector_optimum(X, Y, beta, whiten(X))
    at_opt = rescale_last(opt.network, balancing_factors(opt.network))
    return {"lower": opt.lower, "upper": opt.upper,
            "optimal_9_at_upper": objective_effective(at_opt, X, Y, beta)}


def _training_side(c: Case, X, Y, beta, lo, ctx) -> tuple[dict, dict]:
    """Adam on (9) and on (10) with width nC + 1 (m* ≤ nC + 1, C.5), same restarts."""
    width = c.n * c.C + 1
    t9, t10 = (train(X, Y, beta, [width], objective=obj, restarts=c.restarts, steps=c.steps,
                     seed=ctx.seed, device=ctx.device) for obj in ("effective", "l1"))
    values = {"trained_9": t9.best_value, "trained_10": t10.best_value,
              "trained_gap": abs(t9.best_value - t10.best_value) / max(1.0, abs(lo)),
              "train_width": width, "train_s": t9.elapsed_s + t10.elapsed_s}
    series = {"training": training_series(
        "Adam, C outputs: best restart, relative excess over the certified lower bound",
        {"trained on (9)": t9.curve, "trained on (10)": t10.curve}, lo, t9.every)}
    return values, series


#: the c of the infimum path of (9)'s first-layer decay
SHRINK = (1.0, 0.3, 0.1, 0.03, 0.01, 1e-3, 1e-4)


def _infimum_side(net, X, Y, beta) -> tuple[list[float], float, dict]:
    """(9) with its ``‖w_j^(1)‖²`` decay along ``W^(1) ← c W^(1)``, ``c → 0`` (the output is
    unchanged: BN is scale invariant), and its limit, (9) without that decay."""
    path = [objective_weight_decay(shrink_bn_inputs(net, c), X, Y, beta) for c in SHRINK]
    limit = objective_effective(net, X, Y, beta)
    series = {"infimum": plot_series(
        "(9) − its limit along c → 0 on W^(1) (output unchanged)",
        {"(9)(c) − limit": [max(v - limit, 1e-16) for v in path]}, x=list(SHRINK), xlabel="c",
        ylabel="(9) − limit", log="xy")}
    return path, limit, series


def sides(c: Case, rng, ctx) -> Sides:
    X = rng.standard_normal((c.n, c.d))
    Y = rng.standard_normal((c.n, c.C))
    beta = float(10 ** rng.uniform(-2, 0.5))
    net, eta = random_rescaling(rng, c.d, [c.m], outputs=c.C)
    values, exact = rescaling_checks(net, X, Y, beta, eta, np.random.default_rng([ctx.seed, 1]))
    v9 = objective_effective(rescale_last(net, balancing_factors(net)), X, Y, beta)
    v10 = objective_l1(normalise_last(net), X, Y, beta)
    values["balanced_9_minus_10"] = v9 - v10
    path, limit, inf_series = _infimum_side(net, X, Y, beta)
    values.update(_certified_side(X, Y, beta), decay_9_as_drawn=path[0], decay_9_limit=limit)
    trained, series = _training_side(c, X, Y, beta, values["lower"], ctx)
    params = {"beta": beta, "eta_min": float(eta.min()), "eta_max": float(eta.max())}
    return Sides({**values, **trained}, params, {**inf_series, **series},
                 data={"exact": exact, "v9": v9, "v10": v10, "path": path})


def compare(c: Case, s: Sides) -> Comparison:
    v, pr = s.values, s.params
    lo, hi = v["lower"], v["upper"]
    checks = {k: statement(held) for k, held in s.data["exact"].items()}
    checks["balanced_9_equals_10"] = statement(
        close(s.data["v9"], s.data["v10"], EXACT.scaled(pr["eta_max"] / pr["eta_min"])))
    checks["infimum_path_decreasing"] = statement(
        np.all(np.diff(s.data["path"]) <= EXACT.bound(s.data["path"][0])))
    checks["optimum_9_equals_10"] = statement(close(v["optimal_9_at_upper"], hi, EXACT))
    checks["bracket_closed"] = support(abs(hi - lo) <= IPM.bound(lo))
    checks["trained_9_above_lower"] = statement(at_least(v["trained_9"], lo, TRAIN))
    checks["trained_10_above_lower"] = statement(at_least(v["trained_10"], lo, TRAIN))
    findings = []
    if bad := failed_statements(checks):
        findings.append(Finding("statement_fails",
                                f"Lemma 2.1 identity violated ({', '.join(bad)}) for n={c.n}, "
                                f"C={c.C}, m={c.m}, β={pr['beta']:.4g}"))
    return Comparison(checks, gap=relative_gap(hi, lo), bracket=(lo, hi),
                      tolerance=EXACT.as_dict(), notes=failed_notes(checks), findings=findings)


AUDIT = (
    Audited("Lemma 2.1: (9) is equivalent to min_{θ∈Θ_s} ½‖f_{θ,2}(X) − Y‖_F² + β Σ_j "
            "‖w_j^(2)‖₂ (10), Θ_s = {θ : γ_j^(1)² + α_j^(1)² = 1 ∀j}", "main text, Lemma 2.1",
            checks=("balanced_equals_l1", "rescaled_never_below_l1", "balanced_9_equals_10",
                    "optimum_9_equals_10", "bracket_closed")),
    Audited("(9) := min_θ ½‖f_{θ,2}(X) − Y‖_F² + (β/2) Σ_j (‖w_j^(1)‖₂² + γ_j^(1)² + α_j^(1)² "
            "+ ‖w_j^(2)‖₂²)", "main text, (9)",
            finding="docs/theorems/ergen.md transcribes (9) without the first-layer decay "
                    "‖w_j^(1)‖₂²; the paper's (9) has it (C.4 removes it by B.2.1), and this "
                    "module's statement does"),
    Audited("C.4: γ_j, α_j ← η_jγ_j, η_jα_j and w_j^(2) ← w_j^(2)/η_j leave f_{θ,2}(X) unchanged",
            "Appendix C.4", checks=("output_unchanged",),
            exact=("Lemma 2.1: rescaling leaves the output unchanged",)),
    Audited("½ Σ_j (γ_j² + α_j² + ‖w_j^(2)‖₂²) ≥ Σ_j ‖w_j^(2)‖₂ √(γ_j² + α_j²), with equality at "
            "η_j = √(‖w_j^(2)‖₂ / √(γ_j² + α_j²))", "Appendix C.4",
            checks=("balanced_equals_l1", "rescaled_never_below_l1"),
            exact=("Lemma 2.1: AM–GM step", "Lemma 2.1: AM–GM equality case")),
    Audited("C.4: due to Appendix B.2.1 the regularisation on w_j^(1) can be removed without loss "
            "of generality", "Appendix C.4",
            checks=("shrink_output_unchanged", "infimum_path_decreasing"),
            exact=("BN output norm",),
            finding="holds as an infimum: (9) decreases to its value without the w^(1) decay "
                    "along W^(1) ← cW^(1), c → 0, and is not attained while W^(1) ≠ 0"),
    Audited("(11): p_2v* ≥ d_2v*, a dual point V with max ‖Vᵀ(BN(Xw))_+‖₂ ≤ β bounds (10) below",
            "main text, (11)", checks=("trained_9_above_lower", "trained_10_above_lower")),
)

if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
