"""Symbolic proofs (sympy) of the algebraic steps behind the statements of [E] and [C].

Every function returns a tuple of :class:`~bnproofs.exact.ExactItem` and is cached per process
(the proofs are instance-free). Sizes are kept small (n ≤ 4, d ≤ 3) so that each group takes
well under a second; the identities are checked for general symbols of those sizes.

How a sign part of the labels enters (T2.1, T2.4, G.2). The closed forms make every neuron's
BN output a unit vector ``p/‖p‖`` of a label part ``p ≥ 0`` (proved here for general ``p``), and
the parts have disjoint supports, so they are orthonormal. In those coordinates the objective
(6)/(10)/(45) and the dual objective are polynomials in the part norms, the output weights and
β (the reduction itself is proved on a symbolic n = 4 instance). The β case split of Appendix
C.1/C.6/G.1 is then encoded by substitution, with positive slack symbols ``s, t``:
``‖p‖ = β + s`` (s ≥ 0) for ``β ≤ ‖p‖`` and ``‖p‖ = β/(1 + t)`` (t > 0) for ``β > ‖p‖``, so that
sympy's assumptions decide every ``|·|``, ``(·)_+`` and every sign of a difference.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from functools import cache

import sympy as sp

from bnproofs.exact import PROVED, REFUTED, UNDECIDED, ExactItem

beta = sp.Symbol("β", positive=True)


# ----------------------------------------------------------------------------- machinery


def pretty(e) -> str:
    return sp.pretty(e, use_unicode=True, wrap_line=False)


def _simplify(e):
    if isinstance(e, sp.MatrixBase):
        return e.applyfunc(_simplify)
    e = sp.simplify(e)
    return sp.factor(e) if e.is_rational_function() else e


def _decide(d) -> tuple[str, str]:
    """``(outcome, sign)`` of a simplified difference."""
    entries = list(d) if isinstance(d, sp.MatrixBase) else [d]
    if all(e == 0 for e in entries):
        return PROVED, "= 0"
    for e in entries:
        if e.is_positive:
            return REFUTED, "> 0"
        if e.is_negative:
            return REFUTED, "< 0"
        if e.is_zero is False:
            return REFUTED, "≠ 0"
    return UNDECIDED, "not decided"


def identity(name: str, lhs, rhs, statement: str, role: str = "step", shown=None,
             assumptions: str = "", simplify: Callable = _simplify, back=None) -> ExactItem:
    """Prove ``lhs = rhs`` (scalars or matrices): the difference must simplify to 0.

    ``back`` maps case-split slack symbols back to the norms, for displaying a nonzero
    difference in the paper's quantities (the sign is decided before the back-substitution).
    """
    t0 = time.perf_counter()
    diff = simplify(lhs - rhs)
    outcome, sign = _decide(diff)
    if outcome != PROVED and back:
        diff = sp.factor(sp.simplify(diff.subs(back)))
    shown = sp.Eq(lhs, rhs, evaluate=False) if shown is None else shown
    if outcome == PROVED and isinstance(diff, sp.MatrixBase):
        shown_diff = f"0 (all {diff.rows}×{diff.cols} entries)"
    else:
        shown_diff = pretty(diff)
    return ExactItem(name, "symbolic", role, outcome, statement, expression=pretty(shown),
                     difference=shown_diff, latex=sp.latex(shown), assumptions=assumptions,
                     time_s=time.perf_counter() - t0, values={"sign_of_difference": sign})


def nonnegative(name: str, expr, statement: str, role: str = "step", shown=None,
                assumptions: str = "") -> ExactItem:
    """Prove ``expr ≥ 0`` from the symbols' assumptions (after simplification)."""
    t0 = time.perf_counter()
    e = _simplify(expr)
    outcome = PROVED if e.is_nonnegative else REFUTED if e.is_negative else UNDECIDED
    shown = sp.GreaterThan(expr, 0, evaluate=False) if shown is None else shown
    return ExactItem(name, "symbolic", role, outcome, statement, expression=pretty(shown),
                     difference=pretty(e), latex=sp.latex(shown), assumptions=assumptions,
                     time_s=time.perf_counter() - t0)


def relu(x):
    """``(x)_+ = (x + |x|)/2``, elementwise (sympy decides ``|x|`` from the assumptions)."""
    if isinstance(x, sp.MatrixBase):
        return x.applyfunc(relu)
    return (x + sp.Abs(x)) / 2


def ones(n: int) -> sp.Matrix:
    return sp.ones(n, 1)


def norm(v: sp.Matrix):
    return sp.sqrt(sp.factor(sum(e**2 for e in v)))


def centre(z: sp.Matrix) -> sp.Matrix:
    """``Π z = z − (1/n) 1 1ᵀ z``."""
    return z - ones(z.rows) * (sum(z) / z.rows)


def bn(z: sp.Matrix, gamma, alpha) -> sp.Matrix:
    """BN of eq. (2): ``Π z/‖Π z‖ · γ + α/√n · 1``."""
    c = centre(z)
    return c / norm(c) * gamma + alpha / sp.sqrt(z.rows) * ones(z.rows)


def bn_params(p: sp.Matrix):
    """Closed-form parameters of T2.1/T2.4/G.2: ``1/‖p‖ [‖Π p‖; 1ᵀp/√n]``."""
    return norm(centre(p)) / norm(p), sum(p) / sp.sqrt(p.rows) / norm(p)


def symbol_vector(name: str, n: int, **assume) -> sp.Matrix:
    return sp.Matrix(sp.symbols(f"{name}1:{n + 1}", **assume))


def rotation(t) -> sp.Matrix:
    """A rational 2×2 rotation (Cayley parametrisation): exactly orthogonal for every t."""
    c, s = (1 - t**2) / (1 + t**2), 2 * t / (1 + t**2)
    return sp.Matrix([[c, -s], [s, c]])


def beta_cases(norms):
    """The β case split over part norms: ``(label, substitution, E, back)`` for every
    combination of ``β ≤ ‖p_j‖`` (``‖p_j‖ = β + s_j``, s_j ≥ 0) and ``β > ‖p_j‖``
    (``‖p_j‖ = β/(1 + t_j)``, t_j > 0); ``back`` is the inverse substitution."""
    for le in itertools.product((True, False), repeat=len(norms)):
        sub, back, label, E = {}, {}, [], []
        for j, (c, below) in enumerate(zip(norms, le, strict=True)):
            if below:
                s = sp.Symbol(f"s{j + 1}", nonnegative=True)
                sub[c], back[s] = beta + s, c - beta
                label.append(f"β ≤ {c}")
                E.append(j)
            else:
                t = sp.Symbol(f"t{j + 1}", positive=True)
                sub[c], back[t] = beta / (1 + t), beta / c - 1
                label.append(f"β > {c}")
        yield ", ".join(label), sub, E, back


# ----------------------------------------------------------------------------- BN (eq. 2)


@cache
def bn_identities() -> tuple[ExactItem, ...]:
    """Π² = Π, Π1 = 0; ‖BN(z)‖² = γ² + α²; the closed-form parameters lie on the circle and map
    p to p/‖p‖; X X† = I for full row rank; BN after ReLU at G.2's first layer."""
    n = 4
    Pi = sp.eye(n) - ones(n) * ones(n).T / n
    items = [identity("centring projector", sp.Matrix.hstack(Pi * Pi - Pi, Pi * ones(n)),
                      sp.zeros(n, n + 1), "Π = I − (1/n)11ᵀ satisfies Π² = Π and Π1 = 0 (n = 4)",
                      shown=sp.Eq(sp.Symbol("Π²−Π, Π1"), 0))]
    z = symbol_vector("z", 3, real=True)
    g, a = sp.symbols("γ α", real=True)
    items.append(identity(
        "BN output norm", sum(e**2 for e in bn(z, g, a)), g**2 + a**2,
        "‖BN_{γ,α}(z)‖² = γ² + α² for every z with Πz ≠ 0: unit norm on γ² + α² = 1 (n = 3, "
        "general z)", shown=sp.Eq(sp.Symbol("‖BN_γ,α(z)‖²"), g**2 + a**2),
        assumptions="z ∈ R³ real, Πz ≠ 0"))
    p = symbol_vector("p", 3, positive=True)
    gp, ap = bn_params(p)
    items.append(identity("closed-form BN parameters on the circle", gp**2 + ap**2, 1,
                          "γ = ‖Πp‖/‖p‖, α = 1ᵀp/(√n‖p‖) satisfy γ² + α² = 1 (n = 3)",
                          assumptions="p ∈ R³, p ≠ 0"))
    items.append(identity("closed-form BN maps p to p/‖p‖", bn(p, gp, ap), p / norm(p),
                          "BN with the closed-form parameters of T2.1/T2.4/G.2 maps the "
                          "pre-activation p to p/‖p‖ (n = 3)",
                          shown=sp.Eq(sp.Symbol("BN_γ*,α*(p)"), sp.Symbol("p/‖p‖")),
                          assumptions="p ∈ R³ positive entries (a label part), Πp ≠ 0"))
    X = sp.Matrix(2, 3, sp.symbols("x1:7", real=True))
    Xp = X.T * (X * X.T).inv()  # X† for full row rank
    items.append(identity("pre-activation of the closed form", X * Xp, sp.eye(2),
                          "X X† = I for full-row-rank X (2×3), so X w = X X† p = p",
                          shown=sp.Eq(sp.Symbol("X X†"), sp.Symbol("I")),
                          assumptions="det(X Xᵀ) ≠ 0"))
    m = sp.Symbol("m", real=True)
    r = symbol_vector("r", 2, positive=True)
    y = sp.Matrix([m + r[0], m + r[1], m])  # y with its minimum m in the last entry
    gy, ay = bn_params(y)
    pre = y - m * ones(3)  # X X†(y − min_i y_i 1)
    items.append(identity("G.2: BN((Xw)_+) = y/‖y‖", bn(relu(pre), gy, ay), y / norm(y),
                          "G.2's first layer: (X X†(y − min y 1))_+ = y − min y 1, and BN of it "
                          "with the parameters of y is y/‖y‖ (n = 3)",
                          shown=sp.Eq(sp.Symbol("BN_γ*,α*((y − min_i y_i 1)_+)"),
                                      sp.Symbol("y/‖y‖")),
                          assumptions="y = (m + r₁, m + r₂, m), r₁, r₂ > 0, y ≠ 0"))
    return tuple(items)


# ----------------------------------------------------------------------------- rescaling


@cache
def rescaling_identities(outputs: int = 1) -> tuple[ExactItem, ...]:
    """Lemma 1.1 (``outputs = 1``) / Lemma 2.1 (``outputs = C``): the rescaling
    ``γ, α ← ηγ, ηα``, ``w^(2) ← w^(2)/η`` leaves the output unchanged, the AM–GM step and its
    equality case (B.2.2, C.4)."""
    lemma = "Lemma 1.1" if outputs == 1 else "Lemma 2.1"
    z = symbol_vector("z", 3, real=True)
    g, a = sp.symbols("γ α", real=True)
    eta = sp.Symbol("η", positive=True)
    W = sp.Matrix(1, outputs, sp.symbols(f"w1:{outputs + 1}", real=True))

    def neuron(gj, aj, Wout):  # the network is a sum of such terms, one per neuron
        return relu(sp.factor_terms(bn(z, gj, aj))) * Wout

    items = [identity(f"{lemma}: rescaling leaves the output unchanged",
                      neuron(eta * g, eta * a, W / eta), neuron(g, a, W),
                      "(BN_{ηγ,ηα}(z))_+ wᵀ/η = (BN_{γ,α}(z))_+ wᵀ for every η > 0, per neuron "
                      f"(n = 3, {outputs} output(s))",
                      shown=sp.Eq(sp.Symbol("f_{ηγ,ηα,w/η}(X)"), sp.Symbol("f_{γ,α,w}(X)")),
                      assumptions="η_j > 0; z_j ∈ R³ with Πz_j ≠ 0")]
    gg, aa = sp.symbols("γ α", real=True)
    w = symbol_vector("w", outputs, real=True)
    wn = norm(w) if outputs > 1 else sp.Abs(w[0])
    r = sp.sqrt(gg**2 + aa**2)
    pen = (gg**2 + aa**2 + sum(e**2 for e in w)) / 2
    items.append(identity(f"{lemma}: AM–GM step", pen - wn * r, (r - wn) ** 2 / 2,
                          "½(γ² + α² + ‖w‖²) − ‖w‖√(γ² + α²) = ½(√(γ² + α²) − ‖w‖)² ≥ 0",
                          assumptions="γ, α, w real"))
    et = sp.sqrt(wn / r)
    bal = ((et * gg) ** 2 + (et * aa) ** 2 + sum((e / et) ** 2 for e in w)) / 2
    items.append(identity(f"{lemma}: AM–GM equality case", bal, wn * r,
                          "with η = √(‖w‖/√(γ² + α²)) the penalty of the rescaled neuron is "
                          "‖w‖√(γ² + α²), i.e. ‖w‖ on γ² + α² = 1",
                          assumptions="γ² + α² > 0, w ≠ 0",
                          simplify=lambda e: sp.simplify(sp.powsimp(sp.expand(e), force=False))))
    return tuple(items)


# ----------------------------------------------------------------------------- T2.1 / T4.1


def _reduction_two_parts() -> ExactItem:
    """Objective (6) of the two-neuron closed-form network on a symbolic n = 4 instance."""
    p = sp.Matrix([*sp.symbols("p1:3", positive=True), 0, 0])
    q = sp.Matrix([0, 0, *sp.symbols("q1:3", positive=True)])
    wp, wm = sp.symbols("w₊ w₋", real=True)
    f = sp.zeros(4, 1)
    for part, w in ((p, wp), (q, wm)):
        f += relu(_simplify(bn(part, *bn_params(part)))) * w
    y = p - q
    obj = sum(e**2 for e in f - y) / 2 + beta * (sp.Abs(wp) + sp.Abs(wm))
    A, B = sp.Symbol("‖y₊‖"), sp.Symbol("‖y₋‖")
    red = (wp - A) ** 2 / 2 + (wm + B) ** 2 / 2 + beta * (sp.Abs(wp) + sp.Abs(wm))
    return identity("T2.1: objective (6) of the closed-form network in the label-part norms",
                    obj, red.subs({A: norm(p), B: norm(q)}),
                    "with first layer X†(±y)_+ and the closed-form BN parameters, objective (6) "
                    "= ½(w₊ − ‖y₊‖)² + ½(w₋ + ‖y₋‖)² + β(|w₊| + |w₋|) (n = 4, general parts)",
                    shown=sp.Eq(sp.Symbol("(6)"), red),
                    assumptions="y₊ = (p₁, p₂, 0, 0), y₋ = (0, 0, q₁, q₂), all > 0")


@cache
def theorem_2_1_cases() -> tuple[ExactItem, ...]:
    """Appendix C.1/C.2 (and F.1 for T4.1): in each β case, primal (6) at the closed form versus
    the dual objective at Lemma C.1's v*; printed weights ``±(‖(±y)_+‖ − β)`` and corrected
    weights ``±(‖(±y)_+‖ − β)_+``; dual feasibility ``‖(±v*)_+‖ ≤ β``."""
    A, B = sp.symbols("‖y₊‖ ‖y₋‖", positive=True)

    def primal(wp, wm):
        return (wp - A) ** 2 / 2 + (wm + B) ** 2 / 2 + beta * (sp.Abs(wp) + sp.Abs(wm))

    def dual(xp, xm):  # v = xp ŷ₊ − xm ŷ₋, y = A ŷ₊ − B ŷ₋
        return -((xp - A) ** 2 + (xm - B) ** 2) / 2 + (A**2 + B**2) / 2

    items = [_reduction_two_parts()]
    printed = primal(A - beta, -(B - beta))
    corrected = primal(sp.Max(A - beta, 0), -sp.Max(B - beta, 0))
    for label, sub, E, back in beta_cases((A, B)):
        xs = [beta if j in E else c for j, c in enumerate((A, B))]  # Lemma C.1
        d = dual(*xs)
        note = f"case {label}"
        items.append(identity(
            f"T2.1 printed, {label}", printed.subs(sub), d.subs(sub),
            f"printed weights w₊ = ‖y₊‖ − β, w₋ = −(‖y₋‖ − β): primal (6) = dual at Lemma C.1's "
            f"v* ({note})", role="printed", shown=sp.Eq(sp.Symbol("(6) at printed form"),
                                                        sp.Symbol("dual (7) at v*")),
            assumptions=f"{label}; substitution {sub}", back=back))
        items.append(identity(
            f"T2.1 corrected, {label}", corrected.subs(sub), d.subs(sub),
            f"corrected weights ±(‖(±y)_+‖ − β)_+: primal (6) = dual at v* ({note})",
            role="corrected", shown=sp.Eq(sp.Symbol("(6) at corrected form"),
                                          sp.Symbol("dual (7) at v*")),
            assumptions=f"{label}; substitution {sub}"))
        items.append(nonnegative(
            f"Lemma C.1 v* feasible, {label}", sp.Min(beta - xs[0], beta - xs[1]).subs(sub),
            f"v* is dual feasible: β − max(‖(v*)_+‖, ‖(−v*)_+‖) ≥ 0 ({note})",
            shown=sp.GreaterThan(sp.Symbol("β − max(‖(v*)₊‖, ‖(−v*)₊‖)"), 0),
            assumptions=label))
    return tuple(items)


@cache
def theorem_4_1_value() -> tuple[ExactItem, ...]:
    """F.1, (43)/(44): in the case β ≤ both part norms the common value is β(‖y₊‖ + ‖y₋‖) − β²."""
    A, B = sp.symbols("‖y₊‖ ‖y₋‖", positive=True)
    sub = {A: beta + sp.Symbol("s1", nonnegative=True), B: beta + sp.Symbol("s2", nonnegative=True)}
    primal = ((A - beta) - A) ** 2 / 2 + (-(B - beta) + B) ** 2 / 2 + beta * (
        sp.Abs(A - beta) + sp.Abs(B - beta))
    return (identity("F.1 (43): primal value", primal.subs(sub),
                     (beta * (A + B) - beta**2).subs(sub),
                     "(43): p_L* = β(‖y₊‖ + ‖y₋‖) − β² when β ≤ ‖y₊‖, ‖y₋‖", role="printed",
                     shown=sp.Eq(sp.Symbol("p_L*"), beta * (A + B) - beta**2)),)


# ----------------------------------------------------------------------------- T2.4 / T4.2


def _reduction_one_hot() -> ExactItem:
    """Objective (10) of the closed-form network for a concrete one-hot Y (n = 5, C = 2)."""
    Y = sp.Matrix([[1, 0], [1, 0], [0, 1], [0, 1], [0, 1]])
    C = Y.cols
    W = sp.Matrix(C, C, sp.symbols("w1:5", real=True))  # row j: w_j^(2)ᵀ
    F = sp.zeros(Y.rows, C)
    for j in range(C):
        yj = Y[:, j]
        F += relu(_simplify(bn(yj, *bn_params(yj)))) * W[j, :]
    pen = beta * sum(norm(W[j, :].T) for j in range(C))
    obj = sum(e**2 for e in F - Y) / 2 + pen
    norms = sp.diag(*[norm(Y[:, j]) for j in range(C)])
    red = sum(e**2 for e in W - norms) / 2 + pen
    return identity("T2.4: objective (10) of the closed-form network in the class norms", obj,
                    red, "one neuron per class with BN output y_j/‖y_j‖: objective (10) = "
                    "½‖W − diag(‖y_j‖)‖_F² + β Σ_j ‖w_j‖ (one-hot Y, n = 5, C = 2, general W)",
                    shown=sp.Eq(sp.Symbol("(10)"),
                                sp.Symbol("½‖W − diag(‖y_j‖)‖_F² + β Σ_j ‖w_j‖")))


@cache
def theorem_2_4_cases(classes: int = 3) -> tuple[ExactItem, ...]:
    """Appendix C.6: per β case (each class above or below β), primal (10) at the printed
    closed form = dual (36) at (37), its value (42), and feasibility ``max_j x_j ≤ β``."""
    cs = sp.symbols(f"‖y_1:{classes + 1}‖", positive=True)
    Y = sp.diag(*cs)  # in the orthonormal class coordinates
    Wp = sp.diag(*[sp.Max(c - beta, 0) for c in cs])  # w_j = (‖y_j‖ − β)_+ e_j
    primal = sum(e**2 for e in Wp - Y) / 2 + beta * sum(sp.Abs(Wp[j, j]) for j in range(classes))
    items = [_reduction_one_hot()]
    for label, sub, E, _ in beta_cases(cs):
        xs = [beta if j in E else c for j, c in enumerate(cs)]
        V = sp.diag(*xs)
        dual = -sum(e**2 for e in V - Y) / 2 + sum(c**2 for c in cs) / 2
        value = (-beta**2 * len(E) / 2 + beta * sum(cs[j] for j in E)
                 + sum(cs[j] ** 2 for j in range(classes) if j not in E) / 2)
        items.append(identity(f"T2.4 printed = dual (37), {label}", primal.subs(sub),
                              dual.subs(sub), f"primal (10) at Theorem 2.4's form = dual (36) "
                              f"at v_j* of (37) ({label})", role="printed",
                              shown=sp.Eq(sp.Symbol("(10) at printed form"),
                                          sp.Symbol("dual (36) at V*")), assumptions=label))
        items.append(identity(f"C.6 value (42), {label}", primal.subs(sub), value.subs(sub),
                              f"the common value is (42): −½β²|E| + β Σ_E ‖y_j‖ + ½ Σ_(j∉E) "
                              f"‖y_j‖² ({label})", role="printed",
                              shown=sp.Eq(sp.Symbol("p_2v*"), value), assumptions=label))
        items.append(nonnegative(f"C.6 V* feasible, {label}",
                                 sp.Min(*[beta - x for x in xs]).subs(sub),
                                 f"max_(‖u‖=1) ‖V*ᵀu‖ = max_j x_j ≤ β ({label})",
                                 shown=sp.GreaterThan(sp.Symbol("β − max_j ‖v_j*‖"), 0),
                                 assumptions=label))
    return tuple(items)


# ----------------------------------------------------------------------------- G.2


@cache
def theorem_g_2_cases() -> tuple[ExactItem, ...]:
    """Appendix G.1: the single neuron of G.2 against the dual; G.1 prints ``v* = β y/‖y‖``
    without a case split, which is optimal only for β ≤ ‖y‖ (v = y otherwise)."""
    r = symbol_vector("r", 2, positive=True)
    m = sp.Symbol("m", real=True)
    y = sp.Matrix([m + r[0], m + r[1], m])
    w = sp.Symbol("w", real=True)
    out = _simplify(bn(relu(y - m * ones(3)), *bn_params(y))) * w  # no ReLU after BN
    obj = sum(e**2 for e in out - y) / 2 + beta * sp.Abs(w)
    c = sp.Symbol("‖y‖", positive=True)
    red = (w - c) ** 2 / 2 + beta * sp.Abs(w)
    items = [identity("G.2: objective (45) of the single neuron in ‖y‖", obj, red.subs(c, norm(y)),
                      "objective (45) of G.2's neuron = ½(w − ‖y‖)² + β|w| (n = 3, general y)",
                      shown=sp.Eq(sp.Symbol("(45)"), red),
                      assumptions="y = (m + r₁, m + r₂, m), r₁, r₂ > 0")]
    primal = red.subs(w, sp.Max(c - beta, 0))
    for label, sub, E, back in beta_cases((c,)):
        dual_g1 = -(beta - c) ** 2 / 2 + c**2 / 2  # v = β ŷ
        x = beta if E else c
        dual_ok = -(x - c) ** 2 / 2 + c**2 / 2
        items.append(identity(f"G.1 dual point v* = βy/‖y‖, {label}", primal.subs(sub),
                              dual_g1.subs(sub), f"primal (45) at G.2's neuron = dual at G.1's "
                              f"v* = βy/‖y‖ ({label})", role="printed",
                              shown=sp.Eq(sp.Symbol("(45) at G.2"), sp.Symbol("dual at βy/‖y‖")),
                              assumptions=label, back=back))
        items.append(identity(f"G.2 corrected dual point, {label}", primal.subs(sub),
                              dual_ok.subs(sub), f"primal (45) at G.2's neuron = dual at "
                              f"v = min(β, ‖y‖) y/‖y‖ ({label})", role="corrected",
                              shown=sp.Eq(sp.Symbol("(45) at G.2"),
                                          sp.Symbol("dual at min(β,‖y‖)y/‖y‖")),
                              assumptions=label))
        items.append(nonnegative(f"G.2 dual feasible, {label}", (beta**2 - x**2).subs(sub),
                                 "‖v‖ ≤ β, hence |vᵀBN((Xw)_+)| ≤ ‖v‖ ≤ β (unit-norm BN "
                                 f"output) ({label})",
                                 shown=sp.GreaterThan(sp.Symbol("β² − ‖v‖²"), 0),
                                 assumptions=label))
    return tuple(items)


# ----------------------------------------------------------------------------- L5.1 / T5.1


def _whitened_setup():
    """n = 3, d = r = 2: ``Π X = U Σ Vᵀ`` with U a fixed orthonormal basis of 1^⊥, V a rational
    rotation (symbol t), Σ = diag(σ₁, σ₂) and a symbolic column mean μ (X = ΠX + 1μᵀ)."""
    U = sp.Matrix([[1 / sp.sqrt(2), 1 / sp.sqrt(6)], [-1 / sp.sqrt(2), 1 / sp.sqrt(6)],
                   [0, -2 / sp.sqrt(6)]])
    t = sp.Symbol("t", real=True)
    V = rotation(t)
    S = sp.diag(*sp.symbols("σ1:3", positive=True))
    mu = symbol_vector("μ", 2, real=True)
    X = U * S * V.T + ones(3) * mu.T
    return U, S, V, X


@cache
def lemma_5_1_identity() -> tuple[ExactItem, ...]:
    """Lemma 5.1: with ``q = Σ Vᵀ w``, ``BN(Xw) = U q/‖q‖ γ + α/√n 1``."""
    U, S, V, X = _whitened_setup()
    w = symbol_vector("w", 2, real=True)
    g, a = sp.symbols("γ α", real=True)
    q = S * V.T * w
    return (identity("L5.1: BN of the data equals the whitened neuron", bn(X * w, g, a),
                     U * q / norm(q) * g + a / sp.sqrt(3) * ones(3),
                     "BN_{γ,α}(Xw) = U q/‖q‖ γ + α/√n 1 with q = ΣVᵀw (n = 3, d = 2, general "
                     "Σ, rotation V, column mean μ)",
                     shown=sp.Eq(sp.Symbol("BN_γ,α(Xw)"), sp.Symbol("Uq/‖q‖·γ + α/√n·1")),
                     assumptions="ΠX = UΣVᵀ, 1ᵀU = 0, UᵀU = VᵀV = I, q ≠ 0"),)


@cache
def theorem_5_1_identities(power: int = 2) -> tuple[ExactItem, ...]:
    """E.2. By Lemma 5.1 the loss of (9) is ``L(w) = L_b(q)`` at ``q = ΣVᵀw``, so the chain rule
    gives ``∇_w L = (∂q/∂w)ᵀ ∇_q L_b`` and ``Σ Vᵀ ∇_w L = Σ^power ∇_q L_b`` for every value of
    ``∇_q L_b`` (the theorem: power 2; the Jacobian is taken by sympy, Σ and the rotation V are
    symbolic). Also E.2's printed ``∇_q L_b`` against sympy's derivative of (16) on a fixed ReLU
    pattern D (n = 4, U with orthonormal columns ⊥ 1). ``power ≠ 2`` is a mutation."""
    V = rotation(sp.Symbol("t", real=True))
    S = sp.diag(*sp.symbols("σ1:3", positive=True))
    w = symbol_vector("w", 2, real=True)
    G = symbol_vector("g", 2, real=True)  # a general value of ∇_q L_b
    Jq = (S * V.T * w).jacobian(w)
    items = [identity("T5.1: Δ_v2 = Σ² Δ_v2b" if power == 2 else f"T5.1: Δ_v2 = Σ^{power} Δ_v2b",
                      S * V.T * (Jq.T * G), S**power * G,
                      "the GD step of (9) in q-space, ΣVᵀ∇_w L = ΣVᵀ(∂q/∂w)ᵀ∇_q L_b, equals Σ² "
                      "times the GD step ∇_q L_b of (16) (d = 2, general Σ, rotation V)",
                      role="step" if power == 2 else "printed",
                      shown=sp.Eq(sp.Symbol("Σ Vᵀ ∇_w L"), sp.Symbol(f"Σ^{power} ∇_q L_b")),
                      assumptions="L(w) = L_b(ΣVᵀw) (Lemma 5.1), VᵀV = I")]
    if power != 2:
        return tuple(items)
    U = sp.Matrix([[1, 1], [-1, 1], [1, -1], [-1, -1]]) / 2  # orthonormal, ⊥ 1
    q = symbol_vector("q", 2, real=True)
    g, a, w2 = sp.symbols("γ α w₂", real=True)
    D = sp.diag(*sp.symbols("δ1:5", real=True))
    y = symbol_vector("y", 4, real=True)
    R = D * (U * q / norm(q) * g + a / 2 * ones(4)) * w2 - y  # residual of (16), n = 4
    Lb = sum(e**2 for e in R) / 2
    nq = norm(q)
    printed = (g / nq * (D * U).T * R * w2
               - g / nq**3 * ((q.T * (D * U).T * R)[0] * w2) * q)
    items.append(identity("E.2: ∇_q L_b as printed", sp.Matrix([sp.diff(Lb, e) for e in q]),
                          printed, "∇_q L_b = γ/‖q‖ (DU)ᵀR w₂ − γ/‖q‖³ (qᵀ(DU)ᵀR w₂) q, R the "
                          "residual (n = 4, d = 2, fixed ReLU pattern D)", role="printed",
                          shown=sp.Eq(sp.Symbol("∇_q L_b"), sp.Symbol(
                              "γ/‖q‖·(DU)ᵀRw₂ − γ/‖q‖³·(qᵀ(DU)ᵀRw₂)q"))))
    return tuple(items)
