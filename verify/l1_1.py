"""[E] Lemma 1.1: the weight-decay problem (3) is equivalent to the ℓ1 problem (4).

Proof (Appendix B.2): the decay of every parameter that feeds a BN can be removed (B.2.1, giving
(22)); the rescaling ``γ, α ← ηγ, ηα``, ``w^(L) ← w^(L)/η`` leaves the output unchanged and, by
AM–GM, ``(β/2)(γ_j² + α_j² + w_j²) ≥ β |w_j| √(γ_j² + α_j²)`` with equality at
``η_j = √(|w_j| / √(γ_j² + α_j²))`` (B.2.2). Statements: docs/theorems/ergen.md.

What this module computes independently:

* ``output_change`` — ``max |f(rescaled) − f|`` for a random positive rescaling (must be ≈ 0);
* ``balanced_reg`` vs ``l1_reg`` — (β/2) Σ (γ² + α² + w²) at the balancing η against
  ``β ‖w^(L)‖₁`` after mapping to Θ_s (equal), and ``min_rescaled_reg − l1_reg`` over random η
  (never negative);
* ``shrink_output_change`` and the ``infimum`` series — (3) along ``c → 0`` applied to every
  parameter feeding a BN: the output does not move and (3) decreases to (22), so the optimum of
  (3) is an infimum, not attained, whenever a BN-feeding weight is nonzero;
* ``lower`` / ``upper`` — a certified bracket on the optimum of (4). Depth 2: (8)/(24) over every
  arrangement of ``U'`` (Theorem 2.2). Deeper: below, Lemma C.1's dual point scaled onto the
  sphere constraint (:func:`bnproofs.certify.certificates.sphere_dual_certificate`: every BN
  output is a unit vector, so the bound holds whatever the earlier layers); above, an actual
  network — Theorem 4.1's construction, T2.1's corrected closed form on ``A^(L−2)`` of a prefix
  of the trained widths built to have ``range A^(L−2) = R^n`` (where it is tight); ``optimal_22_at_upper`` —
  (22) at that network after balancing, which must equal ``upper``: with (3) ≥ (22) ≥ (4) this
  puts both optima in the bracket;
* ``trained_3`` / ``trained_4`` — the best values found by Adam on (3) (taken to its limit
  ``c → 0`` and mapped to Θ_s) and on (4) directly, same widths and restarts, compared with the
  bracket: below its lower end the bound would be wrong (support); how far above its upper end
  training stops is training quality (record).

The exact identities and the optimum of (22) at the bracket's network are the statement; the
bracket's width and its agreement with training are support.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

from bnproofs.certify.certificates import sphere_dual_certificate
from bnproofs.certify.two_layer import certified_optimum
from bnproofs.closed_forms import lemma_c1_dual, theorem_2_1_corrected
from bnproofs.data import whiten
from bnproofs.nets.deep import full_range_prefix, prefix_output, range_check, stack
from bnproofs.nets.network import (
    balancing_factors,
    objective_effective,
    objective_l1,
    objective_weight_decay,
    rescale_last,
    shrink_bn_inputs,
    theta_s_deviation,
)
from bnproofs.nets.rescaling import random_rescaling, rescaling_checks
from bnproofs.nets.training import train
from bnproofs.programs.arrangements import enumerate_arrangements
from bnproofs.results import Finding, plot_series, training_series
from bnproofs.tolerance import EXACT, IPM, TRAIN, at_least, close, relative_gap

from .claim import Claim, Comparison, Sides
from .verdicts import Audited, failed_notes, failed_statements, record, statement, support

CLAIM = Claim(
    id="L1.1",
    paper="E",
    title="Rescaling: weight decay (3) is equivalent to ℓ1 on the output layer (4)",
    kind="equivalence (identity + inequality, tight at the balanced scaling)",
    statement="Problem (3), min_θ ½‖f_{θ,L}(X) − y‖² + (β/2) Σ_{l=1}^{L} (‖γ^(l)‖² + ‖α^(l)‖² + "
              "‖W^(l)‖_F²), is equivalent to min_{θ∈Θ_s} ½‖f_{θ,L}(X) − y‖² + β‖w^(L)‖₁ (4), "
              "with Θ_s = {θ : γ_j^(L−1)² + α_j^(L−1)² = 1 ∀j}.",
    assumptions=("any depth L ≥ 2 and widths", "any X, y", "β > 0"),
    reference="Ergen et al., ICLR 2022, Lemma 1.1; proof in Appendix B.2",
    tex=r"\begin{array}{l}\min_{\theta} \tfrac{1}{2}\|f_{\theta,L}(X) - y\|_2^2 + \frac{\beta}{2}"
        r"\sum_{l=1}^{L} \left(\|\gamma^{(l)}\|_2^2 + \|\alpha^{(l)}\|_2^2 + \|W^{(l)}\|_F^2"
        r"\right) \\ \quad= \min_{\theta \in \Theta_s} \tfrac{1}{2}\|f_{\theta,L}(X) - y\|_2^2 "
        r"+ \beta \|w^{(L)}\|_1, \quad \Theta_s = \{\theta : \gamma_j^{(L-1)2} + "
        r"\alpha_j^{(L-1)2} = 1\ \forall j\}\end{array}",
)

SHRINK = (1.0, 0.3, 0.1, 0.03, 0.01, 1e-3, 1e-4)


@dataclass(frozen=True)
class Case:
    depth: int  # L
    n: int
    d: int
    widths: tuple[int, ...]  # hidden widths of the random network of the exact checks
    steps: int = field(default=1500, repr=False)  # Adam steps per restart
    restarts: int = field(default=4, repr=False)
    shrink: tuple[float, ...] = field(default=SHRINK, repr=False)  # the c of the infimum path


def case(index: int, rng) -> Case:
    depth = (2, 3, 4)[index % 3]
    n = int(rng.integers(3, 10))
    d = int(rng.integers(1, 6))
    return Case(depth, n, d, tuple(int(rng.integers(1, 7)) for _ in range(depth - 1)))


def _widths(c: Case) -> list[int]:
    """The trained widths: at least n + 1 (m* ≤ n + 1, C.3)."""
    return [max(w, c.n + 1) for w in c.widths]


def _theorem_4_1_network(c: Case, X, y, beta, rng):
    """Theorem 4.1's construction: a prefix of the trained widths whose output ``A^(L−2)`` has
    range ``R^n`` (:func:`bnproofs.nets.deep.full_range_prefix`), then T2.1's corrected closed
    form on ``A^(L−2)``; and the rank of ``A^(L−2)``."""
    prefix = full_range_prefix(rng, X, _widths(c)[:-1])
    A = prefix_output(prefix, X)
    return stack(prefix, theorem_2_1_corrected(A, y, beta)), range_check(A)["rank"]


def _certified_side(c: Case, X, y, beta, ctx) -> dict:
    """The certified bracket ``[lower, upper]`` on the optimum of (4) (module docstring), the
    upper end's network on Θ_s, and (22) at that network after balancing."""
    if c.depth == 2:
        W = whiten(X)
        opt = certified_optimum(X, y, beta, W, enumerate_arrangements(W.Uprime),
                                solver=ctx.solver, device=ctx.device)
        lower, net, extra = opt.lower, opt.rebuilt, {}
    else:
        lower = sphere_dual_certificate(lemma_c1_dual(y, beta), y, beta).lower_bound
        net, rank = _theorem_4_1_network(c, X, y, beta, np.random.default_rng([ctx.seed, 2]))
        extra = {"prefix_rank": rank}
    upper = objective_l1(net, X, y, beta, check_constraint=False)
    balanced = rescale_last(net, balancing_factors(net))
    return {"lower": lower, "upper": upper, "upper_theta_s_deviation": theta_s_deviation(net),
            "optimal_22_at_upper": objective_effective(balanced, X, y, beta), **extra}


def _training_side(c: Case, X, y, beta, lo, ctx) -> tuple[dict, dict, list[float]]:
    """Adam on (3) and on (4), same widths and restarts; (3) along the path c → 0 from the
    trained network, and its limit (22)."""
    t3, t4 = (train(X, y, beta, _widths(c), objective=obj, restarts=c.restarts, steps=c.steps,
                    seed=ctx.seed, device=ctx.device) for obj in ("weight_decay", "l1"))
    path3 = [objective_weight_decay(shrink_bn_inputs(t3.raw_net, s), X, y, beta) for s in c.shrink]
    limit3 = objective_effective(t3.raw_net, X, y, beta)
    values = {"trained_3_as_trained": path3[0], "trained_3_limit": limit3,
              "trained_3": t3.best_value, "trained_4": t4.best_value,
              "train_s": t3.elapsed_s + t4.elapsed_s}
    series = {
        "infimum": plot_series(
            "(3) − its limit (22) along c → 0 on every BN-feeding parameter (output unchanged)",
            {"(3)(c) − (22)": [max(v - limit3, 1e-16) for v in path3]}, x=list(c.shrink),
            xlabel="c", ylabel="objective (3) − limit", log="xy"),
        "training": training_series(
            "Adam: best restart, relative excess of (4) over the certified lower bound",
            {"trained on (3)": t3.curve, "trained on (4)": t4.curve}, lo, t3.every),
    }
    return values, series, path3


def sides(c: Case, rng, ctx) -> Sides:
    X = rng.standard_normal((c.n, c.d))
    y = rng.standard_normal(c.n)
    beta = float(10 ** rng.uniform(-2, 0.5))
    net, eta = random_rescaling(rng, c.d, list(c.widths))
    values, exact = rescaling_checks(net, X, y, beta, eta, np.random.default_rng([ctx.seed, 1]))
    values.update(_certified_side(c, X, y, beta, ctx))
    trained, series, path3 = _training_side(c, X, y, beta, values["lower"], ctx)
    params = {"beta": beta, "eta_min": float(eta.min()), "eta_max": float(eta.max()),
              "solver": ctx.solver}
    return Sides({**values, **trained}, params, series, data={"exact": exact, "path3": path3})


def _bracket_checks(v: dict) -> dict:
    """The optimum of (22) at the bracket's network equals (4) there (statement: with
    (3) ≥ (22) ≥ (4) both optima lie in the bracket); the bracket is closed, two-sided
    (support); training against it: below the lower end the bound would be wrong (support),
    above the upper end is training quality (record)."""
    lo, hi = v["lower"], v["upper"]
    checks = {"optimum_22_equals_4": statement(close(v["optimal_22_at_upper"], hi, EXACT)),
              "upper_network_on_theta_s": support(v["upper_theta_s_deviation"] <= 1e-9),
              "bracket_closed": support(abs(hi - lo) <= IPM.bound(lo))}
    for k in ("3", "4"):
        checks[f"trained_{k}_above_lower"] = support(at_least(v[f"trained_{k}"], lo, TRAIN))
        checks[f"trained_{k}_reaches_bracket"] = record(v[f"trained_{k}"] <= hi + IPM.bound(hi))
    return checks


def compare(c: Case, s: Sides) -> Comparison:
    v, path3 = s.values, s.data["path3"]
    checks = {k: statement(held) for k, held in s.data["exact"].items()}
    checks["infimum_path_decreasing"] = statement(
        np.all(np.diff(path3) <= EXACT.bound(path3[0])))
    checks.update(_bracket_checks(v))
    findings = []
    if bad := failed_statements(checks):
        findings.append(Finding("statement_fails",
                                f"Lemma 1.1 identity violated ({', '.join(bad)}) for depth "
                                f"{c.depth}, widths {list(c.widths)}, β={s.params['beta']:.4g}"))
    lo, hi = v["lower"], v["upper"]
    return Comparison(checks, gap=relative_gap(hi, lo), bracket=(lo, hi),
                      tolerance=EXACT.as_dict(), notes=failed_notes(checks), findings=findings)


def summarise(result) -> list[Finding]:
    ts = [t for t in result.trials if "trained_3_limit" in t.values]
    if not ts:
        return []
    drop = [t.values["trained_3_as_trained"] - t.values["trained_3_limit"] for t in ts]
    return [Finding(
        "infimum",
        f"The optimum of (3) is an infimum, not attained: on every trial, scaling the parameters "
        f"that feed a BN by c → 0 leaves the output unchanged (max change "
        f"{max(t.values['shrink_output_change'] for t in ts):.1e}) and lowers (3) by up to "
        f"{max(drop):.3g} toward (22) = (4) at the balanced scaling.",
    )]


AUDIT = (
    Audited("Lemma 1.1: (3) is equivalent to min_{θ∈Θ_s} ½‖f_{θ,L}(X) − y‖₂² + β‖w^(L)‖₁ (4), "
            "Θ_s = {θ : γ_j^(L−1)² + α_j^(L−1)² = 1 ∀j}", "main text, Lemma 1.1",
            checks=("balanced_equals_l1", "rescaled_never_below_l1", "optimum_22_equals_4",
                    "bracket_closed"),
            finding="holds; the optimum of (3) is an infimum, not attained (the run's infimum "
                    "finding)"),
    Audited("B.2.1: regularising the parameters in θ' (those feeding a BN) does not affect the "
            "problem, (20) ⇔ (22); h(θ') is a unit-norm vector whatever t",
            "Appendix B.2.1", checks=("shrink_output_unchanged", "infimum_path_decreasing"),
            exact=("BN output norm",),
            finding="holds as an infimum: (3) decreases to (22) along c → 0 and is not attained "
                    "while a BN-feeding weight is nonzero"),
    Audited("B.2.2: γ_j, α_j ← η_jγ_j, η_jα_j and w_j^(L) ← w_j^(L)/η_j leave f_{θ,L}(X) "
            "unchanged", "Appendix B.2.2", checks=("output_unchanged",),
            exact=("Lemma 1.1: rescaling leaves the output unchanged",)),
    Audited("½ Σ_j (γ_j² + α_j² + w_j²) ≥ Σ_j |w_j| √(γ_j² + α_j²), with equality at "
            "η_j = √(|w_j| / √(γ_j² + α_j²))", "Appendix B.2.2",
            checks=("balanced_equals_l1", "rescaled_never_below_l1"),
            exact=("Lemma 1.1: AM–GM step", "Lemma 1.1: AM–GM equality case")),
    Audited("(5): p_L* ≥ d_L*, any dual point v feasible for max_{θ∈Θ_s} |vᵀ(BN(A^(L−2)w))_+| "
            "≤ β gives a lower bound", "main text, (5); Appendix B.3",
            checks=("trained_3_above_lower", "trained_4_above_lower")),
)

if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
