"""Theorem G.2 (verify/tg_2.py): the single closed-form neuron, and mutations it must catch."""

import numpy as np
import pytest

pytest.importorskip("torch")  # every trial trains networks  # noqa: E402

from bnproofs.closed_forms import theorem_g_2_printed
from bnproofs.results import FAIL, PASS
from verify import tg_2
from verify.claim import Context, run_trial


def test_tg2_holds_on_a_documented_case():
    trial, findings = run_trial(tg_2, Context(1, 1))
    assert trial.status == PASS and not findings
    lo, hi = trial.bracket
    assert abs(trial.values["closed_form"] - lo) <= 1e-9 * max(1.0, lo) and hi <= lo + 1e-9


def test_tg2_mutation_wrong_closed_form_fails(monkeypatch):
    """A closed form without the clamp (w2 = ‖y‖ − β < 0 when β > ‖y‖) must be caught."""
    def wrong(X, y, beta):
        w1, _, g, a = theorem_g_2_printed(X, y, beta)
        return w1, float(np.linalg.norm(y) - beta), g, a

    monkeypatch.setattr(tg_2, "CLOSED_FORM", wrong)
    trial, findings = run_trial(tg_2, Context(6, 6))  # β = 1.5 ‖y‖
    assert trial.status != PASS
    assert not trial.checks["closed_form_optimal"]


def test_tg2_mutation_sign_flipped_dual_fails(monkeypatch):
    monkeypatch.setattr(tg_2, "dual_point", lambda y, beta: -y * min(1.0, beta / np.linalg.norm(y)))
    trial, _ = run_trial(tg_2, Context(0, 0))
    assert not trial.checks["closed_form_optimal"] and trial.status != PASS


def test_tg2_a_network_below_the_closed_form_fails_the_statement(monkeypatch):
    """A closed form certifiably worse than the exact-cone network is a counterexample."""
    def worse(X, y, beta):
        w1, w2, g, a = theorem_g_2_printed(X, y, beta)
        return w1, 0.5 * w2, g, a

    monkeypatch.setattr(tg_2, "CLOSED_FORM", worse)
    trial, findings = run_trial(tg_2, Context(1, 1))
    assert trial.status == FAIL and not trial.checks["closed_form_not_above_found"]
    assert findings and findings[0].kind == "statement_fails"
