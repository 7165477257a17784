"""Evidence that a list of hyperplane arrangements is complete, independent of how it was made.

The convex programs (8), (15) and (46) equal their non-convex problems only over *every*
arrangement ``D_i = diag(1[U' s ≥ 0])``; a program over fewer has a larger optimum, so a network
below its lower bound refutes nothing. :func:`completeness` checks a list against Cover's count,
random gates and (for short lists) a second, LP-based enumeration.
"""

from __future__ import annotations

import numpy as np

from bnproofs.programs.arrangements import (
    contains,
    cover_count,
    enumerate_arrangements_lp,
    general_position,
    sample_arrangements,
)


def completeness(Uprime: np.ndarray, D: np.ndarray, rng, samples: int = 20000,
                 lp_max: int = 200) -> tuple[dict[str, bool], dict]:
    """Independent checks that ``D`` lists every arrangement of the rows of ``U'`` (n × k):

    * ``count_vs_cover`` — ``|D|`` equals Cover's count ``2 Σ_{i<k} C(n−1, i)`` when the rows are
      in general position (every k of them independent), and is at most that otherwise;
    * ``samples_all_listed`` — the pattern of each of ``samples`` Gaussian gates is in ``D``;
    * ``lp_enumeration_agrees`` (only when ``|D| ≤ lp_max``) — the LP-based enumeration
      :func:`~bnproofs.programs.arrangements.enumerate_arrangements_lp` gives the same list.

    Returns the checks and the figures behind them (``cover_count``, ``general_position``,
    ``sampled_distinct``)."""
    n, k = Uprime.shape
    gp = general_position(Uprime)
    cover = cover_count(n, k)
    sampled = sample_arrangements(Uprime, samples, rng)
    checks = {"count_vs_cover": (len(D) == cover) if gp else (len(D) <= cover),
              "samples_all_listed": bool(contains(D, sampled).all())}
    if len(D) <= lp_max:
        checks["lp_enumeration_agrees"] = bool(np.array_equal(D, enumerate_arrangements_lp(Uprime)))
    return checks, {"cover_count": cover, "general_position": gp, "sampled_distinct": len(sampled)}
