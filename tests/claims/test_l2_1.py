"""Lemma 2.1 (verify/l2_1.py): the vector-output rescaling identities and a mutation they catch."""

import numpy as np
import pytest

pytest.importorskip("torch")  # every trial trains a network  # noqa: E402

from bnproofs.nets import rescaling
from bnproofs.results import FAIL, PASS
from verify import l2_1
from verify.claim import Context, run_trial

SHORT = {"steps": 200, "restarts": 2}


def test_l2_1_holds_and_a_wrong_balancing_is_caught(monkeypatch):
    trial, _ = run_trial(l2_1, Context(0, 0), **SHORT)
    assert trial.status == PASS, trial.notes
    monkeypatch.setattr(rescaling, "balancing_factors", lambda net: 2 * np.ones(len(net.w_out)))
    trial, findings = run_trial(l2_1, Context(0, 0), **SHORT)
    assert trial.status == FAIL and not trial.checks["balanced_equals_l1"]
    assert findings[0].kind == "statement_fails"


def test_l2_1_optimum_of_9_is_in_the_bracket_of_10():
    trial, _ = run_trial(l2_1, Context(1, 1), **SHORT)
    v = trial.values
    assert trial.checks["optimum_9_equals_10"] and trial.checks["bracket_closed"]
    assert abs(v["balanced_9_minus_10"]) <= 1e-8 * max(1.0, abs(v["upper"]))
    assert min(v["trained_9"], v["trained_10"]) >= v["lower"] - 1e-6 * max(1.0, abs(v["lower"]))


def test_l2_1_first_layer_decay_is_removed_as_an_infimum():
    """(9) with ‖w_j^(1)‖² decays to (9) without it along W^(1) ← cW^(1), output unchanged."""
    trial, _ = run_trial(l2_1, Context(2, 2), **SHORT)
    v = trial.values
    assert trial.checks["infimum_path_decreasing"] and trial.checks["shrink_output_unchanged"]
    assert v["decay_9_as_drawn"] > v["decay_9_limit"]


def test_l2_1_a_crossed_bracket_does_not_pass(monkeypatch):
    """A lower end above the network's value (a wrong certificate) fails the trained values
    and the two-sided bracket check: never a pass."""
    real = l2_1._certified_side

    def lifted(*a, **k):
        v = real(*a, **k)
        v["lower"] += 1.0
        return v

    monkeypatch.setattr(l2_1, "_certified_side", lifted)
    trial, _ = run_trial(l2_1, Context(1, 1), **SHORT)
    assert trial.status == FAIL and not trial.checks["bracket_closed"]


@pytest.mark.slow
def test_l2_1_same_seed_same_numbers():
    a, b = (run_trial(l2_1, Context(1, 1))[0] for _ in range(2))
    timing = {k for k in a.values if k.endswith("_s")}
    assert {k: v for k, v in a.values.items() if k not in timing} == {
        k: v for k, v in b.values.items() if k not in timing}
