"""Mutants of T2.3 ((9) = (12) for C outputs): wrong versions of the dual objective of (11), of
the dual constraint's ReLU, of the network built from the master's columns, of the Carathéodory
pruning to nC + 1 neurons and of the restricted master's penalty."""

from __future__ import annotations

import time

import cvxpy as cp
import numpy as np

from bnproofs.nets.network import Layer

from ..mutation import Mutant


def _dual_half_dropped(V, Y):
    return float(-0.5 * np.sum((V - Y) ** 2) + np.sum(Y * Y))


def _constraint_no_relu(Uprime, V, S):
    return np.linalg.norm(np.asarray(V, dtype=float).reshape(Uprime.shape[0], -1).T
                          @ (Uprime @ S), axis=0)


def _first_layer_sigma(W, H):
    r = W.r
    H = np.asarray(H, dtype=float).reshape(-1, r + 1)
    H = H / np.linalg.norm(H, axis=1, keepdims=True)
    nh = np.linalg.norm(H[:, :r], axis=1)
    q = H[:, :r] / np.where(nh > 0, nh, 1.0)[:, None]
    W1 = W.Vt.T @ (q * W.sigma).T if r else np.zeros((W.Vt.shape[1], H.shape[0]))
    return Layer(W1, nh, H[:, r].copy())


def _no_pruning(A, G, rel=1e-7):
    return np.array(G, dtype=float)


def _master_half_beta(A, Y, beta):
    G = cp.Variable((A.shape[1], Y.shape[1]))
    obj = 0.5 * cp.sum_squares(A @ G - Y) + 0.5 * beta * cp.sum(cp.norm(G, 2, axis=1))
    prob = cp.Problem(cp.Minimize(obj), [])
    t0 = time.perf_counter()
    prob.solve(solver=cp.CLARABEL)
    return (G.value if G.value is not None else np.zeros((A.shape[1], Y.shape[1]))), \
        prob.status, time.perf_counter() - t0


MUTANTS = [
    Mutant("T2.3", "dual_half_dropped", "bnproofs.certify.vector:dual_value", _dual_half_dropped,
           "the dual objective of (11) as −½‖V − Y‖_F² + ‖Y‖_F² (½ dropped on the second term)"),
    Mutant("T2.3", "constraint_relu_dropped", "bnproofs.certify.vector:constraint_function",
           _constraint_no_relu, "the dual constraint ‖Vᵀ(U's)_+‖ evaluated without the ReLU "
                                "(‖VᵀU's‖)"),
    Mutant("T2.3", "first_layer_sigma", "bnproofs.certify.rebuild:first_layer",
           _first_layer_sigma, "the network's first layer w = VΣq instead of VΣ⁻¹q (wrong "
                               "exponent of Σ)"),
    Mutant("T2.3", "no_caratheodory", "bnproofs.certify.vector:prune_columns", _no_pruning,
           "the master's columns kept unpruned (no Carathéodory step to m* ≤ nC + 1)"),
    Mutant("T2.3", "master_half_beta", "bnproofs.certify.vector:restricted_master",
           _master_half_beta, "the restricted master solved with β/2 in its group penalty (a "
                              "wrong constant)"),
]
