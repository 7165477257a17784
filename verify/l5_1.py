"""Lemma 5.1 of [E]: the BN model (9) and the whitened model (16) agree on every parameter set.

The proof (Appendix E.1) substitutes ``Π X w = U Σ Vᵀ w = U q`` and ``‖U q‖ = ‖q‖``. The weights
that feed a BN carry no decay (B.2.1), so (9)'s regulariser is that of
:func:`bnproofs.nets.network.objective_effective`.

What this module computes independently, for 40 random parameter sets per trial (20 drawn on the
``w`` side and mapped by ``q = Σ Vᵀ w``, 20 drawn on the ``q`` side and mapped back by the
minimum-norm preimage ``w = V Σ⁻¹ q``, one with a zero column ``q_j = 0``):

* (9) by :func:`bnproofs.nets.network.objective_effective` — BN of eq. (2) applied to ``X w`` (the
  raw data, centred inside BN);
* (16) by :func:`bnproofs.nets.whitened.objective_16` — written out on ``U`` and ``q``, never
  calling BN;
* the worst relative difference ``|(9) − (16)| / max(1, |(9)|)`` over the parameter sets;
* what the map loses: ``(9)(w) = (9)(V Vᵀ w)`` (the discarded component ``(I − V Vᵀ) w``, nonzero
  whenever ``r < d``, does not change the model) and ``Σ Vᵀ (V Σ⁻¹ Q) = Q``; that component is
  the kernel of ``w ↦ ΠXw`` (``ΠX·lost = 0`` and ``w − lost`` in the row space, by a projector
  computed without ``V``: :func:`bnproofs.data.row_space_projector`);
* that the whitening is the compact SVD of the centred data E.1 uses (``U ⊥ 1``, ``UᵀU = I``).

Tolerance: the ``exact`` tier scaled by ``‖X‖₂ / σ_r`` (the data's norm, mean included, over its
smallest nonzero centred singular value: forming ``X w`` and centring costs that much), applied
per parameter set as ``|(9) − (16)| ≤ atol + rtol·|(9)|``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

from bnproofs import instances
from bnproofs.data import row_space_projector, whiten, whitening_gap
from bnproofs.nets.network import Layer, Net, objective_effective
from bnproofs.nets.whitened import (
    WhitenedNet,
    from_q,
    lost_component,
    objective_16,
    to_q,
)
from bnproofs.results import Finding
from bnproofs.tolerance import EXACT

from .claim import Claim, Comparison, Sides
from .verdicts import Audited, failed_names, statement, support

CLAIM = Claim(
    id="L5.1",
    paper="E",
    title="Whitened model (16) has the objective of the BN model (9) under q = ΣVᵀw",
    kind="identity (for every parameter set)",
    statement="With Π X = U Σ Vᵀ (compact SVD) and q_j = Σ Vᵀ w_j^(1), (9) is equivalent to "
              "min ½‖Σ_j ( U q_j/‖q_j‖₂ γ_j + α_j/√n 1 )_+ w_j^(2)ᵀ − Y‖_F² "
              "+ (β/2) Σ_j (γ_j² + α_j² + ‖w_j^(2)‖²)   (16).",
    assumptions=("any X (any shape, rank, conditioning)", "any Y ∈ R^{n×C}, C ≥ 1",
                 "any width m", "β > 0"),
    reference="Ergen et al., ICLR 2022, Lemma 5.1; proof in Appendix E.1",
    tex=r"\begin{array}{l}\Pi X = U \Sigma V^\top,\quad q_j = \Sigma V^\top w_j^{(1)}:\\ "
        r"(9) \iff \min\ \frac{1}{2}\left\|\sum_j \left(\frac{U q_j}{\|q_j\|_2}\gamma_j + "
        r"\frac{\alpha_j}{\sqrt{n}}\mathbf{1}\right)_+ w_j^{(2)\top} - Y\right\|_F^2 + "
        r"\frac{\beta}{2}\sum_j \left(\gamma_j^2 + \alpha_j^2 + \|w_j^{(2)}\|_2^2\right)"
        r"\quad (16)\end{array}",
)


@dataclass(frozen=True)
class Case:
    n: int
    d: int
    kind: str  # the data kind (bnproofs.instances.data_matrix)
    C: int  # output dimension
    parameter_sets: int = field(default=20, repr=False)  # per side (w and q)


def case(index: int, rng) -> Case:
    return Case(*instances.whitened_shape(index, rng))


def _nine(W1, gamma, alpha, w_out, X, Y, beta):
    return objective_effective(Net([Layer(W1, gamma, alpha)], w_out), X, Y, beta)


def _rel(a, b):
    return abs(a - b) / max(1.0, abs(a))


def _kernel_gaps(X, P, W1, lost) -> tuple[float, float]:
    """What ``q = ΣVᵀw`` discards is the kernel of ``w ↦ ΠXw``: ``‖ΠX lost‖`` and the part of
    ``w − lost`` outside the row space, both relative to ``‖ΠX‖₂‖w‖`` and ``‖w‖``."""
    C = X - X.mean(axis=0, keepdims=True)
    nw = float(np.linalg.norm(W1))
    kept = W1 - lost
    return (float(np.linalg.norm(C @ lost) / max(np.linalg.norm(C, 2) * nw, 1e-300)),
            float(np.linalg.norm(kept - P @ kept) / max(nw, 1e-300)))


def _w_side(W, X, Y, beta, rng, sets):
    """Parameter sets drawn in ``w``, mapped by ``q = ΣVᵀw``: (9) against (16), and (9) with the
    discarded component ``(I − VVᵀ)w`` removed, which must lie in the kernel of ``ΠX``."""
    pairs, lost_pairs, lost_norms, kernel = [], [], [], []
    P = row_space_projector(X)
    for _ in range(sets):
        W1, gamma, alpha, w_out = instances.two_layer_parameters(rng, X.shape[1], Y.shape[1])
        a = _nine(W1, gamma, alpha, w_out, X, Y, beta)
        pairs.append((a, objective_16(W, WhitenedNet(to_q(W, W1), gamma, alpha, w_out), Y, beta)))
        lost = lost_component(W, W1)
        lost_norms.append(float(np.linalg.norm(lost) / np.linalg.norm(W1)))
        lost_pairs.append((a, _nine(W1 - lost, gamma, alpha, w_out, X, Y, beta)))
        kernel.append(_kernel_gaps(X, P, W1, lost))
    return pairs, lost_pairs, lost_norms, kernel


def _q_side(W, X, Y, beta, rng, sets):
    """Parameter sets drawn in ``q`` (the first with ``q_1 = 0``), mapped back by
    ``w = VΣ⁻¹q``: (9) against (16), and the round trip ``ΣVᵀ(VΣ⁻¹Q) = Q``."""
    pairs, roundtrip = [], []
    for k in range(sets):
        Q, gamma, alpha, w_out = instances.two_layer_parameters(rng, W.r, Y.shape[1])
        if k == 0:
            Q[:, 0] = 0.0  # a neuron whose BN input is constant
        W1 = from_q(W, Q)
        roundtrip.append(float(np.abs(to_q(W, W1) - Q).max(initial=0.0)
                               / max(np.abs(Q).max(initial=0.0), 1e-300)))
        pairs.append((_nine(W1, gamma, alpha, w_out, X, Y, beta),
                      objective_16(W, WhitenedNet(Q, gamma, alpha, w_out), Y, beta)))
    return pairs, roundtrip


def sides(c: Case, rng, ctx) -> Sides:
    X, Y, beta = instances.whitened_data(rng, c.n, c.d, c.kind, c.C)
    prng = np.random.default_rng([ctx.seed, 1])
    W = whiten(X)
    kappa = float(np.linalg.norm(X, 2) / W.sigma[-1]) if W.r else 1.0
    pairs, lost_pairs, lost_norms, kernel = _w_side(W, X, Y, beta, prng, c.parameter_sets)
    q_pairs, roundtrip = _q_side(W, X, Y, beta, prng, c.parameter_sets)
    pairs += q_pairs
    diffs = [_rel(a, b) for a, b in pairs]
    lost_diffs = [_rel(a, b) for a, b in lost_pairs]
    values = {
        "worst_relative_difference": max(diffs),
        "median_relative_difference": float(np.median(diffs)),
        "worst_lost_component_effect": max(lost_diffs),
        "lost_component_relative_norm": max(lost_norms),
        "q_roundtrip_error": max(roundtrip),
        "rank": W.r,
        "kappa": kappa,
        "parameter_sets": len(diffs),
        "lost_outside_kernel": max(k[0] for k in kernel),
        "kept_outside_row_space": max(k[1] for k in kernel),
        "svd_gap": whitening_gap(W, X),
    }
    notes = [f"r = {W.r} of d = {c.d}: the map q = ΣVᵀw "
             + ("is a bijection" if W.r == c.d else
                f"drops (I − VVᵀ)w (up to {max(lost_norms):.2f} of ‖w‖ here), which changes "
                f"(9) by at most {max(lost_diffs):.1e}")]
    return Sides(values, {"beta": beta, "r": W.r, "V_square": W.r == c.d}, notes=notes,
                 data={"pairs": pairs, "lost_pairs": lost_pairs})


def _within(pairs, tol) -> bool:
    """``|(9) − (16)| ≤ tol.bound((9))`` for every pair (the tolerance policy's rule)."""
    return all(abs(a - b) <= tol.bound(a) for a, b in pairs)


def regime(c: Case, s: Sides) -> str:
    return ("r = d: q = ΣVᵀw is a bijection" if s.params["V_square"]
            else "r < d: q = ΣVᵀw discards the kernel of ΠX")


def compare(c: Case, s: Sides) -> Comparison:
    v = s.values
    tol = EXACT.scaled(v["kappa"])
    worst = v["worst_relative_difference"]
    checks = {
        "objectives_equal": statement(_within(s.data["pairs"], tol)),
        "lost_component_irrelevant": statement(_within(s.data["lost_pairs"], tol)),
        "q_roundtrip": statement(v["q_roundtrip_error"] <= tol.rtol),
        "lost_component_is_the_kernel": statement(
            v["lost_outside_kernel"] <= tol.rtol and v["kept_outside_row_space"] <= tol.rtol),
        "svd_of_centred_data": support(v["svd_gap"] <= tol.rtol),
    }
    findings = []
    if bad := failed_names(checks):
        findings.append(Finding(
            "statement_fails",
            f"{', '.join(bad)} on n={c.n}, d={c.d}, r={v['rank']}, {c.kind} data, C={c.C}: "
            f"worst relative difference {worst:.2e} (tolerance {tol.rtol:.1e})"))
    return Comparison(checks, gap=worst, tolerance=tol.as_dict(), findings=findings)


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


E = "[E] Ergen et al., ICLR 2022"
AUDIT = (
    Audited("Lemma 5.1. The non-convex problem (9) is equivalent to the following problem "
            "(i.e., p*_v2 = p*_v2b): (16)", f"{E}, Section 5.1, Lemma 5.1",
            checks=("objectives_equal", "q_roundtrip"),
            exact=("L5.1: BN of the data equals the whitened neuron",),
            finding="tested as an identity of the objectives on every parameter set, mapped "
                    "both ways; with q ↦ VΣ⁻¹q onto, the optimal values agree"),
    Audited("(16) is equivalent to a problem with new data matrix U and weight normalization "
            "(Salimans & Kingma, 2016)", f"{E}, Section 5.1", checks=("objectives_equal",),
            finding="(16) is evaluated as written, U q_j/‖q_j‖₂ γ_j: weight normalisation on U"),
    Audited("The identity in Lemma 5.1 is achieved by substituting the transformation "
            "q_j = ΣVᵀw_j^(1)", f"{E}, Section 5.1",
            checks=("lost_component_irrelevant", "lost_component_is_the_kernel", "q_roundtrip"),
            finding="the substitution is a bijection only for r = d; for r < d it discards "
                    "(I − VVᵀ)w, the kernel of w ↦ ΠXw, which (9) never sees (regime r < d)"),
    Audited("While (9) and (16) have identical global optima", f"{E}, Section 5.1",
            checks=("objectives_equal", "q_roundtrip")),
    Audited("hidden layer weights are not regularized without loss of generality due to the "
            "arguments in Appendix B.2.1", f"{E}, Appendix E.1",
            finding="(9) is evaluated without decay on w^(1) (objective_effective); with (3)'s "
                    "decay the two regularisers differ, which T5.1's probe measures for GD"),
    Audited("consider the SVD of the zero mean form of the data matrix (I_n − 11ᵀ/n)X = UΣVᵀ",
            f"{E}, Appendix E.1", checks=("svd_of_centred_data",)),
    Audited("Noting that ‖Uq_j‖₂ = ‖q_j‖₂, we arrive at (16)", f"{E}, Appendix E.1",
            checks=("svd_of_centred_data", "objectives_equal"),
            exact=("L5.1: BN of the data equals the whitened neuron",)),
)


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
