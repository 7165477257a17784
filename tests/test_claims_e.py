"""The [E] claim modules on their documented edge cases, and mutations they must catch."""

import numpy as np
import pytest

pytest.importorskip("torch")  # every claim trains a network  # noqa: E402

from bnproofs import closed_forms
from bnproofs.nets import rescaling
from bnproofs.results import FAIL, PASS
from verify import l1_1, t2_1, t2_2


def test_t2_1_printed_form_holds_when_beta_is_below_both_label_norms():
    trial, findings = t2_1.check(0, 0)  # n = d = 2, mixed labels, tiny β
    assert trial.status == PASS, trial.notes
    lo, hi = trial.bracket
    assert hi - lo <= 1e-6 * max(1, lo)
    assert not findings


def test_t2_1_printed_form_fails_above_a_label_norm_and_corrected_form_holds():
    trial, findings = t2_1.check(2, 2)  # β = 1.5 max(‖y+‖, ‖y−‖)
    assert trial.status == FAIL
    assert trial.checks["corrected_optimal"] and trial.checks["strong_duality"]
    assert findings and findings[0].kind == "statement_fails"
    assert trial.values["closed_form"] > trial.bracket[1]


def test_t2_1_single_sign_labels_make_the_printed_form_undefined():
    trial, _ = t2_1.check(3, 3)  # positive labels only
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
    trial, _ = t2_1.check(0, 0)
    assert trial.status == FAIL


def test_t2_2_n_equals_d_plus_1_holds():
    trial, findings = t2_2.check(3, 3)
    assert trial.status == PASS, trial.notes
    assert trial.values["arrangements"] == trial.values["cover_count"]
    assert trial.values["neurons_rebuilt"] <= trial.params["n"] + 1
    assert not findings


def test_t2_2_incomplete_arrangements_are_caught(monkeypatch):
    """Mutation: dropping arrangements must be detected by the completeness checks."""
    real = t2_2.enumerate_arrangements
    monkeypatch.setattr(t2_2, "enumerate_arrangements", lambda U: real(U)[2:])
    trial, _ = t2_2.check(3, 3)
    assert trial.status != PASS
    assert not trial.checks["samples_all_listed"]


def test_l1_1_exact_identities_hold_and_a_wrong_balancing_is_caught(monkeypatch):
    trial, _ = l1_1.check(0, 0)
    exact = [k for k in trial.checks if k != "trained_values_agree"]
    assert all(trial.checks[k] for k in exact), trial.notes
    monkeypatch.setattr(rescaling, "balancing_factors", lambda net: 2 * np.ones(net.w_out.size))
    trial, findings = l1_1.check(0, 0)
    assert trial.status == FAIL and not trial.checks["balanced_equals_l1"]
    assert findings[0].kind == "statement_fails"


@pytest.mark.parametrize("mod", [l1_1, t2_1, t2_2])
def test_same_seed_same_numbers(mod):
    if mod is t2_1:
        a, b = mod.check(5, 5)[0], mod.check(5, 5)[0]
    else:
        a, b = mod.check(1, 1)[0], mod.check(1, 1)[0]
    timing = {k for k in a.values if k.endswith("_s")}  # wall times differ run to run
    assert {k: v for k, v in a.values.items() if k not in timing} == {
        k: v for k, v in b.values.items() if k not in timing}
