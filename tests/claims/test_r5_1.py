"""Remark 5.1 / Figure 1 (verify/r5_1.py): GD on (9) moves high-σ directions first."""

import numpy as np
import pytest

pytest.importorskip("torch")  # noqa: E402

from bnproofs.results import FAIL, INCONCLUSIVE, PASS
from verify import r5_1
from verify.claim import Context, run_trial
from verify.verdicts import status_of


def test_r5_1_bn_model_moves_high_sigma_directions_first():
    trial, findings = run_trial(r5_1, Context(0, 0))
    assert trial.status == PASS, trial.notes
    assert trial.values["bn_rho"] <= -0.5
    assert trial.values["own_spread_decades"] < trial.values["bn_spread_decades"]
    assert not findings
    for a in r5_1.AUDIT:
        assert set(a.checks) <= set(trial.checks), a.line


def test_r5_1_crossing_steps():
    C = np.array([[1.0, 1.0], [0.95, 0.8], [0.85, 0.7]])
    assert list(r5_1.crossing_steps(C, 0.9)) == [2.0, 1.0]
    assert np.isinf(r5_1.crossing_steps(C, 0.5)).all()


def test_r5_1_profile_orders_crossings_by_sigma():
    """Directions of larger σ crossing earlier give ρ = −1; never crossing is censored."""
    sigma = np.array([3.0, 2.0, 1.0])
    C = np.ones((11, 3))
    t = np.array([1.0, 4.0, np.inf])
    p = r5_1.profile(sigma, t, C, steps=10)
    assert p["rho"] == pytest.approx(-1.0)
    assert p["reached"] == 2 and p["last_step"] == 11.0


def test_r5_1_cosine_defect_is_zero_for_18_and_not_for_a_projection():
    rng = np.random.default_rng(0)
    Vt = np.linalg.qr(rng.standard_normal((5, 5)))[0].T
    W0, W = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    assert r5_1.cosine_defect(Vt, W, W0) < 1e-12
    assert r5_1.cosine_defect(Vt, 2 * W, W0) < 1e-12


def test_r5_1_soundness_checks_are_support_and_failures_are_statement_fails():
    """A trial that misses the thresholds is a failure of the (measured) statement, filed as
    statement_fails; a broken measurement leaves it inconclusive."""
    c = r5_1.case(0, np.random.default_rng(0))
    s = r5_1.sides(c, np.random.default_rng(0), Context(0, 0))
    roles = {k: ch.role for k, ch in r5_1.compare(c, s).checks.items()}
    assert roles["cosine_18_is_a_cosine"] == roles["mapped_init_same_function"] == "support"
    s.values["bn_rho"] = 0.1
    out = r5_1.compare(c, s)
    assert status_of(out.checks) == FAIL and out.findings[0].kind == "statement_fails"
    s.values["bn_rho"], s.values["svd_gap"] = -0.9, 1.0
    assert status_of(r5_1.compare(c, s).checks) == INCONCLUSIVE


def test_r5_1_statement_names_the_suites_threshold():
    assert "suite's" in r5_1.CLAIM.statement and "ρ(σ_i, t_i) ≤ −0.5" in r5_1.CLAIM.statement
