"""C8 (verify/c8.py): the good range's width against d depends on how a₀ starts — one regime per
a₀ rule, decided by the first three trials — and where the regimes part, exactly."""

import itertools

import sympy as sp

from bnproofs.exact import symbolic_ols
from bnproofs.results import FAIL, INCONCLUSIVE, PASS, Trial
from verify import c8
from verify.claim import Context, run_trial
from verify.mutants.c8 import MUTANTS
from verify.mutation import applied

MUTANT = {m.name: m for m in MUTANTS}

SMALL = {"dims": (2, 8, 32, 128), "problems": 6, "inits": 4}


def test_c8_depends_on_how_a_starts():
    grow, _ = run_trial(c8, Context(0, 0), **SMALL)
    assert grow.params["a0_rule"] == "zero" and grow.regime == "a₀ = 0"
    assert grow.status == PASS and grow.values["slope_bngd"] > 0.1
    assert grow.params["dims"] == [2, 8, 32, 128]
    assert grow.checks["corrected_form"] and grow.checks["gd_no_effect"]
    flat, findings = run_trial(c8, Context(1, 1), **SMALL)
    assert flat.params["a0_rule"] == "one" and "of order ‖u‖_H" in flat.regime
    assert flat.status in (FAIL, INCONCLUSIVE) and flat.values["slope_bngd"] < 0.1
    assert findings[0].kind in ("statement_fails", "observation")


def test_c8_status_follows_the_slope_interval():
    """pass iff the 90 % interval lies above 0; fail iff it lies below MEANINGFUL (and not above
    0); otherwise inconclusive (GD's 'no effect' holding)."""
    trial, findings = run_trial(c8, Context(2, 2), **SMALL)
    assert trial.checks["gd_no_effect"]
    lo, hi = trial.values["ci90_bngd"]
    expected = PASS if lo > 0 else FAIL if hi < c8.MEANINGFUL else INCONCLUSIVE
    assert trial.status == expected
    assert trial.checks["improvement_not_excluded"] == (expected != FAIL)
    assert findings[0].kind == ("statement_fails" if expected == FAIL else "observation")
    assert trial.notes == [findings[0].text]


def test_c8_roles_and_documented_cases_cover_every_regime():
    assert [c8.case(i, None).a0_rule for i in range(3)] == list(c8.A0_RULES)
    assert len({c8.A0_TEXT[c.a0_rule] for c in c8.CASES}) == 3
    trial, _ = run_trial(c8, Context(0, 0), dims=(2, 8), problems=2, inits=2)
    assert trial.roles["measurement_complete"] == "support"
    assert trial.roles["corrected_form"] == "record"
    assert trial.roles["gd_no_effect"] == "statement"


def test_c8_failure_mode_picks_the_failing_trials_of_order_u_h():
    [mode] = c8.FAILURE_MODES
    assert mode.applies(Trial(0, {"a0_rule": "one"}, {}, FAIL))
    assert mode.applies(Trial(0, {"a0_rule": "gaussian"}, {}, FAIL))
    assert not mode.applies(Trial(0, {"a0_rule": "zero"}, {}, FAIL))
    assert not mode.applies(Trial(0, {"a0_rule": "one"}, {}, PASS))


def _parts(d1, d2) -> bool:
    """The a₀ = ‖u‖_H inflation grows from d₁ to d₂ while the a₀ = 0 one shrinks."""
    k = symbolic_ols.isotropic_kick
    return k(d2, 1) > k(d1, 1) and k(d2, 0) < k(d1, 0)


def test_c8_smallest_dimensions_that_part_the_regimes():
    """Targeted enumeration by size over 2 ≤ d₁ < d₂ ≤ 8 (H = I, exact moments): the first pair
    that parts the regimes is (3, 4), the documented counterexample; (2, 3) does not (the a₀ = 0
    inflation grows there too: 1/8 → 2/15)."""
    pairs = sorted(itertools.combinations(range(2, 9), 2), key=lambda p: (p[1], p[0]))
    first = next(p for p in pairs if _parts(*p))
    assert first == (3, 4)
    assert not _parts(2, 3) and not _parts(2, 4)
    ce = c8.counterexample()
    assert ce["proved"] and ce["instance"]["d"] == "3 → 4"
    assert ce["exact"]["E inflation, a₀ = ‖u‖_H, d = 4"] == "3/4·x²"
    assert ce["exact"]["E inflation, a₀ = 0, d = 3"] == "2/15·x²"


def test_c8_isotropic_reduction_and_moments_are_exact():
    items = symbolic_ols.isotropic_step_identities()
    assert all(i.proved for i in items), [(i.name, i.outcome) for i in items]
    assert [symbolic_ols.isotropic_kick(d, 1) for d in (2, 3, 4)] == [sp.Rational(k, k + 1) for k in (1, 2, 3)]


def test_c8_a_mistuned_gd_baseline_is_caught_by_its_rate_bound():
    """GD at ε_opt reaches the tolerance within ⌈log(tol/e₀)/log((κ−1)/(κ+1))⌉ steps; a baseline
    taken at 1/λ_max instead does not, and the trial cannot pass on it."""
    small = {"dims": (2, 8, 32), "problems": 3, "inits": 3}
    trial, _ = run_trial(c8, Context(0, 0), **small)
    assert trial.checks["gd_baseline_at_best_rate"] and trial.values["gd_opt_above_rate_bound"] == 0
    with applied(MUTANT["opt_step_1_over_L"]):
        trial, _ = run_trial(c8, Context(0, 0), **small)
    assert not trial.checks["gd_baseline_at_best_rate"] and trial.status != PASS
