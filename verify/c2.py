"""[C] The critical points of the BN objective J(a, w): minimisers on a ray, strict saddles.

Statement (precise form *(derived; standard — THEOREMS_OLS.md, item 2)*; the poster states the
model, not this lemma): every critical point of ``J(a, w) = ½c − a wᵀg/‖w‖_H + ½a²`` is either
a minimiser ``(a, w) = (sign(s) ‖u‖_H, s u)``, ``s ≠ 0``, with ``J* = ½(c − uᵀHu) = min J₀``, or
has ``a = 0`` and ``wᵀg = 0``; the latter are strict saddles (the Hessian has a negative
eigenvalue).

Assumptions: ``H`` symmetric positive definite, ``g ≠ 0``, ``w ≠ 0`` (J is defined there).
Reference: Cai, Li, Shen, ICML 2019 (the paper's analysis of the BN objective; the poster gives
the model and the BNGD update).

What this module computes independently:

* ``min J₀`` by an SVD least-squares solve of ``Hw = g`` (``numpy.linalg.lstsq``), against the
  closed form ``½(c − uᵀHu)`` (Cholesky) and against ``J`` on the ray at scales ``s`` from 1e-3
  to 1e3 of both signs (``exact`` tier scaled by κ);
* the gradient (closed form) and the Hessian (closed form, and central second differences of
  ``J`` itself, ``first`` tier) at those points and at random saddle points ``a = 0``,
  ``w ⊥ g``; the Hessian's eigenvalues (``eigvalsh``): at a minimiser ``≥ 0`` with exactly one
  zero, along the ray ``(0, u)``; at a saddle the least equals ``(1 − √(1 + 4‖g‖²/‖w‖_H²))/2``
  *(derived)*;
* a search for *all* critical points: Levenberg–Marquardt (``scipy.optimize.least_squares``) on
  ``(∇J, ‖w‖² − 1)`` from 24 random starts; every root it finds is classified, and a root of
  neither kind would contradict the statement;
* ``J ≥ J*`` at 2000 random points (``J(a, w) = J₀(a w/‖w‖_H)``).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.optimize

from bnproofs import ols
from bnproofs.results import FAIL, PASS, Finding, Trial, plot_series
from bnproofs.tolerance import EXACT, FIRST_ORDER, close

ID = "C2"
PAPER = "C"
TITLE = "Critical points of J: minimisers (±‖u‖_H, s u) with J* = min J₀; the rest strict saddles"
KIND = "characterisation of critical points (derived standard form)"
STATEMENT = __doc__.split("Assumptions:")[0].split("\n", 2)[2].strip()
ASSUMPTIONS = ["H symmetric positive definite", "g ≠ 0", "w ≠ 0"]

CASES = [(1, 1.0, "population"), (2, 10.0, "population"), (5, 1e3, "population"),
         (6, 20.0, "sample"), (10, 100.0, "population")]
STARTS = 24
SCALES = (-1e3, -1.0, -1e-3, 1e-3, 1.0, 1e3)


def instance(index: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    if index < len(CASES):
        d, kappa, source = CASES[index]
    else:
        d, kappa, source = ols.draw_case(rng, 10, 3)
    return {"problem": ols.random_problem(rng, d, kappa, source), "rng": rng, "d": d}


def _fd_hessian(p, a, w, h=None):
    """Central second differences of J itself (no gradient formula involved)."""
    z = np.concatenate([[a], w])
    h = h or 1e-4 * max(1.0, np.linalg.norm(z))
    f = lambda x: float(ols.J(p, x[0], x[1:]))  # noqa: E731
    n = z.size
    out = np.empty((n, n))
    E = np.eye(n) * h
    for i in range(n):
        for j in range(i, n):
            out[i, j] = out[j, i] = (f(z + E[i] + E[j]) - f(z + E[i] - E[j])
                                     - f(z - E[i] + E[j]) + f(z - E[i] - E[j])) / (4 * h * h)
    return out


def _classify(p, a, w, nu):
    cos = abs(w @ p.u) / (np.linalg.norm(w) * np.linalg.norm(p.u))
    if abs(abs(a) - nu) <= 1e-7 * nu and 1 - cos <= 1e-10 and a * (w @ p.u) > 0:
        return "minimiser"
    if abs(a) <= 1e-7 * nu and abs(w @ p.g) <= 1e-7 * np.linalg.norm(w) * np.linalg.norm(p.g):
        return "saddle"
    return "other"


def check(index: int, seed: int, device: str = "cpu"):
    inst = instance(index, seed)
    p, rng = inst["problem"], inst["rng"]
    d = p.d
    lam = np.linalg.eigvalsh(p.H)
    kappa = float(lam[-1] / lam[0])
    tol = EXACT.scaled(kappa)
    u, nu = p.u, math.sqrt(p.uHu)
    w_ls = np.linalg.lstsq(p.H, p.g, rcond=None)[0]
    min_J0 = float(ols.J0(p, w_ls))
    scale = abs(p.c) + p.uHu
    # the ray
    ray_J = [float(ols.J(p, math.copysign(nu, s), s * u)) for s in SCALES]
    ray_grad = []
    for s in SCALES:
        ga, gw = ols.grad_J(p, math.copysign(nu, s), s * u)
        ray_grad.append(math.hypot(ga / nu, np.linalg.norm(gw) * abs(s) / np.linalg.norm(p.g)))
    Hm = ols.hessian_J(p, nu, u)
    ev_min = np.linalg.eigvalsh(Hm)
    null = np.linalg.norm(Hm @ np.concatenate([[0.0], u])) / (np.linalg.norm(Hm) * np.linalg.norm(u))
    fd_min = _fd_hessian(p, nu, u)
    # saddles
    saddle_rows = []
    for _ in range(3 if d >= 2 else 0):
        w = rng.standard_normal(d)
        w -= (w @ p.g) / (p.g @ p.g) * p.g
        w *= 10 ** rng.uniform(-1, 1) / np.linalg.norm(w)
        ga, gw = ols.grad_J(p, 0.0, w)
        Hs = ols.hessian_J(p, 0.0, w)
        ev = np.linalg.eigvalsh(Hs)
        b = np.linalg.norm(p.g) / float(ols.h_norm(p, w))
        pred = (1 - math.sqrt(1 + 4 * b * b)) / 2
        fd = _fd_hessian(p, 0.0, w)
        saddle_rows.append({"grad": float(math.hypot(ga, np.linalg.norm(gw))),
                            "least_eig": float(ev[0]), "least_eig_pred": pred,
                            "fd_gap": float(np.max(np.abs(fd - Hs)) / max(1.0, np.max(np.abs(Hs))))})
    # search for every critical point
    def resid(z):
        ga, gw = ols.grad_J(p, z[0], z[1:])
        return np.concatenate([[ga], gw * float(ols.h_norm(p, z[1:])), [z[1:] @ z[1:] - 1]])

    kinds = {"minimiser": 0, "saddle": 0, "other": 0, "not converged": 0}
    others = []
    for _ in range(STARTS):
        z0 = np.concatenate([[rng.standard_normal() * nu], rng.standard_normal(d)])
        z0[1:] /= np.linalg.norm(z0[1:])
        sol = scipy.optimize.least_squares(resid, z0, method="lm", xtol=1e-15, ftol=1e-15,
                                           gtol=1e-15, max_nfev=2000 * (d + 1))
        ga, gw = ols.grad_J(p, sol.x[0], sol.x[1:])
        gnorm = math.hypot(ga / nu, np.linalg.norm(gw) * float(ols.h_norm(p, sol.x[1:]))
                           / np.linalg.norm(p.g))
        if gnorm > 1e-9:
            kinds["not converged"] += 1
            continue
        kind = _classify(p, sol.x[0], sol.x[1:], nu)
        kinds[kind] += 1
        if kind == "other":
            others.append(sol.x.tolist())
    # J ≥ J* everywhere
    A = rng.standard_normal(2000) * 3 * nu
    W = rng.standard_normal((2000, d)) * 10 ** rng.uniform(-2, 2, size=(2000, 1))
    gap_below = float(np.min(ols.J(p, A, W)) - p.J_star)
    checks = {
        "min_J0_matches_closed_form": close(min_J0, p.J_star, tol.scaled(1.0)) or
        abs(min_J0 - p.J_star) <= tol.bound(scale),
        "J_on_ray_is_min_J0": all(abs(j - min_J0) <= tol.bound(scale) for j in ray_J),
        "gradient_zero_on_ray": max(ray_grad) <= tol.rtol * 10,
        "hessian_psd_one_zero_along_ray": bool(ev_min[0] >= -tol.bound(ev_min[-1])
                                               and (d == 0 or ev_min[1] > tol.bound(ev_min[-1]))
                                               and null <= tol.rtol * 10),
        "hessian_matches_fd": bool(np.max(np.abs(fd_min - Hm)) <= FIRST_ORDER.bound(np.max(np.abs(Hm)))
                                   and all(r["fd_gap"] <= FIRST_ORDER.rtol for r in saddle_rows)),
        "saddles_strict": all(r["least_eig"] < 0 and r["grad"] <= 1e-12 * (1 + nu) for r in saddle_rows),
        "saddle_eig_closed_form": all(close(r["least_eig"], r["least_eig_pred"], tol)
                                      for r in saddle_rows),
        "no_other_critical_points": kinds["other"] == 0,
        "J_at_least_J_star": gap_below >= -tol.bound(scale),
    }
    params = {"index": index, "d": d, "kappa": kappa, "source": p.source, "starts": STARTS}
    values = {"J_star_closed_form": p.J_star, "min_J0_lstsq": min_J0, "J_on_ray": ray_J,
              "ray_scales": list(SCALES), "ray_grad_rel": ray_grad,
              "hessian_eigs_at_minimiser": ev_min.tolist(), "null_direction_residual": null,
              "saddles": saddle_rows, "critical_points_found": kinds,
              "min_J_minus_J_star_random": gap_below}
    # J on a circle through the minimiser and a saddle direction, a optimal vs a = 0
    series = {}
    if d >= 2:
        v = rng.standard_normal(d)
        v -= (v @ p.H @ u) / p.uHu * u
        v *= nu / float(ols.h_norm(p, v))
        th = np.linspace(0, 2 * np.pi, 181)
        Wc = np.cos(th)[:, None] * u + np.sin(th)[:, None] * v
        phi = (Wc @ p.g) / ols.h_norm(p, Wc)
        series["landscape"] = plot_series(
            "J on the circle w(θ) = cos θ·u + sin θ·v (v ⊥_H u): minima at θ = 0, π",
            {"J(φ(w), w), best a": ols.J(p, phi, Wc).tolist(),
             "J(0, w)": ols.J(p, np.zeros_like(th), Wc).tolist()},
            x=th.tolist(), xlabel="θ", ylabel="J", hline={"J* = min J₀": p.J_star})
    findings = []
    status = PASS if all(checks.values()) else FAIL
    if status == FAIL:
        bad = [k for k, v in checks.items() if not v]
        findings.append(Finding("statement_fails",
                                f"critical-point characterisation fails on d={d}, κ={kappa:.4g}: "
                                f"{', '.join(bad)}" + (f"; other roots {others[:2]}" if others else "")))
    gap = max(abs(j - min_J0) for j in ray_J) / max(1.0, scale)
    notes = [f"critical points found from {STARTS} starts: {kinds}",
             "the minimiser is not strict: the Hessian's zero eigenvalue is the ray direction (0, u)"]
    return Trial(seed, params, values, status, gap=gap, tolerance=tol.as_dict(), notes=notes,
                 series=series, checks=checks), findings


def summarise(result):
    found = {"minimiser": 0, "saddle": 0, "other": 0, "not converged": 0}
    for t in result.trials:
        for k, v in t.values.get("critical_points_found", {}).items():
            found[k] += v
    return [Finding("observation",
                    f"Levenberg–Marquardt on ∇J = 0 from random starts found {found['minimiser']} "
                    f"minimisers, {found['saddle']} saddles, {found['other']} other critical points "
                    f"({found['not converged']} starts did not converge). The minimisers form rays: "
                    "the Hessian there is positive semidefinite with one zero eigenvalue along (0, u).")]
