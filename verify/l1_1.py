"""Lemma 1.1 of [E]: the weight-decay problem (3) is equivalent to the ℓ1 problem (4).

Statement (as printed). Problem (3),
``min_θ ½‖f_{θ,L}(X) − y‖² + (β/2) Σ_{l=1}^{L} (‖γ^(l)‖² + ‖α^(l)‖² + ‖W^(l)‖_F²)``,
is equivalent to ``min_{θ∈Θ_s} ½‖f_{θ,L}(X) − y‖² + β‖w^(L)‖₁`` (4), with
``Θ_s = {θ : γ_j^(L−1)² + α_j^(L−1)² = 1 ∀j}``. Proof (B.2): the decay of every parameter that
feeds a BN can be removed (B.2.1, giving (22)); the rescaling ``γ, α ← ηγ, ηα``,
``w^(L) ← w^(L)/η`` leaves the output unchanged and, by AM–GM,
``(β/2)(γ_j² + α_j² + w_j²) ≥ β |w_j| √(γ_j² + α_j²)`` with equality at
``η_j = √(|w_j| / √(γ_j² + α_j²))`` (B.2.2).

Assumptions: any depth L ≥ 2, any widths, any X, y; β > 0.
Reference: Ergen et al., ICLR 2022, Lemma 1.1; proof in Appendix B.2.

What this module computes:

* ``output_change`` — ``max |f(rescaled) − f|`` for a random positive rescaling (must be ≈ 0);
* ``balanced_reg`` vs ``l1_reg`` — (β/2) Σ (γ² + α² + w²) at the balancing η against
  ``β ‖w^(L)‖₁`` after mapping to Θ_s (equal), and ``min_rescaled_reg − l1_reg`` over random η
  (never negative);
* ``shrink_output_change`` and the ``infimum`` series — (3) along ``c → 0`` applied to every
  parameter feeding a BN: the output does not move and (3) decreases to (22), so the optimum of
  (3) is an infimum, not attained, whenever a BN-feeding weight is nonzero;
* ``trained_3`` / ``trained_4`` — the best values found by Adam on (3) (taken to its limit
  ``c → 0`` and mapped to Θ_s) and on (4) directly, same widths and restarts.

A trial fails only on the exact identities; disagreement of the two trained values (a property
of non-convex training, not of the lemma) makes it inconclusive.
"""

from __future__ import annotations

import numpy as np

from bnproofs.nets.network import (
    objective_effective,
    objective_weight_decay,
    shrink_bn_inputs,
)
from bnproofs.nets.rescaling import random_net, rescaling_checks
from bnproofs.nets.training import train
from bnproofs.results import FAIL, INCONCLUSIVE, PASS, Finding, Trial, failed_notes, plot_series
from bnproofs.tolerance import EXACT, Tolerance, close

ID = "L1.1"
PAPER = "E"
TITLE = "Rescaling: weight decay (3) is equivalent to ℓ1 on the output layer (4)"
KIND = "equivalence (identity + inequality, tight at the balanced scaling)"
STATEMENT = __doc__.split("Assumptions:")[0].split("\n", 2)[2].strip()
ASSUMPTIONS = ["any depth L ≥ 2 and widths", "any X, y", "β > 0"]

#: agreement of two *trained* values: a heuristic comparison, never a failure
TRAINED_AGREE = Tolerance("trained-agree", 1e-3, 1e-6)
STEPS = 1500
SHRINK = [1.0, 0.3, 0.1, 0.03, 0.01, 1e-3, 1e-4]


def instance(index: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    depth = [2, 3, 4][index % 3]
    n = int(rng.integers(3, 10))
    d = int(rng.integers(1, 6))
    widths = [int(rng.integers(1, 7)) for _ in range(depth - 1)]
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    beta = float(10 ** rng.uniform(-2, 0.5))
    net = random_net(rng, d, widths)
    eta = 10 ** rng.uniform(-3, 3, size=widths[-1])
    return {"X": X, "y": y, "beta": beta, "net": net, "eta": eta, "n": n, "d": d,
            "depth": depth, "widths": widths}


def check(index: int, seed: int, device: str = "cpu"):
    inst = instance(index, seed)
    X, y, beta, net, eta = inst["X"], inst["y"], inst["beta"], inst["net"], inst["eta"]
    rng = np.random.default_rng([seed, 1])
    params = {k: inst[k] for k in ("n", "d", "depth", "widths")}
    params.update(index=index, beta=beta, eta_min=float(eta.min()), eta_max=float(eta.max()))
    values, checks = rescaling_checks(net, X, y, beta, eta, rng)
    widths = [max(w, inst["n"] + 1) for w in inst["widths"]]
    t3 = train(X, y, beta, widths, objective="weight_decay", restarts=4, steps=STEPS, seed=seed,
               device=device)
    t4 = train(X, y, beta, widths, objective="l1", restarts=4, steps=STEPS, seed=seed,
               device=device)
    path3 = [objective_weight_decay(shrink_bn_inputs(t3.raw_net, c), X, y, beta) for c in SHRINK]
    limit3 = objective_effective(t3.raw_net, X, y, beta)
    values.update({
        "trained_3_as_trained": path3[0],
        "trained_3_limit": limit3,
        "trained_3": t3.best_value,
        "trained_4": t4.best_value,
        "train_s": t3.elapsed_s + t4.elapsed_s,
    })
    checks["infimum_path_decreasing"] = bool(np.all(np.diff(path3) <= 1e-12 * abs(path3[0])))
    checks["trained_values_agree"] = close(t3.best_value, t4.best_value, TRAINED_AGREE)
    exact = [k for k in checks if k != "trained_values_agree"]
    if not all(checks[k] for k in exact):
        status = FAIL
    elif checks["trained_values_agree"]:
        status = PASS
    else:
        status = INCONCLUSIVE
    findings = []
    if status == FAIL:
        bad = ", ".join(k for k in exact if not checks[k])
        findings.append(Finding("statement_fails",
                                f"Lemma 1.1 identity violated ({bad}) for depth {inst['depth']}, "
                                f"widths {inst['widths']}, β={beta:.4g}"))
    notes = failed_notes(checks)
    series = {
        "infimum": plot_series(
            "(3) − its limit (22) along c → 0 on every BN-feeding parameter (output unchanged)",
            {"(3)(c) − (22)": [max(v - limit3, 1e-16) for v in path3]}, x=SHRINK, xlabel="c",
            ylabel="objective (3) − limit", log="xy"),
        "training": plot_series(
            "Adam: (6)-value of the best restart", {"trained on (3)": t3.curve,
                                                    "trained on (4)": t4.curve},
            x=[i * t3.every for i in range(len(t3.curve))], xlabel="step",
            ylabel="objective (4) on Θ_s", log="y"),
    }
    gap = abs(t3.best_value - t4.best_value) / max(1.0, abs(t4.best_value))
    trial = Trial(seed, params, values, status, gap=gap, bracket=None,
                  tolerance=EXACT.as_dict(), notes=notes, series=series, checks=checks)
    return trial, findings


def summarise(result):
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
