"""C1 (verify/c1.py): GD's threshold 2/λ_max and rate max|1 − ελ_i|, and wrong formulas caught."""

import dataclasses
import math

import numpy as np
import pytest

from bnproofs import ols
from bnproofs.exact import symbolic_ols
from bnproofs.results import FAIL, INCONCLUSIVE, PASS
from verify import c1
from verify.claim import Context, run_trial
from verify.verdicts import status_of


@pytest.mark.parametrize("index", [0, 2])
def test_c1_gd_threshold_and_rate_hold(index):
    trial, findings = run_trial(c1, Context(index, index))
    assert trial.status == PASS, trial.checks
    assert not findings
    assert trial.tolerance["name"] == "rate"
    rows = trial.values["runs"]
    assert {r["outcome"] for r in rows if r["f"] > 1} == {"diverged"}
    assert {r["outcome"] for r in rows if r["f"] < 1} <= {"converged"}
    assert max(r["envelope_excess"] for r in rows) < 1e-3


def test_c1_catches_a_wrong_gd_rate_formula(monkeypatch):
    """Mutation: max|1 − ελ_i| replaced by 1 − ελ_min must make C1 fail."""
    monkeypatch.setattr(ols, "gd_rate", lambda lam, eps: 1 - np.asarray(eps) * np.min(lam))
    trial, findings = run_trial(c1, Context(2, 2))
    assert trial.status == FAIL
    assert not trial.checks["error_within_rate_envelope"]
    assert findings and findings[0].kind == "statement_fails"


def test_c1_a_predicted_rate_of_zero_fails_and_never_raises(monkeypatch):
    """d = 1 has ρ = 0 at the optimal step; a formula that predicts 0 everywhere must fail the
    rate checks (measured rates are not 0), never raise on log 0."""
    monkeypatch.setattr(ols, "gd_rate", lambda lam, eps: np.zeros(np.shape(eps)))
    trial, _ = run_trial(c1, Context(0, 0))
    assert trial.status == FAIL
    assert not trial.checks["rates_match"] and not trial.checks["error_within_rate_envelope"]


def test_c1_catches_a_wrong_threshold(monkeypatch):
    monkeypatch.setattr(ols, "gd_threshold", lambda lam: 1.0 / float(np.max(lam)))
    trial, _ = run_trial(c1, Context(1, 1))
    assert trial.status == FAIL and not trial.checks["iff_threshold"]


def test_same_rate_compares_exponents_and_handles_zero():
    assert ols.same_rate(0.0, 0.0, 1e-2, 1e-6)
    assert not ols.same_rate(0.5, 0.0, 1e-2, 1e-6)
    assert not ols.same_rate(0.0, 0.5, 1e-2, 1e-6)
    assert ols.same_rate(0.9 ** 1.005, 0.9, 1e-2, 1e-6)
    assert not ols.same_rate(0.9 ** 1.05, 0.9, 1e-2, 1e-6)
    assert ols.rate_exponent(0.0) == -math.inf


def test_c1_rate_envelope_is_the_exact_bracket():
    """err_k/err₀ = √((1/d) Σ ρ_i^{2k}) lies in [ρ^k/√d, ρ^k] for ρ = max ρ_i, and leaves it for
    a rate that is too small or too large."""
    rates = np.array([0.5, 0.9, -0.9])
    k = np.arange(60)
    err = np.sqrt(np.mean(rates[None, :] ** (2 * k[:, None]), axis=1))
    assert c1.rate_envelope(err, 0.9, 3, 1.0) <= 1.0
    assert c1.rate_envelope(err, 0.81, 3, 1.0) > 1.0
    assert c1.rate_envelope(err, 0.95, 3, 1.0) > 1.0
    assert c1.rate_envelope(np.r_[1.0, np.zeros(5)], 0.0, 1, 1.0) <= 1.0


def test_c1_optimal_step_and_best_rate_agree():
    lam = np.array([0.1, 0.4, 2.0])
    e = ols.gd_optimal_step(lam)
    assert ols.gd_rate(lam, np.array([e]))[0] == pytest.approx(ols.gd_best_rate(20.0))
    assert ols.gd_threshold(lam) == 1.0


def test_c1_equal_mode_inits_weigh_every_mode_equally():
    p = ols.random_problem(np.random.default_rng(3), 4, 50.0)
    lam, Q = p.eig()
    W0 = c1.equal_mode_inits(np.random.default_rng(4), p, 3)
    weights = lam * ((W0 - p.u) @ Q) ** 2  # H-weight of each mode of w₀ − u
    assert np.allclose(weights, p.uHu / p.d, rtol=1e-10)


def _sides(index):
    c = c1.case(index, np.random.default_rng(index))
    return c, c1.sides(c, np.random.default_rng(index), Context(index, index))


def _with_runs(s, rows):
    return dataclasses.replace(s, values={**s.values, "runs": rows})


def test_c1_an_undecided_run_is_inconclusive_on_its_own_only():
    """A run without a fit window leaves the trial inconclusive; a decided mismatch in another
    run still fails it."""
    c, s = _sides(1)
    rows = [dict(r) for r in s.values["runs"]]
    rows[0].update(rate_ok=False, rate_decided=False)
    assert status_of(c1.compare(c, _with_runs(s, rows)).checks) == INCONCLUSIVE
    rows[2].update(rate_ok=False)
    checks = c1.compare(c, _with_runs(s, rows)).checks
    assert status_of(checks) == FAIL and not checks["rates_match"].held


def test_c1_exact_rate_identities_are_proved():
    items = symbolic_ols.gd_rate_identities()
    assert len(items) == 3 and all(i.proved for i in items)


def test_c1_audit_names_only_checks_the_trials_have():
    trial, _ = run_trial(c1, Context(1, 1))
    for a in c1.AUDIT:
        assert set(a.checks) <= set(trial.checks), a.line
