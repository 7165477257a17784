"""C7 (verify/c7.py): BNGD's good learning-rate range is wider than GD's; tail slopes −1, +1; a
slope that cannot be measured fails and counts in the gap."""

import dataclasses
import math

import numpy as np
import pytest

from bnproofs import ols
from bnproofs.results import FAIL, PASS, ClaimResult, Trial
from verify import c7
from verify.claim import Context, run_trial
from verify.mutants.c7 import MUTANTS
from verify.mutation import applied

MUTANT = {m.name: m for m in MUTANTS}


def test_c7_wide_range_and_tail_slopes():
    trial, _ = run_trial(c7, Context(1, 1))
    assert trial.status == PASS, trial.notes
    v = trial.values
    assert v["bngd_width_decades"] > v["gd_width_decades"]
    assert abs(v["slope_small_eps_bngd"] + 1) <= 0.15 and abs(v["slope_large_eps_bngd"] - 1) <= 0.15
    assert trial.params["inits"] == c7.INITS and trial.params["steps"] == c7.STEPS
    assert v["gd_good_range"][1] < v["gd_threshold_lmax"] == pytest.approx(2.0)


def test_c7_inits_is_a_knob():
    trial, _ = run_trial(c7, Context(0, 0), inits=2)
    assert trial.params["inits"] == 2
    assert 0 <= trial.values["starts_not_inflated"] <= 2
    assert trial.notes[0].endswith("/2 starts not inflated at the largest ε")


def test_c7_catches_bngd_without_normalisation(monkeypatch):
    """Mutation: 'BNGD' replaced by plain GD from the same w₀ and ε — its range is GD's and
    it diverges at large ε, so the wider range and the +1 slope must fail."""
    def plain_gd(p, *, a0, w0, eps, eps_a, steps, record_rows=None, **kw):
        r = ols.gd_on(p, w0=w0, eps=eps, steps=steps, **kw)
        r.history["err"] = r.history["err"][record_rows]
        return r

    monkeypatch.setattr(ols, "bngd_on", plain_gd)
    trial, findings = run_trial(c7, Context(1, 1))
    assert trial.status == FAIL
    assert not trial.checks["bngd_range_wider"] and not trial.checks["large_eps_slope_plus_1"]
    assert findings[0].kind == "statement_fails"


def test_c7_a_missing_slope_fails_and_is_infinitely_far():
    rng = np.random.default_rng(0)
    case = dataclasses.replace(c7.case(0, rng), inits=2)
    s = c7.sides(case, rng, Context(0, 0))
    s.values["slope_large_eps_bngd"] = None
    cmp = c7.compare(case, s)
    assert not cmp.checks["large_eps_slope_plus_1"].held and math.isinf(cmp.gap)
    s.values["slope_large_eps_bngd"] = 0.0  # a flat count: measured, and 1 away from +1
    cmp = c7.compare(case, s)
    assert not cmp.checks["large_eps_slope_plus_1"].held and cmp.gap >= 1.0


def test_c7_summary_keeps_a_zero_slope_and_survives_none():
    def trial(small, large):
        v = {"bngd_width_decades": 3.0, "gd_width_decades": 1.0, "starts_not_inflated": 0,
             "slope_small_eps_bngd": small, "slope_large_eps_bngd": large}
        return Trial(0, {"inits": 6}, v, FAIL)

    res = ClaimResult("C7", "C", "t", "k", trials=[trial(0.0, None), trial(-1.0, None)])
    [text] = [f.text for f in c7.summarise(res)]
    assert "-0.500 for small ε" in text and "none measured for large ε" in text


@pytest.mark.parametrize("name, checks", [
    ("threshold_1_over_L", ("gd_diverges_beyond_2_over_lmax", "gd_range_below_threshold")),
    ("norm_kept", ("large_eps_slope_plus_1",)),
    ("unnormalised", ("bngd_range_wider",)),
])
def test_c7_mutants_are_refuted(name, checks):
    with applied(MUTANT[name]):
        trial, _ = run_trial(c7, Context(1, 1))
    assert trial.status == FAIL
    assert not any(trial.checks[k] for k in checks), trial.checks
