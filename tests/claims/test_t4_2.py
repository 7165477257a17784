"""Theorem 4.2 (verify/t4_2.py): the one-hot closed form holds, and a wrong weight is caught."""

import numpy as np
import pytest

from bnproofs import closed_forms
from bnproofs.results import FAIL, PASS
from verify import t4_2
from verify.claim import Context, run_trial


@pytest.mark.slow
def test_t4_2_holds_and_catches_a_wrong_output_weight(monkeypatch):
    pytest.importorskip("torch")  # every trial trains networks
    trial, _ = run_trial(t4_2, Context(1, 1))  # L = 4, β between class norms
    assert trial.status == PASS, trial.notes
    real = closed_forms.theorem_2_4_printed

    def no_shrink(X, Y, beta):  # mutation: w_j = ‖y_j‖ e_j (β not subtracted)
        net = real(X, Y, beta)
        net.w_out = np.diag(np.linalg.norm(Y, axis=0))
        return net

    monkeypatch.setattr(t4_2, "theorem_2_4_printed", no_shrink)
    trial, _ = run_trial(t4_2, Context(1, 1))
    assert trial.status == FAIL


def test_t4_2_class_beta_rules_are_ordered():
    """β rules relative to the class norms √count_j: tiny < smallest ≤ between ≤ largest < above."""
    rng = np.random.default_rng(0)
    Y = np.eye(3)[[0, 0, 0, 1, 1, 2]]  # class norms √3, √2, 1
    tiny, between, above = (t4_2.beta_for_classes(rng, Y, r) for r in ("tiny", "between", "above"))
    assert tiny == pytest.approx(1e-3) and between == pytest.approx((1 + np.sqrt(3)) / 2)
    assert above == pytest.approx(1.5 * np.sqrt(3))


def _values(**over):
    v = {"lower": 1.0, "closed_form": 1.0, "constraint_exact": 1.0, "constraint_over_beta": 1.0,
         "constraint_sampled": 0.9, "constraint_attained": 1.0, "range_full_range": True,
         "gd_last_two": 1.1, "gd_full": 1.2}
    return {**v, **over}


def _path(**over):
    p = {"excess": [0.5, 0.005], "c2_law_error": 0.0, "output_change": 0.0, "limit": 1.5,
         "dead_penalty": 0.5}
    return {**p, **over}


def test_checks_behind_the_bracket_are_deciding():
    """Each check the lower bound rests on leaves a trial undecided when it fails."""
    ok = t4_2._checks(_values(), _path(), 1.0)
    assert all(c.held for c in ok.values())
    for name, values, path in (
            ("dual_point_feasible", _values(constraint_over_beta=1.1), _path()),
            ("samples_within_sphere_constraint", _values(constraint_sampled=1.01), _path()),
            ("sphere_constraint_attained", _values(constraint_attained=0.9), _path()),
            ("infimum_path_to_limit", _values(), _path(dead_penalty=0.0))):
        checks = t4_2._checks(values, path, 1.0)
        assert not checks[name].held and checks[name].role == "support", name
    # with rank A^(L−2) < n the sphere need not be reached: only range_is_Rn decides
    assert t4_2._checks(_values(constraint_attained=0.9, range_full_range=False), _path(),
                        1.0)["sphere_constraint_attained"].held


def test_printed_form_above_a_network_found_is_a_statement_failure():
    checks = t4_2._checks(_values(), _path(), 0.9)
    assert not checks["printed_not_above_found"].held
    assert checks["printed_not_above_found"].role == "statement"


@pytest.mark.slow
def test_audit_names_existing_exact_items():
    from bnproofs.exact import symbolic

    names = {i.name for i in symbolic.theorem_2_4_cases()} | {
        i.name for i in symbolic.bn_identities()}
    for a in t4_2.AUDIT:
        assert set(a.exact) <= names, a.exact
