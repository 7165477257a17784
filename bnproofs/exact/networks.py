"""Exact objectives of small networks of [E] (sympy), for counterexamples that are proved.

A counterexample to an optimality claim is two numbers: the objective of the printed form and
the objective of a real network (or a verified lower bound). Here both are computed in exact
arithmetic from small rational data. Parameters are sympy numbers — rationals, or algebraic
numbers where a unit vector needs a square root (``γ = α = 1/√2``) — and every value is
simplified; :func:`proved_above` decides a comparison only where sympy decides it exactly.

Models, with BN of eq. (2), ``BN_{γ,α}(z) = γ Πz/‖Πz‖ + α/√n · 1``
(:func:`bnproofs.exact.symbolic.bn`):

* the deep network of (3)/(4): ``A^(0) = X``, ``A^(l) = (BN_{γ^(l),α^(l)}(A^(l−1) W^(l)))_+``,
  ``f = A^(L−1) w^(L)``; objective (4) ``½‖f − y‖² + β‖w^(L)‖₁`` on Θ_s;
* BN after the ReLU (45): ``f = Σ_j BN_{γ_j,α_j}((X w_j)_+) w_j^(2)``, the same objective.

A BN of a column with ``Πz = 0`` is 0/0 in (2): :func:`bn_columns` raises :class:`Undefined`
rather than choosing a convention.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from bnproofs.exact.symbolic import bn, centre, norm, relu


class Undefined(ArithmeticError):
    """A formula evaluates to 0/0 on the instance (the reason is the message)."""


def number(x):
    """An exact sympy number from an int, a Fraction, a string (``"3/2"``, ``"sqrt(2)/2"``) or
    a sympy number; a float is refused (it would carry its rounding into the proof)."""
    if isinstance(x, sp.Basic):
        return x
    if isinstance(x, Fraction):
        return sp.Rational(x.numerator, x.denominator)
    if isinstance(x, float):
        raise TypeError(f"exact data only, got the float {x!r}")
    return sp.sympify(str(x), rational=True)


def matrix(rows) -> sp.Matrix:
    """An exact matrix from nested lists (a flat list is a column)."""
    rows = list(rows)
    if rows and not isinstance(rows[0], (list, tuple)):
        return sp.Matrix([number(e) for e in rows])
    return sp.Matrix([[number(e) for e in row] for row in rows])


def bn_columns(Z: sp.Matrix, gamma, alpha) -> sp.Matrix:
    """BN of eq. (2) on each column of ``Z`` with its own ``(γ_j, α_j)``. A constant column
    (``Πz = 0``) is 0/0 in (2): with ``γ_j = 0`` exactly the 0/0 multiplies a zero weight and the
    column is ``α_j/√n · 1`` (the convention of :mod:`bnproofs.nets.bn`, said where used);
    otherwise :class:`Undefined`."""
    cols = []
    for j in range(Z.cols):
        z = Z[:, j]
        if all(sp.simplify(e) == 0 for e in centre(z)):
            if gamma[j] != 0:
                raise Undefined(f"column {j + 1} of the BN input is constant: Πz = 0 and "
                                f"γ_{j + 1} ≠ 0, BN is 0/0")
            cols.append(alpha[j] / sp.sqrt(z.rows) * sp.ones(z.rows, 1))
            continue
        cols.append(bn(z, gamma[j], alpha[j]).applyfunc(sp.radsimp))
    return sp.Matrix.hstack(*cols)


def on_circle(gamma, alpha) -> bool:
    """Every ``γ_j² + α_j² = 1`` exactly (the constraint of Θ_s)."""
    return all(sp.simplify(g**2 + a**2 - 1) == 0 for g, a in zip(gamma, alpha, strict=True))


def _objective(f: sp.Matrix, y: sp.Matrix, w_out, beta):
    r = f - y
    return sp.nsimplify(sp.radsimp(sp.expand(
        sum(e**2 for e in r) / 2 + beta * sum(sp.Abs(w) for w in w_out))))


def deep_forward(X: sp.Matrix, layers, w_out) -> sp.Matrix:
    """``f = A^(L−1) w^(L)`` for ``layers = [(W, γ, α), ...]`` (the model of (3)/(4))."""
    A = X
    for W, gamma, alpha in layers:
        A = relu(bn_columns(A * W, gamma, alpha)).applyfunc(sp.radsimp)
    return A * sp.Matrix(w_out)


def deep_objective(X, layers, w_out, y, beta):
    """Objective (4) of the deep network, exactly; ``ValueError`` off Θ_s. A last layer
    ``None`` (no neuron) is the zero network: ``½‖y‖²``."""
    if layers[-1] is None:
        return _objective(sp.zeros(y.rows, 1), y, [], beta)
    if not on_circle(*layers[-1][1:]):
        raise ValueError("the last BN layer is not on Θ_s (γ² + α² ≠ 1)")
    return _objective(deep_forward(X, layers, w_out), y, w_out, beta)


def relu_bn_objective(X, W, gamma, alpha, w_out, y, beta):
    """Objective (45) of ``Σ_j BN_{γ_j,α_j}((X w_j)_+) w_j^(2)``, exactly; ``ValueError`` off
    Θ_s."""
    if not on_circle(gamma, alpha):
        raise ValueError("the BN layer is not on Θ_s (γ² + α² ≠ 1)")
    H = bn_columns(relu(X * W), gamma, alpha)
    return _objective(H * sp.Matrix(w_out), y, w_out, beta)


def label_parts(y: sp.Matrix) -> list[sp.Matrix]:
    """``((−1)^j y)_+`` for ``j = 1, 2``: the negative part, then the positive part."""
    return [relu((-1) ** j * y) for j in (1, 2)]


def theorem_2_1_layer(A: sp.Matrix, y: sp.Matrix, beta, corrected: bool = False):
    """Theorem 2.1's last two layers on data ``A`` (Theorem 4.1: ``A = A^(L−2)``), exactly:
    ``((W, γ, α), w_out)`` with, for ``j = 1, 2`` and ``p_j = ((−1)^j y)_+``,
    ``w_j = A† p_j``, ``[γ_j; α_j] = [‖Πp_j‖; 1ᵀp_j/√n]/‖p_j‖`` and output weight
    ``(−1)^j (‖p_j‖ − β)`` as printed. ``corrected``: the case split of Appendix C.2 — the neuron
    only where ``β < ‖p_j‖`` (``(None, [])`` if none: the zero network). As printed, an empty part
    ``p_j = 0`` raises :class:`Undefined` (its γ_j, α_j are 0/0)."""
    Ap = A.pinv()
    cols, gam, alp, out = [], [], [], []
    for j, p in zip((1, 2), label_parts(y), strict=True):
        size = norm(p)
        if corrected and not size > beta:
            continue
        if size == 0:
            raise Undefined(f"((−1)^{j} y)_+ = 0: γ_{j} = ‖Π·0‖/‖0‖ and α_{j} = 1ᵀ0/(√n‖0‖) "
                            "are 0/0")
        cols.append(Ap * p)
        gam.append(sp.radsimp(norm(centre(p)) / size))
        alp.append(sp.radsimp(sum(p) / sp.sqrt(p.rows) / size))
        out.append((-1) ** j * (size - beta))
    if not cols:
        return None, []  # no neuron: the zero network
    return (sp.Matrix.hstack(*cols), gam, alp), out


def lemma_c1_dual(y: sp.Matrix, beta) -> sp.Matrix:
    """Lemma C.1's ``v*``: each part contributes ``β p/‖p‖`` if ``β ≤ ‖p‖``, else ``p``."""
    v = sp.zeros(y.rows, 1)
    for sgn, p in zip((-1, 1), label_parts(y), strict=True):
        size = norm(p)
        v += sgn * (beta * p / size if size != 0 and beta <= size else p)
    return v


def sphere_dual_value(v: sp.Matrix, y: sp.Matrix, beta) -> tuple:
    """``(−½‖v − y‖² + ½‖y‖², feasible)``: the dual objective of (5)/(7) at ``v`` and whether
    ``max(‖v_+‖, ‖(−v)_+‖) ≤ β`` — which bounds ``|vᵀ u_+|`` over every unit ``u``, hence over
    every BN output on Θ_s whatever the earlier layers: a lower bound on (4) for any depth."""
    value = sp.nsimplify(sp.radsimp(-sum(e**2 for e in v - y) / 2 + sum(e**2 for e in y) / 2))
    feasible = all(bool(sum(e**2 for e in relu(s * v)) <= beta**2) for s in (1, -1))
    return value, feasible


def proved_above(a, b) -> bool:
    """``a > b`` decided exactly (both rational, or sympy decides the sign of ``a − b``)."""
    d = sp.nsimplify(sp.radsimp(a - b))
    return bool(d.is_positive) if d.is_positive is not None else False


def as_text(x) -> str:
    """A number as a string: ``p/q`` for rationals, sympy's form otherwise."""
    x = sp.nsimplify(x)
    return str(x) if x.is_Rational else sp.sstr(x)


def last_two_layers(X, prefix, y, beta) -> dict:
    """Theorem 4.1 on one instance, exactly: ``A = A^(L−2)`` from the ``prefix`` layers on ``X``,
    objective (4) of the deep network topped by the printed last two layers (or the reason it is
    undefined), of the corrected form, and the dual value at Lemma C.1's ``v*`` with its
    feasibility — the corrected form is optimal when the two values are equal."""
    X, y, beta = matrix(X), matrix(y), number(beta)
    A = X
    for W, gamma, alpha in prefix:
        A = relu(bn_columns(A * W, gamma, alpha)).applyfunc(sp.radsimp)
    out = {"A": A, "rank_A": A.rank(), "n": y.rows}
    try:
        top, w = theorem_2_1_layer(A, y, beta)
        out["printed"] = deep_objective(X, [*prefix, top], w, y, beta)
    except Undefined as exc:
        out["printed"], out["undefined"] = None, str(exc)
    top, w = theorem_2_1_layer(A, y, beta, corrected=True)
    out["corrected"] = deep_objective(X, [*prefix, top], w, y, beta)
    out["dual"], out["dual_feasible"] = sphere_dual_value(lemma_c1_dual(y, beta), y, beta)
    return out
