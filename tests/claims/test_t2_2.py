"""Theorem 2.2 (verify/t2_2.py): (6) = (8) on an edge case, and the mutations the checks catch."""

from types import SimpleNamespace

import pytest

pytest.importorskip("torch")  # every trial trains a network  # noqa: E402

from bnproofs.results import FAIL, PASS
from verify import t2_2
from verify.claim import Context, run_trial

SHORT = {"steps": 200, "restarts": 2}


def test_t2_2_n_equals_d_plus_1_holds():
    trial, findings = run_trial(t2_2, Context(3, 3), **SHORT)
    assert trial.status == PASS, trial.notes
    assert trial.values["arrangements"] == trial.values["cover_count"]
    assert trial.values["neurons_rebuilt"] <= trial.params["n"] + 1
    assert not findings


def test_t2_2_incomplete_arrangements_are_caught(monkeypatch):
    """Mutation: dropping arrangements must be detected by the completeness checks; with an
    incomplete enumeration a value below the bound is no longer evidence against (6) = (8)."""
    real = t2_2.enumerate_arrangements
    monkeypatch.setattr(t2_2, "enumerate_arrangements", lambda U: real(U)[2:])
    trial, _ = run_trial(t2_2, Context(3, 3), **SHORT)
    assert trial.status != PASS
    assert not trial.checks["samples_all_listed"]
    assert trial.roles["gd_above_lower"] == trial.roles["sampled_above_lower"] == "support"


def test_t2_2_a_network_below_the_lower_bound_fails_the_trial(monkeypatch):
    """Mutation: a 'trained' value below the verified lower bound contradicts (6) = (8)."""
    fake = SimpleNamespace(best_value=-1.0, curve=[-1.0], every=20, elapsed_s=0.0)
    monkeypatch.setattr(t2_2, "train", lambda *a, **k: fake)
    trial, findings = run_trial(t2_2, Context(3, 3))
    assert trial.status == FAIL and not trial.checks["gd_above_lower"]
    assert findings and findings[0].kind == "statement_fails"


def test_t2_2_same_seed_same_numbers():
    a, b = (run_trial(t2_2, Context(1, 1), **SHORT)[0] for _ in range(2))
    timing = {k for k in a.values if k.endswith("_s")}  # wall times differ run to run
    assert {k: v for k, v in a.values.items() if k not in timing} == {
        k: v for k, v in b.values.items() if k not in timing}
