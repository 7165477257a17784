"""Lemma 5.1 (verify/l5_1.py): (9) and (16) agree, and a wrong map q = Vᵀw is caught."""

import pytest

pytest.importorskip("torch")  # noqa: E402

from bnproofs.results import FAIL, PASS
from verify import l5_1
from verify.claim import Context, run_trial


@pytest.mark.parametrize("index", [1, 3, 5])  # n ≤ d; rank-deficient; κ = 2e6
def test_l5_1_holds(index):
    trial, findings = run_trial(l5_1, Context(index, index))
    assert trial.status == PASS, trial.notes
    assert trial.values["worst_relative_difference"] <= 1e-9
    assert not findings


def test_l5_1_parameter_sets_is_a_knob():
    trial, _ = run_trial(l5_1, Context(0, 0), parameter_sets=3)
    assert trial.values["parameter_sets"] == 6
    assert "parameter_sets" not in trial.params


def test_l5_1_catches_a_wrong_map(monkeypatch):
    """Mutation: q = Vᵀw (Σ dropped) must fail the identity."""
    monkeypatch.setattr(l5_1, "to_q", lambda W, W1: W.Vt @ W1)
    trial, findings = run_trial(l5_1, Context(0, 0))
    assert trial.status == FAIL and not trial.checks["objectives_equal"]
    assert findings[0].kind == "statement_fails"
