"""The [C] claim modules C1–C8 on a few trials, and mutations they must catch."""

import numpy as np
import pytest

from bnproofs import ols
from bnproofs.results import FAIL, INCONCLUSIVE, PASS, ClaimResult
from verify import c1, c2, c3, c4, c5, c6, c7, c8, registry


def test_all_c_claims_are_registered_with_the_protocol():
    for k in range(1, 9):
        mod = registry.load(f"c{k}")
        assert mod.ID == f"C{k}" and mod.PAPER == "C"
        assert isinstance(mod.STATEMENT, str) and mod.STATEMENT
        assert isinstance(mod.ASSUMPTIONS, list) and mod.ASSUMPTIONS
        assert "(derived" in mod.__doc__  # the precise forms are presented as derived


@pytest.mark.parametrize("index", [0, 2])
def test_c1_gd_threshold_and_rate_hold(index):
    trial, findings = c1.check(index, index)
    assert trial.status == PASS, trial.checks
    assert not findings
    assert trial.tolerance["name"] == "rate"
    rows = trial.values["runs"]
    assert {r["outcome"] for r in rows if r["f"] > 1} == {"diverged"}
    assert {r["outcome"] for r in rows if r["f"] < 1} <= {"converged"}


def test_c1_catches_a_wrong_gd_rate_formula(monkeypatch):
    """Mutation: max|1 − ελ_i| replaced by 1 − ελ_min must make C1 fail."""
    monkeypatch.setattr(ols, "gd_rate", lambda lam, eps: 1 - np.asarray(eps) * np.min(lam))
    trial, findings = c1.check(2, 2)
    assert trial.status == FAIL
    assert findings and findings[0].kind == "statement_fails"


@pytest.mark.parametrize("index", [0, 3])
def test_c2_critical_points(index):
    trial, findings = c2.check(index, index)
    assert trial.status == PASS, trial.checks
    assert trial.values["critical_points_found"]["other"] == 0


def test_c2_summary_counts_roots():
    res = ClaimResult("C2", "C", c2.TITLE, c2.KIND)
    res.trials.append(c2.check(4, 4)[0])
    (f,) = c2.summarise(res)
    assert "minimisers" in f.text and "0 other" in f.text


@pytest.mark.parametrize("index", [1, 3])
def test_c3_scaling_properties(index):
    trial, _ = c3.check(index, index)
    assert trial.status == PASS, trial.values["deviations"]
    assert trial.gap <= 1e-9 * trial.params["kappa"]


@pytest.mark.parametrize("index", [1, 2])
def test_c4_norm_growth(index):
    trial, findings = c4.check(index, index)
    assert trial.status == PASS, trial.checks
    assert min(trial.values["norm_growth_factor"]) >= 1 - 1e-9


def test_c4_catches_a_wrong_update_rule(monkeypatch):
    """Mutation: a BNGD update with H w scaled by 1.01 breaks wᵀΔw = 0 and the identity."""
    real = ols._hmul
    monkeypatch.setattr(ols, "_hmul", lambda dense, shared, M, w: 1.01 * real(dense, shared, M, w))
    trial, findings = c4.check(1, 1)
    assert trial.status == FAIL
    assert not trial.checks["identity_every_step"]
    assert findings and findings[0].kind == "statement_fails"


def test_c5_narrow_trial_converges_and_reports_outside_runs():
    trial, findings = c5.check(1, 1)
    assert trial.status == PASS, trial.notes
    assert trial.values["blew_up"] == 0 and trial.values["pending"] == 0
    out = trial.values["outside_theorem"]
    assert out["2.5"]["blew_up"] == out["2.5"]["runs"]  # ε_a = 2.5: the a-update diverges
    res = ClaimResult("C5", "C", c5.TITLE, c5.KIND, trials=[trial])
    kinds = {f.kind for f in c5.summarise(res)}
    assert kinds == {"observation"}


@pytest.mark.slow
def test_c5_eight_decade_trial():
    trial, _ = c5.check(0, 0)
    assert trial.status == PASS
    assert trial.params["decades"] >= 8 - 1e-9
    assert trial.values["saddle_start"]["moved"] == 0.0


def test_c6_rates_on_a_generic_instance():
    trial, findings = c6.check(2, 2)
    assert trial.status == PASS, findings
    assert trial.checks["interlacing"] and trial.checks["kappa_star_le_kappa"]
    assert trial.values["max_log_rate_gap"] <= 0.01


def test_c6_acceleration_instance_is_much_faster_than_tuned_gd():
    trial, _ = c6.check(0, 0)
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
    trial, findings = c6.check(2, 2)
    assert trial.status == FAIL
    assert findings and findings[0].kind == "statement_fails"


def test_c7_wide_range_and_tail_slopes():
    trial, _ = c7.check(1, 1)
    assert trial.status == PASS, trial.notes
    v = trial.values
    assert v["bngd_width_decades"] > v["gd_width_decades"]
    assert abs(v["slope_small_eps_bngd"] + 1) <= 0.15 and abs(v["slope_large_eps_bngd"] - 1) <= 0.15


def test_c8_depends_on_how_a_starts():
    grow, _ = c8.check(0, 0, dims=(2, 8, 32, 128), problems=6, inits=4)
    assert grow.params["a0_rule"] == "zero"
    assert grow.status == PASS and grow.values["slope_bngd"] > 0.1
    flat, findings = c8.check(1, 1, dims=(2, 8, 32, 128), problems=6, inits=4)
    assert flat.params["a0_rule"] == "one"
    assert flat.status in (FAIL, INCONCLUSIVE) and flat.values["slope_bngd"] < 0.1
    assert findings[0].kind in ("statement_fails", "observation")
