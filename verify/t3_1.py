"""Theorem 3.1 of [E]: the two-layer CNN with BN (13) equals the convex program (15).

Statement (as printed). With patch matrices ``X_k ∈ R^{n×h}`` (k = 1..K), problem (13)::

    min ½ ‖Σ_j Σ_k (BN_{γ_j,α_j}(X_k z_j))_+ w_j − y‖² + (β/2) Σ_j (‖z_j‖² + γ_j² + α_j² + w_j²),

with BN over all nK patch outputs of a filter (``μ_j = (1/nK) Σ_k 1ᵀ X_k z_j``, shift
``α_j/√(nK)``), equals::

    min_{q_i, q_i'}  ½ ‖Σ_i Σ_k D_ik U'_{Mk} (q_i − q_i') − y‖² + β Σ_i (‖q_i‖₂ + ‖q_i'‖₂)
    s.t. (2D_ik − I) U'_{Mk} q_i ≥ 0,  (2D_ik − I) U'_{Mk} q_i' ≥ 0   ∀ i, k,           (15)

with ``M = [X_1; …; X_K]``, ``(I − (1/nK)11ᵀ) M = U_M Σ_M V_Mᵀ``, ``U'_M = [U_M, 1/√(nK) 1]``.
Remark 3.1: the number of arrangements obeys ``P_c ≤ 2r_c (e(n−1)/r_c)^{r_c}``, ``r_c = rank M``.

Assumptions: any data and patch geometry (1-D and 2-D, filter size, stride, padding); ``β > 0``;
any ``y``. Here ``h ≤ 4`` and ``nK ≤ 36`` so that the arrangements can be enumerated exactly.
Reference: Ergen et al., ICLR 2022, Theorem 3.1, Remark 3.1; proof in Appendix D.1.

What this module computes, each side independently:

* ``arrangements`` of ``U'_M`` — exact enumeration, checked against Cover's count (when the rows
  are in general position), 20 000 Gaussian-gate samples (each must be listed) and, for
  ``P_c ≤ 200``, an LP-based enumeration; ``remark_bound`` is Remark 3.1's bound as printed (with
  n) and ``remark_bound_nK`` the same with the nK rows of ``M`` in place of n;
* ``convex`` / ``dual`` — Clarabel's values of (15) and of its dual solved separately;
* ``lower`` — the better dual point made feasible and verified;
* ``rebuilt_network`` — the CNN rebuilt from (15)'s solution (filters ``V_M Σ_M⁻¹ q``, after
  Carathéodory pruning) evaluated in (13)'s model (Lemma 1.1 form, γ² + α² = 1), and
  ``forward_13_diff`` the distance between two evaluators of that CNN (the block-by-block formula
  after (13), and the pooled network of :mod:`bnproofs.nets.network`);
* ``gd_best`` — the best value from Adam on the torch CNN (conv via the same patches, conv-BN,
  ReLU, sum over patches, output weights) with ``2(n+1)`` filters, 4 restarts.

Checks: the certified bracket is tight (convex = dual), rebuilt CNN = convex optimum, training
never below the lower bound, enumeration complete. Remark 3.1's bound is reported separately (a
finding when it fails; the theorem's verdict does not depend on it).
"""

from __future__ import annotations

import time

import numpy as np

from bnproofs import instances
from bnproofs.certify.two_layer import certify_program
from bnproofs.nets.cnn import forward_13, patches, program_15
from bnproofs.nets.network import forward
from bnproofs.nets.training import train
from bnproofs.programs.arrangements import (
    contains,
    cover_count,
    enumerate_arrangements_lp,
    general_position,
    paper_bound,
    sample_arrangements,
)
from bnproofs.results import (
    FAIL,
    Finding,
    Trial,
    decide,
    excess_curve,
    plot_series,
)
from bnproofs.tolerance import EXACT, IPM, TRAIN, at_least, close, relative_gap

ID = "T3.1"
PAPER = "E"
TITLE = "Convex program (15) for two-layer CNNs with BN"
KIND = "exact reformulation (tight equality p2c* = convex = dual)"
STATEMENT = __doc__.split("Assumptions:")[0].split("\n", 2)[2].strip()
ASSUMPTIONS = ["any data and patch geometry (1-D, 2-D, stride, padding)", "β > 0", "any labels y"]

#: (n, input shape per sample, filter h, stride, padding, data, labels, β rule); edge cases first
CASES = [
    (5, (6,), 2, 1, 0, "general", "mixed", "between"),
    (4, (5,), 3, 1, 0, "general", "mixed", "tiny"),  # h = 3
    (5, (6,), 2, 2, 1, "general", "mixed", "random"),  # stride 2, zero padding
    (4, (1, 3, 3), (2, 1), 1, 0, "general", "mixed", "random"),  # 2-D
    (2, (1, 3, 3), (2, 2), 1, 0, "general", "mixed", "between"),  # 2-D, h = 4
    (5, (2, 4), 1, 1, 0, "general", "ties", "tiny"),  # two channels, tied labels
    (5, (7,), 2, 1, 0, "integer", "mixed", "random"),  # repeated patches: not general position
    (4, (6,), 2, 1, 0, "general", "positive", "between"),  # labels of one sign
    (4, (6,), 2, 1, 0, "general", "mixed", "above"),  # β above both label norms
    (6, (7,), 2, 1, 0, "general", "mixed", "random"),  # the largest: nK = 36
]
LP_CROSSCHECK_MAX_P = 200


def instance(index: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    if index < len(CASES):
        n, shape, h, stride, pad, data, kind, rule = CASES[index]
    else:
        n, shape, h, stride, pad = int(rng.integers(2, 6)), (int(rng.integers(4, 7)),), 2, 1, 0
        data, kind = "general", str(rng.choice(instances.LABEL_KINDS))
        rule = str(rng.choice(instances.BETA_RULES))
    X = rng.standard_normal((n, *shape))
    if data == "integer":
        X = rng.integers(-1, 2, size=X.shape).astype(float)
    y = instances.labels(rng, n, kind)
    beta = instances.beta_for(rng, y, rule)
    return {"X": X, "y": y, "beta": beta, "n": n, "shape": list(shape), "h": h, "stride": stride,
            "padding": pad, "data": data, "labels": kind, "beta_rule": rule}


def enumeration_checks(Uprime: np.ndarray, D: np.ndarray, n: int, rng) -> tuple[dict, dict]:
    """Completeness of ``D`` (the arrangements of ``U'_M``, nK rows) and Remark 3.1's bound."""
    nK, k = Uprime.shape
    r = k - 1
    gp = general_position(Uprime)
    cover = cover_count(nK, k)
    samples = sample_arrangements(Uprime, 20000, rng)
    checks = {
        "count_vs_cover": (len(D) == cover) if gp else (len(D) <= cover),
        "samples_all_listed": bool(contains(D, samples).all()),
    }
    if len(D) <= LP_CROSSCHECK_MAX_P:
        checks["lp_enumeration_agrees"] = bool(np.array_equal(D, enumerate_arrangements_lp(Uprime)))
    values = {"arrangements": len(D), "cover_count": cover, "general_position": gp,
              "remark_bound": paper_bound(n, r), "remark_bound_nK": paper_bound(nK, r),
              "sampled_distinct": len(samples)}
    return checks, values


def check(index: int, seed: int, device: str = "cpu", solver: str = "clarabel"):
    inst = instance(index, seed)
    rng = np.random.default_rng([seed, 3])
    X, y, beta, n = inst["X"], inst["y"], inst["beta"], inst["n"]
    P = patches(X, inst["h"], inst["stride"], inst["padding"])
    K = P.shape[0]
    params = {k: inst[k] for k in ("n", "shape", "h", "stride", "padding", "data", "labels",
                                   "beta_rule")}
    t0 = time.perf_counter()
    prog = program_15(P, y, beta)
    t_enum = time.perf_counter() - t0
    params.update(index=index, beta=beta, K=K, nK=n * K, h_eff=P.shape[2], rank=prog.rank)
    checks, values = enumeration_checks(prog.whitened.Uprime, prog.D, n, rng)
    opt = certify_program(prog.program, prog.whitened, prog.M, pool=K, solver=solver, device=device)
    lay = opt.rebuilt.layers[0]
    f13 = forward_13(P, lay.W, lay.gamma, lay.alpha, opt.rebuilt.w_out)
    gd = train(prog.M, y, beta, [2 * (n + 1)], restarts=4, steps=1500, seed=seed, device=device,
               pool=K)
    lo, hi = opt.lower, opt.upper
    tol = IPM
    values.update({
        **opt.values(),
        "forward_13_diff": float(np.abs(f13 - forward(opt.rebuilt, prog.M)).max()),
        "gd_best": gd.best_value,
        "active_groups_solver": opt.active_groups_solver,
        "enumerate_s": t_enum,
        "train_s": gd.elapsed_s,
    })
    checks.update({
        "solvers_optimal": opt.solvers_optimal,
        "convex_equals_dual": hi - lo <= tol.bound(lo),
        "rebuilt_equals_convex": close(hi, opt.convex, tol),
        "evaluators_agree": values["forward_13_diff"] <= EXACT.bound(float(np.abs(y).max())),
        "gd_above_lower": at_least(gd.best_value, lo, TRAIN),
        "neurons_at_most_n_plus_1": opt.neurons <= n + 1,
    })
    remark = {"within_remark_bound": len(prog.D) <= values["remark_bound"],
              "within_remark_bound_nK": len(prog.D) <= values["remark_bound_nK"]}
    enumeration_ok = all(checks[k] for k in checks if k.startswith(("count", "samples", "lp_")))
    # a trained CNN below the certified optimum of (15) contradicts (13) = (15)
    status, notes = decide(checks, not checks["gd_above_lower"] and enumeration_ok)
    if not values["general_position"]:
        notes.append("rows of U'_M are not in general position: Cover's count is an upper bound")
    if not remark["within_remark_bound"]:
        notes.append(f"Remark 3.1 as printed: P_c = {len(prog.D)} > 2r_c(e(n−1)/r_c)^r_c = "
                     f"{values['remark_bound']:.4g}; with nK: {values['remark_bound_nK']:.4g}")
    findings = []
    if status == FAIL:
        findings.append(Finding(
            "statement_fails",
            f"A trained CNN ({gd.best_value:.10g}) lies below the certified optimum of (15) "
            f"({lo:.10g}) for n={n}, K={K}, h={P.shape[2]}, β={beta:.4g}."))
    series = {"training": plot_series(
        "Adam on the CNN (13): best restart, relative excess over the certified lower bound",
        {"gd value − lower": excess_curve(gd.curve, lo)},
        x=[i * gd.every for i in range(len(gd.curve))],
        xlabel="step", ylabel="(value − lower) / max(1, |lower|)", log="y")}
    trial = Trial(seed, params, values, status, gap=relative_gap(hi, lo), bracket=(lo, hi),
                  tolerance=tol.as_dict(), notes=notes, series=series,
                  checks={**checks, **{f"remark_{k}": v for k, v in remark.items()}})
    return trial, findings


def summarise(result):
    ts = [t for t in result.trials if "arrangements" in t.values]
    if not ts:
        return []
    big = max(ts, key=lambda t: t.values["arrangements"])
    out = [Finding(
        "observation",
        f"Exact arrangements of U'_M up to nK={big.params['nK']} rows (n={big.params['n']}, "
        f"K={big.params['K']}, h={big.params['h_eff']}, r_c={big.params['rank']}): "
        f"P_c={big.values['arrangements']}, enumerated in {big.values['enumerate_s']:.2f}s, (15) "
        f"and its dual solved in {big.values['solve_s']:.1f}s; certified relative bracket widths "
        f"≤ {max(t.gap for t in ts):.2e}; the rebuilt CNN attains the bracket on "
        f"{sum(t.checks['rebuilt_equals_convex'] for t in ts)}/{len(ts)} trials.")]
    bad = [t for t in ts if not t.checks["remark_within_remark_bound"]]
    if bad:
        small = min(bad, key=lambda t: (t.params["nK"], t.values["arrangements"]))
        out.append(Finding(
            "statement_fails",
            f"Remark 3.1's bound P_c ≤ 2r_c(e(n−1)/r_c)^r_c, as printed with n, fails on "
            f"{len(bad)}/{len(ts)} trials (the theorem itself is unaffected: its program uses the "
            f"exact list). Smallest: n={small.params['n']}, K={small.params['K']}, "
            f"r_c={small.params['rank']}: P_c={small.values['arrangements']} > "
            f"{small.values['remark_bound']:.4g} (seed {small.seed}). The arrangements are those "
            f"of the nK rows of U'_M; with nK in place of n the bound holds on "
            f"{sum(t.checks['remark_within_remark_bound_nK'] for t in ts)}/{len(ts)} trials "
            f"(Cover's count 2Σ_{{i≤r_c}} C(nK−1, i) is attained in general position).",
            trial=result.trials.index(small)))
    return out
