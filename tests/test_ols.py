"""The OLS/BNGD library: identities of J, its gradient and Hessian, the batched dynamics."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bnproofs import ols

dims = st.integers(1, 8)
kappas = st.floats(1.0, 1e3)
seeds = st.integers(0, 2**31 - 1)


def _problem(seed, d, kappa, source="population"):
    rng = np.random.default_rng(seed)
    return rng, ols.random_problem(rng, max(d, 1), kappa if d > 1 else 1.0, source)


@settings(deadline=None)
@given(seed=seeds, d=dims, kappa=kappas, source=st.sampled_from(["population", "sample"]))
@example(seed=0, d=1, kappa=1.0, source="population")
def test_bn_objective_is_ols_at_the_effective_weight(seed, d, kappa, source):
    """J(a, w) = J₀(a w/‖w‖_H) and J₀(v) − J* = ½‖v − u‖_H²: J ≥ J* everywhere."""
    rng, p = _problem(seed, d, kappa, source)
    a, w = rng.standard_normal() * 3, rng.standard_normal(p.d)
    v = ols.effective_weight(p, np.array([a]), w[None])[0]
    scale = abs(p.c) + p.uHu + a * a
    assert abs(ols.J(p, a, w) - ols.J0(p, v)) <= 1e-12 * scale
    assert abs(ols.J0(p, v) - p.J_star - 0.5 * ols.h_norm(p, v - p.u) ** 2) <= 1e-11 * scale
    assert ols.J(p, a, w) >= p.J_star - 1e-12 * scale


@settings(deadline=None)
@given(seed=seeds, d=dims, kappa=kappas)
def test_gradient_is_orthogonal_to_w_and_matches_finite_differences(seed, d, kappa):
    rng, p = _problem(seed, d, kappa)
    a, w = rng.standard_normal(), rng.standard_normal(p.d)
    ga, gw = ols.grad_J(p, a, w)
    assert abs(w @ gw) <= 1e-12 * np.linalg.norm(w) * max(np.linalg.norm(gw), 1e-300) + 1e-15
    h = 1e-6
    fd_a = (ols.J(p, a + h, w) - ols.J(p, a - h, w)) / (2 * h)
    fd_w = np.array([(ols.J(p, a, w + h * e) - ols.J(p, a, w - h * e)) / (2 * h)
                     for e in np.eye(p.d)])
    scale = 1 + abs(ols.J(p, a, w))
    assert abs(fd_a - ga) <= 1e-6 * scale
    assert np.max(np.abs(fd_w - gw)) <= 1e-5 * scale * (1 + 1 / np.linalg.norm(w))


@settings(deadline=None)
@given(seed=seeds, d=st.integers(2, 6), kappa=st.floats(1.0, 100.0))
def test_hessian_matches_finite_differences_of_the_gradient(seed, d, kappa):
    rng, p = _problem(seed, d, kappa)
    a, w = rng.standard_normal(), rng.standard_normal(p.d)
    Hs = ols.hessian_J(p, a, w)
    h = 1e-6
    z = np.concatenate([[a], w])
    fd = np.empty_like(Hs)
    for i in range(z.size):
        zp, zm = z.copy(), z.copy()
        zp[i] += h
        zm[i] -= h
        gp, gm = ols.grad_J(p, zp[0], zp[1:]), ols.grad_J(p, zm[0], zm[1:])
        fd[:, i] = (np.concatenate([[gp[0]], gp[1]]) - np.concatenate([[gm[0]], gm[1]])) / (2 * h)
    assert np.max(np.abs(fd - Hs)) <= 1e-5 * (1 + np.max(np.abs(Hs)))


@settings(deadline=None)
@given(seed=seeds, d=dims, kappa=kappas, s=st.floats(-1e3, 1e3).filter(lambda x: abs(x) > 1e-3))
@example(seed=806, d=2, kappa=33.0, s=1.0)
def test_critical_points_minimisers_on_the_ray_and_strict_saddles(seed, d, kappa, s):
    rng, p = _problem(seed, d, kappa)
    u, nu = p.u, math.sqrt(p.uHu)
    a = math.copysign(nu, s)
    ga, gw = ols.grad_J(p, a, s * u)
    assert abs(ga) <= 1e-12 * nu and np.linalg.norm(gw) <= 1e-10 * np.linalg.norm(p.g) / abs(s)
    assert abs(ols.J(p, a, s * u) - p.J_star) <= 1e-12 * (abs(p.c) + p.uHu)
    eig = np.linalg.eigvalsh(ols.hessian_J(p, a, s * u))
    assert eig[0] >= -1e-9 * eig[-1]  # positive semidefinite: a minimiser
    if p.d >= 2:  # a saddle: a = 0 and wᵀg = 0
        w0 = rng.standard_normal(p.d)
        w = w0 - (w0 @ p.g) / (p.g @ p.g) * p.g
        ga, gw = ols.grad_J(p, 0.0, w)
        # ∂J/∂a = −wᵀg/‖w‖_H, and the projection leaves wᵀg ~ eps ‖w0‖ ‖g‖: large against ‖w‖_H
        # where w0 was nearly parallel to g (seed 806, d = 2, κ = 33: ‖w‖ = 7e-4 ‖w0‖, 1.7e-12)
        scale = np.linalg.norm(w0) * np.linalg.norm(p.g) / ols.h_norm(p, w)
        assert abs(ga) <= max(1e-12, 100 * np.finfo(float).eps * scale)
        assert np.linalg.norm(gw) == 0.0
        eig = np.linalg.eigvalsh(ols.hessian_J(p, 0.0, w))
        b = np.linalg.norm(p.g) / ols.h_norm(p, w)  # ∇φ = g/‖w‖_H at a saddle
        assert eig[0] < 0
        assert abs(eig[0] - (1 - math.sqrt(1 + 4 * b * b)) / 2) <= 1e-9 * (1 + b * b)


@settings(deadline=None)
@given(seed=seeds, d=dims, kappa=kappas, log_eps=st.floats(-3, 5), eps_a=st.floats(0.01, 1.9))
def test_norm_growth_identity_at_every_step(seed, d, kappa, log_eps, eps_a):
    """‖w_{k+1}‖² = ‖w_k‖² + ε²‖∇_w J(a_k, w_k)‖², so ‖w_k‖ never decreases."""
    rng, p = _problem(seed, d, kappa)
    a0, w0 = ols.random_inits(rng, p, 2)
    eps = 10.0**log_eps
    r = ols.bngd_on(p, a0=a0, w0=w0, eps=eps, eps_a=eps_a, steps=40, eigen=False,
                    keep_states=True)
    A, W = r.states["a"], r.states["w"]
    for b in range(2):
        for k in range(40):
            n0, n1 = W[b, k] @ W[b, k], W[b, k + 1] @ W[b, k + 1]
            _, gw = ols.grad_J(p, A[b, k], W[b, k])
            # round-off: the update's terms (size |a|‖g‖/‖w‖_H) cancel to ∇; ε times their
            # rounding error moves ‖w‖² by up to ~ε·size·‖w‖·1e-15
            size = abs(A[b, k]) * np.linalg.norm(p.g) / ols.h_norm(p, W[b, k])
            slack = 1e-12 * n1 + 1e-14 * eps * size * math.sqrt(n0)
            assert abs(n1 - n0 - eps**2 * (gw @ gw)) <= slack
            assert n1 >= n0 - slack


@settings(deadline=None)
@given(seed=seeds, d=dims, kappa=st.floats(1.0, 100.0), log_mu=st.floats(-2, 2),
       log_gamma=st.floats(-2, 2), log_eps=st.floats(-2, 3))
def test_scaling_properties_reproduce_trajectories(seed, d, kappa, log_mu, log_gamma, log_eps):
    rng, p = _problem(seed, d, kappa)
    a0, w0 = ols.random_inits(rng, p, 1)
    mu, gamma, eps, eps_a = 10.0**log_mu, 10.0**log_gamma, 10.0**log_eps, 0.7
    Q = ols.random_orthogonal(rng, p.d)
    H1 = mu * Q.T @ p.H @ Q
    u1 = gamma / math.sqrt(mu) * Q.T @ p.u
    kw = {"steps": 60, "keep_states": True}
    r0 = ols.bngd(a0=a0, w0=w0, eps=eps, eps_a=eps_a, g=p.g, u=p.u, H=p.H, **kw)
    r1 = ols.bngd(a0=gamma * a0, w0=gamma * w0 @ Q, eps=eps, eps_a=eps_a, g=H1 @ u1, u=u1,
                  H=H1, **kw)
    r2 = ols.bngd(a0=a0, w0=gamma * w0, eps=gamma**2 * eps, eps_a=eps_a, g=p.g, u=p.u, H=p.H,
                  **kw)
    W0, A0 = r0.states["w"][0], r0.states["a"][0]
    scale_w = np.linalg.norm(W0, axis=1)[:, None]
    # the equivalent runs differ from r0 by round-off, which large ε can amplify over the steps:
    # the tolerance is 1e-8 or 100× the drift of r0 itself under a 1e-14 perturbation of w0
    rp = ols.bngd(a0=a0, w0=w0 * (1 + 1e-14 * rng.standard_normal(w0.shape)), eps=eps,
                  eps_a=eps_a, g=p.g, u=p.u, H=p.H, **kw)
    drift = np.max(np.abs(rp.states["w"][0] - W0) / scale_w)
    tol = max(1e-8, 100 * drift)
    assert np.max(np.abs(r1.states["w"][0] - gamma * W0 @ Q) / (gamma * scale_w)) <= tol
    assert np.max(np.abs(r1.states["a"][0] - gamma * A0)) <= tol * gamma * np.max(np.abs(A0))
    assert np.max(np.abs(r2.states["w"][0] - gamma * W0) / (gamma * scale_w)) <= tol
    assert np.max(np.abs(r2.states["a"][0] - A0)) <= tol * np.max(np.abs(A0))


@settings(deadline=None)
@given(seed=seeds, d=st.integers(1, 6), kappa=st.floats(1.0, 50.0), f=st.floats(0.05, 0.97))
def test_gd_rate_on_a_diagonal_problem(seed, d, kappa, f):
    """On H = diag(λ), w₀ − u = (1/√λ_i), the GD error is exactly √(Σ (1−ελ_i)^{2k})/√d."""
    lam = ols.geometric_spectrum(d, kappa if d > 1 else 1.0)
    rng = np.random.default_rng(seed)
    p = ols.population(lam, rng.standard_normal(d) + 2.0)
    eps = f * 2 / lam[-1]
    w0 = p.u + 1 / np.sqrt(lam) * math.sqrt(p.uHu / d)
    r = ols.gd_on(p, w0=w0, eps=eps, steps=50, record_every=1)
    k = np.arange(51)[:, None]
    expected = np.sqrt(np.mean((1 - eps * lam) ** (2 * k), axis=1))
    got = r.history["err"][0]
    assert np.max(np.abs(got - expected)) <= 1e-9
    rho = ols.gd_rate(lam, np.array([eps]))[0]
    assert abs(rho - np.max(np.abs(1 - eps * lam))) == 0
    modes = np.sort(np.abs(1 - eps * lam))
    # a tail fit isolates the slowest mode only when the next one is clearly faster
    # (κ ≈ 1 makes all modes nearly equal, and the window then sees their mixture)
    separated = d == 1 or modes[-2] <= 0.9 * modes[-1]
    if rho > 0.2 and separated:
        long = ols.gd_on(p, w0=w0, eps=eps, steps=3000, record_every=1, tol=1e-12)
        fit = ols.fit_rate(long.history["err"][0])
        assert fit is not None and abs(math.log(fit.rate) - math.log(rho)) <= 1e-2 * abs(math.log(rho))


def test_effective_spectrum_interlaces_and_kills_u(rng):
    p = ols.random_problem(rng, 7, 300.0)
    lam = np.linalg.eigvalsh(p.H)
    ls = ols.effective_spectrum(p)
    assert abs(ls[0]) <= 1e-12 * lam[-1]
    assert np.linalg.norm(ols.h_star(p) @ p.u) <= 1e-12 * lam[-1] * np.linalg.norm(p.u)
    assert np.all(lam[:-1] <= ls[1:] * (1 + 1e-12)) and np.all(ls[1:] <= lam[1:] * (1 + 1e-12))


def test_dense_eigen_and_torch_runs_agree(rng):
    pytest.importorskip("torch")
    p = ols.random_problem(rng, 6, 30.0, "sample")
    a0, w0 = ols.random_inits(rng, p, 5)
    eps = ols.eps_from_scaled(p, w0, np.logspace(-1, 3, 5))
    kw = {"a0": a0, "w0": w0, "eps": eps, "eps_a": 0.8, "steps": 300}
    dense = ols.bngd_on(p, eigen=False, **kw)
    eig = ols.bngd_on(p, eigen=True, **kw)
    tch = ols.bngd_on(p, eigen=False, backend="torch", **kw)
    scale = np.linalg.norm(dense.w, axis=1, keepdims=True)
    assert np.max(np.abs(dense.w - eig.w) / scale) <= 1e-9
    assert np.max(np.abs(dense.w - tch.w) / scale) <= 1e-12
    assert np.max(np.abs(dense.a - tch.a)) <= 1e-12 * np.max(np.abs(dense.a))


def test_padding_runs_problems_of_different_dimension_in_one_batch(rng):
    probs = [ols.random_problem(rng, d, 10.0) for d in (2, 5)]
    arr = ols.stack_eigen(probs, [0, 1])
    inits = [ols.random_inits(rng, q, 1) for q in probs]
    W0 = np.zeros((2, 5))
    W0[0, :2] = inits[0][1][0] @ ols.eigen_arrays(probs[0])["Q"]
    W0[1] = inits[1][1][0] @ ols.eigen_arrays(probs[1])["Q"]
    A0 = np.array([inits[0][0][0], inits[1][0][0]])
    both = ols.bngd(a0=A0, w0=W0, eps=0.5, eps_a=1.0, steps=200, **arr)
    assert np.all(both.w[0, 2:] == 0)
    alone = ols.bngd_on(probs[0], a0=A0[:1], w0=inits[0][1], eps=0.5, eps_a=1.0, steps=200)
    assert np.allclose(both.w[0, :2] @ ols.eigen_arrays(probs[0])["Q"].T, alone.w[0],
                       rtol=1e-10, atol=1e-12)


def test_tolerance_stops_runs_and_blowups_are_flagged(rng):
    p = ols.random_problem(rng, 4, 5.0)
    a0, w0 = ols.random_inits(rng, p, 3)
    r = ols.bngd_on(p, a0=a0, w0=w0, eps=ols.eps_from_scaled(p, w0, 1.0), eps_a=1.0,
                    steps=20000, tol=1e-6)
    assert np.all(r.hit >= 0) and not r.diverged.any()
    assert np.all(ols.rel_error(p, ols.effective_weight(p, r.a, r.w)) <= 1e-6)
    bad = ols.bngd_on(p, a0=a0, w0=w0, eps=1.0, eps_a=3.0, steps=5000, tol=1e-6)
    assert bad.diverged.all() and np.all(bad.hit < 0)
    lam = np.linalg.eigvalsh(p.H)
    g = ols.gd_on(p, w0=w0, eps=2.5 / lam[-1], steps=5000, tol=1e-6)
    assert g.diverged.all()


def test_fit_rate_window_and_rejections():
    k = np.arange(400)
    err = 0.9**k + 1e-3 * 0.5**k
    fit = ols.fit_rate(err, upper=1e-2, lower=1e-12)
    assert fit is not None and abs(fit.rate - 0.9) <= 1e-6
    assert err[fit.k0] <= 1e-2 and err[fit.k1] >= 1e-12
    assert ols.fit_rate(np.array([1.0, 0.5, 0.0, 0.0]), min_points=3) is None


@pytest.mark.parametrize("rate", [0.5, 0.99])
def test_bngd_rate_formula(rate):
    ls = np.array([0.0, 1.0, 3.0])
    assert ols.bngd_rate(ls, np.array(0.5), 1.0) == pytest.approx(0.5)
    assert ols.bngd_rate(ls, np.array(0.5), 1 - rate) == pytest.approx(max(rate, 0.5))
