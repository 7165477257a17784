"""C8 (verify/c8.py): the good range's width against d depends on how a₀ starts."""

from bnproofs.results import FAIL, INCONCLUSIVE, PASS
from verify import c8
from verify.claim import Context, run_trial

SMALL = {"dims": (2, 8, 32, 128), "problems": 6, "inits": 4}


def test_c8_depends_on_how_a_starts():
    grow, _ = run_trial(c8, Context(0, 0), **SMALL)
    assert grow.params["a0_rule"] == "zero" and grow.regime == "a₀ = 0"
    assert grow.status == PASS and grow.values["slope_bngd"] > 0.1
    assert grow.params["dims"] == [2, 8, 32, 128]
    flat, findings = run_trial(c8, Context(1, 1), **SMALL)
    assert flat.params["a0_rule"] == "one"
    assert flat.status in (FAIL, INCONCLUSIVE) and flat.values["slope_bngd"] < 0.1
    assert findings[0].kind in ("statement_fails", "observation")


def test_c8_status_follows_the_slope_interval():
    """pass iff the 90 % interval lies above 0; fail iff it lies below MEANINGFUL (and not above
    0); otherwise inconclusive."""
    trial, findings = run_trial(c8, Context(2, 2), **SMALL)
    lo, hi = trial.values["ci90_bngd"]
    expected = PASS if lo > 0 else FAIL if hi < c8.MEANINGFUL else INCONCLUSIVE
    assert trial.status == expected
    assert trial.checks["improvement_not_excluded"] == (expected != FAIL)
    assert findings[0].kind == ("statement_fails" if expected == FAIL else "observation")
    assert trial.notes == [findings[0].text]
