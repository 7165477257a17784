"""C2 (verify/c2.py): the critical points of J are minimisers on a ray and strict saddles."""

import math

import numpy as np
import pytest

from bnproofs import ols
from bnproofs.results import FAIL, PASS, ClaimResult
from verify import c2
from verify.claim import Context, run_trial


@pytest.mark.parametrize("index", [0, 3])
def test_c2_critical_points(index):
    trial, findings = run_trial(c2, Context(index, index))
    assert trial.status == PASS, trial.checks
    assert trial.values["critical_points_found"]["other"] == 0
    assert not findings


def test_c2_summary_counts_roots():
    res = ClaimResult("C2", "C", c2.CLAIM.title, c2.CLAIM.kind)
    res.trials.append(run_trial(c2, Context(4, 4))[0])
    (f,) = c2.summarise(res)
    assert "minimisers" in f.text and "0 other" in f.text


def test_c2_classify():
    p = ols.random_problem(np.random.default_rng(0), 3, 10.0)
    nu = math.sqrt(p.uHu)
    assert c2._classify(p, nu, 2.0 * p.u, nu) == "minimiser"
    assert c2._classify(p, -nu, 2.0 * p.u, nu) == "other"  # wrong sign of a
    w = np.cross(p.g, np.array([1.0, 0.0, 0.0]))  # w ⊥ g
    assert c2._classify(p, 0.0, w, nu) == "saddle"


def test_c2_catches_a_wrong_saddle_eigenvalue(monkeypatch):
    """Mutation: a Hessian with a flipped sign in its (a, a) entry must fail the saddle checks."""
    real = ols.hessian_J

    def wrong(p, a, w):
        H = np.array(real(p, a, w), dtype=float)
        H[0, 0] = -H[0, 0]
        return H

    monkeypatch.setattr(ols, "hessian_J", wrong)
    trial, findings = run_trial(c2, Context(1, 1))
    assert trial.status == FAIL
    assert not trial.checks["hessian_matches_fd"]
    assert findings[0].kind == "statement_fails"
