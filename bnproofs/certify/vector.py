"""Vector outputs (Section 2.3): the dual constraint of (11) evaluated exactly, and certified
brackets for (9)/(10)/(12) by column generation.

**The dual constraint.** For ``V ∈ R^{n×C}`` the constraint of (11)/(35) is ``c(V) ≤ β`` with::

    c(V) = max_{‖s‖=1} ‖Vᵀ (U' s)_+‖₂ = max_i max_{s ∈ K_i, ‖s‖=1} ‖Vᵀ D_i U' s‖₂,
    K_i = {s : (2D_i − I) U' s ≥ 0}.

On each cone the objective is the convex quadratic ``sᵀ M_i s``, ``M_i = U'ᵀ D_i V Vᵀ D_i U'``.
A maximiser lies in the relative interior of some face ``F`` of some ``K_i``; there it is a
critical point of the quadratic on the unit sphere of ``span F``, i.e. an eigenvector of the form
restricted to ``span F``. ``span F`` is a *flat* of the hyperplane arrangement
``{s : u_jᵀ s = 0}`` (an intersection of some of the hyperplanes), and the sign pattern on
``relint F`` is a region of the arrangement restricted to that flat. So
:func:`dual_constraint` enumerates every flat (subsets of at most ``r`` rows of ``U'``), the
regions on it (:func:`bnproofs.programs.arrangements.enumerate_arrangements` on the restricted rows), and
the eigenvectors of each restricted form, and evaluates the *true* function ``‖Vᵀ(U's)_+‖`` at
every candidate. Each candidate value is a lower bound on ``c(V)`` (any unit ``s`` is); the
enumeration makes the largest one equal to ``c(V)`` (up to eigen-solver round-off). A
degenerate eigenvalue does not lose the maximum: the eigenspace meets the boundary of the
(pointed) cone, and the maximum is then also attained on a smaller face.
When ``U'`` is square (``n ≤ d``, full row rank: ``U's`` ranges over the whole sphere) the same
reasoning in ``u = U's`` reduces to ``max_{u ≥ 0, ‖u‖=1} ‖Vᵀ u‖``, done by enumerating supports
(:func:`orthant_constraint`); ``‖V‖₂`` is always a rigorous upper bound.

**Lower bound (weak duality).** For any network on Θ_s, with ``a_j = (U' s_j)_+``,
``‖s_j‖ = 1``: ``½‖Σ a_j w_jᵀ − Y‖² ≥ ⟨V, Y⟩ − ½‖V‖² − Σ_j w_jᵀ Vᵀ a_j`` and
``w_jᵀVᵀa_j ≤ ‖w_j‖ c(V)``. So if ``c(tV) ≤ β``, ``−½‖tV − Y‖² + ½‖Y‖²`` is a lower bound on
(10) = (9), and by the same inequality on the atoms ``h gᵀ`` of ``‖·‖_{K_i,*}``, on (12).

**Upper bound (column generation).** Fixed unit cone vectors ``h_k`` give columns
``a_k = (U' h_k)_+``; the group lasso ``min_G ½‖A G − Y‖² + β Σ_k ‖g_k‖`` is (10) restricted to
those neurons and is feasible for (12) (``S_i = Σ_{k ∈ i} h_k g_kᵀ``, ``‖h gᵀ‖_{K_i,*} ≤ ‖g‖``).
Its residual ``V = Y − A G`` is a dual candidate; the argmax of ``c(V)`` is the next column.
The network with one neuron per column (:func:`network_from_columns`) is evaluated in the original
model (10), independent of the solver's number.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np

from bnproofs.certify.rebuild import first_layer
from bnproofs.data import InputError, Whitened, check_data
from bnproofs.nets.network import Layer, Net, objective_l1
from bnproofs.programs.arrangements import enumerate_arrangements

SOLVER = cp.CLARABEL
#: supports enumerated exactly by :func:`orthant_constraint` up to this n (2^n eigenproblems)
ORTHANT_MAX_N = 14
#: flats of at most this many rows are enumerated by :func:`flats` (C(n, ≤ r) subsets)
FLAT_MAX_SUBSETS = 20000


@dataclass
class ConstraintMax:
    """``c(V)`` with its maximiser and the best candidates (for column generation)."""

    value: float  # c(V), exact when ``exact``
    s: np.ndarray  # a unit maximiser in R^{r+1}
    upper: float  # a rigorous upper bound (= value when exact, else ‖V‖₂)
    exact: bool
    candidates: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # best first
    method: str = ""


def constraint_function(Uprime: np.ndarray, V: np.ndarray, S: np.ndarray) -> np.ndarray:
    """``‖Vᵀ (U' s)_+‖₂`` for each column ``s`` of ``S`` (k × N)."""
    A = np.maximum(Uprime @ S, 0.0)
    return np.linalg.norm(V.T @ A, axis=0)


def flats(Uprime: np.ndarray, tol: float = 1e-9) -> list[np.ndarray]:
    """Orthonormal bases (k × p, p ≥ 1) of every distinct intersection of the hyperplanes
    ``{s : u_jᵀ s = 0}`` (rows ``u_j`` of ``U'``), the whole space included."""
    n, k = Uprime.shape
    out, seen = [], set()
    count = 0
    for m in range(k):
        for subset in itertools.combinations(range(n), m):
            count += 1
            if count > FLAT_MAX_SUBSETS:
                raise InputError(f"too many flats to enumerate (n={n}, r+1={k})")
            if m == 0:
                B = np.eye(k)
            else:
                _, sv, Vt = np.linalg.svd(Uprime[list(subset)])
                rank = int(np.sum(sv > tol * max(1.0, sv[0])))
                if rank < m:  # dependent rows: the same flat comes from an independent subset
                    continue
                B = Vt[rank:].T
            if B.shape[1] == 0:
                continue
            key = np.round(B @ B.T, 8).tobytes()
            if key in seen:
                continue
            seen.add(key)
            out.append(B)
    return out


def _top_candidates(S: np.ndarray, vals: np.ndarray, keep: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-vals)
    picked, pv = [], []
    for j in order:
        s = S[:, j]
        if any(float(s @ p) > 1 - 1e-9 for p in picked):
            continue
        picked.append(s)
        pv.append(vals[j])
        if len(picked) >= keep:
            break
    return np.array(picked), np.array(pv)


def dual_constraint(Uprime: np.ndarray, V: np.ndarray, keep: int = 4) -> ConstraintMax:
    """``c(V) = max_{‖s‖=1} ‖Vᵀ(U's)_+‖₂`` exactly, by flats × regions × eigenvectors.

    Square ``U'`` (n ≤ d, full row rank) goes to :func:`orthant_constraint` in ``u = U's``.
    """
    Uprime = np.asarray(Uprime, dtype=float)
    V = np.asarray(V, dtype=float)
    if V.shape[0] != Uprime.shape[0] or V.ndim > 2 or not np.all(np.isfinite(V)):
        raise InputError(f"V must be a finite n×C matrix with n = {Uprime.shape[0]}, "
                         f"got shape {V.shape}")
    V = V.reshape(Uprime.shape[0], -1)
    n, k = Uprime.shape
    if k == n:
        om = orthant_constraint(V, keep=keep)
        cand = (Uprime.T @ om.candidates.T).T if om.candidates.size else om.candidates
        return ConstraintMax(om.value, Uprime.T @ om.s, om.upper, om.exact, cand, om.method)
    cands = []
    for B in flats(Uprime):
        M = Uprime @ B  # n × p
        for pattern in enumerate_arrangements(M):
            Q = V.T @ (pattern[:, None] * M)  # C × p
            _, E = np.linalg.eigh(Q.T @ Q)
            cands.append(B @ E)
            cands.append(-B @ E)
    S = np.hstack(cands)
    S = S / np.linalg.norm(S, axis=0, keepdims=True)
    vals = constraint_function(Uprime, V, S)
    top, tv = _top_candidates(S, vals, keep)
    return ConstraintMax(float(tv[0]), top[0], float(tv[0]), True, top, "flats")


def orthant_constraint(V: np.ndarray, keep: int = 4, max_n: int = ORTHANT_MAX_N) -> ConstraintMax:
    """``max_{u ≥ 0, ‖u‖ = 1} ‖Vᵀ u‖₂`` (= ``max_{‖u‖=1} ‖Vᵀ u_+‖₂``).

    Exact for ``n ≤ max_n``: a maximiser with support ``T`` is a (nonnegative) eigenvector of
    ``(V Vᵀ)_{TT}``; every support is tried and every eigenvector evaluated (as ``(±e)_+``,
    normalised — each a valid lower bound). For larger ``n`` the value is the best of the
    nonnegative candidates ``(±v_j)_+`` and ``(±top singular vector)_+``, and ``upper = ‖V‖₂``
    (rigorous: ``‖Vᵀu_+‖ ≤ ‖V‖₂‖u_+‖``); ``exact`` is then whether the two meet.
    """
    V = np.asarray(V, dtype=float)
    n = V.shape[0]
    G = V @ V.T
    spectral = float(np.sqrt(max(np.linalg.eigvalsh(G)[-1], 0.0))) if n else 0.0
    cols = []
    if n <= max_n:
        by_size: dict[int, list[tuple[int, ...]]] = {}
        for m in range(1, n + 1):
            by_size[m] = list(itertools.combinations(range(n), m))
        for m, subsets in by_size.items():
            idx = np.array(subsets)  # N × m
            Gs = G[idx[:, :, None], idx[:, None, :]]  # N × m × m
            _, E = np.linalg.eigh(Gs)  # N × m × m (columns eigenvectors)
            U = np.zeros((len(subsets), n, m))
            rows = np.repeat(np.arange(len(subsets)), m)
            U[rows, idx.ravel(), :] = E.reshape(-1, m)
            cols.append(U.transpose(1, 0, 2).reshape(n, -1))
    else:
        cols.append(V)
        cols.append(np.linalg.svd(V, full_matrices=False)[0][:, :1])
    S = np.hstack(cols)
    S = np.hstack([np.maximum(S, 0.0), np.maximum(-S, 0.0)])
    norms = np.linalg.norm(S, axis=0)
    S = S[:, norms > 0] / norms[norms > 0]
    vals = np.linalg.norm(V.T @ S, axis=0) if S.size else np.zeros(1)
    if not S.size:  # V = 0 or n = 0
        e = np.zeros(n)
        e[0] = 1.0
        return ConstraintMax(0.0, e, 0.0, True, e[None], "orthant")
    top, tv = _top_candidates(S, vals, keep)
    exact = n <= max_n or tv[0] >= spectral * (1 - 1e-12)
    upper = float(tv[0]) if n <= max_n else spectral
    return ConstraintMax(float(tv[0]), top[0], upper, bool(exact), top,
                         "orthant-supports" if n <= max_n else "orthant-spectral")


def dual_value(V: np.ndarray, Y: np.ndarray) -> float:
    """Dual objective of (11)/(35): ``−½‖V − Y‖_F² + ½‖Y‖_F²``."""
    return float(-0.5 * np.sum((V - Y) ** 2) + 0.5 * np.sum(Y * Y))


@dataclass
class VectorCertificate:
    lower_bound: float
    scale: float  # t applied to V
    constraint: float  # c(V) before scaling
    constraint_upper: float  # rigorous upper bound used for feasibility
    exact: bool
    V: np.ndarray  # the scaled, verified point
    s: np.ndarray  # maximiser of the constraint

    def as_dict(self) -> dict:
        return {"lower_bound": self.lower_bound, "scale": self.scale,
                "constraint": self.constraint, "constraint_upper": self.constraint_upper,
                "exact": self.exact}


def dual_certificate(Uprime, V, Y, beta) -> VectorCertificate:
    """Scale ``V`` into the feasible set of (11) by ``t = min(1, β / c⁺(V))`` (``c⁺`` the
    rigorous upper bound), re-evaluate the constraint at ``tV``, and return the lower bound."""
    Y = np.asarray(Y, dtype=float).reshape(Uprime.shape[0], -1)
    V = np.asarray(V, dtype=float).reshape(Y.shape)
    cm = dual_constraint(Uprime, V)
    t = 1.0 if cm.upper <= beta else beta / cm.upper
    Vt = t * V
    ct = dual_constraint(Uprime, Vt)
    if ct.upper > beta * (1 + 1e-12):
        raise RuntimeError(f"scaled dual point still infeasible: {ct.upper} > {beta}")
    return VectorCertificate(dual_value(Vt, Y), t, cm.value, cm.upper, cm.exact, Vt, cm.s)


# ----------------------------------------------------------------------------- upper bounds


def network_from_columns(W: Whitened, H: np.ndarray, G: np.ndarray) -> Net:
    """One neuron per unit cone vector ``h_k`` (rows of ``H``, length r+1), output row ``g_k``:
    the neuron's BN output is ``U' h_k`` (:func:`bnproofs.certify.rebuild.first_layer`, C.3), so it
    outputs ``(U' h_k)_+ g_kᵀ``."""
    H = np.asarray(H, dtype=float).reshape(-1, W.r + 1)
    G = np.asarray(G, dtype=float).reshape(H.shape[0], -1)
    if H.shape[0] == 0:
        d = W.Vt.shape[1]
        return Net([Layer(np.zeros((d, 1)), np.ones(1), np.zeros(1))], np.zeros((1, G.shape[1])))
    return Net([first_layer(W, H)], G.copy())


def restricted_master(A: np.ndarray, Y: np.ndarray, beta: float) -> tuple[np.ndarray, str, float]:
    """``min_G ½‖A G − Y‖_F² + β Σ_k ‖g_k‖₂`` with Clarabel: (G, status, solve seconds)."""
    K, C = A.shape[1], Y.shape[1]
    G = cp.Variable((K, C))
    obj = 0.5 * cp.sum_squares(A @ G - Y) + beta * cp.sum(cp.norm(G, 2, axis=1))
    prob = cp.Problem(cp.Minimize(obj), [])
    t0 = time.perf_counter()
    prob.solve(solver=SOLVER)
    return (G.value if G.value is not None else np.zeros((K, C))), prob.status, \
        time.perf_counter() - t0


def master_objective(A, G, Y, beta) -> float:
    """(10) at the restricted point, recomputed; also (12)'s objective at ``S_i = Σ h_k g_kᵀ``
    with ``‖h_k g_kᵀ‖_* = ‖g_k‖`` (an upper bound on the ``K_i``-norm term)."""
    R = A @ G - Y
    return 0.5 * float(np.sum(R * R)) + beta * float(np.linalg.norm(G, axis=1).sum())


def prune_columns(A: np.ndarray, G: np.ndarray, rel: float = 1e-7) -> np.ndarray:
    """Carathéodory: at most ``nC + 1`` nonzero rows of ``G`` with ``A G`` and ``Σ_k ‖g_k‖``
    unchanged (C.5's ``m* ≤ nC + 1``).

    Scaling row k by ``t_k ≥ 0`` scales its contribution ``(vec(a_k g_kᵀ), ‖g_k‖)`` linearly;
    among ``nC + 2`` active rows these vectors are dependent, ``Σ c_k (·)_k = 0`` with some
    ``c_k > 0``, and ``t_k = 1 − τ c_k`` with the largest ``τ`` keeping ``t ≥ 0`` zeroes a row.
    """
    G = np.array(G, dtype=float)
    n, C = A.shape[0], G.shape[1]
    norms = np.linalg.norm(G, axis=1)
    G[norms <= rel * norms.max(initial=0.0)] = 0.0
    while True:
        active = np.flatnonzero(np.linalg.norm(G, axis=1))
        if len(active) <= n * C + 1:
            return G
        group = active[: n * C + 2]
        M = np.array([np.r_[np.outer(A[:, k], G[k]).ravel(), np.linalg.norm(G[k])]
                      for k in group]).T
        c = np.linalg.svd(M)[2][-1]
        if c.max() <= 0:
            c = -c
        pos = c > 1e-12 * np.abs(c).max()
        tau = np.min(1.0 / c[pos])
        for k, ck in zip(group, c, strict=True):
            factor = 1.0 - tau * ck
            G[k] = 0.0 if factor <= 1e-12 else G[k] * factor


@dataclass
class VectorOptimum:
    lower: float  # verified dual-feasible value of (11)
    upper: float  # (10) of the network rebuilt from the columns, evaluated in the model
    master: float  # restricted master value recomputed at the solver's point ((12) upper bound)
    certificate: VectorCertificate
    network: Net
    H: np.ndarray
    G: np.ndarray
    iterations: int
    columns: int
    active: int  # columns with a nonzero output row
    statuses: list[str]
    constraint_over_beta: float  # c(V)/β at the last residual
    history: list[tuple[float, float]]  # (lower, upper) per iteration
    solve_s: float
    method: str

    @property
    def width(self) -> float:
        return self.upper - self.lower


def certified_vector_optimum(X, Y, beta, W: Whitened, *, max_iter: int = 40,
                             rtol: float = 1e-9, add: int = 4) -> VectorOptimum:
    """Bracket ``[lower, upper]`` for (9) = (10) and for (12), by column generation."""
    X, Y, beta = check_data(X, Y, beta)
    Y = Y.reshape(X.shape[0], -1)
    U = W.Uprime
    cm = dual_constraint(U, Y, keep=add)
    H = cm.candidates.copy()
    best_lo, best_V = dual_value(np.zeros_like(Y), Y), np.zeros_like(Y)  # V = 0 is feasible
    history, statuses = [], []
    t_solve = 0.0
    G = np.zeros((H.shape[0], Y.shape[1]))
    ratio = cm.value / beta
    for _ in range(max_iter):
        A = np.maximum(U @ H.T, 0.0)
        G, status, dt = restricted_master(A, Y, beta)
        statuses.append(status)
        t_solve += dt
        Vres = Y - A @ G
        cm = dual_constraint(U, Vres, keep=add)
        ratio = cm.value / beta
        t = 1.0 if cm.upper <= beta else beta / cm.upper
        lo = dual_value(t * Vres, Y)
        if lo > best_lo:
            best_lo, best_V = lo, Vres
        up = master_objective(A, G, Y, beta)
        history.append((best_lo, up))
        if ratio <= 1 + rtol or up - best_lo <= rtol * max(1.0, abs(up)):
            break
        new = [h for h in cm.candidates
               if constraint_function(U, Vres, h[:, None])[0] > beta
               and np.all(H @ h < 1 - 1e-9)]
        if not new:
            break
        H = np.vstack([H, np.array(new)])
    best_cert = dual_certificate(U, best_V, Y, beta)  # re-evaluated and rechecked from scratch
    G = np.vstack([G, np.zeros((H.shape[0] - G.shape[0], Y.shape[1]))])  # columns not yet solved
    A = np.maximum(U @ H.T, 0.0)
    net = network_from_columns(W, H, G)
    upper = objective_l1(net, X, Y, beta)
    gn = np.linalg.norm(G, axis=1)
    return VectorOptimum(
        lower=best_cert.lower_bound, upper=upper, master=master_objective(A, G, Y, beta),
        certificate=best_cert, network=net, H=H, G=G, iterations=len(statuses), columns=H.shape[0],
        active=int(np.sum(gn > 1e-7 * max(gn.max(initial=0.0), 1e-300))),
        statuses=statuses, constraint_over_beta=ratio, history=history, solve_s=t_solve,
        method=cm.method)
