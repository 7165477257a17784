"""Appendix B.1: logistic and hinge losses, their conjugates, duals and certificates."""

import numpy as np
import pytest

from bnproofs.certify.certificates import dual_certificate
from bnproofs.certify.two_layer import certified_optimum
from bnproofs.data import InputError, whiten
from bnproofs.programs import losses
from bnproofs.programs.arrangements import enumerate_arrangements
from bnproofs.programs.cone import program_8
from bnproofs.solvers.clarabel import solve_program, solve_program_dual


@pytest.mark.parametrize("name", ["logistic", "hinge"])
def test_conjugate_by_fenchel_young_and_grid(name):
    """−L*(−v) ≤ L(f) + vᵀf for all f (Fenchel–Young), with equality at v = −∇L(f)."""
    rng = np.random.default_rng(0)
    y = np.array([1.0, -1.0, 1.0])
    f = rng.standard_normal(3) * 2
    v = losses.dual_from_prediction(name, f, y)
    assert losses.dual_objective(name, v, y) == pytest.approx(
        losses.value(name, f, y) + v @ f, abs=1e-12)
    for _ in range(50):
        g = rng.standard_normal(3) * 3
        assert losses.dual_objective(name, v, y) <= losses.value(name, g, y) + v @ g + 1e-12
    assert losses.dual_objective(name, -v, y) == -np.inf or name == "squared"


def _prog(name, beta, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((6, 2))
    y = np.array([1.0, -1, 1, 1, -1, -1])
    W = whiten(X)
    return X, y, W, program_8(W.Uprime, enumerate_arrangements(W.Uprime), y, beta, name)


@pytest.mark.parametrize("name", ["logistic", "hinge"])
def test_primal_dual_bracket(name):
    X, y, W, prog = _prog(name, 0.2)
    cs, ds = solve_program(prog), solve_program_dual(prog)
    cert = dual_certificate(prog, ds.v, ds.rho, ds.rhop)
    assert cs.status == ds.status == "optimal"
    assert cert.lower_bound <= prog.objective(cs.S, cs.Sp) + 1e-9
    assert prog.objective(cs.S, cs.Sp) - cert.lower_bound <= 1e-6 * max(1, cert.lower_bound)


def test_squared_default_unchanged():
    _, y, W, prog = _prog("squared", 0.2)
    assert prog.loss == "squared"
    S = np.zeros((prog.shape[0], prog.shape[3]))
    assert prog.objective(S, S) == pytest.approx(0.5 * y @ y)


@pytest.mark.parametrize("name", ["logistic", "hinge"])
def test_mutation_sign_flipped_dual_point_certifies_nothing_useful(name):
    X, y, W, prog = _prog(name, 0.2)
    ds = solve_program_dual(prog)
    good = dual_certificate(prog, ds.v, ds.rho, ds.rhop).lower_bound
    bad = dual_certificate(prog, -ds.v, ds.rhop, ds.rho).lower_bound  # off the domain → 0
    assert bad <= 1e-12 < good - 1e-3


def test_certified_optimum_with_loss_and_zero_network():
    X, y, W, prog = _prog("logistic", 50.0)
    opt = certified_optimum(X, y, 50.0, W, enumerate_arrangements(W.Uprime), loss="logistic")
    assert opt.lower == pytest.approx(6 * np.log(2), rel=1e-7)
    assert opt.lower <= opt.upper <= 6 * np.log(2) * (1 + 1e-5)  # a real network, IPM accuracy


def test_bad_labels_and_loss():
    with pytest.raises(InputError):
        losses.check_loss("logistic", np.array([1.0, 0.5]))
    with pytest.raises(InputError):
        losses.check_loss("cross", np.array([1.0]))
