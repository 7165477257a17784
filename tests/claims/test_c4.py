"""C4 (verify/c4.py): the norm-growth identity at every step, and a wrong update it catches."""

import pytest

from bnproofs.ols import dynamics
from bnproofs.results import FAIL, PASS
from verify import c4
from verify.claim import Context, run_trial


@pytest.mark.parametrize("index", [1, 2])
def test_c4_norm_growth(index):
    trial, findings = run_trial(c4, Context(index, index))
    assert trial.status == PASS, trial.checks
    assert min(trial.values["norm_growth_factor"]) >= 1 - 1e-9
    assert trial.gap <= 1e-9 * trial.params["d"]
    assert not findings


def test_c4_runs_is_a_knob():
    trial, _ = run_trial(c4, Context(1, 1), runs=3, steps=20)
    assert len(trial.values["norm_growth_factor"]) == 3 and trial.params["steps"] == 20
    assert "runs" not in trial.params
    assert trial.status == PASS, trial.checks


def test_c4_catches_a_wrong_update_rule(monkeypatch):
    """Mutation: a BNGD update with H w scaled by 1.01 breaks wᵀΔw = 0 and the identity."""
    real = dynamics.hmul
    monkeypatch.setattr(dynamics, "hmul",
                        lambda dense, shared, M, w: 1.01 * real(dense, shared, M, w))
    trial, findings = run_trial(c4, Context(1, 1))
    assert trial.status == FAIL
    assert not trial.checks["identity_every_step"]
    assert findings and findings[0].kind == "statement_fails"
