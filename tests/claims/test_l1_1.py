"""Lemma 1.1 (verify/l1_1.py): the rescaling identities of (3) ⇔ (4), the certified bracket both
optima lie in (at every depth), training judged against it, and mutations the checks catch."""

import numpy as np
import pytest

from bnproofs.nets import rescaling
from bnproofs.nets.deep import full_range_prefix, prefix_output, range_check
from bnproofs.results import FAIL, PASS
from verify import l1_1
from verify.claim import Context, run_trial

pytest.importorskip("torch")  # every trial trains a network

#: the exact identities and the bracket do not depend on how long Adam runs
SHORT = {"steps": 100, "restarts": 2}


def _statement(trial):
    return {k: v for k, v in trial.checks.items() if trial.roles[k] == "statement"}


def test_l1_1_exact_identities_hold_and_a_wrong_balancing_is_caught(monkeypatch):
    trial, _ = run_trial(l1_1, Context(0, 0), **SHORT)
    assert all(_statement(trial).values()), trial.notes
    assert {"balanced_equals_l1", "output_unchanged", "infimum_path_decreasing",
            "optimum_22_equals_4"} <= set(_statement(trial))
    monkeypatch.setattr(rescaling, "balancing_factors", lambda net: 2 * np.ones(net.w_out.size))
    trial, findings = run_trial(l1_1, Context(0, 0), **SHORT)
    assert trial.status == FAIL and not trial.checks["balanced_equals_l1"]
    assert findings[0].kind == "statement_fails" and "balanced_equals_l1" in findings[0].text


def test_l1_1_the_optimum_of_3_is_approached_along_the_shrink_path():
    """(3) decreases along c → 0 to its limit (22) while the output stays put."""
    trial, _ = run_trial(l1_1, Context(1, 1), **SHORT)
    v = trial.values
    assert trial.checks["infimum_path_decreasing"] and trial.checks["shrink_output_unchanged"]
    assert v["trained_3_as_trained"] >= v["trained_3_limit"]


@pytest.mark.parametrize("index", [1, 2])
def test_l1_1_deep_bracket_closes_and_short_training_is_only_recorded(index):
    """Depth 3 and 4: the sphere dual bound meets Theorem 4.1's network on a full-range prefix;
    100 Adam steps stop above the bracket, which is training quality (record), not a reason to
    leave the trial undecided."""
    trial, _ = run_trial(l1_1, Context(index, index), **SHORT)
    assert trial.params["depth"] == index + 2 and trial.values["prefix_rank"] == trial.params["n"]
    lo, hi = trial.bracket
    assert abs(hi - lo) <= 1e-6 * max(1.0, lo) and trial.checks["bracket_closed"]
    assert trial.status == PASS, trial.notes
    assert trial.roles["trained_4_reaches_bracket"] == "record"
    assert trial.roles["trained_4_above_lower"] == "support"


def test_l1_1_a_wrong_lower_bound_under_a_trained_value_does_not_pass(monkeypatch):
    """A lower end lifted above a trained value means the bound is wrong: support fails."""
    real = l1_1._certified_side

    def lifted(*a, **k):
        v = real(*a, **k)
        v["lower"] += 1.0
        return v

    monkeypatch.setattr(l1_1, "_certified_side", lifted)
    trial, _ = run_trial(l1_1, Context(1, 1), **SHORT)
    assert trial.status != PASS and not trial.checks["trained_4_above_lower"]
    assert not trial.checks["bracket_closed"]


def test_full_range_prefix_has_rank_n_even_from_one_feature():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((7, 1))
    A = prefix_output(full_range_prefix(rng, X, [8, 9]), X)
    assert range_check(A)["rank"] == 7


def test_l1_1_same_seed_same_numbers():
    a, b = (run_trial(l1_1, Context(1, 1), **SHORT)[0] for _ in range(2))
    timing = {k for k in a.values if k.endswith("_s")}  # wall times differ run to run
    assert {k: v for k, v in a.values.items() if k not in timing} == {
        k: v for k, v in b.values.items() if k not in timing}
    assert a.params == b.params and a.params["depth"] == 3
