"""The mutation matrix's machinery, and one curated mutant per claim killed on few trials."""

from __future__ import annotations

import pytest

from bnproofs.results import ClaimResult, Trial
from verify import registry
from verify.mutation import (
    CRASHED,
    EQUIVALENT,
    KILLED,
    SURVIVED,
    Mutant,
    applied,
    judge,
    mutants_of,
    run_matrix,
    table,
)


def _result(*trials):
    r = ClaimResult("X", "E", "t", "k")
    r.trials = list(trials)
    return r


def _trial(status, checks, notes=()):
    return Trial(0, {}, {}, status, checks=checks, roles={k: "statement" for k in checks},
                 notes=list(notes))


M = Mutant("X", "m", "verify.registry:ids", lambda: [], "stub")


def test_judge_kills_only_on_a_newly_failing_named_check():
    before = _result(_trial("pass", {"a": True, "b": True}))
    assert judge(M, before, _result(_trial("fail", {"a": False, "b": True}))).outcome == KILLED
    # an inconclusive without a named check failing is not a kill
    assert judge(M, before, _result(_trial("inconclusive", {"a": True, "b": True}))).outcome \
        == SURVIVED
    crash = _result(_trial("inconclusive", {}, ["error: ZeroDivisionError"]))
    assert judge(M, before, crash).outcome == CRASHED


def test_judge_for_a_claim_that_already_fails_needs_a_check_that_held_before():
    before = _result(_trial("fail", {"a": False, "b": True}))
    assert judge(M, before, _result(_trial("fail", {"a": False, "b": True}))).outcome == SURVIVED
    assert judge(M, before, _result(_trial("fail", {"a": False, "b": False}))).outcome == KILLED


def test_equivalent_mutants_are_listed_apart_and_not_counted():
    eq = Mutant("X", "e", "verify.registry:ids", lambda: [], "stub", equivalent="same map")
    before = _result(_trial("pass", {"a": True}))
    out = [judge(eq, before, before), judge(M, before, _result(_trial("fail", {"a": False})))]
    assert out[0].outcome == EQUIVALENT
    assert table(out).splitlines()[-1] == "1/1 killed"


def test_applied_replaces_every_binding_and_restores_it():
    original = registry.ids
    with applied(M):
        assert registry.ids() == []
    assert registry.ids is original


CLAIMS_WITH_MUTANTS = [c for c in registry.ids() if mutants_of(c)]


@pytest.mark.parametrize("claim", CLAIMS_WITH_MUTANTS)
def test_first_mutant_of_each_claim_is_killed(claim):
    [o] = run_matrix([claim], trials=2, solver="clarabel", per_claim=1)
    assert o.outcome == KILLED, (o.mutant.name, o.outcome, o.after)
