"""Hyperplane arrangements ``D_i = diag(1[U' s ≥ 0])`` over ``s ∈ R^{r+1}`` (B.4, Theorem 2.2).

Exact enumeration (:func:`enumerate_arrangements`). The patterns are the regions of the central
arrangement of the hyperplanes ``{s : u_jᵀ s = 0}`` (rows ``u_j`` of ``U'``). Every pattern,
boundary ones included, is the pattern of an open region: on a face where the rows in ``T`` vanish
there is a direction δ with ``u_jᵀ δ > 0`` for all ``j ∈ T`` (Gordan: ``Σ λ_j u_j = 0`` with
``λ ≥ 0`` is impossible because the last coordinate of every row of ``U'`` is ``1/√n > 0``),
so the ``≥`` in ``1[·]`` never creates extra patterns. Each region of an essential arrangement
in ``R^k`` has a ray (an intersection of ``k-1`` independent hyperplanes) in its closure, and the
regions that touch a ray ``z`` are the sign patterns fixed by ``U' z`` off the rows ``T`` that
vanish on ``z``, combined with the regions of the arrangement of ``T`` (a smaller instance,
enumerated recursively). So enumerating the rays of all ``(k-1)``-subsets is exhaustive.
For rows in general position this gives Cover's count ``2 Σ_{i<k} C(n-1, i)``.

An independent second algorithm (:func:`enumerate_arrangements_lp`, incremental, one LP per
candidate) exists to cross-check the first in tests and in the claims.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.optimize import linprog

TIE = 1e-10  # |u_jᵀ z| ≤ TIE · ‖u_j‖ · ‖z‖ counts as "on the hyperplane"


def cover_count(n: int, k: int) -> int:
    """Cover (1965): dichotomies of n points in general position in R^k by central hyperplanes."""
    return 2 * sum(math.comb(n - 1, i) for i in range(k))


def paper_bound(n: int, r: int) -> float:
    """The bound quoted in [E] (Section 2.2, B.4): ``P ≤ 2r (e(n−1)/r)^r``."""
    if r == 0:
        return 2.0
    return 2 * r * (math.e * (n - 1) / r) ** r


def general_position(Uprime: np.ndarray, tol: float = 1e-9) -> bool:
    """Every ``(r+1)``-subset of rows of ``U'`` linearly independent (smallest singular value
    above ``tol``): the condition under which the count is exactly :func:`cover_count`."""
    n, k = Uprime.shape
    for subset in itertools.combinations(range(n), k):
        if np.linalg.svd(Uprime[list(subset)], compute_uv=False)[-1] < tol:
            return False
    return True


def rows_in_general_position(M: np.ndarray, tol: float = 1e-9) -> bool:
    """The rows of ``M`` (n × d, rank r) in general position in their span: every r of them
    independent (:func:`general_position` of their coordinates in an orthonormal basis of the
    row space) — the condition for the central arrangement of ``{w : m_jᵀ w = 0}`` to have
    exactly :func:`cover_count` ``(n, r)`` regions."""
    return general_position(_row_space(np.asarray(M, dtype=float)), tol)


def _row_space(M: np.ndarray) -> np.ndarray:
    """Coordinates of the rows of M in an orthonormal basis of their span (rank-revealing)."""
    _, s, Vt = np.linalg.svd(M, full_matrices=False)
    k = int(np.sum(s > max(M.shape) * np.finfo(float).eps * (s[0] if s.size else 0) * 1e3))
    return M @ Vt[:k].T


def _regions(M: np.ndarray) -> set[bytes]:
    """Sign patterns (1 = positive) of the open regions of the arrangement of the rows of M."""
    n = M.shape[0]
    norms = np.linalg.norm(M, axis=1)
    zero = norms <= 1e-14 * max(1.0, norms.max(initial=0.0))
    if zero.all():
        return {np.ones(n, dtype=np.uint8).tobytes()}
    B = _row_space(M[~zero])
    k = B.shape[1]
    idx = np.flatnonzero(~zero)
    out: set[bytes] = set()

    def emit(partial: np.ndarray):
        full = np.ones(n, dtype=np.uint8)  # rows identically 0 satisfy u_jᵀs ≥ 0 always
        full[idx] = partial
        out.add(full.tobytes())

    Bn = B / np.linalg.norm(B, axis=1, keepdims=True)
    if k == 1:
        for sgn in (1.0, -1.0):
            emit((sgn * Bn[:, 0] > 0).astype(np.uint8))
        return out
    seen_rays: set[bytes] = set()
    for subset in itertools.combinations(range(B.shape[0]), k - 1):
        S = Bn[list(subset)]
        _, s, Vt = np.linalg.svd(S)
        if s[-1] < 1e-9:  # subset not independent: no ray
            continue
        z = Vt[-1]
        for sgn in (1.0, -1.0):
            vals = sgn * (Bn @ z)
            tied = np.abs(vals) <= TIE
            key = np.where(tied, 2, (vals > 0)).astype(np.uint8).tobytes()
            if key in seen_rays:
                continue
            seen_rays.add(key)
            base = (vals > 0).astype(np.uint8)
            T = np.flatnonzero(tied)
            if len(T) == k - 1:
                combos = itertools.product((0, 1), repeat=len(T))
                for c in combos:
                    base[T] = c
                    emit(base.copy())
            else:  # degenerate ray: the local arrangement is a smaller instance
                for pat in _regions(B[T]):
                    base[T] = np.frombuffer(pat, dtype=np.uint8)
                    emit(base.copy())
    return out


def enumerate_arrangements(Uprime: np.ndarray) -> np.ndarray:
    """All distinct ``1[U' s ≥ 0]`` as a boolean array ``(P, n)``, sorted lexicographically."""
    pats = _regions(np.asarray(Uprime, dtype=float))
    D = np.array([np.frombuffer(p, dtype=np.uint8) for p in pats], dtype=bool)
    order = np.lexsort(D.T[::-1])
    return D[order]


def _strictly_feasible(M: np.ndarray, signs: np.ndarray) -> bool:
    """Is there s with ``signs_j u_jᵀ s ≥ t > 0`` for all j? (LP: max t, |s|∞ ≤ 1, t ≤ 1)."""
    k = M.shape[1]
    A = np.hstack([-(signs[:, None] * M), np.ones((M.shape[0], 1))])
    res = linprog(
        c=np.r_[np.zeros(k), -1.0],
        A_ub=A,
        b_ub=np.zeros(M.shape[0]),
        bounds=[(-1, 1)] * k + [(None, 1)],
        method="highs",
    )
    return res.status == 0 and -res.fun > 1e-9


def enumerate_arrangements_lp(Uprime: np.ndarray) -> np.ndarray:
    """Independent incremental enumeration: extend each region by one hyperplane at a time,
    keeping the sign choices an LP finds strictly feasible. Slow; for cross-checks only."""
    M = np.asarray(Uprime, dtype=float)
    regions = [np.array([], dtype=float)]
    for j in range(M.shape[0]):
        nxt = []
        for reg in regions:
            for sgn in (1.0, -1.0):
                cand = np.r_[reg, sgn]
                if _strictly_feasible(M[: j + 1], cand):
                    nxt.append(cand)
        regions = nxt
    D = np.array([r > 0 for r in regions], dtype=bool)
    order = np.lexsort(D.T[::-1])
    return D[order]


def sample_arrangements(Uprime: np.ndarray, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Distinct patterns ``1[U' g ≥ 0]`` for Gaussian gates ``g ~ N(0, I)`` (as public
    convex-network code samples them)."""
    G = rng.standard_normal((Uprime.shape[1], samples))
    D = (Uprime @ G >= 0).T
    D = np.unique(D, axis=0)
    return D


def contains(D_all: np.ndarray, D: np.ndarray) -> np.ndarray:
    """Which rows of ``D`` appear in ``D_all``."""
    keys = {row.tobytes() for row in np.ascontiguousarray(D_all, dtype=bool)}
    return np.array([row.tobytes() in keys for row in np.ascontiguousarray(D, dtype=bool)])
