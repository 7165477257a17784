"""Program (46) of [E] (Appendix G): two-layer networks with BN *after* the ReLU as a cone program.

**Arrangements.** A neuron's pattern is ``D = diag(1[X w ≥ 0])``: the arrangements of ``X``
itself (no constant column, no bias), :func:`bnproofs.programs.arrangements.enumerate_arrangements` of
``X``; Cover's count ``2 Σ_{k<r} C(n−1, k)`` with ``r = rank X`` for rows in general position.
Every ``w`` lies in the *closed* cone ``C_D = {w : (2D − I) X w ≥ 0}`` of some open region ``D``,
so the closed cones of the listed patterns cover ``R^d``.

**Program (46) as printed.** With the compact SVD ``Π D_i X = U_i Σ_i V_iᵀ`` (``Π = I − 11ᵀ/n``,
rank ``r_i``), ``U_i' = [U_i, 1/√n · 1]``: ``A_i = U_i'``, and the cone acts on ``s_{i,1:r_i}``
through ``G_i = (2D_i − I) X V_i Σ_i⁻¹`` (zero column for the last entry). Here all blocks are
padded to ``k = max_i r_i + 1`` columns with the constant column last. ``r_i = 0``
(``Π D_i X = 0``: no active row, or the active rows of ``X w`` constant) leaves only the constant
direction, unconstrained. For a neuron of pattern ``D_i``: ``Π (X w)_+ = Π D_i X w = U_i q`` with
``q = Σ_i V_iᵀ w``; ``BN = γ U_i q/‖q‖ + α/√n 1 = U_i' s`` for ``s = [γ q/‖q‖; α]``, ‖s‖ = 1.

**The exact cone.** The set of ``q`` a neuron of pattern ``D_i`` can realise is
``K_i = {Σ_i V_iᵀ w : (2D_i − I) X w ≥ 0}``. (46) only allows ``w = V_i Σ_i⁻¹ q`` (``w`` in the
row space of ``Π D_i X``); but ``w = V_i Σ_i⁻¹ q + N_i z`` with ``N_i`` a basis of
``null(Π D_i X)`` gives the same ``q`` and the same BN output, and ``z`` can move the *inactive*
rows ``X_{S^c} w`` (``null(Π D_i X) = null(X_S)`` when some row is inactive, so ``z`` is free
whenever ``rank X_S < rank X``) — and, for ``D_i = I`` with ``1 ∈ range X``, shift every row.
Eliminating ``z`` (Farkas): with ``E_i = (2D_i − I) X V_i Σ_i⁻¹`` and ``B_i = (2D_i − I) X N_i``,
``q ∈ K_i ⇔ μᵀ E_i q ≥ 0`` for every extreme ray ``μ`` of ``{μ ≥ 0 : B_iᵀ μ = 0}``. Extreme
rays are the nonnegative null vectors of minimal support (enumerated over supports, small ``n``
only); ``B_i = 0`` gives the unit vectors, i.e. the printed constraint. ``program_46(...,
cone="exact")`` uses these rows: the printed feasible set is a subset of the exact one, so the
printed program can only be larger. A missed ray would only enlarge the set, so its dual bound
remains a valid lower bound on (45).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from bnproofs.data import InputError
from bnproofs.programs.cone import ConeProgram

CONES = ("printed", "exact")


@dataclass
class Block:
    """Per-arrangement data: ``w = VSinv @ h + N @ z``; ``E``/``B`` the pattern constraint."""

    r: int
    VSinv: np.ndarray  # d × r
    N: np.ndarray  # d × (d − r), basis of null(Π D X)
    E: np.ndarray  # n × r, (2D − I) X V Σ⁻¹
    B: np.ndarray  # n × (d − r), (2D − I) X N


@dataclass
class Program46:
    prog: ConeProgram
    blocks: list[Block]
    cone: str
    D: np.ndarray

    @property
    def rank_deficient(self) -> int:
        """Arrangements with ``r_i`` below the largest ``r_j`` (``Π D_i X = 0`` included)."""
        rx = max((b.r for b in self.blocks), default=0)
        return sum(b.r < rx for b in self.blocks)

    @property
    def zero_blocks(self) -> int:
        """Arrangements with ``Π D_i X = 0``: only the constant direction ``1/√n`` remains."""
        return sum(b.r == 0 for b in self.blocks)


def _rank_tol(X: np.ndarray) -> float:
    return 1e-10 * max(1.0, float(np.linalg.norm(X, 2)))


def _orth(M: np.ndarray, tol: float) -> np.ndarray:
    if M.size == 0:
        return np.zeros((M.shape[0], 0))
    U, s, _ = np.linalg.svd(M, full_matrices=False)
    return U[:, s > tol]


def extreme_rays(Q: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Extreme rays (rows) of ``{μ ≥ 0 : Qᵀ μ = 0}`` for ``Q`` n × t with orthonormal columns:
    the nonnegative null vectors of ``Q_Tᵀ`` of minimal support ``T`` (``|T| ≤ t + 1``)."""
    n, t = Q.shape
    rays = []
    for size in range(1, t + 2):
        for T in itertools.combinations(range(n), size):
            M = Q[list(T)].T  # t × |T|
            _, s, Vt = np.linalg.svd(M, full_matrices=True) if t else (None, np.zeros(0),
                                                                         np.eye(size))
            nullity = size - int(np.sum(s > tol))
            if nullity != 1:
                continue
            u = Vt[-1]
            if np.all(u > tol) or np.all(u < -tol):
                mu = np.zeros(n)
                mu[list(T)] = np.abs(u) / np.abs(u).max()
                rays.append(mu)
    return np.array(rays).reshape(-1, n)


def centred_pattern(X: np.ndarray, Di: np.ndarray) -> np.ndarray:
    """``Π D_i X``: the rows of the pattern's active set, de-meaned (BN centres the ReLU's
    output ``D_i X w`` over the batch)."""
    PDX = Di[:, None] * X
    return PDX - PDX.mean(axis=0)


def program_46(X, D, y, beta, cone: str = "printed") -> Program46:
    """Program (46) for the arrangements ``D`` of ``X`` (P × n booleans); ``cone="exact"`` uses
    the exact projected cone ``K_i`` (module docstring) instead of the printed one."""
    if cone not in CONES:
        raise InputError(f"cone must be one of {CONES}")
    X = np.asarray(X, dtype=float)
    D = np.asarray(D, dtype=bool)
    n, d = X.shape
    tol = _rank_tol(X)
    blocks, Gs = [], []
    for Di in D:
        S = (2.0 * Di - 1.0)[:, None]
        U, s, Vt = np.linalg.svd(centred_pattern(X, Di), full_matrices=True)
        r = int(np.sum(s > tol))
        VSinv = Vt[:r].T / s[:r]
        N = Vt[r:].T
        blk = Block(r, VSinv, N, S * (X @ VSinv), S * (X @ N))
        blocks.append((blk, U[:, :r]))
        if cone == "printed":
            Gs.append(blk.E)
        else:
            mus = extreme_rays(_orth(blk.B, tol))
            Gs.append(mus @ blk.E)
    k = max((b.r for b, _ in blocks), default=0) + 1
    m = max((g.shape[0] for g in Gs), default=0)
    P = len(D)
    A = np.zeros((P, n, k))
    G = np.zeros((P, m, k))
    for i, ((blk, Ui), Gi) in enumerate(zip(blocks, Gs, strict=True)):
        A[i, :, : blk.r] = Ui
        A[i, :, -1] = 1.0 / math.sqrt(n)
        G[i, : Gi.shape[0], : blk.r] = Gi
    return Program46(ConeProgram(A, G, y, beta), [b for b, _ in blocks], cone, D)
