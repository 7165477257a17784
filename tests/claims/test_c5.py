"""C5 (verify/c5.py): BNGD converges for every ε when 0 < ε_a ≤ 1; what refutes it on a finite
run; the runs outside (0, 1]."""

import numpy as np
import pytest

from bnproofs import ols
from bnproofs.exact import symbolic_ols
from bnproofs.results import FAIL, INCONCLUSIVE, PASS, ClaimResult
from verify import c5
from verify.claim import Context, run_trial
from verify.mutants.c5 import MUTANTS
from verify.mutation import applied

MUTANT = {m.name: m for m in MUTANTS}


def test_c5_narrow_trial_converges_and_reports_outside_runs():
    trial, findings = run_trial(c5, Context(1, 1))
    assert trial.status == PASS, trial.notes
    assert trial.values["blew_up"] == 0 and trial.values["pending"] == 0
    assert trial.values["max_norm_drop"] <= 1 and trial.values["max_a_over_bound"] <= 1 + 1e-9
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
    # four decades cannot stand for "arbitrary ε": the coverage check decides (support)
    assert trial.roles["at_least_8_decades_or_narrow"] == "support"
    assert not trial.checks["at_least_8_decades_or_narrow"]
    assert trial.status == INCONCLUSIVE
    assert trial.checks["saddle_start_stays"] and trial.checks["saddle_repels"]


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


@pytest.mark.parametrize("name, check", [("step_projection_H_norm", "norm_non_decreasing"),
                                         ("a_step_ascent", "a_within_bound")])
def test_c5_wrong_dynamics_fail_rather_than_stall(name, check):
    """A wrong BNGD update is refuted by what the proof rests on (a statement check), not only
    left inconclusive by runs that never reach the tolerance."""
    with applied(MUTANT[name]):
        trial, findings = run_trial(c5, Context(2, 2))
    assert trial.status == FAIL and not trial.checks[check]
    assert trial.roles[check] == "statement"
    assert any(f.kind == "statement_fails" for f in findings)


@pytest.mark.parametrize("name", ["rel_error_euclidean", "J_a_term_unhalved"])
def test_c5_a_wrong_convergence_criterion_is_inconclusive_not_a_failure(name):
    """A wrong convergence criterion makes the evidence unsound (support), never a refutation."""
    with applied(MUTANT[name]):
        trial, _ = run_trial(c5, Context(2, 2))
    assert trial.status == INCONCLUSIVE and not trial.checks["all_converged"]


def test_c5_a_bound_and_norm_growth_are_exact():
    items = symbolic_ols.bngd_a_bound_identities() + symbolic_ols.ols_identities("C4")
    assert all(i.proved for i in items), [(i.name, i.outcome) for i in items]


@pytest.mark.slow
def test_c5_eight_decade_trial():
    trial, _ = run_trial(c5, Context(0, 0))
    assert trial.status == PASS
    assert trial.params["decades"] >= 8 - 1e-9
    assert trial.values["saddle_start"]["moved"] == 0.0
    assert np.isfinite(trial.values["max_final_rel_error"])
