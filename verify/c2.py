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
  ``(∇J, ‖w‖² − 1)`` from 24 random starts; every root it finds is classified against the
  printed minimiser and the saddle condition, and a root of neither kind would contradict the
  statement; the search is evidence only where it found a minimiser (and, for d ≥ 2, a saddle);
* the printed gradient (the BNGD update's) against central differences of J at minimisers,
  saddles and random points;
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
from .verdicts import Audited, failed_names, statement, support

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


def printed_minimiser(p, s: float) -> tuple[float, np.ndarray]:
    """The printed minimiser ``(a, w) = (sign(s) ‖u‖_H, s u)``."""
    return math.copysign(math.sqrt(p.uHu), s), s * p.u


def printed_minimum(p) -> float:
    """The printed minimum value ``J* = ½(c − uᵀHu)``."""
    return 0.5 * (p.c - p.uHu)


def saddle_least_eig(b: float) -> float:
    """The least Hessian eigenvalue at a saddle ``a = 0``, ``w ⊥ g`` *(derived)*:
    ``(1 − √(1 + 4b²))/2`` with ``b = ‖g‖/‖w‖_H``. There the Hessian is ``[[1, −gᵀ/‖w‖_H],
    [−g/‖w‖_H, 0]]``, whose nonzero eigenvalues solve ``μ² − μ − b² = 0``."""
    return (1 - math.sqrt(1 + 4 * b * b)) / 2


def _classify(p, a, w, nu):
    """``minimiser`` where ``(a, w)`` is the printed minimiser for ``s = wᵀu/‖u‖²`` (w ∥ u,
    a = sign(s)‖u‖_H), ``saddle`` where ``a = 0`` and ``w ⊥ g``, else ``other``."""
    cos = abs(w @ p.u) / (np.linalg.norm(w) * np.linalg.norm(p.u))
    a_printed, _ = printed_minimiser(p, float(w @ p.u) / float(p.u @ p.u))
    if abs(a - a_printed) <= 1e-7 * nu and 1 - cos <= 1e-10:
        return "minimiser"
    if abs(a) <= 1e-7 * nu and abs(w @ p.g) <= 1e-7 * np.linalg.norm(w) * np.linalg.norm(p.g):
        return "saddle"
    return "other"


def _fd_gradient(p, a, w) -> np.ndarray:
    """Central first differences of J itself (no gradient formula involved)."""
    z = np.concatenate([[a], w])
    h = 1e-6 * max(1.0, np.linalg.norm(z))
    E = np.eye(z.size) * h
    return np.array([(float(ols.J(p, *_split(z + e))) - float(ols.J(p, *_split(z - e)))) / (2 * h)
                     for e in E])


def _split(z):
    return z[0], z[1:]


def gradient_gap(p, a, w) -> float:
    """``‖∇J − ∇_fd J‖ / max(1, ‖∇_fd J‖)``: the printed gradient of the BNGD update
    (``∂_a J = a − wᵀg/‖w‖_H``, ``∇_w J = −(a/‖w‖_H)(g − (wᵀg/‖w‖_H²) H w)``) against central
    differences of J."""
    ga, gw = ols.grad_J(p, a, w)
    fd = _fd_gradient(p, a, w)
    return float(np.linalg.norm(np.concatenate([[ga], gw]) - fd) / max(1.0, np.linalg.norm(fd)))


def _ray_side(p, nu):
    """J, the relative gradient and the Hessian (closed form and second differences) on the
    ray of minimisers ``(sign(s)‖u‖_H, s u)``."""
    u = p.u
    ray_J = [float(ols.J(p, *printed_minimiser(p, s))) for s in SCALES]
    ray_grad = []
    for s in SCALES:
        ga, gw = ols.grad_J(p, *printed_minimiser(p, s))
        ray_grad.append(math.hypot(ga / nu, np.linalg.norm(gw) * abs(s) / np.linalg.norm(p.g)))
    Hm = ols.hessian_J(p, *printed_minimiser(p, 1.0))
    null = (np.linalg.norm(Hm @ np.concatenate([[0.0], u]))
            / (np.linalg.norm(Hm) * np.linalg.norm(u)))
    return (ray_J, ray_grad, Hm, np.linalg.eigvalsh(Hm), null,
            _fd_hessian(p, *printed_minimiser(p, 1.0)))


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
        rows.append({"w": w.tolist(), "grad": float(math.hypot(ga, np.linalg.norm(gw))),
                     "least_eig": float(np.linalg.eigvalsh(Hs)[0]),
                     "least_eig_pred": saddle_least_eig(b),
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
    probes = ([printed_minimiser(p, s) for s in (-1.0, 1.0)]
              + [(0.0, np.asarray(r["w"])) for r in saddle_rows] + list(zip(A[:5], W[:5], strict=True)))
    values = {"J_star_closed_form": printed_minimum(p), "min_J0_lstsq": min_J0, "J_on_ray": ray_J,
              "ray_scales": list(SCALES), "ray_grad_rel": ray_grad,
              "hessian_eigs_at_minimiser": ev_min.tolist(), "null_direction_residual": null,
              "saddles": saddle_rows, "critical_points_found": kinds,
              "min_J_minus_J_star_random": float(np.min(ols.J(p, A, W)) - printed_minimum(p)),
              "gradient_fd_gap": max(gradient_gap(p, a, w) for a, w in probes)}
    notes = [f"critical points found from {c.starts} starts: {kinds}",
             "the minimiser is not strict: the Hessian's zero eigenvalue is the ray direction "
             "(0, u)"]
    params = {"kappa": float(lam[-1] / lam[0]), "source": p.source, "starts": c.starts}
    return Sides(values, params, _landscape(p, nu, rng), notes,
                 data={"Hm": Hm, "fd_min": fd_min, "ev_min": ev_min, "nu": nu, "others": others,
                       "scale": abs(p.c) + p.uHu})


def _roots_found(c: Case, kinds: dict) -> bool:
    """The root search is evidence only where it found roots: a minimiser, and for d ≥ 2 a
    saddle (for d = 1 no w ≠ 0 is orthogonal to g ≠ 0: there are none)."""
    return kinds["minimiser"] > 0 and (c.d == 1 or kinds["saddle"] > 0)


def regime(c: Case, s: Sides) -> str:
    return "d = 1 (no saddles: w ⊥ g forces w = 0)" if c.d == 1 else "d ≥ 2 (saddles a = 0, w ⊥ g)"


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
            ev[0] >= -tol.bound(ev[-1]) and ev[1] > tol.bound(ev[-1])
            and v["null_direction_residual"] <= tol.rtol * 10),
        "gradient_matches_fd": statement(v["gradient_fd_gap"] <= FIRST_ORDER.rtol),
        "hessian_matches_fd": statement(
            np.max(np.abs(dt["fd_min"] - dt["Hm"])) <= FIRST_ORDER.bound(np.max(np.abs(dt["Hm"])))
            and all(r["fd_gap"] <= FIRST_ORDER.rtol for r in saddles)),
        "saddles_strict": statement(all(r["least_eig"] < 0 and r["grad"] <= 1e-12 * (1 + dt["nu"])
                                        for r in saddles)),
        "saddle_eig_closed_form": statement(all(close(r["least_eig"], r["least_eig_pred"], tol)
                                                for r in saddles)),
        "no_other_critical_points": statement(v["critical_points_found"]["other"] == 0),
        "roots_found": support(_roots_found(c, v["critical_points_found"])),
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


POSTER = "[C] poster"
AUDIT = (
    Audited("min_{a,w} J(a, w) = E_{x,y}[½(y − a N(xᵀw))²],  N(ξ) := (ξ − E[ξ])/√Var[ξ]",
            f"{POSTER}, OLS regression with BN", exact=("J from the moments",),
            finding="with E x = 0 this is J(a, w) = ½c − a wᵀg/‖w‖_H + ½a², the objective "
                    "every check evaluates"),
    Audited("a_{k+1} = a_k + ε_a(w_kᵀg/√(w_kᵀHw_k) − a_k), w_{k+1} = w_k + (ε a_k/√(w_kᵀHw_k))"
            "(g − (w_kᵀg/(w_kᵀHw_k)) H w_k)", f"{POSTER}, OLS regression with BN",
            checks=("gradient_matches_fd",),
            finding="the update is (a − ε_a ∂_a J, w − ε ∇_w J); its gradient is compared with "
                    "central differences of J at minimisers, saddles and random points"),
    Audited("minimisers (a, w) = (sign(s)‖u‖_H, s u), s ≠ 0",
            "docs/theorems/ols.md, item 2 (derived; standard)",
            checks=("J_on_ray_is_min_J0", "gradient_zero_on_ray",
                    "hessian_psd_one_zero_along_ray", "hessian_matches_fd"),
            exact=("minimiser is critical (s > 0)", "minimiser is critical (s < 0)")),
    Audited("J* = ½(c − uᵀHu) = min J₀", "docs/theorems/ols.md, item 2 (derived; standard)",
            checks=("min_J0_matches_closed_form", "J_at_least_J_star"),
            exact=("minimum value (s > 0)", "minimum value (s < 0)")),
    Audited("other critical points: a = 0, wᵀg = 0 (strict saddles)",
            "docs/theorems/ols.md, item 2 (derived; standard)",
            checks=("saddles_strict", "saddle_eig_closed_form", "no_other_critical_points",
                    "roots_found"),
            exact=("saddles a = 0, wᵀg = 0 are critical", "∇_w J = 0 with a ≠ 0 forces w ∥ u")),
)


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
