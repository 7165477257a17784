"""The Section 5 claim modules (L5.1, T5.1, R5.1, S5.2) and mutations they must catch."""

import numpy as np
import pytest

pytest.importorskip("torch")  # noqa: E402

from bnproofs.results import FAIL, PASS
from verify import l5_1, t5_1


@pytest.mark.parametrize("index", [1, 3, 5])  # n ≤ d; rank-deficient; κ = 2e6
def test_l5_1_holds(index):
    trial, findings = l5_1.check(index, index)
    assert trial.status == PASS, trial.notes
    assert not findings


def test_l5_1_catches_a_wrong_map(monkeypatch):
    """Mutation: q = Vᵀw (Σ dropped) must fail the identity."""
    monkeypatch.setattr(l5_1, "to_q", lambda W, W1: W.Vt @ W1)
    trial, findings = l5_1.check(0, 0)
    assert trial.status == FAIL and not trial.checks["objectives_equal"]
    assert findings[0].kind == "statement_fails"


@pytest.mark.parametrize("index", [1, 4, 5])  # n ≤ d; r = 1 (gradient in q is 0); κ = 2e6
def test_t5_1_holds(index):
    trial, findings = t5_1.check(index, index)
    assert trial.status == PASS, trial.notes
    assert trial.values["relation_error"] < 1e-12
    assert not findings


def test_t5_1_catches_sigma_instead_of_sigma_squared(monkeypatch):
    """Mutation: Δ_v2 = Σ Δ_v2b must fail."""
    monkeypatch.setattr(t5_1, "predicted_bn_update", lambda s, d: s[:, None] * d)
    trial, findings = t5_1.check(0, 0)
    assert trial.status == FAIL and not trial.checks["q_space_relation"]
    assert findings[0].kind == "statement_fails"


def test_t5_1_catches_a_wrong_map(monkeypatch):
    """Mutation: mapping (9)'s gradient with Vᵀ instead of ΣVᵀ must fail."""
    real = t5_1.to_q
    monkeypatch.setattr(t5_1, "to_q", lambda W, M: real(W, M) / W.sigma[:, None])
    trial, _ = t5_1.check(3, 3)
    assert trial.status == FAIL


def test_t5_1_same_seed_same_numbers():
    a, b = t5_1.check(6, 6)[0], t5_1.check(6, 6)[0]
    assert a.values == b.values
    assert np.isfinite(a.values["probe_w1_decay_relation_error"])
