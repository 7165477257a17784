"""C6 (verify/c6.py): BNGD's linear rate mode by mode, κ* ≤ κ, and acceleration over GD."""

import numpy as np

from bnproofs import ols
from bnproofs.results import FAIL, PASS
from verify import c6
from verify.claim import Context, run_trial


def test_c6_rates_on_a_generic_instance():
    trial, findings = run_trial(c6, Context(2, 2))
    assert trial.status == PASS, findings
    assert trial.params["kind"] == c6.GENERIC
    assert trial.checks["interlacing"] and trial.checks["kappa_star_le_kappa"]
    assert trial.values["max_log_rate_gap"] <= 0.01
    assert trial.roles["some_run_decided"] == "support"


def test_c6_acceleration_instance_is_much_faster_than_tuned_gd():
    trial, _ = run_trial(c6, Context(0, 0))
    assert trial.status == PASS
    assert trial.values["speed"]["speedup"] >= 10
    assert trial.params["kappa_star"] < 1.5 and trial.params["kappa"] >= 999


def test_c6_catches_a_wrong_rate_formula(monkeypatch):
    """Mutation: not skipping λ*₁ = 0 in max|1 − ε̂λ*_i| predicts rate 1 — C6 must fail."""
    def wrong(lam_star, eps_hat, eps_a):
        ls = np.asarray(lam_star, dtype=float)
        w = np.max(np.abs(1.0 - np.asarray(eps_hat)[..., None] * ls), axis=-1)
        return np.maximum(np.abs(1.0 - np.asarray(eps_a)), w)

    monkeypatch.setattr(ols, "bngd_rate", wrong)
    trial, findings = run_trial(c6, Context(2, 2))
    assert trial.status == FAIL
    assert findings and findings[0].kind == "statement_fails"
