"""C5 (verify/c5.py): BNGD converges for every ε when 0 < ε_a ≤ 1; the runs outside (0, 1]."""

import numpy as np
import pytest

from bnproofs import ols
from bnproofs.results import FAIL, PASS, ClaimResult
from verify import c5
from verify.claim import Context, run_trial


def test_c5_narrow_trial_converges_and_reports_outside_runs():
    trial, findings = run_trial(c5, Context(1, 1))
    assert trial.status == PASS, trial.notes
    assert trial.values["blew_up"] == 0 and trial.values["pending"] == 0
    out = trial.values["outside_theorem"]
    assert out["2.5"]["blew_up"] == out["2.5"]["runs"]  # ε_a = 2.5: the a-update diverges
    res = ClaimResult("C5", "C", c5.CLAIM.title, c5.CLAIM.kind, trials=[trial])
    kinds = {f.kind for f in c5.summarise(res)}
    assert kinds == {"observation"}


def test_c5_wide_grid_and_inits_are_knobs():
    grid = (1e-2, 1.0, 1e2)
    trial, _ = run_trial(c5, Context(0, 0), wide_grid=grid, inits=1)
    assert trial.params["runs"] == len(grid) * 3  # × ε_a ∈ {1, 0.5, 0.1}, one start each
    assert trial.params["eps_scaled_range"] == [1e-2, 1e2]
    assert "wide_grid" not in trial.params and "inits" not in trial.params
    assert trial.status == PASS  # the eight-decade coverage is recorded, it does not decide
    assert not trial.checks["at_least_8_decades_or_narrow"]


def test_c5_catches_a_blow_up(monkeypatch):
    """Mutation: runs reported as diverged must make the trial fail (statement check)."""
    real = ols.bngd_on

    def blown(*args, **kw):
        r = real(*args, **kw)
        r.diverged[:] = True
        return r

    monkeypatch.setattr(ols, "bngd_on", blown)
    trial, findings = run_trial(c5, Context(1, 1))
    assert trial.status == FAIL and not trial.checks["none_blew_up"]
    assert findings[0].kind == "statement_fails"


@pytest.mark.slow
def test_c5_eight_decade_trial():
    trial, _ = run_trial(c5, Context(0, 0))
    assert trial.status == PASS
    assert trial.params["decades"] >= 8 - 1e-9
    assert trial.values["saddle_start"]["moved"] == 0.0
    assert np.isfinite(trial.values["max_final_rel_error"])
