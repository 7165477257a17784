"""Section 5.2 (verify/s5_2.py): g(X) is the best rank-k approximation; the trial holds."""

import numpy as np
import pytest

pytest.importorskip("torch")  # noqa: E402

from bnproofs.data import Whitened, whiten
from bnproofs.results import FAIL, INCONCLUSIVE, PASS
from verify import s5_2
from verify.claim import Context, run_trial
from verify.verdicts import status_of


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


def test_s5_2_truncated_whitening_is_the_first_k_columns_and_a_wrong_one_is_not(monkeypatch):
    X = _training_data(0)
    W = whiten(X)
    mean = X.mean(0)
    for k in (2, 10, W.r):
        assert s5_2.truncation_gap(W, k, mean) < 1e-9
    n = X.shape[0]
    wrong = Whitened(W.U[:, :5], W.sigma[:5], W.Vt[:5], np.hstack([W.U[:, :5],
                                                                   np.full((n, 1), 1 / n)]))
    real = s5_2.truncate
    monkeypatch.setattr(s5_2, "truncate", lambda W_, k: wrong if k == 5 else real(W_, k))
    assert s5_2.truncation_gap(W, 5, mean) > 0.1


@pytest.mark.slow
def test_s5_2_roles_solver_status_and_scaled_competitor_slack():
    """The convex side is support (an inaccurate solve leaves the trial inconclusive); a
    competitor better by more than the data-scaled bound fails the statement."""
    c = s5_2.case(0, np.random.default_rng(0))
    s = s5_2.sides(c, np.random.default_rng(0), Context(0, 0))
    out = s5_2.compare(c, s)
    assert status_of(out.checks) == PASS
    assert out.checks["convex_at_most_gd"].role == "support"
    assert not out.checks["printed_indicator_is_best_rank_k"].held  # the printed typo, recorded
    k0 = next(iter(s.data["rows"]))
    s.data["rows"][k0]["status"] = "inaccurate"
    assert status_of(s5_2.compare(c, s).checks) == INCONCLUSIVE
    s.data["rows"][k0]["status"] = "optimal"
    e = next(iter(s.data["ey"].values()))
    e["best_competitor"] = np.sqrt(e["error_f2"]) * (1 - 1e-6)
    assert status_of(s5_2.compare(c, s).checks) == FAIL
    for a in s5_2.AUDIT:
        assert set(a.checks) <= set(out.checks), a.line
