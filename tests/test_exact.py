"""The exact layer: every symbolic step proved, printed formulas refuted exactly where the paper's
case split says, mutations rejected, rational certificates with exact nonnegative widths."""

from fractions import Fraction

import numpy as np
import pytest

from bnproofs.exact import PROVED, REFUTED, summary
from bnproofs.exact import rational as R
from bnproofs.exact import symbolic as S
from bnproofs.exact import symbolic_ols as SO
from verify import exact_checks

GROUPS = [S.bn_identities, lambda: S.rescaling_identities(1), lambda: S.rescaling_identities(2),
          S.theorem_2_1_cases, S.theorem_4_1_value, S.theorem_2_4_cases, S.theorem_g_2_cases,
          S.lemma_5_1_identity, S.theorem_5_1_identities,
          *(lambda g=g: SO.ols_identities(g) for g in ("C1", "C2", "C4", "C6")),
          pytest.param(lambda: SO.ols_identities("C3"), marks=pytest.mark.slow)]  # ~6 s


@pytest.mark.parametrize("group", GROUPS)
def test_every_step_and_corrected_form_is_proved(group):
    items = group()
    assert items
    for it in items:
        assert it.as_expected, (it.name, it.outcome, it.difference)


def test_printed_t2_1_fails_exactly_when_beta_exceeds_a_label_part_norm():
    printed = {it.name: it for it in S.theorem_2_1_cases() if it.role == "printed"}
    assert len(printed) == 4
    for name, it in printed.items():
        above = "β >" in name
        assert it.outcome == (REFUTED if above else PROVED), name
        if above:
            assert it.values["sign_of_difference"] == "> 0"  # printed value above the dual
    one = printed["T2.1 printed, β > ‖y₊‖, β ≤ ‖y₋‖"]
    assert "3⋅β + ‖y₊‖" in one.difference  # (β − ‖y₊‖)(3β + ‖y₊‖)/2


def test_g1_dual_point_without_case_split_is_refuted_above_the_label_norm():
    items = {it.name: it for it in S.theorem_g_2_cases()}
    assert items["G.1 dual point v* = βy/‖y‖, β ≤ ‖y‖"].outcome == PROVED
    assert items["G.1 dual point v* = βy/‖y‖, β > ‖y‖"].outcome == REFUTED
    assert items["G.2 corrected dual point, β > ‖y‖"].outcome == PROVED


def test_wrong_chain_rule_factor_is_not_proved():
    (wrong,) = S.theorem_5_1_identities(power=1)
    assert wrong.outcome != PROVED


def test_wrong_identity_is_rejected():
    import sympy as sp

    x = sp.Symbol("x", positive=True)
    assert S.identity("wrong", (x + 1) ** 2, x**2 + 1, "deliberately wrong").outcome == REFUTED
    assert S.identity("right", (x + 1) ** 2, x**2 + 2 * x + 1, "binomial").outcome == PROVED


@pytest.mark.parametrize("rule", ["below", "between", "above"])
def test_t2_1_closed_form_certificate_is_exact_and_tight(rule):
    it = R.certificate_t2_1_closed_form(3, beta_rule=rule)
    assert it.proved, it.difference
    assert Fraction(it.width) >= 0 and it.width_float < 1e-12
    assert it.values["arrangements"] == it.values["cover_count"] == 8


def test_t2_2_solver_certificate_is_exact():
    it = R.certificate_convex_program(1, 5, 2, "between", "T2.2")
    assert it.proved, it.difference
    assert 0 <= Fraction(it.width) and it.width_float < 1e-6
    assert it.values["witnessed"] == it.values["cover_count"] == 22


@pytest.mark.parametrize("above", [False, True])
def test_g_2_certificate_is_exact(above):
    it = R.certificate_g_2(2, above=above)
    assert it.proved, it.difference
    assert Fraction(it.width) >= 0 and it.width_float < 1e-12


def _small_instance():
    from bnproofs.closed_forms import lemma_c1_dual
    from bnproofs.data import whiten
    from bnproofs.programs.arrangements import enumerate_arrangements

    X, y, beta, A, B = R._rational_instance(0, 3, 4, "between")
    D = enumerate_arrangements(whiten(X).Uprime)
    v = lemma_c1_dual(y, float(beta))
    Dm = D.astype(float)
    return y, beta, B, D, v, Dm * np.maximum(-v, 0), Dm * np.maximum(v, 0)


def test_perturbed_dual_point_is_rejected():
    y, beta, B, D, v, rho, rhop = _small_instance()
    P = R.projector(B)
    yq = R.fvec(y)
    vq, rq, rpq, _ = R.make_dual_feasible(P, D, yq, beta, R.fvec(v), R.fmat(rho), R.fmat(rhop))
    assert R.dual_check(P, D, yq, beta, vq, rq, rpq)["feasible"]
    bigger = [Fraction(3, 2) * e for e in vq]
    assert not R.dual_check(P, D, yq, beta, bigger, rq, rpq)["feasible"]
    negative = [[-r for r in row] for row in R.fmat(rho + 1.0)]
    assert not R.dual_check(P, D, yq, beta, vq, negative, rpq)["feasible"]


def test_incomplete_arrangement_list_and_infeasible_group_are_rejected():
    y, beta, B, D, *_ = _small_instance()
    assert R.arrangement_completeness(B, D)["complete"]
    assert not R.arrangement_completeness(B, D[2:])["complete"]
    P = R.projector(B)
    u = R.matvec(B, [Fraction(1), Fraction(-2), Fraction(1)])
    wrong_pattern = tuple(not e for e in R.pattern_of(u))
    assert R.primal_check(P, D, {R.pattern_of(u): u}, {})
    assert not R.primal_check(P, D, {wrong_pattern: u}, {})


def test_sqrt_bounds_are_exact():
    lo, hi = R.sqrt_bounds(Fraction(2))
    assert lo * lo <= 2 <= hi * hi and hi - lo < Fraction(1, 10**29)


def test_exact_checks_map_runs_and_records_errors(monkeypatch):
    items = exact_checks.run("L1.1", 0)
    s = summary(items)
    assert s["items"] >= 4 and s["unexpected"] == 0 and s["proved"] == s["items"]
    assert exact_checks.run("C7", 0) == []  # a claim without exact items

    def broken(seed):
        raise RuntimeError("boom")

    monkeypatch.setitem(exact_checks.EXACT, "L1.1", [broken])
    (err,) = exact_checks.run("L1.1", 0)
    assert err["outcome"] == "undecided" and "boom" in err["difference"]


def test_runner_attaches_exact_section_and_no_exact_skips_it():
    import types
    from dataclasses import dataclass

    from bnproofs.results import PASS, ClaimResult
    from verify.claim import Claim, Comparison, Sides
    from verify.runner import run_claim
    from verify.verdicts import statement

    @dataclass(frozen=True)
    class Case:
        n: int = 1

    Stub = types.SimpleNamespace(
        CLAIM=Claim("C1", "C", "stub", "identity", "", (), ""), Case=Case,
        case=lambda index, rng: Case(), sides=lambda case, rng, ctx: Sides({}),
        compare=lambda case, sides: Comparison({"holds": statement(True)}))
    res, _ = run_claim(Stub, 1, 0, "cpu", progress=None)
    assert res.trials[0].status == PASS
    js = res.to_json()
    assert js["exact"] and js["exact_summary"]["proved"] == len(js["exact"])
    res2, _ = run_claim(Stub, 1, 0, "cpu", progress=None, exact=False)
    assert res2.to_json()["exact"] == [] and isinstance(res2, ClaimResult)
