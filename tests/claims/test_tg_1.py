"""Theorem G.1 (verify/tg_1.py): the printed (46) is not exact; the exact-cone program is."""

import numpy as np
import pytest

from bnproofs.nets import bn_after_relu as bnr
from bnproofs.programs.arrangements import enumerate_arrangements
from bnproofs.results import FAIL, INCONCLUSIVE
from verify import tg_1
from verify.claim import Context, run_trial


def test_printed_46_exceeds_a_real_network_for_correlated_rows():
    """The TG.1 finding, reproduced: n = d = 3, correlated rows."""
    rng = np.random.default_rng(1)
    X, y, beta = tg_1.draw(tg_1.case(1, rng), rng)
    D = enumerate_arrangements(X)
    pr = bnr.certified_46(X, y, beta, D, "printed")
    ex = bnr.certified_46(X, y, beta, D, "exact")
    assert ex.upper < pr.lower - 1e-3 * pr.lower  # certified: (45) < printed (46)
    assert ex.upper - ex.lower <= 1e-8


def test_tg1_trial_fails_with_the_exact_cone_tight():
    pytest.importorskip("torch")  # the trial trains networks
    trial, findings = run_trial(tg_1, Context(1, 1))
    assert trial.status == FAIL and not trial.checks["no_network_below_printed"]
    assert trial.checks["exact_bracket_tight"] and trial.checks["gd_above_exact_lower"]
    assert findings and findings[0].kind == "statement_fails"


def test_tg1_a_network_below_an_incomplete_program_is_no_counterexample(monkeypatch):
    """With an arrangement dropped the printed program's bound is not a bound on (45): the same
    network below it leaves the trial inconclusive, not failed."""
    pytest.importorskip("torch")  # the trial trains networks
    monkeypatch.setattr(tg_1, "enumerate_arrangements", lambda X: enumerate_arrangements(X)[1:])
    trial, findings = run_trial(tg_1, Context(1, 1))
    assert not trial.checks["samples_all_listed"] or not trial.checks["count_vs_cover"]
    assert trial.status == INCONCLUSIVE and not findings
