"""C2 (verify/c2.py): the critical points of J are minimisers on a ray and strict saddles."""

import math

import numpy as np
import pytest

from bnproofs import ols
from bnproofs.results import FAIL, INCONCLUSIVE, PASS, ClaimResult
from verify import c2
from verify.claim import Context, run_trial
from verify.verdicts import status_of


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


def _sides(index):
    c = c2.case(index, np.random.default_rng(index))
    return c, c2.sides(c, np.random.default_rng(index), Context(index, index))


def test_c2_a_root_search_that_found_nothing_is_not_evidence():
    """No converged start: 'no other critical points' holds vacuously, so the trial must not
    pass."""
    c, s = _sides(1)
    s.values["critical_points_found"] = {"minimiser": 0, "saddle": 0, "other": 0,
                                         "not converged": c.starts}
    checks = c2.compare(c, s).checks
    assert checks["no_other_critical_points"].held and not checks["roots_found"].held
    assert status_of(checks) == INCONCLUSIVE


def test_c2_regimes_by_dimension():
    c0, s0 = _sides(0)
    c1_, s1 = _sides(1)
    assert c2.regime(c0, s0).startswith("d = 1") and c2.regime(c1_, s1).startswith("d ≥ 2")
    assert s0.values["saddles"] == [] and len(s1.values["saddles"]) == 3


@pytest.mark.parametrize("b", [0.1, 1.0, 7.0])
def test_c2_saddle_eigenvalue_is_the_root_of_the_quadratic(b):
    """At a = 0, w ⊥ g the Hessian restricted to (a, ĝ) is [[1, −b], [−b, 0]]."""
    assert c2.saddle_least_eig(b) == pytest.approx(np.linalg.eigvalsh([[1, -b], [-b, 0]])[0])


def test_c2_printed_gradient_matches_differences_and_a_wrong_one_does_not(monkeypatch):
    p = ols.random_problem(np.random.default_rng(2), 4, 30.0)
    w = np.random.default_rng(3).standard_normal(4)
    assert c2.gradient_gap(p, 0.7, w) < 1e-6
    real = ols.grad_J
    monkeypatch.setattr(ols, "grad_J",
                        lambda p_, a, w_: (real(p_, a, w_)[0], -a * p_.g / ols.h_norm(p_, w_)))
    assert c2.gradient_gap(p, 0.7, w) > 1e-3


def test_c2_classify_uses_the_printed_minimiser():
    p = ols.random_problem(np.random.default_rng(0), 3, 10.0)
    nu = math.sqrt(p.uHu)
    a, w = c2.printed_minimiser(p, -2.5)
    assert a == -nu and c2._classify(p, a, w, nu) == "minimiser"
    assert c2._classify(p, -a, w, nu) == "other"


def test_c2_audit_names_only_checks_the_trials_have():
    trial, _ = run_trial(c2, Context(1, 1))
    for a in c2.AUDIT:
        assert set(a.checks) <= set(trial.checks), a.line
