"""[C] The critical points of the BN objective J(a, w): minimisers on a ray, strict saddles.

The precise form tested is derived and standard (docs/theorems/ols.md, item 2); the poster states
the model, not this lemma.

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
import sys
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from bnproofs import ols
from bnproofs.results import Finding, plot_series
from bnproofs.tolerance import EXACT, FIRST_ORDER, close

from .claim import Claim, Comparison, Sides
from .verdicts import failed_names, statement

CLAIM = Claim(
    id="C2",
    paper="C",
    title="Critical points of J: minimisers (±‖u‖_H, s u) with J* = min J₀; the rest strict "
          "saddles",
    kind="characterisation of critical points (derived standard form)",
    statement="Precise form (derived; standard — docs/theorems/ols.md, item 2; the poster states "
              "the model, not this lemma): every critical point of J(a, w) = ½c − a wᵀg/‖w‖_H "
              "+ ½a² is either a minimiser (a, w) = (sign(s) ‖u‖_H, s u), s ≠ 0, with "
              "J* = ½(c − uᵀHu) = min J₀, or has a = 0 and wᵀg = 0; the latter are strict "
              "saddles (the Hessian has a negative eigenvalue).",
    assumptions=("H symmetric positive definite", "g ≠ 0", "w ≠ 0"),
    reference="Cai, Li, Shen, ICML 2019 (the paper's analysis of the BN objective; the poster "
              "gives the model and the BNGD update)",
    tex=r"\begin{array}{l}J(a, w) = \frac{1}{2} c - a \frac{w^\top g}{\|w\|_H} + \frac{1}{2} a^2:"
        r"\ \nabla J(a, w) = 0 \implies\\ \quad (a, w) = (\operatorname{sign}(s) \|u\|_H,\ s u),"
        r"\ s \ne 0,\ J^* = \frac{1}{2}(c - u^\top H u) = \min J_0,\\ \quad \text{or } a = 0,\ "
        r"w^\top g = 0 \text{ with } \lambda_{\min}(\nabla^2 J(a, w)) < 0\end{array}",
)


@dataclass(frozen=True)
class Case:
    d: int
    kappa: float  # condition number drawn for H (a finite sample's H has its own)
    source: str  # "population" or "sample"
    starts: int = 24  # Levenberg–Marquardt starts of the root search


CASES = [Case(1, 1.0, "population"), Case(2, 10.0, "population"), Case(5, 1e3, "population"),
         Case(6, 20.0, "sample"), Case(10, 100.0, "population")]
SCALES = (-1e3, -1.0, -1e-3, 1e-3, 1.0, 1e3)
STARTS = Case.starts


def case(index: int, rng) -> Case:
    if index < len(CASES):
        return CASES[index]
    return Case(*ols.draw_case(rng, 10, 3))


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


def _ray_side(p, nu):
    """J, the relative gradient and the Hessian (closed form and second differences) on the
    ray of minimisers ``(sign(s)‖u‖_H, s u)``."""
    u = p.u
    ray_J = [float(ols.J(p, math.copysign(nu, s), s * u)) for s in SCALES]
    ray_grad = []
    for s in SCALES:
        ga, gw = ols.grad_J(p, math.copysign(nu, s), s * u)
        ray_grad.append(math.hypot(ga / nu, np.linalg.norm(gw) * abs(s) / np.linalg.norm(p.g)))
    Hm = ols.hessian_J(p, nu, u)
    null = (np.linalg.norm(Hm @ np.concatenate([[0.0], u]))
            / (np.linalg.norm(Hm) * np.linalg.norm(u)))
    return ray_J, ray_grad, Hm, np.linalg.eigvalsh(Hm), null, _fd_hessian(p, nu, u)


def _saddle_side(p, rng) -> list[dict]:
    """Three random saddle points ``a = 0``, ``w ⊥ g`` (none for d = 1): gradient, least
    Hessian eigenvalue against its closed form, and the second-difference Hessian's gap."""
    rows = []
    for _ in range(3 if p.d >= 2 else 0):
        w = rng.standard_normal(p.d)
        w -= (w @ p.g) / (p.g @ p.g) * p.g
        w *= 10 ** rng.uniform(-1, 1) / np.linalg.norm(w)
        ga, gw = ols.grad_J(p, 0.0, w)
        Hs = ols.hessian_J(p, 0.0, w)
        b = np.linalg.norm(p.g) / float(ols.h_norm(p, w))
        fd = _fd_hessian(p, 0.0, w)
        rows.append({"grad": float(math.hypot(ga, np.linalg.norm(gw))),
                     "least_eig": float(np.linalg.eigvalsh(Hs)[0]),
                     "least_eig_pred": (1 - math.sqrt(1 + 4 * b * b)) / 2,
                     "fd_gap": float(np.max(np.abs(fd - Hs)) / max(1.0, np.max(np.abs(Hs))))})
    return rows


def _root_search(p, nu, rng, starts: int):
    """Levenberg–Marquardt on ``(∇J, ‖w‖² − 1)`` from random starts: the roots by kind, and any
    root of neither kind."""
    def resid(z):
        ga, gw = ols.grad_J(p, z[0], z[1:])
        return np.concatenate([[ga], gw * float(ols.h_norm(p, z[1:])), [z[1:] @ z[1:] - 1]])

    kinds = {"minimiser": 0, "saddle": 0, "other": 0, "not converged": 0}
    others = []
    for _ in range(starts):
        z0 = np.concatenate([[rng.standard_normal() * nu], rng.standard_normal(p.d)])
        z0[1:] /= np.linalg.norm(z0[1:])
        sol = scipy.optimize.least_squares(resid, z0, method="lm", xtol=1e-15, ftol=1e-15,
                                           gtol=1e-15, max_nfev=2000 * (p.d + 1))
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
    return kinds, others


def _landscape(p, nu, rng) -> dict:
    """J on a circle through the minimiser and an H-orthogonal direction, a optimal vs a = 0."""
    if p.d < 2:
        return {}
    u = p.u
    v = rng.standard_normal(p.d)
    v -= (v @ p.H @ u) / p.uHu * u
    v *= nu / float(ols.h_norm(p, v))
    th = np.linspace(0, 2 * np.pi, 181)
    Wc = np.cos(th)[:, None] * u + np.sin(th)[:, None] * v
    phi = (Wc @ p.g) / ols.h_norm(p, Wc)
    return {"landscape": plot_series(
        "J on the circle w(θ) = cos θ·u + sin θ·v (v ⊥_H u): minima at θ = 0, π",
        {"J(φ(w), w), best a": ols.J(p, phi, Wc).tolist(),
         "J(0, w)": ols.J(p, np.zeros_like(th), Wc).tolist()},
        x=th.tolist(), xlabel="θ", ylabel="J", hline={"J* = min J₀": p.J_star})}


def sides(c: Case, rng, ctx) -> Sides:
    p = ols.random_problem(rng, c.d, c.kappa, c.source)
    lam = np.linalg.eigvalsh(p.H)
    nu = math.sqrt(p.uHu)
    min_J0 = float(ols.J0(p, np.linalg.lstsq(p.H, p.g, rcond=None)[0]))
    ray_J, ray_grad, Hm, ev_min, null, fd_min = _ray_side(p, nu)
    saddle_rows = _saddle_side(p, rng)
    kinds, others = _root_search(p, nu, rng, c.starts)
    A = rng.standard_normal(2000) * 3 * nu
    W = rng.standard_normal((2000, p.d)) * 10 ** rng.uniform(-2, 2, size=(2000, 1))
    values = {"J_star_closed_form": p.J_star, "min_J0_lstsq": min_J0, "J_on_ray": ray_J,
              "ray_scales": list(SCALES), "ray_grad_rel": ray_grad,
              "hessian_eigs_at_minimiser": ev_min.tolist(), "null_direction_residual": null,
              "saddles": saddle_rows, "critical_points_found": kinds,
              "min_J_minus_J_star_random": float(np.min(ols.J(p, A, W)) - p.J_star)}
    notes = [f"critical points found from {c.starts} starts: {kinds}",
             "the minimiser is not strict: the Hessian's zero eigenvalue is the ray direction "
             "(0, u)"]
    params = {"kappa": float(lam[-1] / lam[0]), "source": p.source, "starts": c.starts}
    return Sides(values, params, _landscape(p, nu, rng), notes,
                 data={"Hm": Hm, "fd_min": fd_min, "ev_min": ev_min, "nu": nu, "others": others,
                       "scale": abs(p.c) + p.uHu})


def _checks(c: Case, s: Sides, tol) -> dict:
    v, dt = s.values, s.data
    scale, ev, min_J0, J_star = dt["scale"], dt["ev_min"], v["min_J0_lstsq"], v["J_star_closed_form"]
    saddles = v["saddles"]
    return {
        "min_J0_matches_closed_form": statement(close(min_J0, J_star, tol.scaled(1.0))
                                                or abs(min_J0 - J_star) <= tol.bound(scale)),
        "J_on_ray_is_min_J0": statement(all(abs(j - min_J0) <= tol.bound(scale)
                                            for j in v["J_on_ray"])),
        "gradient_zero_on_ray": statement(max(v["ray_grad_rel"]) <= tol.rtol * 10),
        "hessian_psd_one_zero_along_ray": statement(
            ev[0] >= -tol.bound(ev[-1]) and (c.d == 0 or ev[1] > tol.bound(ev[-1]))
            and v["null_direction_residual"] <= tol.rtol * 10),
        "hessian_matches_fd": statement(
            np.max(np.abs(dt["fd_min"] - dt["Hm"])) <= FIRST_ORDER.bound(np.max(np.abs(dt["Hm"])))
            and all(r["fd_gap"] <= FIRST_ORDER.rtol for r in saddles)),
        "saddles_strict": statement(all(r["least_eig"] < 0 and r["grad"] <= 1e-12 * (1 + dt["nu"])
                                        for r in saddles)),
        "saddle_eig_closed_form": statement(all(close(r["least_eig"], r["least_eig_pred"], tol)
                                                for r in saddles)),
        "no_other_critical_points": statement(v["critical_points_found"]["other"] == 0),
        "J_at_least_J_star": statement(v["min_J_minus_J_star_random"] >= -tol.bound(scale)),
    }


def compare(c: Case, s: Sides) -> Comparison:
    kappa = s.params["kappa"]
    tol = EXACT.scaled(kappa)
    checks = _checks(c, s, tol)
    findings = []
    if bad := failed_names(checks):
        others = s.data["others"]
        findings.append(Finding("statement_fails",
                                f"critical-point characterisation fails on d={c.d}, "
                                f"κ={kappa:.4g}: {', '.join(bad)}"
                                + (f"; other roots {others[:2]}" if others else "")))
    min_J0, scale = s.values["min_J0_lstsq"], s.data["scale"]
    gap = max(abs(j - min_J0) for j in s.values["J_on_ray"]) / max(1.0, scale)
    return Comparison(checks, gap=gap, tolerance=tol.as_dict(), findings=findings)


def summarise(result):
    found = {"minimiser": 0, "saddle": 0, "other": 0, "not converged": 0}
    for t in result.trials:
        for k, v in t.values.get("critical_points_found", {}).items():
            found[k] += v
    return [Finding("observation",
                    f"Levenberg–Marquardt on ∇J = 0 from random starts found {found['minimiser']} "
                    f"minimisers, {found['saddle']} saddles, {found['other']} other critical "
                    f"points ({found['not converged']} starts did not converge). The minimisers "
                    "form rays: the Hessian there is positive semidefinite with one zero "
                    "eigenvalue along (0, u).")]


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
