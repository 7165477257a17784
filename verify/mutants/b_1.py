"""Mutants of B.1 (program (8) and its Fenchel dual for logistic and hinge losses): the dual
objective evaluated at the wrong sign of v, the hinge loss without its margin, the logistic loss in
bits, and the logistic conjugate with one of its two entropy terms."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
from scipy.special import xlogy

from bnproofs.programs import losses
from bnproofs.solvers.clarabel import dual_expression

from ..mutation import Mutant


def _dual_at_minus_v(name, v, y):
    """``−L*(v)`` of (D_L) read as the conjugate at v, not −v: ``p = −y∘v``."""
    v, y = np.asarray(v, dtype=float), np.asarray(y, dtype=float)
    if name == "squared":
        return float(-0.5 * np.sum((v - y) ** 2) + 0.5 * np.sum(y * y))
    p = -y * v
    if p.min(initial=0.0) < 0.0 or p.max(initial=0.0) > 1.0:
        return -np.inf
    if name == "logistic":
        return float(-np.sum(xlogy(p, p) + xlogy(1.0 - p, 1.0 - p)))
    return float(np.sum(p))


def _hinge_without_margin(name, f, y, _value=losses.value):
    f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
    if name == "hinge":
        return float(np.sum(np.maximum(0.0, -y * f)))
    return _value(name, f, y)


def _logistic_in_bits(name, f, y, _value=losses.value):
    f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
    if name == "logistic":
        return float(np.sum(np.logaddexp2(0.0, -y * f / np.log(2.0))))
    return _value(name, f, y)


def _one_entropy_term(name, v, y, _dual=dual_expression):
    if name != "logistic":
        return _dual(name, v, y)
    p = cp.multiply(y, v)
    return cp.sum(cp.entr(p)), [p >= 0, p <= 1]


MUTANTS = [
    Mutant("B.1", "dual_at_minus_v", "bnproofs.programs.losses:dual_objective", _dual_at_minus_v,
           "−L*(v) evaluated with the conjugate at v instead of −v (a sign of v)"),
    Mutant("B.1", "hinge_without_margin", "bnproofs.programs.losses:value",
           _hinge_without_margin, "hinge loss max(0, −yf): the margin 1 dropped"),
    Mutant("B.1", "logistic_in_bits", "bnproofs.programs.losses:value", _logistic_in_bits,
           "logistic loss log₂(1 + e^(−yf)): the cross-entropy in bits, not nats"),
    Mutant("B.1", "logistic_one_entropy_term", "bnproofs.solvers.clarabel:dual_expression",
           _one_entropy_term, "logistic conjugate with H(p) = p log p only (the (1 − p) log(1 − p) "
           "term dropped) in the dual program"),
]
