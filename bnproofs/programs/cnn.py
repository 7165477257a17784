"""Program (15) of [E] (Theorem 3.1): the two-layer CNN with BN as a cone program.

The patches ``X_k ∈ R^{n×h}`` of a convolution (:func:`bnproofs.nets.cnn.patches`) are stacked
into ``M = [X_1; …; X_K] ∈ R^{nK×h}`` (:func:`patch_matrix`). With
``(I − (1/nK)11ᵀ) M = U_M Σ_M V_Mᵀ`` (compact), ``U'_M = [U_M, 1/√(nK) 1] = [U'_{M1}; …; U'_{MK}]``
and the arrangements ``D_i`` of ``U'_M``
(patterns of length nK, ``D_ik`` the k-th block of n), (15) is the cone program of
:mod:`bnproofs.programs.cone` with ``A_i = Σ_k D_ik U'_{Mk}`` (n × (r_c+1)) and
``G_i = (2D_i − I) U'_M`` (nK × (r_c+1)) (:func:`program_15`). A solution rebuilds as a CNN
exactly as (8) rebuilds as a network (Appendix C.3 with ``X → M``): filter
``z = V_M Σ_M⁻¹ q_{1:r}/‖q_{1:r}‖``, ``[γ; α] = [‖q_{1:r}‖; q_{r+1}]/‖q‖``, ``w = ±‖q‖``
(:func:`bnproofs.certify.two_layer.certify_program` with ``pool = K``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bnproofs.data import InputError, Whitened, check_data, whiten
from bnproofs.programs.arrangements import enumerate_arrangements
from bnproofs.programs.cone import ConeProgram, Shared


def patch_matrix(P: np.ndarray) -> np.ndarray:
    """``M = [X_1; …; X_K] ∈ R^{nK×h}`` from patches ``K × n × h``."""
    K, n, h = P.shape
    return np.asarray(P, dtype=float).reshape(K * n, h)


@dataclass
class Program15:
    program: ConeProgram
    whitened: Whitened  # of M: U'_M = whitened.Uprime (nK × (r_c + 1))
    D: np.ndarray  # P_c × nK arrangements of U'_M
    M: np.ndarray
    K: int

    @property
    def rank(self) -> int:
        return self.whitened.r


def program_15(P: np.ndarray, y, beta, D: np.ndarray | None = None) -> Program15:
    """(15) for patches ``P`` (K × n × h); ``D`` defaults to the exact arrangements of U'_M."""
    P = np.asarray(P, dtype=float)
    if P.ndim != 3:
        raise InputError(f"patches must be K × n × h, got shape {P.shape}")
    K, n, _ = P.shape
    M = patch_matrix(P)
    _, y, beta = check_data(P[0], y, beta)
    if y.ndim != 1:
        raise InputError("program (15) is for scalar labels (y ∈ R^n)")
    W = whiten(M)
    U = W.Uprime
    if D is None:
        D = enumerate_arrangements(U)
    Df = np.asarray(D, dtype=bool).astype(float)
    DU = Df[:, :, None] * U  # P × nK × k
    A = DU.reshape(len(Df), K, n, U.shape[1]).sum(axis=1)  # Σ_k D_ik U'_Mk
    G = (2 * Df - 1)[:, :, None] * U
    R = np.kron(np.ones((1, K)), np.eye(n))  # Σ over the K patches of each sample
    return Program15(ConeProgram(A, G, y, beta, shared=Shared(U, np.asarray(D, dtype=bool), R)),
                     W, np.asarray(D, dtype=bool), M, K)
