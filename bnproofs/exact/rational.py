"""Rational certificates: exact brackets for the optimal value of (6) on small rational instances.

Floats are rationals: a solver's (or a closed form's) primal and dual points are converted to
``fractions.Fraction`` without loss, adjusted where needed (below), and every check is then made
in exact arithmetic. Square roots are never evaluated: norms are compared through their
squares, and where a norm enters a value it is replaced by a rational bound ``lo ≤ √q ≤ hi``
whose squares are checked exactly (:func:`sqrt_bounds`), on the side that keeps the bound valid.

**Avoiding √n and the SVD.** ``U' = [U, 1/√n 1]`` is irrational, but only its column space
enters: ``range(U') = range(ΠX) + span(1) = range(X) + span(1) = range(A)`` with the rational
``A = [X, 1]``. Hence (i) the arrangements ``1[U's ≥ 0]`` over all s are exactly the patterns
``1[A z ≥ 0]`` over all z (same set of vectors ``U's = A z``); (ii) a variable ``s_i`` of (8)
enters only through ``u_i = U's_i ∈ range(A)``, with ``‖s_i‖ = ‖u_i‖`` (orthonormal columns),
so (8) is ``min ½‖Σ D_i(u_i − u_i') − y‖² + β Σ(‖u_i‖ + ‖u_i'‖)`` over ``u_i, u_i' ∈ range(A)``
with ``(2D_i − I)u_i ≥ 0`` — linear feasibility, checked exactly with ``u_i = B z_i`` (B a
rational column basis of A); (iii) in (24), ``‖U'ᵀx‖² = xᵀ P x`` with the rational projector
``P = B(BᵀB)⁻¹Bᵀ`` onto range(A). A feasible point of (8) is a network with γ² + α² = 1 with the
same objective (Appendix C.3; unit-norm BN output, proved symbolically), so its value bounds
(6) from above; a dual point feasible for (24) over the complete arrangement list bounds (6)
from below (weak duality).

**Completeness of the arrangement list**, exactly: every listed pattern gets a rational witness
z with ``(2D_i − I) A z > 0`` strictly (every pattern is the pattern of an open region, see
:mod:`bnproofs.programs.arrangements`), the patterns are distinct, the rows of B are in general position
(every k×k minor nonzero, exact determinants), and their number equals Cover's count
``2 Σ_{i<k} C(n−1, i)`` — the number of regions of a central arrangement of n hyperplanes in
general position in R^k. Together: the list is the complete list.

**Rounding.** A dual point from a solver sits on the boundary of (24); it is scaled by a rational
``t = β/hi ≤ β/max_i c_i`` so that it is exactly feasible. A primal group ``u_i`` from a solver has
entries that should be 0 and come out ±1e-12; it is taken exactly as ``u = B z`` and assigned to
its own pattern ``1[u ≥ 0]`` (always in the complete list, and feasible there by construction),
groups of equal pattern summed.
"""

from __future__ import annotations

import itertools
import math
import time
from fractions import Fraction

import numpy as np
import sympy as sp
from scipy.optimize import linprog

from bnproofs.closed_forms import lemma_c1_dual
from bnproofs.data import whiten
from bnproofs.exact import PROVED, UNDECIDED, ExactItem
from bnproofs.programs.arrangements import cover_count, enumerate_arrangements
from bnproofs.programs.cone import program_8
from bnproofs.solvers.clarabel import solve_program, solve_program_dual

Vec = list  # of Fraction
Mat = list  # of rows (lists of Fraction)


# ----------------------------------------------------------------------------- exact basics


def frac(x) -> Fraction:
    """A float (or int, or Fraction) as the exact rational it is."""
    return x if isinstance(x, Fraction) else Fraction(float(x)) if not isinstance(x, int) else Fraction(x)


def fvec(x) -> Vec:
    return [frac(e) for e in np.asarray(x, dtype=float).ravel()]


def fmat(X) -> Mat:
    return [fvec(row) for row in np.atleast_2d(np.asarray(X, dtype=float))]


def dot(a: Vec, b: Vec) -> Fraction:
    return sum((x * y for x, y in zip(a, b, strict=True)), Fraction(0))


def matvec(M: Mat, x: Vec) -> Vec:
    return [dot(row, x) for row in M]


def quad(P: Mat, x: Vec) -> Fraction:
    return dot(x, matvec(P, x))


def sqrt_bounds(q: Fraction, digits: int = 30) -> tuple[Fraction, Fraction]:
    """Rationals ``lo ≤ √q ≤ hi`` with ``hi − lo = 10^-digits/den``; the squares are checked."""
    q = Fraction(q)
    if q < 0:
        raise ValueError("negative square")
    scale = 10**digits
    s = math.isqrt(q.numerator * q.denominator * scale * scale)
    lo, hi = Fraction(s, q.denominator * scale), Fraction(s + 1, q.denominator * scale)
    if not (lo * lo <= q <= hi * hi):  # pragma: no cover - arithmetic guarantee, still checked
        raise ArithmeticError("square-root bounds failed")
    return lo, hi


def _sym(M: Mat) -> sp.Matrix:
    return sp.Matrix([[sp.Rational(e.numerator, e.denominator) for e in row] for row in M])


def _from_sym(M: sp.Matrix) -> Mat:
    return [[Fraction(int(e.p), int(e.q)) for e in M.row(i)] for i in range(M.rows)]


def column_basis(A: Mat) -> Mat:
    """A rational basis of range(A): the pivot columns of A (exact row reduction)."""
    S = _sym(A)
    _, piv = S.rref()
    return _from_sym(S[:, list(piv)])


def projector(B: Mat) -> Mat:
    """``P = B (BᵀB)⁻¹ Bᵀ``, the orthogonal projector onto range(B), exactly."""
    S = _sym(B)
    return _from_sym(S * (S.T * S).inv() * S.T)


def affine_data(X) -> Mat:
    """``A = [X, 1]``: its column space is range(U') (module docstring)."""
    return [row + [Fraction(1)] for row in fmat(X)]


# ----------------------------------------------------------------------------- arrangements


def _witness(Bf: np.ndarray, signs: np.ndarray):
    """Float z maximising the margin of ``signs ⊙ (B z)`` in the box (an LP)."""
    n, k = Bf.shape
    res = linprog(np.r_[np.zeros(k), -1.0], A_ub=np.hstack([-(signs[:, None] * Bf), np.ones((n, 1))]),
                  b_ub=np.zeros(n), bounds=[(-1, 1)] * k + [(None, 1)], method="highs")
    return res.x[:k] if res.status == 0 else None


def arrangement_completeness(B: Mat, D: np.ndarray) -> dict:
    """Exact proof that the rows of ``D`` (P × n booleans) are all the patterns ``1[B z ≥ 0]``."""
    n, k = len(B), len(B[0])
    Bf = np.array([[float(e) for e in row] for row in B])
    keys = {row.tobytes() for row in np.ascontiguousarray(D, dtype=bool)}
    distinct = len(keys) == len(D)
    witnessed = 0
    for pattern in np.asarray(D, dtype=bool):
        signs = np.where(pattern, 1.0, -1.0)
        z = _witness(Bf, signs)
        if z is None:
            continue
        zq = fvec(z)
        if all(s * dot(row, zq) > 0 for s, row in zip(signs, B, strict=True)):
            witnessed += 1
    S = _sym(B)
    general = all(S.extract(list(rows), list(range(k))).det() != 0
                  for rows in itertools.combinations(range(n), k))
    cover = cover_count(n, k)
    complete = distinct and witnessed == len(D) and general and len(D) == cover
    return {"patterns": len(D), "witnessed": witnessed, "distinct": distinct,
            "general_position": general, "cover_count": cover, "complete": complete, "rank": k}


# ----------------------------------------------------------------------------- (8) and (24)


def dual_check(P: Mat, D: np.ndarray, y: Vec, beta: Fraction, v: Vec, rho, rhop) -> dict:
    """Exact feasibility of ``(v, ρ, ρ')`` for (24): ``ρ, ρ' ≥ 0`` and, for every arrangement,
    ``‖U'ᵀ(±D_i v + (2D_i − I)ρ_i)‖² = xᵀPx ≤ β²``; and the dual value ``−½‖v − y‖² + ½‖y‖²``."""
    worst = Fraction(0)
    nonneg = all(r >= 0 for row in (*rho, *rhop) for r in row)
    for i, pattern in enumerate(np.asarray(D, dtype=bool)):
        for sgn, R in ((1, rho), (-1, rhop)):
            x = [(sgn * v[j] if pattern[j] else 0) + (R[i][j] if pattern[j] else -R[i][j])
                 for j in range(len(v))]
            worst = max(worst, quad(P, x))
    value = -sum((a - b) ** 2 for a, b in zip(v, y, strict=True)) / 2 + dot(y, y) / 2
    return {"feasible": nonneg and worst <= beta * beta, "max_c2": worst, "value": value,
            "rho_nonnegative": nonneg}


def make_dual_feasible(P, D, y, beta, v, rho, rhop):
    """Clip ρ at 0 and scale ``(v, ρ, ρ')`` by a rational ``t ≤ min(1, β/max c_i)``."""
    rho = [[max(r, Fraction(0)) for r in row] for row in rho]
    rhop = [[max(r, Fraction(0)) for r in row] for row in rhop]
    c2 = dual_check(P, D, y, beta, v, rho, rhop)["max_c2"]
    t = Fraction(1) if c2 <= beta * beta else beta / sqrt_bounds(c2)[1]
    scale = lambda M: [[t * r for r in row] for row in M]  # noqa: E731
    return [t * e for e in v], scale(rho), scale(rhop), t


def pattern_of(u: Vec) -> tuple:
    """``1[u ≥ 0]``: the arrangement a group lies in."""
    return tuple(e >= 0 for e in u)


def primal_upper(y: Vec, beta: Fraction, groups: dict, groups_p: dict) -> Fraction:
    """Rational upper bound of (8) at groups ``{pattern: u}`` (``D u = (u)_+`` on its own
    pattern; norms bounded above exactly)."""
    n = len(y)
    pred = [Fraction(0)] * n
    pen = Fraction(0)
    for sgn, G in ((1, groups), (-1, groups_p)):
        for pattern, u in G.items():
            for j in range(n):
                if pattern[j]:
                    pred[j] += sgn * u[j]
            pen += sqrt_bounds(dot(u, u))[1]
    return sum((p - t) ** 2 for p, t in zip(pred, y, strict=True)) / 2 + beta * pen


def primal_check(P: Mat, D: np.ndarray, groups: dict, groups_p: dict) -> bool:
    """Exact feasibility for (8): every group lies in range(A) (``P u = u``), its pattern is in
    the arrangement list, and ``(2D_i − I) u_i ≥ 0`` on it."""
    listed = {tuple(bool(e) for e in row) for row in np.asarray(D, dtype=bool)}
    for G in (groups, groups_p):
        for pattern, u in G.items():
            if matvec(P, u) != u or pattern not in listed:
                return False
            if any((e < 0) if pattern[j] else (e > 0) for j, e in enumerate(u)):
                return False
    return True


def rational_groups(B: Mat, U_float: np.ndarray, tiny: float = 1e-12) -> dict:
    """Float groups ``u_i`` (rows) as exact points ``u = B z`` of range(A) (z the float
    least-squares coordinates, taken exactly), each assigned to its own pattern ``1[u ≥ 0]``
    (where it is feasible by construction; it differs from the solver's ``D_i`` only on entries
    the solver has at 0), groups of equal pattern summed (the triangle inequality keeps the
    objective no larger); groups below ``tiny`` times the largest are left out."""
    Bf = np.array([[float(e) for e in row] for row in B])
    U_float = np.asarray(U_float, dtype=float)
    top = float(np.linalg.norm(U_float, axis=1).max(initial=0.0))
    out: dict = {}
    for u in U_float:
        if float(np.linalg.norm(u)) <= tiny * top or top == 0.0:
            continue
        ue = matvec(B, fvec(np.linalg.lstsq(Bf, u, rcond=None)[0]))
        key = pattern_of(ue)
        out[key] = [a + b for a, b in zip(out[key], ue, strict=True)] if key in out else ue
    return out


def bracket_item(name: str, statement: str, lower: Fraction, upper: Fraction, checks: dict,
                 t0: float, values: dict, notes: list) -> ExactItem:
    width = upper - lower
    checks = {**checks, "weak_duality": width >= 0}  # must follow from the others
    ok = all(checks.values())
    outcome = PROVED if ok else UNDECIDED
    failed = [k for k, good in checks.items() if not good]
    return ExactItem(
        name, "rational", "certificate", outcome, statement,
        expression=f"p* ∈ [{float(lower):.17g}, {float(upper):.17g}]",
        difference=("all exact checks passed" if ok else "failed: " + ", ".join(failed)),
        time_s=time.perf_counter() - t0, width=str(width), width_float=float(width),
        bracket=[float(lower), float(upper)],
        values={**values, **{f"check_{k}": v for k, v in checks.items()},
                "lower_exact": str(lower), "upper_exact": str(upper),
                "width_denominator_digits": len(str(width.denominator))},
        notes=notes)


# ----------------------------------------------------------------------------- certificates


def _rational_instance(seed: int, n: int, d: int, beta_rule: str):
    """Rational data (quarters), mixed-sign labels without zeros, and a rational β placed by
    ``beta_rule`` ("below", "between", "above") relative to ‖(y)_+‖ and ‖(−y)_+‖."""
    rng = np.random.default_rng(seed)
    while True:  # tiny integer draws: redraw the rare rank-deficient / non-generic ones
        X = rng.integers(-6, 7, size=(n, d)) / 4
        y = rng.integers(1, 9, size=n) / 4 * rng.choice([-1, 1], size=n)
        y[0], y[1] = abs(y[0]), -abs(y[1])
        A = affine_data(X)
        B = column_basis(A)
        k = len(B[0])
        Sb = _sym(B)
        if (n > d or k == n) and all(Sb.extract(list(r), list(range(k))).det() != 0
                                     for r in itertools.combinations(range(n), k)):
            break
    a, b = (float(np.linalg.norm(np.maximum(s * y, 0))) for s in (1, -1))
    lo, hi = min(a, b), max(a, b)
    target = {"below": 0.5 * lo, "between": 0.5 * (lo + hi), "above": 1.5 * hi}[beta_rule]
    beta = Fraction(target).limit_denominator(64)
    return X, y, beta, A, B


def _solver_points(X, y, beta: Fraction, D):
    """Clarabel's solution of (8) (groups u_i = U's_i) and two dual points: (24) solved as a
    separate problem, and the primal's residual with its multipliers."""
    Up = whiten(X).Uprime
    prog = program_8(Up, D, y, float(beta))
    cs = solve_program(prog)
    ds = solve_program_dual(prog)
    pred = cs.prediction(prog)
    return (Up @ cs.S.T).T, (Up @ cs.Sp.T).T, [(ds.v, ds.rho, ds.rhop), (y - pred, cs.rho, cs.rhop)]


def certify_convex(X, y, beta: Fraction, A: Mat, B: Mat, D: np.ndarray, groups, groups_p, duals,
                   name: str, statement: str, t0: float, notes: list | None = None) -> ExactItem:
    """Exact bracket for (6) = (8) from float primal groups and float dual points (see module)."""
    notes = list(notes or [])
    P = projector(B)
    yq = fvec(y)
    comp = arrangement_completeness(B, D)
    Ug, Ugp = rational_groups(B, groups), rational_groups(B, groups_p)
    feasible_primal = primal_check(P, D, Ug, Ugp)
    upper = primal_upper(yq, beta, Ug, Ugp)
    best = None
    for v, rho, rhop in duals:
        vq, rq, rpq, t = make_dual_feasible(P, D, yq, beta, fvec(v), fmat(rho), fmat(rhop))
        chk = dual_check(P, D, yq, beta, vq, rq, rpq)
        if chk["feasible"] and (best is None or chk["value"] > best[0]["value"]):
            best = (chk, t)
    checks = {"primal_feasible": feasible_primal, "dual_feasible": best is not None,
              "arrangements_complete": comp["complete"]}
    lower = best[0]["value"] if best else Fraction(-10**30)
    values = {"n": len(y), "rank_A": comp["rank"], "arrangements": comp["patterns"],
              "witnessed": comp["witnessed"], "cover_count": comp["cover_count"],
              "general_position": comp["general_position"], "beta": str(beta),
              "dual_scale": float(best[1]) if best else None, "primal_groups": len(Ug) + len(Ugp)}
    return bracket_item(name, statement, lower, upper, checks, t0, values, notes)


def certificate_convex_program(seed: int, n: int, d: int, beta_rule: str, name: str) -> ExactItem:
    """T2.1 (n ≤ d) / T2.2 (n > d): Clarabel's primal and dual of (8)/(24), certified exactly."""
    t0 = time.perf_counter()
    X, y, beta, A, B = _rational_instance(seed, n, d, beta_rule)
    D = enumerate_arrangements(whiten(X).Uprime)
    groups, groups_p, duals = _solver_points(X, y, beta, D)
    return certify_convex(X, y, beta, A, B, D, groups, groups_p, duals, name,
                          f"p₂* of (6) = (8) bracketed exactly on a rational instance (n = {n}, "
                          f"d = {d}, β {beta_rule} the label-part norms, seed {seed}): "
                          "Clarabel's points of (8) and (24) made exact", t0,
                          [f"X = integers/4, y = integers/4, β = {beta}"])


def certificate_t2_1_closed_form(seed: int, n: int = 3, d: int = 4,
                                 beta_rule: str = "between") -> ExactItem:
    """T2.1 without a solver: the corrected closed form (groups ``c (±y)_+`` with
    ``c = (1 − β/‖(±y)_+‖)_+``) against Lemma C.1's ``v*`` with ``ρ_i = D_i(−v)_+``,
    ``ρ_i' = D_i(v)_+`` (which minimise the constraint norms of (24) when U' is square)."""
    t0 = time.perf_counter()
    X, y, beta, A, B = _rational_instance(seed, n, d, beta_rule)
    D = enumerate_arrangements(whiten(X).Uprime)
    groups, groups_p = np.zeros((len(D), n)), np.zeros((len(D), n))
    for sgn, G in ((1, groups), (-1, groups_p)):
        part = np.maximum(sgn * y, 0.0)
        c = max(0.0, 1 - float(beta) / np.linalg.norm(part))
        i = int(np.flatnonzero((D == (part > 0)).all(axis=1))[0])
        G[i] = c * part
    v = lemma_c1_dual(y, float(beta))
    Dm = D.astype(float)
    rho, rhop = Dm * np.maximum(-v, 0), Dm * np.maximum(v, 0)
    return certify_convex(X, y, beta, A, B, D, groups, groups_p, [(v, rho, rhop)],
                          "T2.1 closed form: exact bracket",
                          f"the corrected closed form of T2.1 and Lemma C.1's dual point bracket "
                          f"p₂* exactly (n = {n}, d = {d}, β {beta_rule}, seed {seed}); no solver",
                          t0, [f"X = integers/4, y = integers/4, β = {beta}"])


def certificate_g_2(seed: int, n: int = 3, d: int = 4, above: bool = False) -> ExactItem:
    """G.2 (BN after ReLU, n ≤ d): the printed single neuron against ``v = min(1, β/‖y‖) y``.

    Dual feasibility: every BN output has unit norm (γ² + α² = 1), so ``|vᵀBN((Xw)_+)| ≤ ‖v‖``
    and ``‖v‖² ≤ β²`` (checked exactly) suffices for every θ — no arrangement list is needed
    (Appendix G.1's argument). Primal: ``w^(1) = X†(y − min y 1)`` exactly, so
    ``(Xw^(1))_+ = y − min y 1 =: z``; (γ, α) a rational point on the unit circle next to the
    printed one (Cayley parametrisation); ``w^(2)`` rational next to ``(‖y‖ − β)_+``. The value
    ``½w₂² − w₂ uᵀy + ½‖y‖² + β|w₂|`` (``‖u‖ = 1``) is bounded above with rational bounds of
    ``‖Πz‖`` and ``√n``."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    X = rng.integers(-6, 7, size=(n, d)) / 4
    y = rng.integers(-8, 9, size=n) / 4
    y[0] = y[1] + 1  # not constant
    ynorm = float(np.linalg.norm(y))
    beta = Fraction((1.5 if above else 0.5) * ynorm).limit_denominator(64)
    Xq, yq = fmat(X), fvec(y)
    Xs = _sym(Xq)
    w1 = Xs.T * (Xs * Xs.T).inv() * _sym([[e - min(yq)] for e in yq])
    z = [max(e, Fraction(0)) for e in (row[0] for row in _from_sym(Xs * w1))]
    pre_ok = z == [e - min(yq) for e in yq]
    mean = sum(z) / n
    cz = [e - mean for e in z]
    g_star = float(np.linalg.norm(y - y.mean()) / ynorm)
    a_star = float(y.sum() / np.sqrt(n) / ynorm)
    t = frac(math.tan(math.atan2(a_star, g_star) / 2))
    gamma, alpha = (1 - t * t) / (1 + t * t), 2 * t / (1 + t * t)
    on_circle = gamma**2 + alpha**2 == 1
    w2 = frac(max(ynorm - float(beta), 0.0))
    # uᵀy = γ (yᵀΠz)/‖Πz‖ + α (1ᵀy)/√n; a lower bound, each term on its safe side
    lo_pz, hi_pz = sqrt_bounds(dot(cz, cz))
    lo_n, hi_n = sqrt_bounds(Fraction(n))
    t1, t2 = gamma * dot(yq, cz), alpha * sum(yq)
    uy_lo = (t1 / hi_pz if t1 >= 0 else t1 / lo_pz) + (t2 / hi_n if t2 >= 0 else t2 / lo_n)
    yy = dot(yq, yq)
    upper = w2 * w2 / 2 - w2 * uy_lo + yy / 2 + beta * abs(w2)
    s = Fraction(1) if yy <= beta * beta else beta / sqrt_bounds(yy)[1]
    v = [s * e for e in yq]
    dual_ok = dot(v, v) <= beta * beta
    lower = -sum((a - b) ** 2 for a, b in zip(v, yq, strict=True)) / 2 + yy / 2
    checks = {"pre_activation_exact": pre_ok, "gamma_alpha_on_circle": on_circle,
              "dual_feasible": dual_ok, "w2_nonnegative": w2 >= 0}
    case = "β > ‖y‖" if above else "β < ‖y‖"
    return bracket_item("G.2 single neuron: exact bracket",
                        f"the printed G.2 neuron and v = min(1, β/‖y‖) y bracket the optimum of "
                        f"(45) exactly (n = {n}, d = {d}, {case}, seed {seed})",
                        lower, upper, checks, t0,
                        {"n": n, "d": d, "beta": str(beta), "gamma": str(gamma),
                         "alpha": str(alpha), "w2": float(w2)},
                        [f"X = integers/4, y = integers/4, β = {beta}"])
