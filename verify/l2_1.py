"""Lemma 2.1 of [E]: for C outputs, the weight-decay problem (9) is equivalent to (10).

Statement (as printed). Problem (9),
``min_θ ½‖f_{θ,2}(X) − Y‖_F² + (β/2) Σ_j (γ_j^(1)² + α_j^(1)² + ‖w_j^(2)‖₂²)``,
is equivalent to ``min_{θ∈Θ_s} ½‖f_{θ,2}(X) − Y‖_F² + β Σ_j ‖w_j^(2)‖₂`` (10), with
``Θ_s = {θ : γ_j^(1)² + α_j^(1)² = 1 ∀j}``. Proof (C.4): the rescaling ``γ_j, α_j ← η_j γ_j,
η_j α_j``, ``w_j^(2) ← w_j^(2)/η_j`` (``w_j^(2)`` the j-th row of the m × C output matrix) leaves
the output unchanged, and ``½ Σ_j (γ_j² + α_j² + ‖w_j^(2)‖²) ≥ Σ_j ‖w_j^(2)‖ √(γ_j² + α_j²)``
with equality at ``η_j = √(‖w_j^(2)‖ / √(γ_j² + α_j²))``.

Assumptions: two layers, any width m and number of outputs C; any X, Y; β > 0.
Reference: Ergen et al., ICLR 2022, Lemma 2.1; proof in Appendix C.4 (the vector analogue of
Lemma 1.1 / B.2.2).

What this module computes (shared with L1.1 through :mod:`bnproofs.nets.rescaling`):

* ``output_change`` — ``max |f(rescaled) − f|`` for a random positive rescaling (≈ 0);
* ``balanced_reg`` vs ``l1_reg`` — the (9) regulariser at the balancing η against
  ``β Σ_j ‖w_j^(2)‖₂`` after mapping to Θ_s (equal); ``min_rescaled_minus_l1`` over random η
  (never negative);
* ``balanced_9_minus_10`` — (9) at the balanced network minus (10) at its Θ_s image (= 0);
* ``lower`` / ``upper`` — a certified bracket on the optimum of (10)
  (:func:`bnproofs.certify.vector.certified_vector_optimum`: verified dual point of (11), network from
  column generation); ``optimal_9_at_upper`` — (9) at that network after balancing, which must
  equal ``upper``: with the inequality (9) ≥ (10) this puts the optimum of (9) in the same
  bracket, i.e. the two optimal values agree to within the bracket width;
* ``trained_9`` / ``trained_10`` — best values from Adam on (9) (last-layer decay, mapped to Θ_s)
  and on (10) directly, same width ``nC + 1`` and restarts; neither may go below ``lower``.

A trial fails on an exact identity or a trained value below the certified lower bound; a bracket
wider than the interior-point tier makes it inconclusive. How close the two trained values come
to each other is reported (``trained_gap``), not required.
"""

from __future__ import annotations

import numpy as np

from bnproofs.certify.vector import certified_vector_optimum
from bnproofs.data import whiten
from bnproofs.nets.network import (
    balancing_factors,
    normalise_last,
    objective_effective,
    objective_l1,
    rescale_last,
)
from bnproofs.nets.rescaling import random_net, rescaling_checks
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

ID = "L2.1"
PAPER = "E"
TITLE = "Rescaling for C outputs: (9) is equivalent to the group-ℓ1 problem (10)"
KIND = "equivalence (identity + inequality, tight at the balanced scaling)"
STATEMENT = __doc__.split("Assumptions:")[0].split("\n", 2)[2].strip()
ASSUMPTIONS = ["two layers, any width m and outputs C", "any X, Y", "β > 0"]

STEPS = 1500


def instance(index: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 10))
    d = int(rng.integers(1, 4))  # r + 1 ≤ 4: the dual constraint is evaluated exactly
    C = [2, 3, 5, 1][index % 4] if index < 8 else int(rng.integers(1, 7))
    m = int(rng.integers(1, 7))
    X = rng.standard_normal((n, d))
    Y = rng.standard_normal((n, C))
    beta = float(10 ** rng.uniform(-2, 0.5))
    net = random_net(rng, d, [m], outputs=C)
    eta = 10 ** rng.uniform(-3, 3, size=m)
    return {"X": X, "Y": Y, "beta": beta, "net": net, "eta": eta, "n": n, "d": d, "C": C,
            "m": m}


def check(index: int, seed: int, device: str = "cpu"):
    inst = instance(index, seed)
    X, Y, beta, net, eta = inst["X"], inst["Y"], inst["beta"], inst["net"], inst["eta"]
    rng = np.random.default_rng([seed, 1])
    params = {k: inst[k] for k in ("n", "d", "C", "m")}
    params.update(index=index, beta=beta, eta_min=float(eta.min()), eta_max=float(eta.max()))
    values, checks = rescaling_checks(net, X, Y, beta, eta, rng)
    balanced = rescale_last(net, balancing_factors(net))
    v9 = objective_effective(balanced, X, Y, beta)
    v10 = objective_l1(normalise_last(net), X, Y, beta)
    values["balanced_9_minus_10"] = v9 - v10
    checks["balanced_9_equals_10"] = close(v9, v10, EXACT.scaled(float(eta.max() / eta.min())))
    opt = certified_vector_optimum(X, Y, beta, whiten(X))
    lo, hi = opt.lower, opt.upper
    at_opt = rescale_last(opt.network, balancing_factors(opt.network))
    values.update({"lower": lo, "upper": hi,
                   "optimal_9_at_upper": objective_effective(at_opt, X, Y, beta)})
    checks["optimum_9_equals_10"] = close(values["optimal_9_at_upper"], hi, EXACT)
    checks["bracket_closed"] = hi - lo <= IPM.bound(lo)
    width = inst["n"] * inst["C"] + 1  # m* ≤ nC + 1 (C.5)
    t9 = train(X, Y, beta, [width], objective="effective", restarts=4, steps=STEPS, seed=seed,
               device=device)
    t10 = train(X, Y, beta, [width], objective="l1", restarts=4, steps=STEPS, seed=seed,
                device=device)
    values.update({"trained_9": t9.best_value, "trained_10": t10.best_value,
                   "trained_gap": abs(t9.best_value - t10.best_value) / max(1.0, abs(lo)),
                   "train_width": width, "train_s": t9.elapsed_s + t10.elapsed_s})
    checks["trained_9_above_lower"] = at_least(t9.best_value, lo, TRAIN)
    checks["trained_10_above_lower"] = at_least(t10.best_value, lo, TRAIN)
    if not all(v for k, v in checks.items() if k != "bracket_closed"):
        status = FAIL
    elif checks["bracket_closed"]:
        status = PASS
    else:
        status = INCONCLUSIVE
    exact = [k for k in checks if k != "bracket_closed"]
    findings = []
    if status == FAIL:
        bad = ", ".join(k for k in exact if not checks[k])
        findings.append(Finding("statement_fails",
                                f"Lemma 2.1 identity violated ({bad}) for n={inst['n']}, "
                                f"C={inst['C']}, m={inst['m']}, β={beta:.4g}"))
    notes = failed_notes(checks)
    series = {"training": plot_series(
        "Adam, C outputs: best restart, relative excess over the certified lower bound",
        {"trained on (9)": excess_curve(t9.curve, lo), "trained on (10)": excess_curve(t10.curve, lo)},
        x=[i * t9.every for i in range(len(t9.curve))], xlabel="step",
        ylabel="((10)-value − lower) / max(1, |lower|)", log="y")}
    trial = Trial(seed, params, values, status, gap=relative_gap(hi, lo), bracket=(lo, hi),
                  tolerance=EXACT.as_dict(), notes=notes, series=series, checks=checks)
    return trial, findings
