"""Theorem 3.1 (verify/t3_1.py): the CNN (13) equals (15); a wrong conv-BN shift is caught."""

import numpy as np
import pytest

pytest.importorskip("torch")  # every trial trains a CNN  # noqa: E402

from bnproofs.nets import network
from bnproofs.nets.bn import bn
from bnproofs.nets.cnn import patches
from bnproofs.results import PASS
from verify import t3_1
from verify.claim import Context, run_trial


@pytest.mark.slow
def test_t3_1_default_case_holds():
    trial, findings = run_trial(t3_1, Context(1, 1))  # h = 3, nK = 12
    assert trial.status == PASS, trial.notes
    assert not trial.checks["remark_within_remark_bound"]  # Remark 3.1 with n fails here
    assert trial.checks["remark_within_remark_bound_nK"]
    assert trial.roles["remark_within_remark_bound"] == "record"
    assert not findings


def test_t3_1_catches_a_wrong_bn_shift(monkeypatch):
    """Mutation: conv-BN with the shift α/√n (per block) instead of α/√(nK)."""
    c = t3_1.case(1, np.random.default_rng(1))
    K = patches(np.zeros((c.n, *c.shape)), c.h, c.stride, c.padding).shape[0]

    def wrong(Z, g, a):
        rows = Z.shape[0]
        return bn(Z, g, a) + a * (1 / np.sqrt(rows / K) - 1 / np.sqrt(rows))

    monkeypatch.setattr(network, "bn", wrong)
    trial, _ = run_trial(t3_1, Context(1, 1))
    assert trial.status != PASS
    assert not trial.checks["rebuilt_equals_convex"]
