"""Theorem 4.2 (verify/t4_2.py): the one-hot closed form holds, and a wrong weight is caught."""

import numpy as np
import pytest

pytest.importorskip("torch")  # every trial trains networks  # noqa: E402

from bnproofs import closed_forms
from bnproofs.results import FAIL, PASS
from verify import t4_2
from verify.claim import Context, run_trial


@pytest.mark.slow
def test_t4_2_holds_and_catches_a_wrong_output_weight(monkeypatch):
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
