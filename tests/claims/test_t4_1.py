"""Theorem 4.1 (verify/t4_1.py): the printed form holds for β ≤ both label-part norms, is
undefined when a sign part is empty and suboptimal when β exceeds a nonempty part's norm — each
failure with an exact minimal counterexample; the corrected form is optimal."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from bnproofs.exact import networks as exact_nets
from bnproofs.results import FAIL, PASS
from bnproofs.tolerance import IPM
from verify import t4_1
from verify.claim import Context, Sides, run_trial
from verify.verdicts import printed_form


def test_failure_modes_have_exact_proved_counterexamples():
    undefined, suboptimal = (m.counterexample() for m in t4_1.FAILURE_MODES)
    assert undefined["proved"] and undefined["exact"]["printed"].startswith("0/0")
    assert undefined["exact"]["network"] == undefined["exact"]["lower"] == "3/8"
    assert "output weight is β ≠ 0" in undefined["text"]  # 0/0 times a nonzero weight
    assert suboptimal["proved"]
    assert (suboptimal["exact"]["printed"], suboptimal["exact"]["network"]) == ("15/4", "1")
    assert suboptimal["exact"]["lower"] == "1"  # the zero network is optimal
    assert undefined["instance"]["rank A^(L−2)"] == "2"  # range(A^(L−2)) = R^n holds


def test_corrected_form_meets_the_exact_dual_on_the_minimal_instances():
    for y, beta in (t4_1.UNDEFINED_INSTANCE, t4_1.SUBOPTIMAL_INSTANCE, ((2, -1), "1/2")):
        r = t4_1.exact_instance(y, beta)
        assert r["dual_feasible"] and r["corrected"] == r["dual"]


def _mode(y, beta):
    """The failure mode of the printed form on the minimal prefix, decided exactly."""
    r = t4_1.exact_instance(y, beta)
    if r["printed"] is None:
        return "undefined"
    return "suboptimal" if exact_nets.proved_above(r["printed"], r["corrected"]) else None


@pytest.mark.slow
def test_documented_instances_are_the_smallest_of_their_mode():
    """Enumeration by size (n, Σ|y_i|, β) over y ∈ {−2..2}² \\ {0}, β ∈ {1/2, 1, 3/2, 2}: the
    first instance of each mode is the documented one (n = 1 has no BN: Πz = 0 always)."""
    with pytest.raises(exact_nets.Undefined):
        exact_nets.bn_columns(sp.Matrix([[3]]), [1], [0])
    grid = [(y, b) for y in itertools.product(range(-2, 3), repeat=2) if any(y)
            for b in ("1/2", "1", "3/2", "2")]
    grid.sort(key=lambda g: (sum(map(abs, g[0])), Fraction(g[1]), tuple(-e for e in g[0])))
    first = {}
    for y, b in grid:
        first.setdefault(_mode(y, b), (y, b))
        if "undefined" in first and "suboptimal" in first:
            break
    assert first["undefined"] == t4_1.UNDEFINED_INSTANCE
    assert first["suboptimal"] == t4_1.SUBOPTIMAL_INSTANCE


def test_regimes_by_beta_against_the_label_part_norms():
    def reg(beta, a, b):
        return t4_1.regime(None, Sides({}, {"beta": beta, "norm_pos": a, "norm_neg": b}))

    assert reg(0.5, 1.0, 2.0) == reg(1.0, 1.0, 2.0) == t4_1.HOLDS_REGIME
    assert reg(1.5, 1.0, 2.0) == t4_1.SUBOPTIMAL_REGIME
    assert reg(0.1, 1.0, 0.0) == t4_1.UNDEFINED_REGIME


def _values(**over):
    v = {"constraint_exact": 1.0, "constraint_sphere": 1.0, "constraint_exact_vs_formula": 0.0,
         "constraint_sampled": 0.9, "constraint_attained": 1.0, "range_full_range": True}
    return {**v, **over}


def test_sphere_checks_fail_on_a_wrong_constraint():
    assert all(c.held for c in t4_1._sphere_checks(_values()).values())
    wrong = t4_1._sphere_checks(_values(constraint_exact_vs_formula=0.3))
    assert not wrong["sphere_constraint_exact"].held
    # samples are compared with the exact constraint, not with the formula
    assert not t4_1._sphere_checks(_values(constraint_exact=0.8))[
        "samples_within_sphere_constraint"].held
    assert not t4_1._sphere_checks(_values(constraint_attained=0.7))[
        "sphere_constraint_attained"].held


def test_a_network_below_the_printed_form_fails_it_even_at_a_tight_lower_bound():
    """printed at the lower bound, a network found certifiably below both: a statement failure
    (the bound is wrong, but the network is real), and the crossed bracket is not 'tight'."""
    checks = printed_form(1.0, 1.0, 0.9, IPM)
    assert not checks["printed_not_above_found"].held
    assert not checks["strong_duality"].held
    assert printed_form(1.0, 1.0, 1.0, IPM)["printed_not_above_found"].held


@pytest.mark.slow
def test_t4_1_holds_and_fails_as_printed():
    pytest.importorskip("torch")  # every trial trains networks
    trial, findings = run_trial(t4_1, Context(0, 0))  # L = 3, tiny β
    assert trial.status == PASS, trial.notes
    assert trial.regime == t4_1.HOLDS_REGIME
    assert trial.checks["range_is_Rn"] and trial.checks["sphere_constraint_attained"]
    trial, findings = run_trial(t4_1, Context(2, 2))  # β above both label norms
    assert trial.status == FAIL and trial.checks["corrected_optimal"]
    assert not trial.checks["printed_not_above_found"]
    assert trial.regime == t4_1.SUBOPTIMAL_REGIME
    assert findings and findings[0].kind == "statement_fails"


def test_t4_1_catches_a_sign_flip(monkeypatch):
    pytest.importorskip("torch")  # the trial trains networks
    from verify.mutants.t4_1 import _output_sign_flipped

    monkeypatch.setattr(t4_1, "theorem_2_1_printed", _output_sign_flipped)
    trial, _ = run_trial(t4_1, Context(0, 0))
    assert trial.status == FAIL and not trial.checks["printed_not_above_found"]
    assert np.isfinite(trial.values["closed_form"])


@pytest.mark.slow
def test_audit_names_existing_exact_items():
    from bnproofs.exact import symbolic

    names = {i.name for f in (symbolic.bn_identities, symbolic.theorem_2_1_cases,
                              symbolic.theorem_4_1_value) for i in f()}
    for a in t4_1.AUDIT:
        assert set(a.exact) <= names, a.exact
