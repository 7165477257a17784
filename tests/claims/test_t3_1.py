"""Theorem 3.1 (verify/t3_1.py): the CNN (13) equals (15); a wrong conv-BN shift is caught."""

import numpy as np
import pytest

from bnproofs.nets import network
from bnproofs.nets.bn import bn
from bnproofs.nets.cnn import patches
from bnproofs.results import INCONCLUSIVE, PASS, ClaimResult, Finding, Trial
from verify import t3_1
from verify.claim import Context, Sides, run_trial
from verify.verdicts import status_of


@pytest.mark.slow
def test_t3_1_default_case_holds():
    pytest.importorskip("torch")  # every trial trains a CNN
    trial, findings = run_trial(t3_1, Context(1, 1))  # h = 3, nK = 12
    assert trial.status == PASS, trial.notes
    assert not trial.checks["remark_within_remark_bound"]  # Remark 3.1 with n fails here
    assert trial.checks["remark_within_remark_bound_nK"]
    assert trial.roles["remark_within_remark_bound"] == "record"
    assert not findings


def test_t3_1_catches_a_wrong_bn_shift(monkeypatch):
    """Mutation: conv-BN with the shift α/√n (per block) instead of α/√(nK)."""
    c = t3_1.case(1, np.random.default_rng(1))
    K = patches(np.zeros((c.n, *c.shape)), c.h, c.stride, c.padding).shape[0]

    def wrong(Z, g, a):
        rows = Z.shape[0]
        return bn(Z, g, a) + a * (1 / np.sqrt(rows / K) - 1 / np.sqrt(rows))

    pytest.importorskip("torch")  # the trial trains a CNN
    monkeypatch.setattr(network, "bn", wrong)
    trial, _ = run_trial(t3_1, Context(1, 1))
    assert trial.status != PASS
    assert not trial.checks["rebuilt_equals_convex"]


def _sides(**over):
    v = {"lower": 1.0, "rebuilt_network": 1.0, "convex": 1.0, "forward_13_diff": 0.0,
         "gd_best": 1.1, "neurons_rebuilt": 3, "arrangements": 10, "remark_bound": 5.0,
         "remark_bound_nK": 50.0, "rank_M": 2, "variables": 60, "constraints": 400,
         "general_position": True}
    v.update(over)
    return Sides(v, {"beta": 0.1, "K": 4, "h_eff": 2},
                 data={"enumeration": {"count_vs_cover": True}, "solvers_optimal": True,
                       "y_scale": 1.0})


def test_a_crossed_bracket_is_not_tight():
    c = t3_1.CASES[0]  # n = 5
    assert status_of(t3_1.compare(c, _sides()).checks) == PASS
    checks = t3_1.compare(c, _sides(rebuilt_network=0.9, convex=0.9)).checks
    assert not checks["convex_equals_dual"].held and status_of(checks) == INCONCLUSIVE


def test_printed_counts_are_recorded_not_deciding():
    """(15) has 2(r+1)P_c variables and 2nKP_c constraints (after Theorem 3.1: 2r_cP_c, 2nP_cK)."""
    checks = t3_1.compare(t3_1.CASES[0], _sides()).checks  # n = 5, K = 4, P_c = 10, r + 1 = 3
    assert not checks["variables_as_printed"].held  # 60 = 2·3·10 ≠ 2·2·10
    assert checks["constraints_as_printed"].held  # 400 = 2·5·10·4
    assert {checks[k].role for k in ("variables_as_printed", "constraints_as_printed")} == {
        "record"}


def test_findings_carry_no_timings():
    """Timings are values of the trials; a finding's text is reproducible."""
    r = ClaimResult("T3.1", "E", "t", "k")
    v = _sides().values
    r.trials = [Trial(s, {"n": 5, "K": 4, "h_eff": 2, "rank": 2, "nK": 20},
                      {**v, "enumerate_s": 0.123456, "solve_s": 7.891}, PASS, gap=1e-9,
                      checks={"rebuilt_equals_convex": True, "remark_within_remark_bound": True,
                              "remark_within_remark_bound_nK": True}) for s in (0, 1)]
    texts = " ".join(f.text for f in t3_1.summarise(r) if isinstance(f, Finding))
    assert "0.12" not in texts and "7.9" not in texts
