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
* ``trained_3`` / ``trained_4`` — the best values found by Adam on (3) (taken to its limit
  ``c → 0`` and mapped to Θ_s) and on (4) directly, same widths and restarts.

The exact identities are the statement; the agreement of the two trained values (a property of
non-convex training, not of the lemma) is support: its failure leaves a trial inconclusive.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

from bnproofs.nets.network import (
    objective_effective,
    objective_weight_decay,
    shrink_bn_inputs,
)
from bnproofs.nets.rescaling import random_rescaling, rescaling_checks
from bnproofs.nets.training import train
from bnproofs.results import Finding, plot_series
from bnproofs.tolerance import EXACT, Tolerance, close

from .claim import Claim, Comparison, Sides
from .verdicts import failed_notes, failed_statements, statement, support

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
    tex=r"\begin{aligned}&\min_{\theta} \tfrac{1}{2}\|f_{\theta,L}(X) - y\|_2^2 + \frac{\beta}{2}"
        r"\sum_{l=1}^{L} \left(\|\gamma^{(l)}\|_2^2 + \|\alpha^{(l)}\|_2^2 + \|W^{(l)}\|_F^2"
        r"\right) \\ &\quad= \min_{\theta \in \Theta_s} \tfrac{1}{2}\|f_{\theta,L}(X) - y\|_2^2 "
        r"+ \beta \|w^{(L)}\|_1, \quad \Theta_s = \{\theta : \gamma_j^{(L-1)2} + "
        r"\alpha_j^{(L-1)2} = 1\ \forall j\}\end{aligned}",
)

#: agreement of two *trained* values: a heuristic comparison, never a failure
TRAINED_AGREE = Tolerance("trained-agree", 1e-3, 1e-6)
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


def _training_side(c: Case, X, y, beta, ctx) -> tuple[dict, dict, list[float]]:
    """Adam on (3) and on (4), same widths and restarts; (3) along the path c → 0 from the
    trained network, and its limit (22)."""
    widths = [max(w, c.n + 1) for w in c.widths]
    t3, t4 = (train(X, y, beta, widths, objective=obj, restarts=c.restarts, steps=c.steps,
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
        "training": plot_series(
            "Adam: (6)-value of the best restart", {"trained on (3)": t3.curve,
                                                    "trained on (4)": t4.curve},
            x=[i * t3.every for i in range(len(t3.curve))], xlabel="step",
            ylabel="objective (4) on Θ_s", log="y"),
    }
    return values, series, path3


def sides(c: Case, rng, ctx) -> Sides:
    X = rng.standard_normal((c.n, c.d))
    y = rng.standard_normal(c.n)
    beta = float(10 ** rng.uniform(-2, 0.5))
    net, eta = random_rescaling(rng, c.d, list(c.widths))
    values, exact = rescaling_checks(net, X, y, beta, eta, np.random.default_rng([ctx.seed, 1]))
    trained, series, path3 = _training_side(c, X, y, beta, ctx)
    params = {"beta": beta, "eta_min": float(eta.min()), "eta_max": float(eta.max())}
    return Sides({**values, **trained}, params, series, data={"exact": exact, "path3": path3})


def compare(c: Case, s: Sides) -> Comparison:
    v, path3 = s.values, s.data["path3"]
    checks = {k: statement(held) for k, held in s.data["exact"].items()}
    checks["infimum_path_decreasing"] = statement(np.all(np.diff(path3) <= 1e-12 * abs(path3[0])))
    checks["trained_values_agree"] = support(close(v["trained_3"], v["trained_4"], TRAINED_AGREE))
    findings = []
    if bad := failed_statements(checks):
        findings.append(Finding("statement_fails",
                                f"Lemma 1.1 identity violated ({', '.join(bad)}) for depth "
                                f"{c.depth}, widths {list(c.widths)}, β={s.params['beta']:.4g}"))
    gap = abs(v["trained_3"] - v["trained_4"]) / max(1.0, abs(v["trained_4"]))
    return Comparison(checks, gap=gap, tolerance=EXACT.as_dict(), notes=failed_notes(checks),
                      findings=findings)


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


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
