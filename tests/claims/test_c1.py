"""C1 (verify/c1.py): GD's threshold 2/λ_max and rate max|1 − ελ_i|, and a wrong rate caught."""

import dataclasses

import numpy as np
import pytest

from bnproofs import ols
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


def test_c1_catches_a_wrong_gd_rate_formula(monkeypatch):
    """Mutation: max|1 − ελ_i| replaced by 1 − ελ_min must make C1 fail."""
    monkeypatch.setattr(ols, "gd_rate", lambda lam, eps: 1 - np.asarray(eps) * np.min(lam))
    trial, findings = run_trial(c1, Context(2, 2))
    assert trial.status == FAIL
    assert findings and findings[0].kind == "statement_fails"


def test_c1_equal_mode_inits_weigh_every_mode_equally():
    p = ols.random_problem(np.random.default_rng(3), 4, 50.0)
    lam, Q = p.eig()
    W0 = c1.equal_mode_inits(np.random.default_rng(4), p, 3)
    weights = lam * ((W0 - p.u) @ Q) ** 2  # H-weight of each mode of w₀ − u
    assert np.allclose(weights, p.uHu / p.d, rtol=1e-10)


def test_c1_undecided_rate_is_inconclusive_not_fail():
    """A rate no fit window could decide leaves the trial inconclusive; decided, it fails."""
    c = c1.case(1, np.random.default_rng(1))
    s = c1.sides(c, np.random.default_rng(1), Context(1, 1))
    s.values["runs"][0]["rate_ok"] = False
    assert status_of(c1.compare(c, dataclasses.replace(s, data={**s.data, "undecided": True})
                                ).checks) == INCONCLUSIVE
    assert status_of(c1.compare(c, dataclasses.replace(s, data={**s.data, "undecided": False})
                                ).checks) == FAIL
