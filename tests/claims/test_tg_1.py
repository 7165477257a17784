"""Theorem G.1 (verify/tg_1.py): the printed (46) is not exact — (45) < (46) with an exact minimal
counterexample — and the exact-cone program is."""

import itertools

import numpy as np
import pytest

from bnproofs.nets import bn_after_relu as bnr
from bnproofs.programs.arrangements import enumerate_arrangements
from bnproofs.programs.bn_after_relu import program_46
from bnproofs.results import FAIL, INCONCLUSIVE
from bnproofs.solvers.clarabel import solve_program
from verify import tg_1
from verify.claim import Context, Sides, run_trial
from verify.verdicts import status_of


def test_printed_46_exceeds_a_real_network_for_correlated_rows():
    """The TG.1 finding, reproduced: n = d = 3, correlated rows."""
    rng = np.random.default_rng(1)
    X, y, beta = tg_1.draw(tg_1.case(1, rng), rng)
    D = enumerate_arrangements(X)
    pr = bnr.certified_46(X, y, beta, D, "printed")
    ex = bnr.certified_46(X, y, beta, D, "exact")
    assert ex.upper < pr.lower - 1e-3 * pr.lower  # certified: (45) < printed (46)
    assert ex.upper - ex.lower <= 1e-8


def test_minimal_counterexample_is_exact_and_proved():
    ce = tg_1.exact_counterexample()
    assert ce["proved"]
    assert ce["exact"]["printed_46_lower"] == "191/400" and ce["exact"]["network"] == "3/8"
    assert ce["exact"]["optimum_45"] == "3/8"  # the network is (45)'s optimum
    lo, hi = (float(e) for e in ce["exact"]["exact_cone_46_bracket"].strip("[]").split(","))
    assert lo - 1e-8 <= 0.375 <= hi + 1e-8  # the corrected program meets it


def _gap(X, y, beta=0.5):
    """printed (46) − exact-cone (46) (= (45)), by Clarabel."""
    D = enumerate_arrangements(X)
    return np.subtract(*(solve_program(program_46(X, D, y, beta, c).prog).value
                         for c in ("printed", "exact")))


def _canonical(flat, d):
    """The smallest flat X in its orbit under signed permutations of the columns (X → XR, R
    orthogonal, maps (45) and (46) to themselves: w → Rᵀw)."""
    X = np.array(flat).reshape(2, d)
    orbit = [tuple((X[:, list(perm)] * signs).ravel())
             for perm in itertools.permutations(range(d))
             for signs in itertools.product((1, -1), repeat=d)]
    return min(orbit) == tuple(flat)


@pytest.mark.slow
def test_documented_instance_is_the_smallest_with_lost_neurons():
    """Enumeration by size (d, max|X_ij|, Σ|X_ij|, then X, then y) over n = 2, d ≤ 2,
    X ∈ {−2..2}^{2×d} up to signed column permutations, y ∈ {−1, 0, 1}² \\ {0} up to sign
    (y → −y swaps s and s'), β = 1/2: the first instance where the printed (46) exceeds the
    exact-cone program (= (45)) is the documented one."""
    cands = sorted((d, max(map(abs, f)), sum(map(abs, f)), f)
                   for d in (1, 2) for f in itertools.product(range(-2, 3), repeat=2 * d)
                   if any(f) and _canonical(f, d))
    ys = [(1, 0), (0, 1), (1, 1), (1, -1)]
    found = next(((np.array(f).reshape(2, d).tolist(), list(y)) for d, _, _, f in cands
                  for y in ys if _gap(np.array(f, float).reshape(2, d), np.array(y, float))
                  > 1e-6), None)
    assert found == (tg_1.MINIMAL["X"], tg_1.MINIMAL["y"])


def _sides(**over):
    v = {"printed_lower": 1.0, "printed_upper": 1.0, "printed_convex": 1.0, "exact_lower": 1.0,
         "exact_upper": 1.0, "gd_best": 1.2, "arrangements": 12, "cover_count": 12}
    data = {"samples_all_listed": True, "solvers_optimal": True, "general_position": True}
    v.update({k: val for k, val in over.items() if k in v})
    data.update({k: val for k, val in over.items() if k in data})
    return Sides(v, {"beta": 0.1, "rank": 2}, data=data)


def test_a_crossed_printed_bracket_is_an_error_not_a_counterexample():
    c = tg_1.CASES[0]
    checks = tg_1.compare(c, _sides(printed_upper=0.9)).checks  # rebuilt from printed (46)
    assert checks["no_network_below_printed"].held and not checks["printed_bracket_tight"].held
    assert status_of(checks) == INCONCLUSIVE
    checks = tg_1.compare(c, _sides(exact_upper=0.9, exact_lower=0.9)).checks
    assert not checks["no_network_below_printed"].held and status_of(checks) == FAIL
    assert checks["exact_cone_equals_45"].held and checks["exact_cone_equals_45"].role == "record"


def test_count_vs_cover_follows_the_general_position_test():
    c = tg_1.CASES[0]
    assert not tg_1.compare(c, _sides(arrangements=11)).checks["count_vs_cover"].held
    assert tg_1.compare(c, _sides(arrangements=11, general_position=False)).checks[
        "count_vs_cover"].held


def test_regimes_by_the_rank_of_x():
    assert tg_1.regime(tg_1.Case(3, 3, "full_row_rank", "mixed", "tiny"),
                       Sides({}, {"rank": 3})) == tg_1.FULL_ROW_RANK
    assert tg_1.regime(tg_1.CASES[0], Sides({}, {"rank": 2})) == tg_1.DEPENDENT_ROWS


def test_tg1_trial_fails_with_the_exact_cone_tight():
    pytest.importorskip("torch")  # the trial trains networks
    trial, findings = run_trial(tg_1, Context(1, 1))
    assert trial.status == FAIL and not trial.checks["no_network_below_printed"]
    assert trial.checks["exact_bracket_tight"] and trial.checks["gd_above_exact_lower"]
    assert trial.regime == tg_1.FULL_ROW_RANK
    assert findings and findings[0].kind == "statement_fails"


def test_tg1_a_network_below_an_incomplete_program_is_no_counterexample(monkeypatch):
    """With an arrangement dropped the printed program's bound is not a bound on (45): the same
    network below it leaves the trial inconclusive, not failed."""
    pytest.importorskip("torch")  # the trial trains networks
    monkeypatch.setattr(tg_1, "enumerate_arrangements", lambda X: enumerate_arrangements(X)[1:])
    trial, findings = run_trial(tg_1, Context(1, 1))
    assert not trial.checks["samples_all_listed"] or not trial.checks["count_vs_cover"]
    assert trial.status == INCONCLUSIVE and not findings
