"""Theorem 2.2 (verify/t2_2.py): (6) = (8) on an edge case, and the mutations the checks catch."""

import re
from types import SimpleNamespace

import pytest

pytest.importorskip("torch")  # every trial trains a network  # noqa: E402

from bnproofs.certify import rebuild
from bnproofs.results import FAIL, PASS, ClaimResult
from verify import t2_2
from verify.claim import Context, run_trial

SHORT = {"steps": 200, "restarts": 2}


def test_t2_2_n_equals_d_plus_1_holds():
    trial, findings = run_trial(t2_2, Context(3, 3), **SHORT)
    assert trial.status == PASS, trial.notes
    assert trial.values["arrangements"] == trial.values["cover_count"]
    assert trial.values["neurons_rebuilt"] <= trial.params["n"] + 1
    assert not findings


def test_t2_2_rebuilt_network_is_8_at_its_own_point_and_a_wrong_rebuild_fails(monkeypatch):
    """C.3's (33)–(34): the rebuilt network's (6) is (8) at the point it came from; a first
    layer with VΣq for VΣ⁻¹q breaks that identity (a statement check)."""
    trial, _ = run_trial(t2_2, Context(0, 0), **SHORT)
    assert trial.checks["rebuilt_is_8_at_its_point"] and trial.checks["uprime_orthonormal"]
    assert trial.values["variables"] == 2 * trial.values["arrangements"] * (
        trial.params["rank"] + 1)

    real = rebuild.first_layer

    def sigma_not_inverted(W, H):
        lay = real(W, H)
        lay.W = W.Vt.T @ ((W.Vt @ lay.W) * W.sigma[:, None] ** 2)
        return lay

    monkeypatch.setattr(rebuild, "first_layer", sigma_not_inverted)
    trial, _ = run_trial(t2_2, Context(1, 1), **SHORT)  # r = 2 (at r = 1, Σ is a scale BN drops)
    assert trial.status == FAIL and not trial.checks["rebuilt_is_8_at_its_point"]


def test_t2_2_summary_has_no_timings():
    """Same seed, same findings: wall times stay in the values."""
    res = ClaimResult("T2.2", "E", "t", "k")
    res.trials = [run_trial(t2_2, Context(3, 3), **SHORT)[0]]
    text = " ".join(f.text for f in t2_2.summarise(res))
    assert not re.search(r"\d s\b|\ds\b", text) and "2P(r + 1)" in text


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
