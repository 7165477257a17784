"""Appendix B.1 (verify/b_1.py): logistic and hinge losses, Clarabel and the torch solver."""

from types import SimpleNamespace

import pytest

from bnproofs.results import FAIL, INCONCLUSIVE, PASS
from verify import b_1
from verify.claim import Context, Sides, run_trial
from verify.verdicts import status_of


@pytest.mark.parametrize("index, loss, used", [(0, "logistic", "torch"), (1, "hinge", "clarabel"),
                                               (3, "hinge", "torch")])
def test_b1_with_the_torch_solver(index, loss, used):
    """``--solver torch`` on B.1: the logistic loss is solved by the torch solver; the hinge
    loss reaches the claims' 1e-8 on trial 3, not on trial 1, which falls back to Clarabel
    (recorded). Each trial reaches the same verdict as with Clarabel — trial 3 because the
    claim certifies with the solver's own dual point (``ConvexSolution.v``), not the
    prediction's arbitrary subgradient at the kinks."""
    pytest.importorskip("torch")  # every trial trains a network
    trial, _ = run_trial(b_1, Context(index, 0, solver="torch"))
    assert trial.params["loss"] == loss and trial.values["solver_used"] == used
    assert trial.status == run_trial(b_1, Context(index, 0))[0].status == PASS
    lo, hi = trial.bracket
    assert hi - lo <= 1e-6 * max(1.0, abs(lo))


def test_b1_a_network_below_the_lower_bound_fails_the_trial(monkeypatch):
    """Mutation: a 'trained' value below the verified lower bound contradicts (6) = (8)."""
    pytest.importorskip("torch")  # the trial's other sides need it
    fake = SimpleNamespace(best_value=-1.0, curve=[-1.0], every=20, elapsed_s=0.0)
    monkeypatch.setattr(b_1, "train", lambda *a, **k: fake)
    trial, findings = run_trial(b_1, Context(0, 0))
    assert trial.status == FAIL and not trial.checks["gd_above_lower"]
    assert findings and findings[0].kind == "statement_fails"


def _sides(**over):
    v = {"lower": 1.0, "rebuilt_network": 1.0, "convex": 1.0, "dual": 1.0, "gd_best": 1.1}
    return Sides({**v, **over}, {}, data={"solvers_optimal": True})


def test_the_dual_program_as_written_must_meet_the_primal():
    """B.1's dual max −L*(v), solved on its own, has the primal's optimum; a different value
    (a wrong conjugate in the dual program) leaves the trial undecided."""
    c = b_1.CASES[0]
    assert status_of(b_1.compare(c, _sides()).checks) == PASS
    checks = b_1.compare(c, _sides(dual=0.9)).checks
    assert not checks["dual_program_equals_primal"].held and status_of(checks) == INCONCLUSIVE


def test_a_crossed_bracket_is_not_tight():
    checks = b_1.compare(b_1.CASES[0], _sides(rebuilt_network=0.9, convex=0.9, dual=0.9)).checks
    assert not checks["convex_equals_dual"].held
