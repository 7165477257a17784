"""Lemma 5.1 of [E]: the BN model (9) and the whitened model (16) have the same objective.

Statement (as printed). With ``Π X = U Σ Vᵀ`` (compact SVD) and ``q_j = Σ Vᵀ w_j^(1)``, (9) is
equivalent to::

    min ½‖Σ_j ( U q_j/‖q_j‖₂ γ_j + α_j/√n 1 )_+ w_j^(2)ᵀ − Y‖_F² + (β/2) Σ_j (γ_j² + α_j² + ‖w_j^(2)‖²)   (16)

(proof, Appendix E.1: substitute ``Π X w = U Σ Vᵀ w = U q`` and ``‖U q‖ = ‖q‖``). The weights that
feed a BN carry no decay (B.2.1), so the regulariser is :func:`bnproofs.nets.network.objective_effective`.

Assumptions: any ``X`` (any shape, rank, conditioning), any ``Y ∈ R^{n×C}`` (C ≥ 1), any widths,
β > 0.
Reference: Ergen et al., ICLR 2022, Lemma 5.1; proof in Appendix E.1.

What this module computes independently, for 40 random parameter sets per trial (20 drawn on the
``w`` side and mapped by ``q = Σ Vᵀ w``, 20 drawn on the ``q`` side and mapped back by the
minimum-norm preimage ``w = V Σ⁻¹ q``, one with a zero column ``q_j = 0``):

* (9) by :func:`bnproofs.nets.network.objective_effective` — BN of eq. (2) applied to ``X w`` (the
  raw data, centred inside BN);
* (16) by :func:`bnproofs.nets.whitened.objective_16` — written out on ``U`` and ``q``, never calling BN;
* the worst relative difference ``|(9) − (16)| / max(1, |(9)|)`` over the parameter sets;
* what the map loses: ``(9)(w) = (9)(V Vᵀ w)`` (the discarded component ``(I − V Vᵀ) w``, nonzero
  whenever ``r < d``, does not change the model) and ``Σ Vᵀ (V Σ⁻¹ Q) = Q``.

Tolerance: the ``exact`` tier scaled by ``‖X‖₂ / σ_r`` (the data's norm, mean included, over its
smallest nonzero centred singular value: forming ``X w`` and centring costs that much).
"""

from __future__ import annotations

import numpy as np

from bnproofs import instances
from bnproofs.data import whiten
from bnproofs.nets.network import Layer, Net, objective_effective
from bnproofs.nets.whitened import (
    WhitenedNet,
    from_q,
    lost_component,
    objective_16,
    to_q,
)
from bnproofs.results import FAIL, PASS, Finding, Trial
from bnproofs.tolerance import EXACT

ID = "L5.1"
PAPER = "E"
TITLE = "Whitened model (16) has the objective of the BN model (9) under q = ΣVᵀw"
KIND = "identity (for every parameter set)"
STATEMENT = __doc__.split("Assumptions:")[0].split("\n", 2)[2].strip()
ASSUMPTIONS = ["any X (any shape, rank, conditioning)", "any Y ∈ R^{n×C}, C ≥ 1",
               "any width m", "β > 0"]

PARAMETER_SETS = 20  # per side


def instance(index: int, seed: int) -> dict:
    return instances.whitened_case(index, seed)


def _nine(W1, gamma, alpha, w_out, X, Y, beta):
    return objective_effective(Net([Layer(W1, gamma, alpha)], w_out), X, Y, beta)


def check(index: int, seed: int, device: str = "cpu"):
    inst = instance(index, seed)
    X, Y, beta = inst["X"], inst["Y"], inst["beta"]
    rng = np.random.default_rng([seed, 1])
    W = whiten(X)
    d = X.shape[1]
    kappa = float(np.linalg.norm(X, 2) / W.sigma[-1]) if W.r else 1.0
    tol = EXACT.scaled(kappa)
    diffs, lost_diffs, lost_norms, roundtrip = [], [], [], []
    for side in ("w", "q"):
        for k in range(PARAMETER_SETS):
            if side == "w":
                W1, gamma, alpha, w_out = instances.two_layer_parameters(rng, d, Y.shape[1])
                Q = to_q(W, W1)
            else:
                Q, gamma, alpha, w_out = instances.two_layer_parameters(rng, W.r, Y.shape[1])
                if k == 0:
                    Q[:, 0] = 0.0  # a neuron whose BN input is constant
                W1 = from_q(W, Q)
                roundtrip.append(float(np.abs(to_q(W, W1) - Q).max(initial=0.0)
                                       / max(np.abs(Q).max(initial=0.0), 1e-300)))
            a = _nine(W1, gamma, alpha, w_out, X, Y, beta)
            b = objective_16(W, WhitenedNet(Q, gamma, alpha, w_out), Y, beta)
            diffs.append(abs(a - b) / max(1.0, abs(a)))
            if side == "w":
                lost = lost_component(W, W1)
                lost_norms.append(float(np.linalg.norm(lost) / np.linalg.norm(W1)))
                a_proj = _nine(W1 - lost, gamma, alpha, w_out, X, Y, beta)
                lost_diffs.append(abs(a - a_proj) / max(1.0, abs(a)))
    worst = max(diffs)
    checks = {
        "objectives_equal": worst <= tol.bound(0.0) + tol.rtol,
        "lost_component_irrelevant": max(lost_diffs) <= tol.bound(0.0) + tol.rtol,
        "q_roundtrip": max(roundtrip) <= tol.rtol,
    }
    values = {
        "worst_relative_difference": worst,
        "median_relative_difference": float(np.median(diffs)),
        "worst_lost_component_effect": max(lost_diffs),
        "lost_component_relative_norm": max(lost_norms),
        "q_roundtrip_error": max(roundtrip),
        "rank": W.r,
        "kappa": kappa,
        "parameter_sets": len(diffs),
    }
    params = {k: inst[k] for k in ("n", "d", "kind", "C")}
    params.update(index=index, beta=beta, r=W.r, V_square=W.r == d)
    status = PASS if all(checks.values()) else FAIL
    findings = []
    if status == FAIL:
        bad = ", ".join(k for k, v in checks.items() if not v)
        findings.append(Finding(
            "statement_fails",
            f"{bad} on n={inst['n']}, d={d}, r={W.r}, {inst['kind']} data, C={inst['C']}: worst "
            f"relative difference {worst:.2e} (tolerance {tol.rtol:.1e})"))
    notes = [f"r = {W.r} of d = {d}: the map q = ΣVᵀw "
             + ("is a bijection" if W.r == d else
                f"drops (I − VVᵀ)w (up to {max(lost_norms):.2f} of ‖w‖ here), which changes "
                f"(9) by at most {max(lost_diffs):.1e}")]
    return Trial(seed, params, values, status, gap=worst, tolerance=tol.as_dict(), notes=notes,
                 checks=checks), findings


def summarise(result):
    ts = [t for t in result.trials if "worst_relative_difference" in t.values]
    if not ts:
        return []
    worst = max(t.values["worst_relative_difference"] for t in ts)
    lost = [t.values["lost_component_relative_norm"] for t in ts if not t.params["V_square"]]
    return [Finding(
        "observation",
        f"(9) and (16) agree to a worst relative difference of {worst:.1e} over "
        f"{sum(t.values['parameter_sets'] for t in ts)} parameter sets on {len(ts)} data sets "
        f"(κ up to {max(t.values['kappa'] for t in ts):.1e}). Where V is not square "
        f"({len(lost)} data sets) q = ΣVᵀw discards up to {max(lost, default=0):.2f} of ‖w‖ "
        "(its component outside the row space of ΠX), which never changes (9).")]
