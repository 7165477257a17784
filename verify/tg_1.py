"""[E] Theorem G.1: BN after ReLU — the training problem (45) against the convex program (46).

What this module computes, each side independently:

* ``arrangements`` — exact enumeration of the patterns of ``X`` (count against Cover's formula
  ``2 Σ_{k<rank X} C(n−1, k)`` where a test finds the rows in general position, an upper bound
  otherwise; sampled gates all listed);
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

Verdict: a real network of (45) not built from the printed program (rebuilt from the exact-cone
program, or trained) with an objective below the verified lower bound of the printed (46)
certifies (45) < (46): the statement check, deciding once the enumeration is complete (the
network rebuilt from the printed program is feasible for it, so below its lower bound it would be
a crossed bracket — an error, never a counterexample). A pass needs both brackets tight (not
crossed), the rebuilt network attaining the printed value and training never beating the
exact-cone bound, which bounds (45) from below. Regimes by rank X; the failure mode has an exact
minimal counterexample (:mod:`bnproofs.exact.program_46`); the exact-cone program is the
corrected statement. Statements: docs/theorems/ergen.md.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import sympy as sp

from bnproofs import instances
from bnproofs.exact import networks as exact_nets
from bnproofs.exact.program_46 import printed_46_lower
from bnproofs.nets import bn_after_relu as bnr
from bnproofs.programs.arrangements import (
    contains,
    cover_count,
    enumerate_arrangements,
    rows_in_general_position,
    sample_arrangements,
)
from bnproofs.results import FAIL, Finding, excess_curve, training_series
from bnproofs.tolerance import IPM, TRAIN, at_least, close, relative_gap

from .claim import Claim, Comparison, Sides
from .verdicts import (
    Audited,
    FailureMode,
    failed_notes,
    record,
    statement_if,
    status_of,
    support,
)

CLAIM = Claim(
    id="TG.1",
    paper="E",
    title="BN after ReLU: exact convex program (46), any X",
    kind="exact reformulation (tight equality (45) = (46) = dual)",
    statement="For any data matrix X, the non-convex problem (45) (network "
              "Σ_j BN_{γ_j,α_j}((X w_j)_+) w_j^(2), objective ½‖f − y‖² + β‖w^(2)‖₁ on "
              "γ_j² + α_j² = 1) equals\n"
              "    min ½ ‖Σ_i U_i'(s_i − s_i') − y‖² + β Σ_i (‖s_i‖₂ + ‖s_i'‖₂)\n"
              "    s.t. (2D_i − I) X V_i Σ_i⁻¹ s_{i,1:r_i} ≥ 0,  "
              "(2D_i − I) X V_i Σ_i⁻¹ s'_{i,1:r_i} ≥ 0     (46)\n"
              "with Π D_i X = U_i Σ_i V_iᵀ (compact SVD), U_i' = [U_i, 1/√n · 1], "
              "r_i = rank(Π D_i X).",
    assumptions=("any X", "β > 0", "any labels y",
                 "D_i ranges over the arrangements of X (patterns 1[X w ≥ 0], no bias)"),
    reference="Ergen et al., ICLR 2022, Theorem G.1; proof in Appendix G.2",
    tex=r"\begin{array}{l}(45) = \min_{s_i, s_i'}\  \frac{1}{2}\left\|\sum_i U_i'(s_i - s_i') "
        r"- y\right\|_2^2 + \beta \sum_i \left(\|s_i\|_2 + \|s_i'\|_2\right)\\ \text{s.t. }\  "
        r"(2D_i - I) X V_i \Sigma_i^{-1} s_{i,1:r_i} \ge 0,\ (2D_i - I) X V_i \Sigma_i^{-1} "
        r"s'_{i,1:r_i} \ge 0\ \forall i, \quad (46)\\  \Pi D_i X = U_i \Sigma_i V_i^\top,\ "
        r"U_i' = \left[U_i,\ \tfrac{1}{\sqrt{n}}\mathbf{1}\right],\ "
        r"r_i = \operatorname{rank}(\Pi D_i X).\end{array}",
)


@dataclass(frozen=True)
class Case:
    n: int
    d: int
    data: str  # data kind (instances.data_matrix)
    labels: str  # label kind (instances.labels)
    beta_rule: str  # instances.beta_for


CASES = [
    Case(6, 2, "general", "mixed", "between"),
    Case(3, 3, "full_row_rank", "mixed", "tiny"),  # n = d, correlated rows: printed cone too small
    Case(8, 2, "general", "mixed", "tiny"),
    Case(4, 5, "full_row_rank", "positive", "random"),  # n < d
    Case(7, 2, "ties", "mixed", "random"),  # duplicated rows
    Case(7, 3, "rank2", "mixed", "tiny"),  # rank-deficient X
    Case(6, 1, "general", "mixed", "between"),  # d = 1: Π D_i X of rank ≤ 1
    Case(6, 2, "general", "mixed", "above"),  # β above the label norms
    Case(8, 3, "general", "ties", "random"),
    Case(4, 4, "full_row_rank", "negative", "tiny"),
]


def case(index: int, rng) -> Case:
    if index < len(CASES):
        return CASES[index]
    d = int(rng.integers(1, 4))
    n = int(rng.integers(d + 1, 9))
    data = str(rng.choice(["general", "general", "ties", "rank2"])) if d > 2 else "general"
    kind = str(rng.choice(instances.LABEL_KINDS))
    return Case(n, d, data, kind, str(rng.choice(instances.BETA_RULES)))


def draw(c: Case, rng) -> tuple[np.ndarray, np.ndarray, float]:
    """The instance's ``X``, ``y`` and ``β``."""
    X = instances.data_matrix(rng, c.n, c.d, c.data)
    y = instances.labels(rng, c.n, c.labels)
    return X, y, instances.beta_for(rng, y, c.beta_rule)


def _values(D, cover, pr, ex, gd) -> dict:
    return {
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


def sides(c: Case, rng, ctx) -> Sides:
    X, y, beta = draw(c, rng)
    rank = int(np.linalg.matrix_rank(X))
    D = enumerate_arrangements(X)
    cover = cover_count(c.n, rank)
    pr = bnr.certified_46(X, y, beta, D, "printed", ctx.solver, ctx.device)
    ex = bnr.certified_46(X, y, beta, D, "exact", ctx.solver, ctx.device)
    gd = bnr.train(X, y, beta, c.n + 1, restarts=3, steps=800, seed=ctx.seed, device=ctx.device)
    listed = contains(D, sample_arrangements(X, 5000, np.random.default_rng([ctx.seed, 2])))
    series = {"training": training_series(
        "Adam on (45): best restart, relative excess over the exact-cone lower bound",
        {"gd (45)-value − lower": gd.curve}, ex.lower, gd.every,
        hline={"(46) printed, lower bound": excess_curve([pr.lower], ex.lower)[0]})}
    data = {"samples_all_listed": bool(listed.all()),
            "solvers_optimal": pr.solvers_optimal and ex.solvers_optimal,
            "general_position": rows_in_general_position(X)}
    return Sides(_values(D, cover, pr, ex, gd), {"beta": beta, "rank": rank, "solver": ctx.solver},
                 series, data=data)


def _finding(c: Case, s: Sides) -> Finding:
    v, p = s.values, s.params
    best_net, who = min((v["exact_upper"], "network rebuilt from the exact-cone program"),
                        (v["gd_best"], "trained network"))
    return Finding(
        "statement_fails",
        f"(45) < (46) certified for n={c.n}, d={c.d} ({c.data}), rank X={p['rank']}, "
        f"β={p['beta']:.4g}: the {who} reaches {best_net:.10g} < verified lower bound "
        f"{v['printed_lower']:.10g} of the printed (46). The exact-cone program brackets the "
        f"optimum in [{v['exact_lower']:.10g}, {v['exact_upper']:.10g}].")


def _bracket(lo: float, hi: float) -> bool:
    """Tight and not crossed: ``|hi − lo| ≤`` the interior-point tier."""
    return abs(hi - lo) <= IPM.bound(lo)


def compare(c: Case, s: Sides) -> Comparison:
    v = s.values
    pr_lo, pr_hi, ex_lo = v["printed_lower"], v["printed_upper"], v["exact_lower"]
    P, cover = v["arrangements"], v["cover_count"]
    count_ok = P == cover if s.data["general_position"] else P <= cover
    complete = count_ok and s.data["samples_all_listed"]
    # networks of (45) not built from the printed program: the rebuilt one is feasible for it, so
    # its value below the printed lower bound would be a crossed bracket, not a counterexample
    best_net = min(v["exact_upper"], v["gd_best"])
    checks = {
        "count_vs_cover": support(count_ok),
        "samples_all_listed": support(s.data["samples_all_listed"]),
        "solvers_optimal": support(s.data["solvers_optimal"]),
        "printed_bracket_tight": support(_bracket(pr_lo, pr_hi)),
        "printed_rebuilt_equals_convex": support(close(pr_hi, v["printed_convex"], IPM)),
        # a network of (45) below the printed (46)'s lower bound refutes (45) = (46)
        "no_network_below_printed": statement_if(at_least(best_net, pr_lo, TRAIN), complete),
        # the exact-cone lower bound is a lower bound on (45): with it tight, (45) ≥ printed (46)
        "exact_bracket_tight": support(_bracket(ex_lo, v["exact_upper"])),
        "gd_above_exact_lower": support(at_least(v["gd_best"], ex_lo, TRAIN)),
    }
    # the corrected statement on this trial: (45) = (46) with the exact cone K_i
    checks["exact_cone_equals_45"] = record(
        checks["exact_bracket_tight"].held and checks["gd_above_exact_lower"].held and complete)
    findings = [_finding(c, s)] if status_of(checks) == FAIL else []
    return Comparison(checks, gap=relative_gap(pr_hi, pr_lo), bracket=(pr_lo, pr_hi),
                      tolerance=IPM.as_dict(), notes=failed_notes(checks), findings=findings)


FULL_ROW_RANK = "rank X = n (X of full row rank, n ≤ d)"
DEPENDENT_ROWS = "rank X < n (the rows of X linearly dependent)"


def regime(c: Case, s: Sides) -> str:
    return FULL_ROW_RANK if s.params["rank"] == c.n else DEPENDENT_ROWS


def summarise(result):
    ts = result.trials
    ok = [t for t in ts if "printed_lower" in t.values]
    if not ok:
        return []
    out = []
    bad = [i for i, t in enumerate(ts) if t.status == FAIL and "printed_lower" in t.values]
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
    good = sum(t.checks["exact_bracket_tight"] and t.checks["gd_above_exact_lower"] for t in ok)
    agree = sum(t.values["printed_lower"] - t.values["exact_upper"]
                <= IPM.bound(t.values["exact_upper"]) for t in ok)
    out.append(Finding(
        "corrected_form_holds" if good == len(ok) else "observation",
        f"(46) with the exact projected cone K_i = Σ_i V_iᵀ{{w : (2D_i − I)Xw ≥ 0}}: certified "
        f"bracket tight and no trained network below it on {good}/{len(ok)} trials; printed and "
        f"exact optima agree on {agree}/{len(ok)} (on rows in general position with n > d every "
        f"lost neuron is recovered at a neighbouring arrangement's boundary)."))
    return out


# ----------------------------------------------------------------- the failure mode, exactly

#: the minimal instance (tests/claims/test_tg_1.py finds it by enumeration over n = 2,
#: d ≤ 2, X ∈ {−2..2}^{2×d}, y ∈ {−1, 0, 1}², β = 1/2; n = 1 has no BN: Πz = 0 always)
MINIMAL = {"X": [[-2, -1], [-1, 1]], "y": [1, 0], "beta": "1/2"}
#: a rational dual point of the printed (46) on it (Clarabel's, rounded), and a network of (45):
#: one neuron, w = (−1, −1), γ = α = 1/√2, w^(2) = 1/2 — BN((Xw)₊) = BN((3, 0)) = (1, 0)
MINIMAL_DUAL = ["17/20", "-3/20"]
MINIMAL_NET = {"W": [[-1], [-1]], "gamma": ["sqrt(2)/2"], "alpha": ["sqrt(2)/2"],
               "w_out": ["1/2"]}


def exact_counterexample() -> dict:
    """The printed (46)'s verified exact lower bound above the exact (45)-value of a network,
    and that network's value equal to the unit-sphere dual bound of (45) at
    ``v = y · min(1, β/‖y‖)`` (every BN output on Θ_s is a unit vector: ``|vᵀ BN| ≤ ‖v‖ ≤ β``),
    so it is (45)'s optimum — which the exact-cone program reaches."""
    X, y, beta = (exact_nets.matrix(MINIMAL["X"]), exact_nets.matrix(MINIMAL["y"]),
                  exact_nets.number(MINIMAL["beta"]))
    bound = printed_46_lower(X, y, beta, exact_nets.matrix(MINIMAL_DUAL))
    net = {k: [exact_nets.number(e) for e in val] if k != "W" else exact_nets.matrix(val)
           for k, val in MINIMAL_NET.items()}
    value = exact_nets.relu_bn_objective(X, net["W"], net["gamma"], net["alpha"], net["w_out"],
                                         y, beta)
    v = y * sp.Min(1, beta / exact_nets.norm(y))
    opt, feas = sp.nsimplify(-sum(e**2 for e in v - y) / 2 + sum(e**2 for e in y) / 2), bool(
        sum(e**2 for e in v) <= beta**2)
    proved = bound["feasible"] and exact_nets.proved_above(bound["lower"], value)
    Xf, yf = np.array(MINIMAL["X"], dtype=float), np.array(MINIMAL["y"], dtype=float)
    ex = bnr.certified_46(Xf, yf, 0.5, enumerate_arrangements(Xf), "exact")
    return {"instance": {k: str(val) for k, val in MINIMAL.items()},
            "exact": {"printed_46_lower": str(bound["lower"]), "network": str(value),
                      "optimum_45": str(opt) if feas and opt == value else "not proved",
                      "dual_point": str(MINIMAL_DUAL),
                      "exact_cone_46_bracket": f"[{ex.lower:.10g}, {ex.upper:.10g}]"},
            "proved": bool(proved),
            "text": f"X = {MINIMAL['X']}, y = {MINIMAL['y']}, β = 1/2: every printed cone of "
                    f"(46) except the constant direction is {{0}} (x₁ᵀx₂ = 1 lies strictly "
                    f"between 0 and min‖x_i‖² = 2), so printed (46) ≥ {bound['lower']} (a "
                    f"verified rational dual point), while one neuron w = (−1, −1) of (45) reaches "
                    f"{value}, the optimum of (45)."}


FAILURE_MODES = (
    FailureMode(
        "lost neurons", "a pattern D_i needs w outside the row space of Π D_i X (its inactive "
        "rows pushed below 0 by a null-space component), seen with rank X = n ≤ d",
        lambda t: t.checks.get("no_network_below_printed") is False, exact_counterexample,
        corrected="(45) equals (46) with the exact projected cone K_i = Σ_i V_iᵀ{w : (2D_i − I)Xw "
                  "≥ 0} in place of (2D_i − I)XV_iΣ_i⁻¹s_{i,1:r_i} ≥ 0 (w = V_iΣ_i⁻¹q + N_iz, "
                  "z eliminated by Farkas)",
        corrected_tex=r"K_i = \Sigma_i V_i^\top \left\{w : (2D_i - I) X w \ge 0\right\},\quad "
                      r"s_{i,1:r_i} \in K_i",
        evidence="record check exact_cone_equals_45 on every trial (the exact-cone bracket is "
                 "tight, no trained network beats it, the arrangements are complete), and on the "
                 "minimal instance (45)'s exact optimum 3/8 (a network meets the unit-sphere dual "
                 "bound) inside the exact-cone program's certified bracket"),
)

E = "[E] Ergen et al., ICLR 2022"
AUDIT = (
    Audited("min_{θ∈Θ_s} ½‖Σ_j BN_{γ_j,α_j}((Xw_j^(1))₊) w_j^(2) − y‖₂² + β‖w^(2)‖₁  (45)",
            f"{E}, Appendix G", checks=("gd_above_exact_lower",),
            finding="BN of a constant ReLU output is 0/0 in (2); γ = 0 makes every BN output "
                    "α/√n·1, so constant neurons need no convention"),
    Audited("For any data matrix X, the non-convex training problem in (45) can be equivalently "
            "stated as the convex program (46)", f"{E}, Appendix G, Theorem G.1",
            checks=("no_network_below_printed", "printed_bracket_tight",
                    "printed_rebuilt_equals_convex"),
            finding="fails as printed: (45) < (46) certified where rank X = n (the failure mode, "
                    "exact minimal counterexample); holds on every trial with rank X < n"),
    Audited("(2D_i − I_n)XV_iΣ_i⁻¹s_{i,1:r_i} ≥ 0, (2D_i − I_n)XV_iΣ_i⁻¹s'_{i,1:r_i} ≥ 0  (46)",
            f"{E}, Appendix G, (46)", checks=("exact_bracket_tight",),
            finding="the cone of w in the row space of Π D_i X only; the exact set of q = Σ_iV_iᵀw "
                    "is the projected cone K_i (corrected statement)"),
    Audited("(I_n − (1/n)11ᵀ)D_iX := U_iΣ_iV_iᵀ, U_i' := [U_i  1/√n], r_i := rank((I_n − "
            "(1/n)11ᵀ)D_iX), and s_{i,1:r_i} denotes all the entries of s_i except the last one",
            f"{E}, Appendix G, Theorem G.1",
            checks=("printed_rebuilt_equals_convex", "count_vs_cover", "samples_all_listed"),
            finding="the index is printed 1:r_i − 1 in the constraint and 'all entries except the "
                    "last' in the text; for s_i ∈ R^(r_i+1) that is 1:r_i, which the suite uses"),
    Audited("max_{θ∈Θ_s} |vᵀBN((Xw)₊)| = max_i max_{‖s_i‖=1, (2D_i−I)XV_iΣ_i⁻¹s_{i,1:r_i}≥0} "
            "|vᵀU_i's_i|", f"{E}, Appendix G.2, proof of Theorem G.1",
            checks=("no_network_below_printed",),
            finding="the substitution w = V_iΣ_i⁻¹q_i drops the null-space part of w that can "
                    "realise the pattern: the right side can be smaller (an inequality), the "
                    "step where the printed program loses neurons"),
    Audited("Then, the rest of the proof directly follow from Theorem 2.2", f"{E}, Appendix G.2",
            checks=("exact_bracket_tight", "gd_above_exact_lower"),
            finding="holds with the exact cone K_i: Theorem 2.2's argument then applies verbatim"),
)


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
