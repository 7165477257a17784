"""Theorem 2.4 (verify/t2_4.py): the one-hot closed form against the verified C.6 dual, an
empty class under the natural convention, an assumption probe, Figure 4, and mutations the
checks catch."""

import numpy as np
import pytest

pytest.importorskip("torch")  # every trial trains a network  # noqa: E402

from bnproofs import closed_forms, instances
from bnproofs.nets.network import drop_undefined_zero_neurons
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


def test_t2_4_empty_class_is_0_over_0_with_zero_weight_so_the_convention_makes_it_optimal():
    """An empty class: the printed [γ_j; α_j] is 0/0, its output weight (0 − β)_+ = 0; with
    that neuron dropped the printed network is optimal — not a failure, a recorded convention."""
    trial, findings = run_trial(t2_4, Context(3, 3), **SHORT)
    assert trial.status == PASS, trial.notes
    assert not trial.checks["printed_defined"] and trial.roles["printed_defined"] == "record"
    assert trial.checks["printed_has_value"] and trial.checks["closed_form_optimal"]
    assert trial.values["closed_form_convention"] == pytest.approx(
        trial.values["closed_form_corrected"], rel=1e-12)
    assert [f.kind for f in findings] == ["observation"] and "(0 − β)_+ = 0" in findings[0].text


def test_t2_4_optimality_is_two_sided():
    """A closed-form value below the verified lower bound is a broken evaluation, not optimal."""
    assert t2_4._at_lower(1.0, 1.0) and not t2_4._at_lower(0.9, 1.0)
    assert not t2_4._at_lower(1.1, 1.0) and not t2_4._at_lower(float("nan"), 1.0)


def test_t2_4_convention_needs_zero_weights():
    """The convention drops a 0/0 neuron only when its output weight is exactly zero."""
    net = closed_forms.theorem_2_4_printed(np.eye(3), np.array([[1.0, 0], [1, 0], [0, 0]]), 0.5)
    assert np.isnan(net.layers[0].gamma[1]) and drop_undefined_zero_neurons(net).w_out.shape[0] == 1
    net.w_out[1, 1] = 1.0
    assert drop_undefined_zero_neurons(net) is None


def test_t2_4_digits_split_is_the_documented_figure_4_data():
    Xtr, Ytr, Xte, yte = instances.digits_split((0, 1, 2), 16)
    assert Xtr.shape == (48, 64) and Ytr.sum(axis=0).tolist() == [16, 16, 16]
    assert len(Xte) == len(yte) and set(yte) == {0, 1, 2}


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
    assert " ms" not in findings[0].text and " s per run" not in findings[0].text


@pytest.mark.slow
def test_t2_4_same_seed_same_numbers():
    a, b = (run_trial(t2_4, Context(4, 4))[0] for _ in range(2))
    timing = {k for k in a.values if k.endswith("_s")}
    assert {k: v for k, v in a.values.items() if k not in timing} == {
        k: v for k, v in b.values.items() if k not in timing}
