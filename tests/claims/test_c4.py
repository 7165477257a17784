"""C4 (verify/c4.py): the norm-growth identity at every step, and the wrong formulas it catches."""

import pytest

from bnproofs.ols import dynamics
from bnproofs.results import FAIL, INCONCLUSIVE, PASS
from verify import c4
from verify.claim import Context, run_trial
from verify.mutants.c4 import MUTANTS
from verify.mutation import applied
from verify.verdicts import Check, status_of

SMALL = {"runs": 3, "steps": 20}


@pytest.mark.parametrize("index", [1, 2])
def test_c4_norm_growth(index):
    trial, findings = run_trial(c4, Context(index, index))
    assert trial.status == PASS, trial.checks
    assert min(trial.values["norm_growth_factor"]) >= 1 - 1e-9
    assert trial.gap <= 1e-9 * trial.params["d"]
    assert not findings


def test_c4_runs_is_a_knob():
    trial, _ = run_trial(c4, Context(1, 1), **SMALL)
    assert len(trial.values["norm_growth_factor"]) == 3 and trial.params["steps"] == 20
    assert "runs" not in trial.params
    assert trial.status == PASS, trial.checks


def test_c4_gradient_check_is_evidence_not_theorem():
    """Central differences test our gradient code, not the paper: a support check."""
    trial, _ = run_trial(c4, Context(1, 1), **SMALL)
    assert trial.roles["grad_matches_fd"] == "support"
    assert {trial.roles[k] for k in ("identity_every_step", "w_orthogonal_to_grad",
                                     "norm_non_decreasing")} == {"statement"}


def test_c4_catches_a_wrong_update_rule(monkeypatch):
    """Mutation: a BNGD update with H w scaled by 1.01 breaks wᵀΔw = 0 and the identity."""
    real = dynamics.hmul
    monkeypatch.setattr(dynamics, "hmul",
                        lambda dense, shared, M, w: 1.01 * real(dense, shared, M, w))
    trial, findings = run_trial(c4, Context(1, 1))
    assert trial.status == FAIL
    assert not trial.checks["identity_every_step"]
    assert findings and findings[0].kind == "statement_fails"


EXPECTED = {  # mutant -> statement checks it must break on trial 1
    "grad_projection_H_norm": ("w_orthogonal_to_grad", "identity_every_step"),
    "grad_factor_a_dropped": ("identity_every_step",),
    "sequential_update": ("identity_every_step",),
    "step_projection_H_norm": ("identity_every_step", "norm_non_decreasing"),
}


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_c4_mutants_break_the_identity(mutant):
    with applied(mutant):
        trial, _ = run_trial(c4, Context(1, 1), **SMALL)
    assert trial.status == FAIL
    assert not any(trial.checks[k] for k in EXPECTED[mutant.name]), trial.checks


def test_c4_a_failing_gradient_check_alone_is_inconclusive():
    """Only the support check failing (our gradient code off, the dynamics' identities intact)
    leaves the trial inconclusive: it cannot refute the statement."""
    trial, _ = run_trial(c4, Context(1, 1), **SMALL)
    checks = {k: Check(v, trial.roles[k]) for k, v in trial.checks.items()}
    checks["grad_matches_fd"] = Check(False, "support")
    assert status_of(checks) == INCONCLUSIVE
