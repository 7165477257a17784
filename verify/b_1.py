"""[E] Appendix B.1: the convex program (8) and its Fenchel dual for logistic and hinge losses.

What this module computes, each side independently:

* ``convex`` — Clarabel's value of (8) with the loss (cvxpy ``logistic`` / ``pos``), or with
  ``--solver torch`` the torch solver's (where it does not reach the claims' 1e-8, Clarabel's
  answer replaces it, recorded in ``solver_used``);
* ``dual`` — Clarabel's value of the dual ``max −L*(−v)`` s.t. (24)'s constraints, solved as a
  separate problem (conjugates and their domains ``y∘v ∈ [0, 1]`` in
  :mod:`bnproofs.programs.losses`: binary entropy for logistic, ``yᵀv`` for hinge; B.1's
  ``−L*(v)`` is the same problem under ``v → −v``); with the torch solver, its own certified
  lower bound;
* ``lower`` — the better of two dual points (``v = −∇L(f*)`` from the primal solution, and the
  dual solver's), projected onto the domain of ``L*``, scaled into (24)'s constraints and
  verified (:mod:`bnproofs.certify.certificates`);
* ``rebuilt_network`` — (6) with the loss at the network rebuilt from (8) (C.3, after
  Carathéodory pruning), evaluated in the original model;
* ``gd_best`` — Adam on (6) with the same loss, ``2(n+1)`` neurons, 3 restarts, 600 steps.

Checks: both solvers optimal; the certified bracket ``[lower, rebuilt_network]`` no wider than the
interior-point tier (convex = dual = non-convex optimum); training never below the lower bound,
which alone contradicts the statement. Statements: docs/theorems/ergen.md.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from bnproofs import instances
from bnproofs.certify.two_layer import certified_optimum
from bnproofs.data import whiten
from bnproofs.nets.training import train
from bnproofs.programs.arrangements import enumerate_arrangements
from bnproofs.results import FAIL, Finding, training_series
from bnproofs.tolerance import IPM, TRAIN, at_least, close, relative_gap

from .claim import Claim, Comparison, Sides
from .verdicts import Audited, failed_notes, statement, status_of, support

CLAIM = Claim(
    id="B.1",
    paper="E",
    title="Convex program (8) and its Fenchel dual for logistic and hinge losses",
    kind="exact reformulation (tight equality for any convex loss)",
    statement="For a convex loss L(·, y), the dual of the rescaled problem (19) is max −L*(v) "
              "subject to the same constraint as for the squared loss, with L* the Fenchel "
              "conjugate; hence program (8) with ½‖· − y‖² replaced by L is exact for (6) with "
              "that loss (cross-entropy, hinge, …).",
    assumptions=("any X", "β > 0", "convex loss (logistic, hinge), labels ±1"),
    reference="Ergen et al., ICLR 2022, Appendix B.1 (with Theorem 2.2 / (8) and (24))",
    tex=r"\begin{array}{l}\min_{\theta\in\Theta_s} L\left(f_{\theta,2}(X), y\right) "
        r"+ \beta\|w^{(2)}\|_1 = \min_{s_i, s_i'} L\left(\sum_i D_i U'(s_i - s_i'), y\right) "
        r"+ \beta \sum_i \left(\|s_i\|_2 + \|s_i'\|_2\right)\\ \text{s.t. } (2D_i - I)U's_i "
        r"\ge 0,\ (2D_i - I)U's_i' \ge 0\ \forall i, \text{ with dual } \max_v -L^*(v) "
        r"\text{ under the constraint of the squared loss.}\end{array}",
)


@dataclass(frozen=True)
class Case:
    loss: str  # "logistic" or "hinge"
    n: int
    d: int
    labels: str  # label kind (signs taken, zeros set to +1)
    beta: float


#: β spans tiny to above the zero-network threshold
CASES = [
    Case("logistic", 6, 2, "mixed", 0.05),
    Case("hinge", 6, 2, "mixed", 0.05),
    Case("logistic", 8, 2, "mixed", 1.0),
    Case("hinge", 8, 2, "mixed", 1.0),
    Case("logistic", 8, 3, "positive", 0.3),  # one class only
    Case("hinge", 8, 3, "negative", 0.3),
    Case("logistic", 7, 1, "mixed", 10.0),  # β large: the zero network, value n log 2
    Case("hinge", 7, 1, "mixed", 10.0),  # value n
    Case("logistic", 10, 2, "mixed", 0.01),
    Case("hinge", 4, 3, "mixed", 0.01),  # n = d + 1
]


def case(index: int, rng) -> Case:
    if index < len(CASES):
        return CASES[index]
    loss = ("logistic", "hinge")[index % 2]
    d = int(rng.integers(1, 4))
    n = int(rng.integers(d + 1, 11))
    kind = str(rng.choice(["mixed", "mixed", "positive", "negative"]))
    return Case(loss, n, d, kind, float(10 ** rng.uniform(-2, 1)))


def sides(c: Case, rng, ctx) -> Sides:
    X = instances.general_position(rng, c.n, c.d)
    y = np.sign(instances.labels(rng, c.n, c.labels))
    y[y == 0] = 1.0
    W = whiten(X)
    D = enumerate_arrangements(W.Uprime)
    opt = certified_optimum(X, y, c.beta, W, D, loss=c.loss, solver=ctx.solver,
                            device=ctx.device)
    gd = train(X, y, c.beta, [2 * (c.n + 1)], objective="l1", restarts=3, steps=600,
               seed=ctx.seed, device=ctx.device, loss=c.loss)
    values = {
        **opt.values(),
        "gd_best": gd.best_value,
        "zero_network": c.n * np.log(2.0) if c.loss == "logistic" else float(c.n),
        "dual_scale": opt.certificate.scale,
        "arrangements": len(D),
        "train_s": gd.elapsed_s,
    }
    series = {"training": training_series(
        f"Adam on (6) with the {c.loss} loss: best restart, relative excess over the lower bound",
        {"gd value − lower": gd.curve}, opt.lower, gd.every)}
    return Sides(values, {"solver": ctx.solver}, series,
                 data={"solvers_optimal": opt.solvers_optimal})


def compare(c: Case, s: Sides) -> Comparison:
    v = s.values
    lo, hi, gd = v["lower"], v["rebuilt_network"], v["gd_best"]
    checks = {
        "solvers_optimal": support(s.data["solvers_optimal"]),
        "dual_point_in_domain": support(np.isfinite(lo)),
        "convex_equals_dual": support(abs(hi - lo) <= IPM.bound(lo)),  # tight, not crossed
        "rebuilt_equals_convex": support(close(hi, v["convex"], IPM)),
        # the dual as B.1 writes it, max −L*(v) over (24)'s constraint, solved on its own
        "dual_program_equals_primal": support(close(v["dual"], v["convex"], IPM)),
        "gd_above_lower": statement(at_least(gd, lo, TRAIN)),  # a network below contradicts it
    }
    findings = []
    if status_of(checks) == FAIL:
        findings.append(Finding("statement_fails",
                                f"{c.loss}: trained network {gd:.10g} below the verified "
                                f"lower bound {lo:.10g} (n={c.n}, d={c.d}, β={c.beta:.4g})."))
    return Comparison(checks, gap=relative_gap(hi, lo), bracket=(lo, hi),
                      tolerance=IPM.as_dict(), notes=failed_notes(checks), findings=findings)


def summarise(result):
    out = []
    for loss in ("logistic", "hinge"):
        ts = [t for t in result.trials if t.params.get("loss") == loss and "lower" in t.values]
        if not ts:
            continue
        ok = sum(t.checks["convex_equals_dual"] for t in ts)
        out.append(Finding("observation",
                           f"{loss}: certified bracket within the interior-point tier on "
                           f"{ok}/{len(ts)} trials (widest relative gap "
                           f"{max(t.gap for t in ts):.2e}); best training excess over the lower "
                           f"bound {min(t.values['gd_best'] - t.values['lower'] for t in ts):.3g}"
                           f" .. {max(t.values['gd_best'] - t.values['lower'] for t in ts):.3g}."))
    return out


E = "[E] Ergen et al., ICLR 2022"
AUDIT = (
    Audited("min_{θ∈Θ_s} L(f_{θ,L}(X), y) + β‖w^(L)‖₁  (19), L(·, y) a convex loss function",
            f"{E}, Appendix B.1, (19)", checks=("rebuilt_equals_convex", "gd_above_lower")),
    Audited("the dual of (19) is given by max −L*(v) s.t. max |vᵀBN_{γ,α}(A^(L−2)w^(1))| ≤ β",
            f"{E}, Appendix B.1",
            checks=("dual_program_equals_primal", "convex_equals_dual", "dual_point_in_domain"),
            finding="the same problem as max −L*(−v) (the constraint is symmetric under v → −v); "
                    "the ReLU is missing from the printed constraint, which is (5)'s "
                    "|vᵀ(BN(·))₊| ≤ β (the programs here use (24), the constraint of (8))"),
    Audited("L*(v) = max_z zᵀv − L(z, y)", f"{E}, Appendix B.1",
            checks=("dual_point_in_domain",),
            finding="logistic: −L*(−v) = Σ binary entropy of y∘v on [0, 1]ⁿ; hinge: −L*(−v) = yᵀv "
                    "on y∘v ∈ [0, 1]ⁿ (bnproofs.programs.losses)"),
    Audited("our convex characterization holds for arbitrary convex loss functions including "
            "cross entropy and hinge loss", f"{E}, Appendix B.1",
            checks=("gd_above_lower", "convex_equals_dual", "rebuilt_equals_convex"),
            finding="verified for the logistic (binary cross-entropy) and hinge losses"),
    Audited("optimal parameters for (3) are a subset of the set that includes the extreme points "
            "of the dual constraint in (5) independent of loss function", f"{E}, Appendix B.1",
            checks=("rebuilt_equals_convex",),
            finding="the rebuilt network's neurons are the optimal s_i of (8), one per active "
                    "arrangement; that they are extreme points of the constraint set is not "
                    "checked separately"),
)


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
