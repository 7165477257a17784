import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bnproofs.data import whiten
from bnproofs.instances import general_position, rank_deficient, with_ties
from bnproofs.programs.arrangements import (
    contains,
    cover_count,
    enumerate_arrangements,
    enumerate_arrangements_lp,
    paper_bound,
    sample_arrangements,
)


@given(st.integers(0, 2**32 - 1), st.integers(2, 8), st.integers(1, 3), st.sampled_from(
    ["general", "ties", "rank"]))
@example(0, 8, 3, "general")
@example(1, 2, 3, "general")  # n < d
def test_exact_enumeration_agrees_with_independent_lp_enumeration(seed, n, d, kind):
    rng = np.random.default_rng(seed)
    X = {"general": lambda: general_position(rng, n, d),
         "ties": lambda: with_ties(rng, n, d),
         "rank": lambda: rank_deficient(rng, n, d, 1)}[kind]()
    Up = whiten(X).Uprime
    D = enumerate_arrangements(Up)
    np.testing.assert_array_equal(D, enumerate_arrangements_lp(Up))
    assert contains(D, sample_arrangements(Up, 2000, rng)).all()


@pytest.mark.parametrize("n, d", [(6, 1), (10, 2), (16, 3), (12, 3)])
def test_general_position_count_is_covers(n, d, rng):
    Up = whiten(general_position(rng, n, d)).Uprime
    P = len(enumerate_arrangements(Up))
    assert P == cover_count(n, d + 1)
    assert P <= paper_bound(n, d)


def test_cover_count_small_values():
    assert cover_count(4, 2) == 8  # 2·(1 + 3)
    assert cover_count(5, 1) == 2
    assert cover_count(3, 3) == 8  # all 2^3 patterns


def test_constant_data_has_two_patterns():
    D = enumerate_arrangements(whiten(np.ones((4, 2))).Uprime)
    assert D.tolist() == [[False] * 4, [True] * 4]


def test_missing_pattern_is_detected(rng):
    Up = whiten(general_position(rng, 8, 2)).Uprime
    D = enumerate_arrangements(Up)
    assert not contains(D[1:], sample_arrangements(Up, 5000, rng)).all()
