"""Program (8), dual (24), certificates, rebuild and pruning against each other."""

import numpy as np
import pytest

from bnproofs.arrangements import enumerate_arrangements
from bnproofs.certificates import dual_certificate
from bnproofs.convex import convex_objective, solve_convex
from bnproofs.data import whiten
from bnproofs.network import objective_l1
from bnproofs.rebuild import caratheodory_prune, rebuild_network
from bnproofs.two_layer import certified_optimum


@pytest.fixture(params=[(9, 2, 0.2), (6, 1, 1.0), (4, 6, 0.05)])
def problem(request, rng):
    n, d, beta = request.param
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    W = whiten(X)
    return X, y, beta, W, enumerate_arrangements(W.Uprime)


def test_bracket_is_certified_and_tight(problem):
    X, y, beta, W, D = problem
    opt = certified_optimum(X, y, beta, W, D)
    assert opt.solvers_optimal
    assert opt.lower <= opt.upper + 1e-12
    assert opt.width <= 1e-6 * max(1, opt.upper)
    assert abs(opt.convex - opt.lower) <= 1e-6 * max(1, opt.lower)
    assert opt.neurons <= X.shape[0] + 1


def test_wrong_dual_gives_a_loose_bound(problem):
    """Mutation: a sign-flipped dual point is still made feasible, but its bound is useless."""
    X, y, beta, W, D = problem
    cs = solve_convex(W.Uprime, y, beta, D)
    v = y - cs.prediction(W.Uprime, D)
    good = dual_certificate(W.Uprime, D, y, beta, v, cs.rho, cs.rhop).lower_bound
    bad = dual_certificate(W.Uprime, D, y, beta, -v, cs.rho, cs.rhop).lower_bound
    assert bad < good - 1e-3 * max(1, abs(good))


def test_pruning_keeps_the_objective_and_reaches_n_plus_1(problem):
    X, y, beta, W, D = problem
    cs = solve_convex(W.Uprime, y, beta, D)
    S, Sp = caratheodory_prune(W.Uprime, D, cs.S, cs.Sp)
    before = convex_objective(W.Uprime, y, beta, D, cs.S, cs.Sp)
    after = convex_objective(W.Uprime, y, beta, D, S, Sp)
    assert abs(after - before) <= 1e-7 * max(1, before)
    active = np.count_nonzero(np.linalg.norm(S, axis=1)) + np.count_nonzero(
        np.linalg.norm(Sp, axis=1))
    assert active <= X.shape[0] + 1
    net = rebuild_network(W, S, Sp)
    assert abs(objective_l1(net, X, y, beta) - after) <= 1e-6 * max(1, after)
