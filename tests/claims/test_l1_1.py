"""Lemma 1.1 (verify/l1_1.py): the rescaling identities of (3) ⇔ (4), and a mutation they catch."""

import numpy as np
import pytest

pytest.importorskip("torch")  # every trial trains a network  # noqa: E402

from bnproofs.nets import rescaling
from bnproofs.results import FAIL
from verify import l1_1
from verify.claim import Context, run_trial

#: the exact identities do not depend on how long Adam runs
SHORT = {"steps": 100, "restarts": 2}


def _exact(trial):
    return {k: v for k, v in trial.checks.items() if trial.roles[k] == "statement"}


def test_l1_1_exact_identities_hold_and_a_wrong_balancing_is_caught(monkeypatch):
    trial, _ = run_trial(l1_1, Context(0, 0), **SHORT)
    assert all(_exact(trial).values()), trial.notes
    assert set(_exact(trial)) == set(trial.checks) - {"trained_values_agree"}
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


def test_l1_1_same_seed_same_numbers():
    a, b = (run_trial(l1_1, Context(1, 1), **SHORT)[0] for _ in range(2))
    timing = {k for k in a.values if k.endswith("_s")}  # wall times differ run to run
    assert {k: v for k, v in a.values.items() if k not in timing} == {
        k: v for k, v in b.values.items() if k not in timing}
    assert a.params == b.params and a.params["depth"] == 3
