"""Section 5.2 (verify/s5_2.py): g(X) is the best rank-k approximation; the trial holds."""

import numpy as np
import pytest

pytest.importorskip("torch")  # noqa: E402

from bnproofs.data import whiten
from bnproofs.results import PASS
from verify import s5_2
from verify.claim import Context, run_trial


def _training_data(seed):
    c = s5_2.case(0, np.random.default_rng(seed))
    return s5_2._split(c, np.random.default_rng(seed))[0]


def test_s5_2_eckart_young_catches_truncating_the_wrong_end(monkeypatch):
    """Mutation: keeping the smallest k singular values must fail the error formula."""
    X = _training_data(0)
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


def test_s5_2_split_is_even_against_odd():
    c = s5_2.Case(n_train=30, n_test=20)
    Xtr, ytr, Xte, yte = s5_2._split(c, np.random.default_rng(1))
    assert Xtr.shape == (30, 64) and Xte.shape == (20, 64)
    assert set(np.unique(np.r_[ytr, yte])) <= {-1.0, 1.0}


@pytest.mark.slow
def test_s5_2_trial_holds():
    trial, findings = run_trial(s5_2, Context(0, 0))
    assert trial.status == PASS, trial.notes
    assert trial.checks["convex_at_most_gd"]
    assert 0.5 < trial.values[f"k{trial.values['r']}_gd_test"] <= 1.0
    assert not findings
