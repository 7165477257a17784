"""Mutants of C3 (scaling property of BNGD): wrong versions of the two rescalings."""

from __future__ import annotations

import math

from ..mutation import Mutant


def _u_exponent(H, u, a0, w0, Q, mu, gamma):
    H1 = mu * Q.T @ H @ Q
    return 0.5 * (H1 + H1.T), gamma / mu * Q.T @ u, gamma * a0, gamma * Q.T @ w0


def _transposed(H, u, a0, w0, Q, mu, gamma):
    H1 = mu * Q @ H @ Q.T
    return 0.5 * (H1 + H1.T), gamma / math.sqrt(mu) * Q.T @ u, gamma * a0, gamma * Q.T @ w0


def _a_unscaled(H, u, a0, w0, Q, mu, gamma):
    H1 = mu * Q.T @ H @ Q
    return 0.5 * (H1 + H1.T), gamma / math.sqrt(mu) * Q.T @ u, a0, gamma * Q.T @ w0


def _eps_linear(w0, eps, gamma):
    return gamma * w0, gamma * eps


MUTANTS = [
    Mutant("C3", "u_exponent", "verify.c3:scaled_i", _u_exponent,
           "(i) with u scaled by γ/μ instead of γ/√μ (wrong exponent of μ)"),
    Mutant("C3", "transposed_Q", "verify.c3:scaled_i", _transposed,
           "(i) with Q H Qᵀ instead of Qᵀ H Q (transposed factor)"),
    Mutant("C3", "a_unscaled", "verify.c3:scaled_i", _a_unscaled,
           "(i) with a₀ left unscaled (a ↦ a instead of a ↦ γa)"),
    Mutant("C3", "eps_linear", "verify.c3:scaled_ii", _eps_linear,
           "(ii) with ε scaled by γ instead of γ² (wrong exponent)"),
]
