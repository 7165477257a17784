"""Mutants of TG.1 (BN after ReLU, program (46)): a dropped arrangement, centring dropped from
the blocks of (46), the rebuild without the null-space part that restores a pattern, and Cover's
count off by one."""

from __future__ import annotations

import math

import numpy as np

from bnproofs.programs.arrangements import enumerate_arrangements

from ..mutation import Mutant


def _dropped_arrangement(Uprime, _enumerate=enumerate_arrangements):
    # the original is held as a default: the mutant replaces every module-level binding of it
    return _enumerate(Uprime)[:-1]


def _not_centred(X, Di):
    return Di[:, None] * X


def _no_null_space(blk, h):
    return np.zeros(blk.N.shape[1])


def _cover_inclusive(n, k):
    return 2 * sum(math.comb(n - 1, i) for i in range(k + 1))


MUTANTS = [
    Mutant("TG.1", "dropped_arrangement", "bnproofs.programs.arrangements:enumerate_arrangements",
           _dropped_arrangement, "one arrangement D_i missing from (46)"),
    Mutant("TG.1", "centring_dropped", "bnproofs.programs.bn_after_relu:centred_pattern",
           _not_centred, "D_i X = U_iΣ_iV_iᵀ without the centring Π (BN's mean dropped)"),
    Mutant("TG.1", "no_null_space_part", "bnproofs.nets.bn_after_relu:_restore_pattern",
           _no_null_space, "the exact-cone rebuild w = V_iΣ_i⁻¹q without the null-space part "
           "N_i z that restores the pattern"),
    Mutant("TG.1", "cover_count_inclusive", "bnproofs.programs.arrangements:cover_count",
           _cover_inclusive, "Cover's count 2Σ_{k≤r} C(n−1, k) (one term too many)"),
]
