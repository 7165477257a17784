"""Theorem G.2 (verify/tg_2.py): the single closed-form neuron, and mutations it must catch."""

import numpy as np
import pytest

from bnproofs.closed_forms import theorem_g_2_printed
from bnproofs.results import FAIL, INCONCLUSIVE, PASS, ClaimResult, Trial
from bnproofs.tolerance import EXACT
from verify import tg_2
from verify.claim import Context, Sides, run_trial
from verify.verdicts import status_of


def test_tg2_holds_on_a_documented_case():
    pytest.importorskip("torch")  # the trial trains networks
    trial, findings = run_trial(tg_2, Context(1, 1))
    assert trial.status == PASS and not findings
    lo, hi = trial.bracket
    assert abs(trial.values["closed_form"] - lo) <= 1e-9 * max(1.0, lo) and hi <= lo + 1e-9


def test_tg2_mutation_wrong_closed_form_fails(monkeypatch):
    """A closed form without the clamp (w2 = ‖y‖ − β < 0 when β > ‖y‖) must be caught."""
    def wrong(X, y, beta):
        w1, _, g, a = theorem_g_2_printed(X, y, beta)
        return w1, float(np.linalg.norm(y) - beta), g, a

    pytest.importorskip("torch")  # the trial trains networks
    monkeypatch.setattr(tg_2, "CLOSED_FORM", wrong)
    trial, findings = run_trial(tg_2, Context(6, 6))  # β = 1.5 ‖y‖
    assert trial.status != PASS
    assert not trial.checks["closed_form_optimal"]


def test_tg2_mutation_sign_flipped_dual_fails(monkeypatch):
    pytest.importorskip("torch")  # the trial trains networks
    monkeypatch.setattr(tg_2, "dual_point", lambda y, beta: -y * min(1.0, beta / np.linalg.norm(y)))
    trial, _ = run_trial(tg_2, Context(0, 0))
    assert not trial.checks["closed_form_optimal"] and trial.status != PASS


def test_tg2_a_network_below_the_closed_form_fails_the_statement(monkeypatch):
    """A closed form certifiably worse than the exact-cone network is a counterexample."""
    def worse(X, y, beta):
        w1, w2, g, a = theorem_g_2_printed(X, y, beta)
        return w1, 0.5 * w2, g, a

    pytest.importorskip("torch")  # the trial trains networks
    monkeypatch.setattr(tg_2, "CLOSED_FORM", worse)
    trial, findings = run_trial(tg_2, Context(1, 1))
    assert trial.status == FAIL and not trial.checks["closed_form_not_above_found"]
    assert findings and findings[0].kind == "statement_fails"


def _sides(**over):
    v = {"closed_form": 1.0, "closed_form_defined": True, "lower": 1.0, "gd_best": 1.1,
         "dual_constraint_over_beta": 1.0, "sampled_max_over_constraint": 0.99,
         "maximiser_over_constraint": 1.0, "bn_convention_used": False}
    return Sides({**v, **over}, {"beta": 0.5, "norm_y": 1.0})


def test_sampling_and_the_maximiser_test_the_derived_constraint():
    """A derived constraint below the true max |vᵀBN| (samples above it, or the maximiser) leaves
    the trial undecided; at β = 0 nothing is exempt any more."""
    c = tg_2.CASES[0]
    assert status_of(tg_2._checks(c, _sides(), EXACT)) == PASS
    for over, name in (({"sampled_max_over_constraint": 1.2}, "sampled_within_constraint"),
                       ({"maximiser_over_constraint": 1.2}, "maximiser_attains")):
        checks = tg_2._checks(c, _sides(**over), EXACT)
        assert not checks[name].held and status_of(checks) == INCONCLUSIVE


def test_constant_labels_record_the_bn_convention():
    checks = tg_2._checks(tg_2.CASES[5], _sides(bn_convention_used=True), EXACT)
    assert checks["bn_convention_optimal"].held and checks["bn_convention_optimal"].role == "record"
    assert "bn_convention_optimal" not in tg_2._checks(tg_2.CASES[0], _sides(), EXACT)


def test_smallest_counterexample_indexes_result_trials(monkeypatch):
    """An errored first trial must not shift the index of the reported counterexample."""
    monkeypatch.setattr(tg_2, "PROBES", ())
    r = ClaimResult("TG.2", "E", "t", "k")
    r.trials = [Trial(0, {"index": 0}, {}, INCONCLUSIVE, notes=["error: boom"]),
                Trial(1, {"index": 1, "n": 2, "d": 2, "labels": "mixed", "beta": 0.1},
                      {"closed_form": 2.0}, FAIL, checks={"closed_form_optimal": False})]
    found = [f for f in tg_2.summarise(r) if f.kind == "statement_fails"]
    assert found and found[0].trial == 1 and "trial 1" in found[0].text


@pytest.mark.slow
def test_audit_names_existing_exact_items():
    from bnproofs.exact import rational, symbolic

    names = {i.name for f in (symbolic.bn_identities, symbolic.theorem_g_2_cases) for i in f()}
    names.add(rational.certificate_g_2(0).name)
    for a in tg_2.AUDIT:
        assert set(a.exact) <= names, a.exact
