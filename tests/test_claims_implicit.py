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


def test_r5_1_bn_model_moves_high_sigma_directions_first():
    from verify import r5_1

    trial, findings = r5_1.check(0, 0)
    assert trial.status == PASS, trial.notes
    assert trial.values["bn_rho"] <= -0.5
    assert trial.values["own_spread_decades"] < trial.values["bn_spread_decades"]
    assert not findings


def test_r5_1_crossing_steps():
    from verify import r5_1

    C = np.array([[1.0, 1.0], [0.95, 0.8], [0.85, 0.7]])
    assert list(r5_1.crossing_steps(C, 0.9)) == [2.0, 1.0]
    assert np.isinf(r5_1.crossing_steps(C, 0.5)).all()


def test_s5_2_eckart_young_catches_truncating_the_wrong_end(monkeypatch):
    """Mutation: keeping the smallest k singular values must fail the error formula."""
    from bnproofs.data import whiten
    from verify import s5_2

    X = s5_2.instance(0, 0)["Xtr"]
    W = whiten(X)
    Xc = X - X.mean(0)
    rng = np.random.default_rng(0)
    good = s5_2.eckart_young(W, Xc, 5, rng)
    assert abs(good["error_f2"] - good["tail"]) <= 1e-9 * np.sum(W.sigma**2)
    assert good["best_competitor"] >= np.sqrt(good["error_f2"])

    def wrong_end(W, k, mean=None):
        return (W.U[:, -k:] * W.sigma[-k:]) @ W.Vt[-k:]

    monkeypatch.setattr(s5_2, "g", wrong_end)
    bad = s5_2.eckart_young(W, Xc, 5, rng)
    assert bad["error_f2"] > 1.1 * bad["tail"]
    assert bad["best_competitor"] < np.sqrt(bad["error_f2"])


@pytest.mark.slow
def test_s5_2_trial_holds():
    from verify import s5_2

    trial, findings = s5_2.check(0, 0)
    assert trial.status == PASS, trial.notes
    assert trial.checks["convex_at_most_gd"]
    assert 0.5 < trial.values[f"k{trial.values['r']}_gd_test"] <= 1.0
