"""Closed forms of [E] evaluated exactly (sympy) on small rational instances.

A printed closed form is refuted on an instance by exact numbers: the objective (6) of the
printed network, computed by an exact forward pass (BN of eq. (2), ReLU, output weights), above
the exact objective of another network, or undefined (an exact 0/0 in a BN parameter). The
optimum itself is pinned by a dual point whose feasibility is checked exactly.

Dual feasibility for (7) when ``n ≤ d`` and ``rank [X, 1] = n``: then ``U'`` is square and
orthogonal, ``U's`` ranges over the whole unit sphere of ``R^n``, and the constraint of (7) is
``max_{‖u‖=1} |vᵀ(u)_+| = max(‖(v)_+‖, ‖(−v)_+‖) ≤ β`` (the maximum of ``vᵀu_+`` over unit
``u`` is at ``u = (v)_+/‖(v)_+‖``). Both conditions are decided in exact arithmetic, so the dual
value ``−½‖v − y‖² + ½‖y‖²`` is an exact lower bound on (6).

Conventions: BN's normalised part of a constant column (``Πz = 0``) is 0, as in
:mod:`bnproofs.nets.bn`; a BN parameter ``0/0`` is ``nan`` and makes the objective ``nan``.
"""

from __future__ import annotations

import sympy as sp

from bnproofs.exact.symbolic import centre, norm, ones, relu


def rational_matrix(rows) -> sp.Matrix:
    """Integer or rational data (nested tuples, strings allowed) as an exact matrix."""
    return sp.Matrix([[sp.Rational(e) for e in row] for row in rows])


def rational_vector(entries) -> sp.Matrix:
    return sp.Matrix([sp.Rational(e) for e in entries])


def pinv(X: sp.Matrix) -> sp.Matrix:
    """``X† = Xᵀ(XXᵀ)⁻¹`` for full row rank ``X``."""
    return X.T * (X * X.T).inv()


def bn_exact(z: sp.Matrix, gamma, alpha) -> sp.Matrix:
    """BN of eq. (2), ``Πz/‖Πz‖ γ + α/√n 1``, with the normalised part 0 where ``Πz = 0``."""
    c = centre(z)
    unit = c * 0 if all(e == 0 for e in c) else c / norm(c)
    return unit * gamma + alpha / sp.sqrt(z.rows) * ones(z.rows)


def bn_params_exact(p: sp.Matrix):
    """``[γ; α] = 1/‖p‖ [‖Πp‖; 1ᵀp/√n]`` as printed: ``nan`` (0/0) where ``p = 0``."""
    r = norm(p)
    if r == 0:
        return sp.nan, sp.nan
    return norm(centre(p)) / r, sum(p) / sp.sqrt(p.rows) / r


def objective_6(X, y, beta, neurons) -> sp.Expr:
    """(6) of a two-layer network ``[(w, γ, α, w₂), ...]``: ``½‖Σ_j (BN(Xw_j))_+ w₂_j − y‖² +
    β Σ_j |w₂_j|`` — ``nan`` if any parameter is."""
    pred = sp.zeros(X.rows, 1)
    pen = sp.Integer(0)
    for w, g, a, w2 in neurons:
        if sp.nan in (g, a, w2):
            return sp.nan
        pred += relu(bn_exact(X * w, g, a)) * w2
        pen += sp.Abs(w2)
    r = pred - y
    return sp.nsimplify(sp.simplify((r.T * r)[0] / 2 + beta * pen))


def theorem_2_1_neurons(X, y, beta, corrected: bool = False) -> list[tuple]:
    """Theorem 2.1's neurons for j = 1, 2 (part ``((−1)^j y)_+``, weight
    ``(−1)^j(‖((−1)^j y)_+‖ − β)``); ``corrected``: Appendix C.2's case split (the neuron only
    where ``β < ‖((−1)^j y)_+‖``)."""
    Xp = pinv(X)
    out = []
    for j in (1, 2):
        part = relu((-1) ** j * y)
        if corrected and norm(part) <= beta:
            continue
        g, a = bn_params_exact(part)
        out.append((Xp * part, g, a, (-1) ** j * (norm(part) - beta)))
    return out


def lemma_c1_dual_exact(y, beta) -> sp.Matrix:
    """Lemma C.1's ``v*``: each sign part ``p`` contributes ``±β p/‖p‖`` if ``β ≤ ‖p‖``, else
    ``±p``."""
    v = sp.zeros(y.rows, 1)
    for sgn in (1, -1):
        p = relu(sgn * y)
        r = norm(p)
        v += sgn * (beta * p / r if r != 0 and beta <= r else p)
    return v


def sphere_dual_feasible(X, v, beta) -> bool:
    """Exact dual feasibility of ``v`` for (7) when ``rank [X, 1] = n`` (module docstring)."""
    A = X.row_join(ones(X.rows))
    parts = [relu(v), relu(-v)]
    return A.rank() == X.rows and all(sp.simplify((p.T * p)[0] - beta**2) <= 0 for p in parts)


def dual_value_exact(v, y) -> sp.Expr:
    """Dual objective of (7): ``−½‖v − y‖² + ½‖y‖²``."""
    r = v - y
    return sp.nsimplify(sp.simplify(-(r.T * r)[0] / 2 + (y.T * y)[0] / 2))


def theorem_2_1_exact(X_rows, y_entries, beta_value) -> dict:
    """Theorem 2.1 on a rational instance, exactly: the printed and the corrected networks'
    objectives (6), the printed output weights, Lemma C.1's dual value and its exact
    feasibility. ``printed`` is ``nan`` where the printed form is 0/0."""
    X, y, beta = rational_matrix(X_rows), rational_vector(y_entries), sp.Rational(beta_value)
    v = lemma_c1_dual_exact(y, beta)
    printed = theorem_2_1_neurons(X, y, beta)
    return {"printed": objective_6(X, y, beta, printed),
            "printed_weights": [w2 for *_, w2 in printed],
            "printed_undefined": [bool(g is sp.nan) for _, g, _, _ in printed],
            "corrected": objective_6(X, y, beta, theorem_2_1_neurons(X, y, beta, True)),
            "dual": dual_value_exact(v, y), "dual_feasible": sphere_dual_feasible(X, v, beta)}
