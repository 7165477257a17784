"""Theorem G.1 of [E]: BN after ReLU — the training problem (45) equals the convex program (46).

Statement (as printed). For any data matrix ``X``, the non-convex problem (45) (network
``Σ_j BN_{γ_j,α_j}((X w_j)_+) w_j^(2)``, objective ½‖f − y‖² + β‖w^(2)‖₁ on γ_j² + α_j² = 1)
equals::

    min ½ ‖Σ_i U_i'(s_i − s_i') − y‖² + β Σ_i (‖s_i‖₂ + ‖s_i'‖₂)
    s.t. (2D_i − I) X V_i Σ_i⁻¹ s_{i,1:r_i} ≥ 0,  (2D_i − I) X V_i Σ_i⁻¹ s'_{i,1:r_i} ≥ 0     (46)

with ``Π D_i X = U_i Σ_i V_iᵀ`` (compact SVD), ``U_i' = [U_i, 1/√n · 1]``, ``r_i = rank(Π D_i X)``.

Assumptions: any ``X``; ``β > 0``; any labels ``y``. ``D_i`` ranges over the arrangements of
``X`` (patterns ``1[X w ≥ 0]``, no bias).
Reference: Ergen et al., ICLR 2022, Theorem G.1; proof in Appendix G.2.

What this module computes, each side independently:

* ``arrangements`` — exact enumeration of the patterns of ``X`` (count against Cover's formula
  ``2 Σ_{k<rank X} C(n−1, k)`` for rows in general position, sampled gates all listed);
  ``rank_deficient_blocks`` counts ``r_i < max_j r_j``, ``zero_blocks`` those with
  ``Π D_i X = 0`` (only the constant neuron ``α/√n · 1`` remains, unconstrained);
* ``printed_lower`` / ``printed_upper`` — the certified bracket of (46) as printed: a verified
  dual point (better of Clarabel's primal multipliers and its separately solved dual), and (45)
  at the network rebuilt from the solution (Carathéodory-pruned); ``printed_convex`` /
  ``printed_dual`` are Clarabel's own values;
* ``exact_lower`` / ``exact_upper`` — the same for (46) with the exact projected cone
  ``K_i = Σ_i V_iᵀ {w : (2D_i − I) X w ≥ 0}`` (:mod:`bnproofs.nets.bn_after_relu`): the printed
  program restricts ``w`` to the row space of ``Π D_i X``, which loses neurons when adding a
  null-space component to ``w`` is needed to realise the pattern;
* ``gd_best`` — (45) at the best of several Adam restarts (numpy evaluation).

Verdict: ``fails`` when a real network of (45) (rebuilt or trained) has an objective below the
verified lower bound of the printed (46) — then (45) < (46) is certified; ``holds`` when the
printed bracket is tight (convex = dual), the rebuilt network attains it and training never
beats it; ``inconclusive`` otherwise. The exact-cone program is reported beside it as the
corrected statement.
"""

from __future__ import annotations

import numpy as np

from bnproofs import instances
from bnproofs.nets import bn_after_relu as bnr
from bnproofs.programs.arrangements import (
    contains,
    cover_count,
    enumerate_arrangements,
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
from bnproofs.tolerance import IPM, TRAIN, at_least, close, relative_gap

ID = "TG.1"
PAPER = "E"
TITLE = "BN after ReLU: exact convex program (46), any X"
KIND = "exact reformulation (tight equality (45) = (46) = dual)"
STATEMENT = __doc__.split("Assumptions:")[0].split("\n", 2)[2].strip()
ASSUMPTIONS = ["any X", "β > 0", "any labels y"]

#: documented cases first: (n, d, data kind, label kind, β rule)
CASES = [
    (6, 2, "general", "mixed", "between"),
    (3, 3, "full_row_rank", "mixed", "tiny"),  # n = d, correlated rows: printed cone too small
    (8, 2, "general", "mixed", "tiny"),
    (4, 5, "full_row_rank", "positive", "random"),  # n < d
    (7, 2, "ties", "mixed", "random"),  # duplicated rows
    (7, 3, "rank2", "mixed", "tiny"),  # rank-deficient X
    (6, 1, "general", "mixed", "between"),  # d = 1: Π D_i X of rank ≤ 1
    (6, 2, "general", "mixed", "above"),  # β above the label norms
    (8, 3, "general", "ties", "random"),
    (4, 4, "full_row_rank", "negative", "tiny"),
]


def instance(index: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    if index < len(CASES):
        n, d, data, kind, rule = CASES[index]
    else:
        d = int(rng.integers(1, 4))
        n = int(rng.integers(d + 1, 9))
        data = str(rng.choice(["general", "general", "ties", "rank2"])) if d > 2 else "general"
        kind = str(rng.choice(instances.LABEL_KINDS))
        rule = str(rng.choice(instances.BETA_RULES))
    X = instances.data_matrix(rng, n, d, data)
    y = instances.labels(rng, n, kind)
    beta = instances.beta_for(rng, y, rule)
    return {"X": X, "y": y, "beta": beta, "n": n, "d": d, "data": data, "labels": kind,
            "beta_rule": rule}


def check(index: int, seed: int, device: str = "cpu", solver: str = "clarabel"):
    inst = instance(index, seed)
    rng = np.random.default_rng([seed, 2])
    X, y, beta, n = inst["X"], inst["y"], inst["beta"], inst["n"]
    params = {k: inst[k] for k in ("n", "d", "data", "labels", "beta_rule")}
    rank = int(np.linalg.matrix_rank(X))
    params.update(index=index, beta=beta, rank=rank, solver=solver)
    D = enumerate_arrangements(X)
    general = inst["data"] in ("general", "full_row_rank")
    cover = cover_count(n, rank)
    pr = bnr.certified_46(X, y, beta, D, "printed", solver, device)
    ex = bnr.certified_46(X, y, beta, D, "exact", solver, device)
    gd = bnr.train(X, y, beta, n + 1, restarts=3, steps=800, seed=seed, device=device)
    best_net = min(pr.upper, ex.upper, gd.best_value)
    tol = IPM
    values = {
        "arrangements": len(D),
        "solver_used": f"printed {pr.solver_used}, exact {ex.solver_used}",
        "cover_count": cover,
        "rank_deficient_blocks": pr.program.rank_deficient,
        "zero_blocks": pr.program.zero_blocks,
        "printed_convex": pr.convex,
        "printed_dual": pr.dual,
        "printed_lower": pr.lower,
        "printed_upper": pr.upper,
        "exact_convex": ex.convex,
        "exact_dual": ex.dual,
        "exact_lower": ex.lower,
        "exact_upper": ex.upper,
        "gd_best": gd.best_value,
        "printed_excess_over_exact": pr.lower - ex.upper,
        "neurons_rebuilt": ex.neurons,
        "cone_violation": max(pr.cone_violation, ex.cone_violation),
        "solve_s": pr.solve_s + ex.solve_s,
        "train_s": gd.elapsed_s,
    }
    checks = {
        "count_vs_cover": len(D) == cover if general else len(D) <= cover,
        "samples_all_listed": bool(contains(D, sample_arrangements(X, 5000, rng)).all()),
        "solvers_optimal": pr.solvers_optimal and ex.solvers_optimal,
        "printed_bracket_tight": pr.upper - pr.lower <= tol.bound(pr.lower),
        "printed_rebuilt_equals_convex": close(pr.upper, pr.convex, tol),
        "no_network_below_printed": at_least(best_net, pr.lower, TRAIN),
        "exact_bracket_tight": ex.upper - ex.lower <= tol.bound(ex.lower),
        "gd_above_exact_lower": at_least(gd.best_value, ex.lower, TRAIN),
    }
    enumeration_ok = checks["count_vs_cover"] and checks["samples_all_listed"]
    status, notes = decide(checks, not checks["no_network_below_printed"] and enumeration_ok)
    findings = []
    if status == FAIL:
        who = min((pr.upper, "network rebuilt from (46) printed"),
                  (ex.upper, "network rebuilt from the exact-cone program"),
                  (gd.best_value, "trained network"))[1]
        findings.append(Finding(
            "statement_fails",
            f"(45) < (46) certified for n={n}, d={params['d']} ({inst['data']}), rank X={rank}, "
            f"β={beta:.4g}: the {who} reaches {best_net:.10g} < verified lower bound "
            f"{pr.lower:.10g} of the printed (46). The exact-cone program brackets the optimum in "
            f"[{ex.lower:.10g}, {ex.upper:.10g}].",
        ))
    series = {"training": plot_series(
        "Adam on (45): best restart, relative excess over the exact-cone lower bound",
        {"gd (45)-value − lower": excess_curve(gd.curve, ex.lower)},
        x=[i * gd.every for i in range(len(gd.curve))],
        xlabel="step", ylabel="(value − lower) / max(1, |lower|)", log="y",
        hline={"(46) printed, lower bound": excess_curve([pr.lower], ex.lower)[0]})}
    trial = Trial(seed, params, values, status, gap=relative_gap(pr.upper, pr.lower),
                  bracket=(pr.lower, pr.upper), tolerance=tol.as_dict(), notes=notes,
                  series=series, checks=checks)
    return trial, findings


def summarise(result):
    ts = [t for t in result.trials if "printed_lower" in t.values]
    if not ts:
        return []
    out = []
    bad = [i for i, t in enumerate(ts) if t.status == FAIL]
    if bad:
        i = min(bad, key=lambda j: (ts[j].params["n"], ts[j].params["d"]))
        p, v = ts[i].params, ts[i].values
        out.append(Finding(
            "statement_fails",
            f"Smallest counterexample: trial {i}, n={p['n']}, d={p['d']} ({p['data']}), β="
            f"{p['beta']:.4g} (seed {ts[i].seed}): printed (46) ≥ {v['printed_lower']:.10g} but a "
            f"network of (45) reaches {min(v['exact_upper'], v['gd_best']):.10g}. Cause: (46) "
            f"restricts w to the row space of Π D_i X; realising a pattern can need a null-space "
            f"component (e.g. n ≤ d with correlated rows).", trial=i))
    ok = sum(t.checks["exact_bracket_tight"] and t.checks["gd_above_exact_lower"] for t in ts)
    out.append(Finding(
        "corrected_form_holds" if ok == len(ts) else "observation",
        f"(46) with the exact projected cone K_i = Σ_i V_iᵀ{{w : (2D_i − I)Xw ≥ 0}}: certified "
        f"bracket tight and no trained network below it on {ok}/{len(ts)} trials; printed and "
        f"exact optima agree on {sum(t.values['printed_lower'] - t.values['exact_upper'] <= IPM.bound(t.values['exact_upper']) for t in ts)}"
        f"/{len(ts)} (on rows in general position with n > d every lost neuron is recovered at"
        f" a neighbouring arrangement's boundary)."))
    return out
