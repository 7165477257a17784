"""Theorem 2.1 (verify/t2_1.py): the printed closed form where it holds and where it fails, the
corrected form, and a mutation the checks catch."""

import pytest

pytest.importorskip("torch")  # every trial trains a network  # noqa: E402

from bnproofs import closed_forms
from bnproofs.results import FAIL, PASS
from verify import t2_1
from verify.claim import Context, run_trial

#: training only tightens the bracket's upper end; the certified bracket decides these trials
SHORT = {"steps": 200, "restarts": 2}


def test_t2_1_printed_form_holds_when_beta_is_below_both_label_norms():
    trial, findings = run_trial(t2_1, Context(0, 0), **SHORT)  # n = d = 2, mixed, tiny β
    assert trial.status == PASS, trial.notes
    lo, hi = trial.bracket
    assert hi - lo <= 1e-6 * max(1, lo)
    assert not findings


def test_t2_1_printed_form_fails_above_a_label_norm_and_corrected_form_holds():
    trial, findings = run_trial(t2_1, Context(2, 2), **SHORT)  # β = 1.5 max(‖y+‖, ‖y−‖)
    assert trial.status == FAIL and not trial.checks["printed_not_above_found"]
    assert trial.checks["corrected_optimal"] and trial.checks["strong_duality"]
    assert findings and findings[0].kind == "statement_fails"
    assert trial.values["closed_form"] > trial.bracket[1]


def test_t2_1_single_sign_labels_make_the_printed_form_undefined():
    trial, _ = run_trial(t2_1, Context(3, 3), **SHORT)  # positive labels only
    assert trial.status == FAIL and not trial.checks["printed_defined"]
    assert trial.checks["corrected_optimal"]


def test_t2_1_catches_a_sign_flip_in_the_closed_form(monkeypatch):
    """Mutation: flipping the sign of the output weights must turn a pass into a fail."""
    real = closed_forms.theorem_2_1_printed

    def flipped(X, y, beta):
        net = real(X, y, beta)
        net.w_out = -net.w_out
        return net

    monkeypatch.setattr(t2_1, "theorem_2_1_printed", flipped)
    trial, _ = run_trial(t2_1, Context(0, 0), **SHORT)
    assert trial.status == FAIL


def test_t2_1_same_seed_same_numbers():
    a, b = (run_trial(t2_1, Context(5, 5), **SHORT)[0] for _ in range(2))
    timing = {k for k in a.values if k.endswith("_s")}  # wall times differ run to run
    assert {k: v for k, v in a.values.items() if k not in timing} == {
        k: v for k, v in b.values.items() if k not in timing}
