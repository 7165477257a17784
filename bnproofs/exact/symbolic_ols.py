"""Symbolic proofs (sympy) of the algebraic steps behind the [C] claims: GD and BNGD on OLS.

On a general symbolic instance (``d = 2``, ``H`` a general symmetric matrix, ``g = Hu``) the
objective ``J(a, w) = ½c − a wᵀg/‖w‖_H + ½a²`` of docs/theorems/ols.md, its gradient, the critical
points, one BNGD step, the scaling property and the effective Hessian ``H*`` are checked with the
machinery of :mod:`bnproofs.exact.symbolic`.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from bnproofs.exact import ExactItem
from bnproofs.exact.symbolic import identity, rotation, symbol_vector


def _ols(d: int = 2):
    h = sp.symbols(f"h1:{d * (d + 1) // 2 + 1}", real=True)
    H = sp.zeros(d, d)
    k = 0
    for i in range(d):
        for j in range(i, d):
            H[i, j] = H[j, i] = h[k]
            k += 1
    u = symbol_vector("u", d, real=True)
    return H, u, H * u


def _hnorm(H, w):
    return sp.sqrt(sp.factor(sp.expand((w.T * H * w)[0])))


def _J(H, g, c, a, w):
    return c / 2 - a * (w.T * g)[0] / _hnorm(H, w) + a**2 / 2


def _bngd(H, g, a, w, eps, eps_a):
    """One BNGD step as docs/theorems/ols.md writes it (simultaneous update)."""
    n = _hnorm(H, w)
    wg = (w.T * g)[0]
    return a + eps_a * (wg / n - a), w + eps * a / n * (g - wg / n**2 * H * w)


@cache
def ols_identities(group: str) -> tuple[ExactItem, ...]:
    """[C] (docs/theorems/ols.md), d = 2 with a general symmetric H and g = Hu. ``group``: "C1" (GD
    error map), "C2" (J and its critical points), "C3" (both scaling properties), "C4" (gradient,
    orthogonality, norm growth), "C6" (H*)."""
    if group not in ("C1", "C2", "C3", "C4", "C6"):
        raise ValueError(f"unknown [C] group {group!r}")
    H, u, g = _ols()
    a, c, eps, eps_a = sp.symbols("a c ε ε_a", real=True)
    w = symbol_vector("w", 2, real=True)
    J = _J(H, g, c, a, w)
    grad = sp.Matrix([sp.diff(J, e) for e in w])
    nH = _hnorm(H, w)
    wg = (w.T * g)[0]
    wk = symbol_vector("w", 2, real=True)
    if group == "C1":
        return (identity("GD error recursion", wk + eps * (g - H * wk) - u,
                              (sp.eye(2) - eps * H) * (wk - u),
                              "GD on J₀: w_{k+1} − u = (I − εH)(w_k − u) when g = Hu",
                              shown=sp.Eq(sp.Symbol("w_{k+1} − u"), sp.Symbol("(I − εH)(w_k − u)"))),)
    # E[½(y − a xᵀw/σ)²] with E y² = c, E[y xᵀw] = wᵀg, E (xᵀw)² = wᵀHw = σ²
    expect = (c - 2 * a * wg / nH + a**2 * (w.T * H * w)[0] / nH**2) / 2
    if group == "C2":
        return _ols_critical(H, u, g, c, a, w, J, grad, nH, wg, expect)
    step = _bngd(H, g, a, w, eps, eps_a)
    if group == "C4":
        return _ols_gradient(H, g, a, w, eps, eps_a, J, grad, nH, wg, step)
    if group == "C3":
        return _ols_scaling(H, u, g, a, w, eps, eps_a, step)
    return _ols_hstar(H, u)


def _ols_critical(H, u, g, c, a, w, J, grad, nH, wg, expect):
    out = {"C2": []}
    out["C2"].append(identity("J from the moments", expect, J,
                              "E[½(y − a N(xᵀw))²] = ½c − a wᵀg/‖w‖_H + ½a² (E x = 0, moments "
                              "H, g, c)", shown=sp.Eq(sp.Symbol("J(a,w)"),
                                                      c / 2 - a * sp.Symbol("wᵀg/‖w‖_H") + a**2 / 2)))
    tpos = sp.Symbol("s", positive=True)
    for sgn, lab in ((1, "s > 0"), (-1, "s < 0")):
        wc = sgn * tpos * u
        ac = sgn * _hnorm(H, u)
        Jc = _J(H, g, c, ac, wc)
        gc = sp.Matrix([sp.diff(J, e) for e in w]).subs(dict(zip(w, wc, strict=True))).subs(a, ac)
        da = sp.diff(J, a).subs(dict(zip(w, wc, strict=True))).subs(a, ac)
        out["C2"].append(identity(f"minimiser is critical ({lab})", sp.Matrix([da, *gc]),
                                  sp.zeros(3, 1), f"∇J = 0 at (a, w) = (sign(s)‖u‖_H, s u), {lab}",
                                  shown=sp.Eq(sp.Symbol("∇J(sign(s)‖u‖_H, su)"), 0),
                                  assumptions="uᵀHu > 0"))
        out["C2"].append(identity(f"minimum value ({lab})", Jc, (c - (u.T * H * u)[0]) / 2,
                                  f"J(sign(s)‖u‖_H, s u) = ½(c − uᵀHu) = min J₀, {lab}",
                                  assumptions="uᵀHu > 0"))
    k = sp.Symbol("k", nonzero=True, real=True)
    wperp = k * sp.Matrix([-g[1], g[0]])  # wᵀg = 0
    gs = sp.Matrix([sp.diff(J, e) for e in w]).subs(dict(zip(w, wperp, strict=True))).subs(a, 0)
    das = sp.diff(J, a).subs(dict(zip(w, wperp, strict=True))).subs(a, 0)
    out["C2"].append(identity("saddles a = 0, wᵀg = 0 are critical", sp.Matrix([das, *gs]),
                              sp.zeros(3, 1), "∇J = 0 at a = 0 and any w ⊥ g",
                              shown=sp.Eq(sp.Symbol("∇J(0, w ⊥ g)"), 0),
                              assumptions="w ≠ 0, ‖w‖_H > 0"))
    out["C2"].append(identity("∇_w J = 0 with a ≠ 0 forces w ∥ u",
                              -nH**3 / a * H.inv() * grad, nH**2 * u - wg * w,
                              "H⁻¹ (−‖w‖_H³/a) ∇_w J = ‖w‖_H² u − (wᵀg) w, so ∇_w J = 0, a ≠ 0 "
                              "gives w = (‖w‖_H²/wᵀg) u",
                              shown=sp.Eq(sp.Symbol("−‖w‖_H³/a · H⁻¹∇_w J"),
                                          sp.Symbol("‖w‖_H² u − (wᵀg) w")),
                              assumptions="a ≠ 0, det H ≠ 0"))
    return tuple(out["C2"])


def _ols_gradient(H, g, a, w, eps, eps_a, J, grad, nH, wg, step):
    out = {"C4": []}
    out["C4"] += [
        identity("∇_w J formula", grad, -(a / nH) * (g - wg / nH**2 * H * w),
                 "∇_w J = −(a/‖w‖_H)(g − (wᵀg/‖w‖_H²) H w) (derived by sympy from J)"),
        identity("wᵀ∇_w J = 0", (w.T * grad)[0], 0, "the gradient is orthogonal to w",
                 shown=sp.Eq(sp.Symbol("wᵀ∇_w J"), 0)),
        identity("BNGD is gradient descent on J", sp.Matrix([step[0], *step[1]]),
                 sp.Matrix([a - eps_a * sp.diff(J, a), *(w - eps * grad)]),
                 "the BNGD update equals (a − ε_a ∂_a J, w − ε ∇_w J)",
                 shown=sp.Eq(sp.Symbol("(a_{k+1}, w_{k+1})"),
                             sp.Symbol("(a − ε_a ∂_a J, w − ε∇_w J)"))),
        identity("norm growth", sum(e**2 for e in w - eps * grad),
                 sum(e**2 for e in w) + eps**2 * sum(e**2 for e in grad),
                 "‖w − ε∇_w J‖² = ‖w‖² + ε²‖∇_w J‖²",
                 shown=sp.Eq(sp.Symbol("‖w_{k+1}‖²"), sp.Symbol("‖w_k‖² + ε²‖∇_w J‖²"))),
    ]
    return tuple(out["C4"])


def _ols_scaling(H, u, g, a, w, eps, eps_a, step):
    out = {"C3": []}
    Q = rotation(sp.Symbol("r", real=True))
    mu, gam = sp.symbols("μ γ", positive=True)
    H1, u1 = mu * Q.T * H * Q, gam / sp.sqrt(mu) * Q.T * u
    a1, w1 = _bngd(H1, H1 * u1, gam * a, gam * Q.T * w, eps, eps_a)
    out["C3"].append(identity("scaling property (i)", sp.Matrix([a1, *w1]),
                              sp.Matrix([gam * step[0], *(gam * Q.T * step[1])]),
                              "one BNGD step on (μQᵀHQ, γ/√μ Qᵀu) from (γa, γQᵀw) is the image "
                              "(γa', γQᵀw') of the step on (H, u) from (a, w)",
                              shown=sp.Eq(sp.Symbol("step_{μQᵀHQ, γQᵀu/√μ}(γa, γQᵀw)"),
                                          sp.Symbol("(γa', γQᵀw')")),
                              assumptions="Q a rational rotation, μ, γ > 0"))
    a2, w2 = _bngd(H, g, a, gam * w, gam**2 * eps, eps_a)
    out["C3"].append(identity("scaling property (ii)", sp.Matrix([a2, *w2]),
                              sp.Matrix([step[0], *(gam * step[1])]),
                              "one BNGD step from (a, γw) with γ²ε is (a', γw'): only ε/‖w₀‖² "
                              "matters", shown=sp.Eq(sp.Symbol("step_{γ²ε}(a, γw)"),
                                                     sp.Symbol("(a', γw')")),
                              assumptions="γ > 0"))
    return tuple(out["C3"])


def _ols_hstar(H, u):
    out = {"C6": []}
    Hs = H - H * u * u.T * H / (u.T * H * u)[0]
    out["C6"].append(identity("H* u = 0", sp.Matrix.hstack(Hs * u, Hs - Hs.T), sp.zeros(2, 3),
                              "H* = H − Huuᵀ H/(uᵀHu) is symmetric with H*u = 0 (λ*₁ = 0)",
                              shown=sp.Eq(sp.Symbol("H*u"), 0), assumptions="uᵀHu ≠ 0"))
    return tuple(out["C6"])


@cache
def gd_rate_identities() -> tuple[ExactItem, ...]:
    """GD on ``J₀`` (docs/theorems/ols.md, item 1): at ``ε_opt = 2/(λ_min + λ_max)`` both extreme
    modes contract by ``(κ − 1)/(κ + 1)`` (with opposite signs), so no ε does better; and from an
    error with equal H-weight ``uᵀHu/d`` in every mode, ``‖e_k‖_H²/‖u‖_H² = (1/d) Σ_i
    (1 − ελ_i)^{2k}`` (d = 2, k a symbol), which lies in ``[ρ^{2k}/d, ρ^{2k}]``."""
    lo, kap, eps, uhu = sp.symbols("λ_min κ ε uHu", positive=True)
    k = sp.Symbol("k", integer=True, nonnegative=True)
    e_opt = 2 / (lo + kap * lo)
    best = (kap - 1) / (kap + 1)
    lam = sp.symbols("λ1:3", positive=True)
    z = [sp.sqrt(uhu / (2 * li)) for li in lam]  # equal H-weight uHu/2 per mode
    err2 = sum(li * ((1 - eps * li) ** k * zi) ** 2 for li, zi in zip(lam, z, strict=True)) / uhu
    return (
        identity("GD: λ_min contracts by (κ−1)/(κ+1) at ε_opt", 1 - e_opt * lo, best,
                 "1 − ε_opt λ_min = (κ − 1)/(κ + 1) at ε_opt = 2/(λ_min + λ_max)",
                 assumptions="λ_max = κ λ_min"),
        identity("GD: λ_max contracts by (κ−1)/(κ+1) at ε_opt", e_opt * kap * lo - 1, best,
                 "ε_opt λ_max − 1 = (κ − 1)/(κ + 1): the extreme modes balance",
                 assumptions="λ_max = κ λ_min"),
        identity("GD: error of an equal-mode start", err2,
                 ((1 - eps * lam[0]) ** (2 * k) + (1 - eps * lam[1]) ** (2 * k)) / 2,
                 "‖(I − εH)^k e₀‖_H²/‖u‖_H² = ½ Σ_i (1 − ελ_i)^{2k} when each mode of e₀ carries "
                 "H-weight uᵀHu/2 (d = 2): the rate envelope [ρ^k/√d, ρ^k]",
                 assumptions="H = diag(λ₁, λ₂) in its eigenbasis"),
    )


@cache
def bngd_a_bound_identities() -> tuple[ExactItem, ...]:
    """Why ``|a_k| ≤ max(|a₀|, ‖u‖_H)`` for ``ε_a ∈ (0, 1]`` (docs/theorems/ols.md, item 5): the
    a-step is the convex combination ``(1 − ε_a)a + ε_a φ(w)``, ``φ(w) = wᵀg/‖w‖_H``, and
    ``|φ(w)| ≤ ‖u‖_H`` because ``(uᵀHu)(wᵀHw) − (wᵀHu)² = det H·(u₁w₂ − u₂w₁)²`` for ``d = 2``
    and ``H`` symmetric (Lagrange's identity in the H inner product), which is ``≥ 0`` for ``H``
    positive definite."""
    H, u, g = _ols()
    a, eps, eps_a = sp.symbols("a ε ε_a", real=True)
    w = symbol_vector("w", 2, real=True)
    phi = (w.T * g)[0] / _hnorm(H, w)
    a1, _ = _bngd(H, g, a, w, eps, eps_a)
    gram = (u.T * H * u)[0] * (w.T * H * w)[0] - (w.T * H * u)[0] ** 2
    return (
        identity("a-step is a convex combination", a1, (1 - eps_a) * a + eps_a * phi,
                 "a_{k+1} = (1 − ε_a) a_k + ε_a φ(w_k): for ε_a ∈ (0, 1] it lies between a_k "
                 "and φ(w_k)", shown=sp.Eq(sp.Symbol("a_{k+1}"),
                                          sp.Symbol("(1 − ε_a) a_k + ε_a wᵀg/‖w‖_H"))),
        identity("Lagrange identity in the H inner product", gram,
                 H.det() * (u[0] * w[1] - u[1] * w[0]) ** 2,
                 "(uᵀHu)(wᵀHw) − (wᵀHu)² = det H·(u₁w₂ − u₂w₁)² ≥ 0, so |φ(w)| ≤ ‖u‖_H",
                 shown=sp.Eq(sp.Symbol("‖u‖_H²‖w‖_H² − (wᵀHu)²"),
                             sp.Symbol("det H (u₁w₂ − u₂w₁)²")),
                 assumptions="d = 2, H symmetric (positive definite for the sign)"),
    )


@cache
def direction_moments(d: int) -> tuple[sp.Rational, sp.Rational]:
    """``E[c²]`` and ``E[c⁴]`` for ``c = w₀ᵀu/(‖w₀‖‖u‖)`` with ``w₀`` uniform in direction in
    ``R^d`` (``d ≥ 2``), integrated exactly: ``c`` has density ``∝ (1 − c²)^{(d−3)/2}`` on
    ``(−1, 1)``, i.e. ``c = sin θ`` with density ``∝ cos^{d−2} θ`` on ``(−π/2, π/2)``; the
    results are ``1/d`` and ``3/(d(d + 2))``."""
    t = sp.Symbol("θ", real=True)
    f = sp.cos(t) ** (d - 2)
    z = sp.integrate(f, (t, -sp.pi / 2, sp.pi / 2))
    return tuple(sp.nsimplify(sp.simplify(sp.integrate(sp.sin(t) ** k * f,
                                                       (t, -sp.pi / 2, sp.pi / 2)) / z))
                 for k in (2, 4))


def isotropic_kick(d: int, a0_over_uh, eps_a=1) -> sp.Expr:
    """The expected first inflation ``E[‖w‖²]/‖w₀‖² − 1`` of BNGD on ``H = λI`` from
    ``‖w₀‖ = ‖u‖``, ``w₀`` uniform in direction, as a multiple of ``x² = (ελ)²``: one step
    inflates by ``x²(a₀/‖u‖_H)²(1 − c²)`` (:func:`isotropic_step_identities`), so for
    ``a₀ ≠ 0`` it is ``(a₀/‖u‖_H)²(1 − E c²)``; for ``a₀ = 0`` the first step only sets
    ``a₁ = ε_a‖u‖_H c`` and the second inflates by ``x²ε_a²c²(1 − c²)``, expected
    ``ε_a²(E c² − E c⁴)``."""
    m2, m4 = direction_moments(d)
    r = sp.nsimplify(a0_over_uh)
    return sp.nsimplify(r**2 * (1 - m2) if r != 0 else sp.nsimplify(eps_a) ** 2 * (m2 - m4))


@cache
def isotropic_step_identities() -> tuple[ExactItem, ...]:
    """BNGD on ``H = λI`` (``d = 3``, general vectors): one step maps ``(a, r² = ‖w‖²,
    p = wᵀu)`` to ``a + ε_a(√λ p/r − a)``, ``r² + ε²a²λ(‖u‖² − p²/r²)/r²`` and
    ``p + (ε a√λ/r)(‖u‖² − p²/r²)`` — so the trajectory depends on ``d`` only through the
    starting angle — and the moments of that angle for ``d = 2 … 6``."""
    lam = sp.Symbol("λ", positive=True)
    a, eps, eps_a = sp.symbols("a ε ε_a", real=True)
    w, u = symbol_vector("w", 3, real=True), symbol_vector("u", 3, real=True)
    H = lam * sp.eye(3)
    a1, w1 = _bngd(H, H * u, a, w, eps, eps_a)
    r2, p, uu = (w.T * w)[0], (w.T * u)[0], (u.T * u)[0]
    r = sp.sqrt(r2)
    reduced = sp.Matrix([a + eps_a * (sp.sqrt(lam) * p / r - a),
                         r2 + eps**2 * a**2 * lam * (uu - p**2 / r2) / r2,
                         p + eps * a * sp.sqrt(lam) / r * (uu - p**2 / r2)])
    items = [identity("BNGD on λI in (a, ‖w‖², wᵀu)", sp.Matrix([a1, (w1.T * w1)[0],
                                                                   (w1.T * u)[0]]), reduced,
                      "on H = λI one BNGD step maps (a, ‖w‖², wᵀu) to functions of (a, ‖w‖², "
                      "wᵀu, ‖u‖²): the dimension enters only through the starting angle",
                      shown=sp.Eq(sp.Symbol("(a', ‖w'‖², w'ᵀu)"),
                                  sp.Symbol("F(a, ‖w‖², wᵀu; ‖u‖², λ, ε, ε_a)")),
                      assumptions="H = λI, λ > 0, w ≠ 0")]
    for d in range(2, 7):
        m2, m4 = direction_moments(d)
        items.append(identity(f"direction moments, d = {d}", sp.Matrix([m2, m4]),
                              sp.Matrix([sp.Rational(1, d), sp.Rational(3, d * (d + 2))]),
                              f"E[c²] = 1/{d}, E[c⁴] = 3/({d}·{d + 2}) for the cosine c of a "
                              f"uniform direction in R^{d} with a fixed vector"))
    return tuple(items)
