"""Theorem 2.1 (verify/t2_1.py): the printed closed form where it holds and where it fails, its
two failure modes with exact minimal counterexamples, the corrected form, and mutations the
checks catch."""

import itertools
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp

from bnproofs import closed_forms
from bnproofs.exact.closed_forms import theorem_2_1_exact
from bnproofs.results import FAIL, PASS
from verify import t2_1
from verify.claim import Context, run_trial

pytest.importorskip("torch")  # every trial trains a network

#: training only tightens nothing here: the certified bracket decides these trials
SHORT = {"steps": 200, "restarts": 2}


def test_t2_1_printed_form_holds_when_beta_is_below_both_label_norms():
    trial, findings = run_trial(t2_1, Context(0, 0), **SHORT)  # n = d = 2, mixed, tiny β
    assert trial.status == PASS, trial.notes
    assert trial.regime == "β ≤ min(‖(y)₊‖, ‖(−y)₊‖)"
    lo, hi = trial.bracket
    assert 0 <= hi - lo <= 1e-6 * max(1, lo)
    assert all(trial.checks[k] for k in ("lemma_c1_feasible", "lemma_c1_reduction",
                                         "lemma_c1_optimal"))
    assert not findings


def test_t2_1_printed_form_fails_above_a_label_norm_and_corrected_form_holds():
    trial, findings = run_trial(t2_1, Context(2, 2), **SHORT)  # β = 1.5 max(‖y+‖, ‖y−‖)
    assert trial.status == FAIL and not trial.checks["printed_not_above_found"]
    assert trial.regime == "β > min(‖(y)₊‖, ‖(−y)₊‖)"
    assert trial.checks["corrected_optimal"] and trial.checks["strong_duality"]
    assert [f.kind for f in findings] == ["statement_fails"] and "suboptimal" in findings[0].text
    assert trial.values["closed_form"] > trial.bracket[1]


def test_t2_1_single_sign_labels_make_the_printed_form_undefined():
    trial, findings = run_trial(t2_1, Context(3, 3), **SHORT)  # positive labels only
    assert trial.status == FAIL and not trial.checks["printed_defined"]
    assert trial.regime == "(y)₊ = 0 or (−y)₊ = 0 (a sign part of y empty)"
    assert trial.checks["corrected_optimal"] and "undefined" in findings[0].text


def test_t2_1_catches_a_sign_flip_in_the_closed_form(monkeypatch):
    """Mutation: flipping the sign of the output weights must turn a pass into a fail."""
    real = closed_forms.theorem_2_1_printed

    def flipped(X, y, beta):
        net = real(X, y, beta)
        net.w_out = -net.w_out
        return net

    monkeypatch.setattr(t2_1, "theorem_2_1_printed", flipped)
    trial, _ = run_trial(t2_1, Context(0, 0), **SHORT)
    assert trial.status == FAIL


def test_t2_1_a_wrong_lemma_c1_point_is_caught(monkeypatch):
    """Lemma C.1's v* with the β-normalisation dropped is infeasible for (24)."""
    def unnormalised(y, beta):
        return beta * np.maximum(y, 0) - beta * np.maximum(-y, 0)

    monkeypatch.setattr(t2_1, "lemma_c1_dual", unnormalised)
    trial, _ = run_trial(t2_1, Context(1, 1), **SHORT)
    assert not trial.checks["lemma_c1_feasible"] or not trial.checks["lemma_c1_optimal"]


def test_t2_1_training_below_the_certified_lower_bound_fails_the_trial(monkeypatch):
    """A lower bound lifted by 1 (a wrong certificate) puts a trained network below it: with
    every arrangement present that refutes weak duality, so the trial fails — it is not passed
    off as inconclusive, and the bracket is never closed by the trained value."""
    real = t2_1.certified_optimum

    def lifted(*a, **k):
        opt = real(*a, **k)
        opt.lower += 1.0
        return opt

    monkeypatch.setattr(t2_1, "certified_optimum", lifted)
    trial, _ = run_trial(t2_1, Context(0, 0), **SHORT)
    assert trial.status == FAIL and not trial.checks["gd_above_lower"]
    assert trial.roles["gd_above_lower"] == "statement" and not trial.checks["strong_duality"]


def test_t2_1_counterexamples_are_exact_and_proved():
    for mode in t2_1.FAILURE_MODES:
        ce = mode.counterexample()
        assert ce["proved"], (mode.name, ce)
    und = t2_1.FAILURE_MODES[0].counterexample()
    assert und["exact"] == {"printed": "0/0", "network": "1/2", "dual_lower_bound": "1/2"}
    sub = t2_1.FAILURE_MODES[1].counterexample()
    assert sub["exact"] == {"printed": "8", "network": "1", "dual_lower_bound": "1"}


def test_t2_1_failure_modes_classify_the_failing_trials():
    ok = SimpleNamespace(checks={"printed_defined": True, "printed_not_above_found": True})
    und = SimpleNamespace(checks={"printed_defined": False, "printed_not_above_found": True})
    sub = SimpleNamespace(checks={"printed_defined": True, "printed_not_above_found": False})
    undefined, suboptimal = t2_1.FAILURE_MODES
    assert undefined.applies(und) and not undefined.applies(ok) and not undefined.applies(sub)
    assert suboptimal.applies(sub) and not suboptimal.applies(ok) and not suboptimal.applies(und)


def _mode(X, y, beta) -> str | None:
    e = theorem_2_1_exact(X, y, beta)
    if e["printed"] is sp.nan:
        return "undefined"
    return "suboptimal" if e["printed"] > e["corrected"] else None


def _by_size():
    """Integer instances with n = d = 2 (X ∈ {−1, 0, 1}^{2×2} invertible, y ∈ {−2..2}² \\ 0,
    β ∈ {1, 2, 3}) in the order (n, d, Σ|X|, Σ|y|, β)."""
    Xs = [((a, b), (c, d)) for a, b, c, d in itertools.product((-1, 0, 1), repeat=4)
          if a * d != b * c]
    ys = [y for y in itertools.product(range(-2, 3), repeat=2) if any(y)]
    key = lambda X, y, b: (2, 2, sum(abs(e) for r in X for e in r), sum(map(abs, y)), b)  # noqa
    return sorted(((key(X, y, b), X, y, b) for X in Xs for y in ys for b in (1, 2, 3)),
                  key=lambda t: t[0])


def _size(inst) -> tuple:
    X, y = inst["X"], inst["y"]
    return (len(y), len(X[0]), sum(abs(e) for r in X for e in r), sum(map(abs, y)), inst["beta"])


@pytest.mark.slow
def test_t2_1_documented_counterexamples_are_the_smallest():
    """Exhaustive search by size: the first instance of each failure mode has the size of the
    documented one (no smaller counterexample exists in the searched space), and the documented
    one shows its mode."""
    first = {}
    for key, X, y, beta in _by_size():
        mode = _mode(X, y, beta)
        if mode and mode not in first:
            first[mode] = key
        if len(first) == 2:
            break
    assert first["undefined"] == _size(t2_1.UNDEFINED_INSTANCE)
    assert first["suboptimal"] == _size(t2_1.SUBOPTIMAL_INSTANCE)
    for inst, mode in ((t2_1.UNDEFINED_INSTANCE, "undefined"),
                       (t2_1.SUBOPTIMAL_INSTANCE, "suboptimal")):
        assert _mode(inst["X"], inst["y"], inst["beta"]) == mode


def test_t2_1_exact_corrected_form_is_optimal_on_a_rational_instance():
    """Off the counterexamples: the corrected network attains Lemma C.1's exact dual value, and
    where β ≤ both part norms the printed one does too."""
    e = theorem_2_1_exact(((1, 2, 0), (0, 1, 1)), (3, -4), 1)
    assert e["dual_feasible"] and e["printed"] == e["corrected"] == e["dual"] == 6


def test_t2_1_same_seed_same_numbers():
    a, b = (run_trial(t2_1, Context(5, 5), **SHORT)[0] for _ in range(2))
    timing = {k for k in a.values if k.endswith("_s")}  # wall times differ run to run
    assert {k: v for k, v in a.values.items() if k not in timing} == {
        k: v for k, v in b.values.items() if k not in timing}
