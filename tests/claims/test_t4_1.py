"""Theorem 4.1 (verify/t4_1.py): the printed form holds below both label norms, fails above."""

import pytest

pytest.importorskip("torch")  # every trial trains networks  # noqa: E402

from bnproofs import closed_forms
from bnproofs.results import FAIL, PASS
from verify import t4_1
from verify.claim import Context, run_trial


@pytest.mark.slow
def test_t4_1_holds_and_fails_as_printed():
    trial, findings = run_trial(t4_1, Context(0, 0))  # L = 3, tiny β
    assert trial.status == PASS, trial.notes
    assert trial.checks["range_is_Rn"] and trial.checks["sphere_constraint_attained"]
    trial, findings = run_trial(t4_1, Context(2, 2))  # β above both label norms
    assert trial.status == FAIL and trial.checks["corrected_optimal"]
    assert not trial.checks["printed_not_above_found"]
    assert findings and findings[0].kind == "statement_fails"


def test_t4_1_catches_a_sign_flip(monkeypatch):
    real = closed_forms.theorem_2_1_printed

    def flipped(X, y, beta):
        net = real(X, y, beta)
        net.w_out = -net.w_out
        return net

    monkeypatch.setattr(t4_1, "theorem_2_1_printed", flipped)
    trial, _ = run_trial(t4_1, Context(0, 0))
    assert trial.status == FAIL
