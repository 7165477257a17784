"""Theorem 5.1 (verify/t5_1.py): Δ_v2 = Σ²Δ_v2b, and the mutations it must catch."""

import numpy as np
import pytest

pytest.importorskip("torch")  # noqa: E402

from bnproofs.results import FAIL, INCONCLUSIVE, PASS
from verify import t5_1
from verify.claim import Context, run_trial
from verify.verdicts import status_of


@pytest.mark.parametrize("index", [1, 4, 5])  # n ≤ d; r = 1 (gradient in q is 0); κ = 2e6
def test_t5_1_holds(index):
    trial, findings = run_trial(t5_1, Context(index, index))
    assert trial.status == PASS, trial.notes
    assert trial.values["relation_error"] < 1e-12
    assert not findings


def test_t5_1_catches_sigma_instead_of_sigma_squared(monkeypatch):
    """Mutation: Δ_v2 = Σ Δ_v2b must fail."""
    monkeypatch.setattr(t5_1, "predicted_bn_update", lambda s, d: s[:, None] * d)
    trial, findings = run_trial(t5_1, Context(0, 0))
    assert trial.status == FAIL and not trial.checks["q_space_relation"]
    assert findings[0].kind == "statement_fails"


def test_t5_1_catches_a_wrong_map(monkeypatch):
    """Mutation: mapping (9)'s gradient with Vᵀ instead of ΣVᵀ must fail."""
    real = t5_1.to_q
    monkeypatch.setattr(t5_1, "to_q", lambda W, M: real(W, M) / W.sigma[:, None])
    trial, _ = run_trial(t5_1, Context(3, 3))
    assert trial.status == FAIL


def test_t5_1_same_seed_same_numbers():
    a, b = run_trial(t5_1, Context(6, 6))[0], run_trial(t5_1, Context(6, 6))[0]
    assert a.values == b.values
    assert np.isfinite(a.values["probe_w1_decay_relation_error"])


def test_t5_1_points_is_a_knob():
    trial, _ = run_trial(t5_1, Context(0, 0), points=2)
    assert trial.params["points"] == 2 and trial.status == PASS


def test_t5_1_equal_rows_are_inconclusive():
    """r = 0 (every row equal): BN is undefined, the theorem says nothing."""
    c = t5_1.Case(2, 3, "ties", 1)
    s = t5_1.sides(c, np.random.default_rng(0), Context(0, 0))
    assert s.values == {"rank": 0}
    assert status_of(t5_1.compare(c, s).checks) == INCONCLUSIVE


def test_t5_1_records_the_proofs_reversed_line_and_the_decay_probe():
    """Where the singular values differ, the reversed relation and the relation with decay on
    w^(1) are recorded as failing, without deciding the trial."""
    trial, _ = run_trial(t5_1, Context(5, 5))  # κ = 2e6
    assert trial.status == PASS
    assert not trial.checks["reversed_form_as_printed_in_proof"]
    assert not trial.checks["relation_with_w1_decay"]
    assert trial.roles["reversed_form_as_printed_in_proof"] == "record"


def test_t5_1_catches_decay_on_the_bn_feeding_weights(monkeypatch):
    real = t5_1.gradients

    def with_decay(model, *args, decay_w1=0.0):
        return real(model, *args, decay_w1=0.1 if model == "bn" else decay_w1)

    monkeypatch.setattr(t5_1, "gradients", with_decay)
    trial, _ = run_trial(t5_1, Context(0, 0))
    assert trial.status == FAIL and not trial.checks["q_space_relation"]


def test_t5_1_regime_and_audit():
    c = t5_1.Case(2, 3, "ties", 1)
    s = t5_1.sides(c, np.random.default_rng(0), Context(0, 0))
    assert t5_1.regime(c, s).startswith("r = 0")
    trial, _ = run_trial(t5_1, Context(0, 0))
    assert trial.regime == "r ≥ 1"
    for a in t5_1.AUDIT:
        assert set(a.checks) <= set(trial.checks), a.line
