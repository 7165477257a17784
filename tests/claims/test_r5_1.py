"""Remark 5.1 / Figure 1 (verify/r5_1.py): GD on (9) moves high-σ directions first."""

import numpy as np
import pytest

pytest.importorskip("torch")  # noqa: E402

from bnproofs.results import PASS
from verify import r5_1
from verify.claim import Context, run_trial


def test_r5_1_bn_model_moves_high_sigma_directions_first():
    trial, findings = run_trial(r5_1, Context(0, 0))
    assert trial.status == PASS, trial.notes
    assert trial.values["bn_rho"] <= -0.5
    assert trial.values["own_spread_decades"] < trial.values["bn_spread_decades"]
    assert not findings


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
