"""C3 (verify/c3.py): the scaling property of BNGD, and each wrong rescaling it catches."""

import pytest

from bnproofs.results import FAIL, PASS
from verify import c3
from verify.claim import Context, run_trial
from verify.mutants.c3 import MUTANTS
from verify.mutation import applied


@pytest.mark.parametrize("index", [1, 3])
def test_c3_scaling_properties(index):
    trial, findings = run_trial(c3, Context(index, index))
    assert trial.status == PASS, trial.values["deviations"]
    assert trial.gap <= 1e-9 * trial.params["kappa"]
    assert not findings


def test_c3_steps_is_a_knob():
    trial, _ = run_trial(c3, Context(1, 1), steps=40)
    assert trial.params["steps"] == 40 and trial.status == PASS


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_c3_fails_on_each_wrong_rescaling(mutant):
    with applied(mutant):
        trial, findings = run_trial(c3, Context(1, 1), steps=60)
    assert trial.status == FAIL and findings
    assert not all(trial.checks.values())
