"""The audit of a solver's answer: named checks, each of which a wrong answer must fail."""

import numpy as np
import pytest

from bnproofs.certify.audit import CHECKS, BracketCrossed, audit, dual_feasibility
from bnproofs.certify.certificates import DualCertificate
from bnproofs.certify.two_layer import certified_optimum, solve_for_audit
from bnproofs.data import whiten
from bnproofs.programs.arrangements import enumerate_arrangements
from bnproofs.programs.cone import program_8


@pytest.fixture(scope="module")
def answer():
    """(8) on 8 Gaussian samples, d = 2, and Clarabel's answer with its two dual points."""
    rng = np.random.default_rng(4)
    W = whiten(rng.standard_normal((8, 2)))
    prog = program_8(W.Uprime, enumerate_arrangements(W.Uprime), rng.standard_normal(8), 0.2)
    return prog, solve_for_audit(prog, "clarabel")


def test_a_clarabel_answer_passes_every_named_check(answer):
    prog, solved = answer
    cs = solved.solution
    a = audit(prog, cs.S, cs.Sp, solved.dual_points)
    assert tuple(c.name for c in a.checks) == CHECKS
    assert a.passed and a.gap <= 1e-6
    assert a.upper == prog.objective(cs.S, cs.Sp)  # recomputed, not the solver's value
    assert a.lower == a.certificate.lower_bound <= a.upper
    assert a.as_dict()["gap"] == a.gap


def test_a_crossed_bracket_raises(answer):
    """An upper end below the verified lower bound (a wrong network objective, say) is never
    passed on as a bracket."""
    prog, solved = answer
    cs = solved.solution
    lower = audit(prog, cs.S, cs.Sp, solved.dual_points).lower
    with pytest.raises(BracketCrossed, match="above upper bound"):
        audit(prog, cs.S, cs.Sp, solved.dual_points, upper=lower - 1e-6 * abs(lower))
    with pytest.raises(BracketCrossed):
        audit(prog, cs.S, cs.Sp, solved.dual_points, upper=float("nan"))
    # round-off is not a crossing
    a = audit(prog, cs.S, cs.Sp, solved.dual_points, upper=lower * (1 - 1e-15))
    assert a["bracket_ordered"].held


def test_a_sign_flip_in_the_dual_point_fails_the_gap(answer):
    prog, solved = answer
    cs = solved.solution
    flipped = [(-v, rho, rhop) for v, rho, rhop in solved.dual_points]
    a = audit(prog, cs.S, cs.Sp, flipped)
    assert not a["gap_certified"].held and not a.passed
    assert a["dual_feasible"].held and a["bracket_ordered"].held  # still a true, wide bracket


def test_a_point_outside_its_cones_fails_primal_feasibility(answer):
    prog, solved = answer
    cs = solved.solution
    a = audit(prog, -cs.S, -cs.Sp, solved.dual_points, upper=prog.objective(cs.S, cs.Sp))
    assert not a["primal_feasible"].held and a["primal_feasible"].value > 1e-3


def test_an_infeasible_scaled_dual_point_fails_dual_feasibility():
    cert = DualCertificate(1.0, 1.0, 1.5, np.zeros(3), scaled_constraint=1.5)
    assert not dual_feasibility(cert).held
    assert dual_feasibility(DualCertificate(1.0, 1.0, 1.0, np.zeros(3), 1.0)).held


def test_the_certified_optimum_carries_its_audit():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((7, 2)), rng.standard_normal(7)
    W = whiten(X)
    opt = certified_optimum(X, y, 0.1, W, enumerate_arrangements(W.Uprime))
    assert opt.audit.passed
    assert (opt.audit.lower, opt.audit.upper) == (opt.lower, opt.upper)
    assert opt.audit["primal_feasible"].value == opt.cone_violation
