"""Program (8), dual (24), certificates, rebuild and pruning against each other."""

import numpy as np
import pytest

from bnproofs.certify.certificates import dual_certificate
from bnproofs.certify.rebuild import caratheodory_prune, rebuild_network
from bnproofs.certify.two_layer import certified_optimum
from bnproofs.data import InputError, whiten
from bnproofs.nets.network import objective_l1
from bnproofs.programs.arrangements import enumerate_arrangements
from bnproofs.programs.cone import ConeProgram, program_8
from bnproofs.solvers.clarabel import solve_program


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


def test_torch_bracket_matches_clarabel(problem):
    """The torch path of certified_optimum: its own verified bracket, a feasible point, a
    rebuilt network, and the same optimum as Clarabel's bracket."""
    pytest.importorskip("torch")
    X, y, beta, W, D = problem
    ref = certified_optimum(X, y, beta, W, D)
    opt = certified_optimum(X, y, beta, W, D, solver="torch", device="cpu")
    assert opt.solvers_optimal and opt.cone_violation <= 1e-12
    assert opt.lower <= opt.upper + 1e-12
    assert opt.width <= 1e-6 * max(1, opt.upper)
    assert abs(opt.upper - ref.upper) <= 1e-6 * max(1, ref.upper)
    assert opt.neurons <= X.shape[0] + 1


def test_unknown_solver_is_an_input_error(problem):
    X, y, beta, W, D = problem
    with pytest.raises(InputError, match="unknown solver"):
        certified_optimum(X, y, beta, W, D, solver="scs")


def test_wrong_dual_gives_a_loose_bound(problem):
    """Mutation: a sign-flipped dual point is still made feasible, but its bound is useless."""
    X, y, beta, W, D = problem
    prog = program_8(W.Uprime, D, y, beta)
    cs = solve_program(prog)
    v = y - cs.prediction(prog)
    good = dual_certificate(prog, v, cs.rho, cs.rhop).lower_bound
    bad = dual_certificate(prog, -v, cs.rho, cs.rhop).lower_bound
    assert bad < good - 1e-3 * max(1, abs(good))


def test_pruning_keeps_the_objective_and_reaches_n_plus_1(problem):
    X, y, beta, W, D = problem
    prog = program_8(W.Uprime, D, y, beta)
    cs = solve_program(prog)
    S, Sp = caratheodory_prune(prog, cs.S, cs.Sp)
    before = prog.objective(cs.S, cs.Sp)
    after = prog.objective(S, Sp)
    assert abs(after - before) <= 1e-7 * max(1, before)
    active = np.count_nonzero(np.linalg.norm(S, axis=1)) + np.count_nonzero(
        np.linalg.norm(Sp, axis=1))
    assert active <= X.shape[0] + 1
    net = rebuild_network(W, S, Sp)
    assert abs(objective_l1(net, X, y, beta) - after) <= 1e-6 * max(1, after)


def test_cone_program_8_matches_the_printed_dual_24():
    """The generic dual constraint ‖A_iᵀv + G_iᵀρ_i‖ of program_8 is (24)'s
    ‖U'ᵀ(D_i v + (2D_i − I) ρ_i)‖, computed here from the printed formula."""
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((7, 2)), rng.standard_normal(7)
    W = whiten(X)
    D = enumerate_arrangements(W.Uprime)
    v, rho, rhop = rng.standard_normal(7), rng.random((len(D), 7)), rng.random((len(D), 7))
    got = program_8(W.Uprime, D, y, 0.3).constraint_norms(v, rho, rhop)
    sign = 2 * D - 1.0
    want = [
        [np.linalg.norm(W.Uprime.T @ (D[i] * v + sign[i] * rho[i])) for i in range(len(D))],
        [np.linalg.norm(W.Uprime.T @ (-(D[i] * v) + sign[i] * rhop[i])) for i in range(len(D))],
    ]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_cone_program_rejects_shapes_that_do_not_fit():
    with pytest.raises(ValueError, match="P × n × k"):
        ConeProgram(np.zeros((3, 4, 2)), np.zeros((2, 4, 2)), np.zeros(4), 1.0)
    with pytest.raises(ValueError, match="does not fit"):
        ConeProgram(np.zeros((3, 4, 2)), np.zeros((3, 5, 2)), np.zeros(5), 1.0)
