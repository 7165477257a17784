"""C6 (verify/c6.py): BNGD's linear rate mode by mode — where the a-mode binds too — κ* ≤ κ, and
acceleration over GD."""

import math

import numpy as np
import pytest

from bnproofs import ols
from bnproofs.results import FAIL, PASS
from verify import c6
from verify.claim import Context, run_trial
from verify.mutants.c6 import MUTANTS
from verify.mutation import applied

MUTANT = {m.name: m for m in MUTANTS}


@pytest.fixture(scope="module")
def generic():
    return run_trial(c6, Context(2, 2))


def test_c6_rates_on_a_generic_instance(generic):
    trial, findings = generic
    assert trial.status == PASS, findings
    assert trial.params["kind"] == c6.GENERIC
    assert trial.checks["interlacing"] and trial.checks["kappa_star_le_kappa"]
    assert trial.values["max_log_rate_gap"] <= 0.01
    assert trial.roles["some_run_decided"] == "support"


def test_c6_reaches_the_regime_where_1_minus_eps_a_is_the_slowest_mode(generic):
    trial, _ = generic
    bound = [w for w in trial.values["runs"] if w["binding"]]
    assert len(bound) == trial.values["binding_runs"] > 0
    for w in bound:
        assert w["decided"] and w["slowest_predicted"] == "a", w
        assert math.isclose(w["rho_slowest_measured"], 1 - w["eps_a"], rel_tol=1e-3)
        assert math.isclose(w["rho_claimed"], 1 - w["eps_a"], rel_tol=1e-12)
    assert trial.checks["a_mode_slowest_reached"] and trial.roles["a_mode_rate"] == "statement"


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


def test_c6_the_dropped_1_minus_eps_a_term_is_caught_where_it_binds():
    with applied(MUTANT["drop_a_term"]):
        trial, _ = run_trial(c6, Context(2, 2))
    assert trial.status == FAIL and not trial.checks["rates_match"]
    assert trial.checks["a_mode_rate"]  # the a-mode itself still decays at |1 − ε_a|
    wrong = [w for w in trial.values["runs"] if not w["ok"]]
    assert wrong and all(w["slowest_predicted"] == "a" for w in wrong)


LS = np.array([0.0, 0.2, 1.0])


def _mode(name, pred, fit, compared=True):
    return {"mode": name, "pred": pred, "fit": fit, "window": [0, 10], "compared": compared}


def test_c6_a_run_whose_slowest_mode_has_no_window_is_undecided():
    modes = [_mode("λ*_3", 0.5, 0.5)]  # the slowest, λ*_2 (rate 0.9), got no window
    row, gaps = c6._rate_row(modes, "λ*_2", LS, 0.5, 1.0, 0.9, 100)
    assert not row["decided"] and row["rho_slowest_measured"] is None and row["ok"]
    assert gaps == [0.0]


def test_c6_outside_the_hypothesis_nothing_is_decided():
    modes = [_mode("λ*_2", 0.2, 0.7)]
    row, gaps = c6._rate_row(modes, "λ*_2", LS, 2.5, 1.0, 1.5, -1)  # ε̂λ*_d = 2.5 ≥ 2
    assert not row["hypothesis"] and not row["decided"] and row["ok"] and gaps == []


def test_c6_the_claimed_rate_enters_the_gap_and_a_rate_of_0_does_not_raise():
    modes = [_mode("λ*_2", 0.9, 0.9), _mode("a", 0.0, 0.3, compared=False)]
    row, gaps = c6._rate_row(modes, "λ*_2", LS, 0.5, 1.0, 0.8, 50)
    assert row["decided"] and not row["ok"]
    assert math.isclose(max(gaps), abs(math.log(0.9) - math.log(0.8)))
    assert c6._log_gap(0.0, 0.0) == 0.0 and math.isinf(c6._log_gap(0.0, 0.5))


def test_c6_binding_eps_a():
    ea = c6.binding_eps_a([0.9, 0.99, 0.999])
    assert np.allclose(ea[:2], [0.05, 0.005]) and np.isnan(ea[2])
    assert np.all(1 - ea[:2] > np.array([0.9, 0.99]))


def test_c6_where_eps_hat_sits_at_the_stability_edge_no_a_binding_run_is_possible():
    """u ∥ an outlying λ_min: ρ_w ≈ 0.999, so the a-mode could be the slowest only with
    ε_a < BIND_MIN; the trial records that and still passes on its decided runs."""
    trial, _ = run_trial(c6, Context(1, 1))
    assert trial.values["binding_runs"] == 0 and "a_mode_slowest_reached" not in trial.checks
    assert trial.roles["a_binding_feasible"] == "record" and not trial.checks["a_binding_feasible"]
    assert trial.status == PASS and trial.checks["some_run_decided"]
