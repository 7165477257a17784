"""Theorem 2.4 (verify/t2_4.py): the one-hot closed form against the verified C.6 dual, its
failure on an empty class, an assumption probe, Figure 4, and mutations the checks catch."""

import numpy as np
import pytest

pytest.importorskip("torch")  # every trial trains a network  # noqa: E402

from bnproofs import closed_forms
from bnproofs.results import FAIL, PASS
from verify import t2_4
from verify.claim import Context, run_trial

SHORT = {"steps": 200, "restarts": 2}


def test_t2_4_in_assumption_closed_form_equals_the_verified_dual():
    trial, findings = run_trial(t2_4, Context(1, 1), **SHORT)  # n = d, tiny β
    assert trial.status == PASS, trial.notes
    assert trial.checks["c6_dual_feasible"] and trial.checks["closed_form_optimal"]
    assert abs(trial.values["closed_form"] - trial.values["c6_dual"]) < 1e-12
    assert not findings


def test_t2_4_empty_class_printed_form_is_undefined_corrected_form_holds():
    trial, findings = run_trial(t2_4, Context(3, 3), **SHORT)
    assert trial.status == FAIL and not trial.checks["printed_defined"]
    assert trial.checks["corrected_optimal"]
    assert [f.kind for f in findings] == ["statement_fails", "corrected_form_holds"]


def test_t2_4_catches_a_sign_flip_in_the_dual_point(monkeypatch):
    real = closed_forms.theorem_2_4_dual
    monkeypatch.setattr(t2_4, "theorem_2_4_dual", lambda Y, b: -real(Y, b))
    trial, _ = run_trial(t2_4, Context(1, 1), **SHORT)
    assert trial.status == FAIL and not trial.checks["c6_strong_duality"]


def test_t2_4_catches_a_closed_form_without_the_positive_part(monkeypatch):
    def no_plus(X, Y, beta):
        net = closed_forms.theorem_2_4_printed(X, Y, beta)
        norms = np.linalg.norm(Y, axis=0)
        net.w_out = np.diag(norms - beta)
        return net

    monkeypatch.setattr(t2_4, "theorem_2_4_printed", no_plus)
    trial, findings = run_trial(t2_4, Context(2, 2), **SHORT)  # β above every class norm
    assert trial.status == FAIL and findings[0].kind == "statement_fails"


def test_t2_4_probe_records_that_soft_labels_break_the_closed_form():
    trial, findings = run_trial(t2_4, Context(5, 5), **SHORT)
    assert trial.status == PASS and trial.checks["bracket_closed"]
    assert trial.values["closed_form_optimal"] is False
    assert trial.params["probe"] == "soft labels"
    assert findings[0].kind == "assumption_needed"


def test_t2_4_figure4_on_digits():
    trial, findings = run_trial(t2_4, Context(0, 0), seeds=2, steps=200)
    assert trial.status == PASS, trial.notes
    assert trial.values["rank_X"] == trial.values["n"] == 48
    assert trial.params["figure"] == 4 and trial.params["seeds"] == 2
    assert "figure4" in trial.series and findings


@pytest.mark.slow
def test_t2_4_same_seed_same_numbers():
    a, b = (run_trial(t2_4, Context(4, 4))[0] for _ in range(2))
    timing = {k for k in a.values if k.endswith("_s")}
    assert {k: v for k, v in a.values.items() if k not in timing} == {
        k: v for k, v in b.values.items() if k not in timing}
