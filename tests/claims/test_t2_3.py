"""Theorem 2.3 (verify/t2_3.py): C = 1 reproduces Theorem 2.2, and a mutation the checks catch."""

import numpy as np
import pytest

pytest.importorskip("torch")  # every trial trains a network  # noqa: E402

from bnproofs.certify import vector
from bnproofs.results import FAIL, PASS
from verify import t2_3
from verify.claim import Context, run_trial


def test_t2_3_one_output_reproduces_t2_2():
    trial, _ = run_trial(t2_3, Context(2, 2), steps=200, restarts=2)
    assert trial.status == PASS, trial.notes
    assert trial.checks["matches_t2_2"] and trial.checks["bracket_closed"]


def test_t2_3_one_output_bracket_uses_the_runs_solver_and_device(monkeypatch):
    seen = []
    real = t2_3.certified_optimum

    def spy(*a, **k):
        seen.append((k.get("solver"), k.get("device")))
        return real(*a, **k)

    monkeypatch.setattr(t2_3, "certified_optimum", spy)
    trial, _ = run_trial(t2_3, Context(2, 2, solver="clarabel"), steps=50, restarts=1)
    assert seen == [("clarabel", "cpu")] and "t2_2_lower" in trial.values


def test_t2_3_a_crossed_bracket_does_not_pass(monkeypatch):
    """A lower end above the network's value is a wrong certificate: the two-sided bracket
    check fails (and so does training above it); never a pass."""
    real = t2_3.certified_vector_optimum

    def lifted(*a, **k):
        opt = real(*a, **k)
        opt.lower += 1.0
        return opt

    monkeypatch.setattr(t2_3, "certified_vector_optimum", lifted)
    trial, _ = run_trial(t2_3, Context(0, 0), steps=50, restarts=1)
    assert trial.status == FAIL and not trial.checks["bracket_closed"]


def test_t2_3_catches_a_sign_flip_in_the_dual_objective(monkeypatch):
    """Mutation: a wrong dual objective lifts the 'lower bound' above trained networks."""
    monkeypatch.setattr(vector, "dual_value",
                        lambda V, Y: float(0.5 * np.sum((V - Y) ** 2) + 0.5 * np.sum(Y * Y)))
    trial, findings = run_trial(t2_3, Context(0, 0))
    assert trial.status == FAIL and not trial.checks["gd_above_lower"]
    assert findings and "gd_above_lower" in findings[0].text


@pytest.mark.slow
def test_t2_3_same_seed_same_numbers():
    a, b = (run_trial(t2_3, Context(1, 1))[0] for _ in range(2))
    timing = {k for k in a.values if k.endswith("_s")}
    assert {k: v for k, v in a.values.items() if k not in timing} == {
        k: v for k, v in b.values.items() if k not in timing}
