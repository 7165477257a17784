"""Lemma 5.1 (verify/l5_1.py): (9) and (16) agree, and a wrong map q = Vᵀw is caught."""

import pytest

pytest.importorskip("torch")  # noqa: E402

import numpy as np

from bnproofs import instances
from bnproofs.data import row_space_projector
from bnproofs.nets import whitened
from bnproofs.results import FAIL, PASS
from bnproofs.tolerance import EXACT
from verify import l5_1
from verify.claim import Context, run_trial


@pytest.mark.parametrize("index", [1, 3, 5])  # n ≤ d; rank-deficient; κ = 2e6
def test_l5_1_holds(index):
    trial, findings = run_trial(l5_1, Context(index, index))
    assert trial.status == PASS, trial.notes
    assert trial.values["worst_relative_difference"] <= 1e-9
    assert not findings


def test_l5_1_parameter_sets_is_a_knob():
    trial, _ = run_trial(l5_1, Context(0, 0), parameter_sets=3)
    assert trial.values["parameter_sets"] == 6
    assert "parameter_sets" not in trial.params


def test_l5_1_catches_a_wrong_map(monkeypatch):
    """Mutation: q = Vᵀw (Σ dropped) must fail the identity."""
    monkeypatch.setattr(l5_1, "to_q", lambda W, W1: W.Vt @ W1)
    trial, findings = run_trial(l5_1, Context(0, 0))
    assert trial.status == FAIL and not trial.checks["objectives_equal"]
    assert findings[0].kind == "statement_fails"


def _sides(index):
    c = l5_1.case(index, np.random.default_rng(index))
    return c, l5_1.sides(c, np.random.default_rng(index), Context(index, index))


def test_l5_1_tolerance_is_the_policy_bound_not_twice_rtol():
    """A pair off by 1.5 rtol·|(9)| is outside atol + rtol·|(9)| (the old rule allowed 2 rtol)."""
    c, s = _sides(0)
    tol = EXACT.scaled(s.values["kappa"])
    a = 10.0
    s.data["pairs"] = [(a, a + 1.5 * tol.rtol * a)]
    assert not l5_1.compare(c, s).checks["objectives_equal"].held
    s.data["pairs"] = [(a, a + 0.5 * tol.rtol * a)]
    assert l5_1.compare(c, s).checks["objectives_equal"].held


def test_l5_1_regimes_cover_both_sides_of_r_equals_d():
    regimes = {l5_1.regime(*_sides(i)) for i in range(len(instances.WHITENED_CASES))}
    assert len(regimes) == 2


def test_l5_1_discarded_component_is_the_kernel_and_a_bijection_claim_is_caught(monkeypatch):
    """n ≤ d: the map drops (I − VVᵀ)w; claiming it drops nothing must fail."""
    trial, _ = run_trial(l5_1, Context(1, 1))
    assert trial.params["r"] < 9 and trial.checks["lost_component_is_the_kernel"]
    monkeypatch.setattr(whitened, "lost_component", lambda W, W1: 0 * W1)
    monkeypatch.setattr(l5_1, "lost_component", lambda W, W1: 0 * W1)
    trial, _ = run_trial(l5_1, Context(1, 1))
    assert trial.status == FAIL and not trial.checks["lost_component_is_the_kernel"]


def test_l5_1_row_space_projector_is_a_projector():
    X = instances.data_matrix(np.random.default_rng(0), 6, 9, "rank2")
    P = row_space_projector(X)
    C = X - X.mean(0)
    assert np.allclose(P @ P, P) and np.allclose(C @ P, C)
    assert np.linalg.matrix_rank(P, tol=1e-8) == 2


def test_l5_1_audit_names_only_checks_the_trials_have():
    trial, _ = run_trial(l5_1, Context(0, 0))
    for a in l5_1.AUDIT:
        assert set(a.checks) <= set(trial.checks), a.line
