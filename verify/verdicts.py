"""From comparisons to verdicts and findings: the one rule every claim is decided by.

Each comparison a claim makes is a named :class:`Check` with a role:

* ``statement`` — what the statement asserts on this instance (a printed value within tolerance
  of a verified bound, a rate within tolerance of the predicted one, an identity). A statement
  check that fails is evidence *against* the statement: the trial ``fail``\\ s.
* ``support`` — what the evidence needs to be sound (the solvers reached optimality, the bracket
  is tight, every arrangement was found, training stayed above the certified lower bound). A
  support check that fails leaves the trial ``inconclusive``, unless a statement check failed.
* ``record`` — recorded and shown, never deciding (a corrected form's optimality, which is a
  finding about the correction, not about the printed statement).

So a trial is ``fail`` if any statement check fails, else ``pass`` if every support and statement
check holds, else ``inconclusive``. The claim's verdict over its trials is
:attr:`bnproofs.results.ClaimResult.verdict`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bnproofs.results import FAIL, INCONCLUSIVE, PASS, Finding

STATEMENT, SUPPORT, RECORD = "statement", "support", "record"
ROLES = (STATEMENT, SUPPORT, RECORD)


@dataclass(frozen=True)
class Check:
    held: bool
    role: str = STATEMENT

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown check role {self.role!r}")
        object.__setattr__(self, "held", bool(self.held))


def statement(held) -> Check:
    return Check(bool(held), STATEMENT)


def support(held) -> Check:
    return Check(bool(held), SUPPORT)


def record(held) -> Check:
    return Check(bool(held), RECORD)


def status_of(checks: dict[str, Check]) -> str:
    """``fail`` | ``pass`` | ``inconclusive`` by the rule of the module docstring."""
    if any(not c.held for c in checks.values() if c.role == STATEMENT):
        return FAIL
    if all(c.held for c in checks.values() if c.role != RECORD):
        return PASS
    return INCONCLUSIVE


def failed_notes(checks: dict[str, Check]) -> list[str]:
    """One note per deciding check that did not hold."""
    return [f"failed check: {k}" for k, c in checks.items() if not c.held and c.role != RECORD]


#: the two ways a printed T2.1-type closed form fails (T2.1, T4.1): (label, predicate on a trial)
PRINTED_FAILURES = (
    ("undefined (a sign part of y is empty)", lambda t: not t.checks["printed_defined"]),
    ("suboptimal (β above a label-part norm)",
     lambda t: t.checks["printed_defined"] and t.status == FAIL),
)


def smallest_counterexamples(trials: list, cases, size, describe) -> list[Finding]:
    """One ``statement_fails`` finding per ``(label, predicate)`` in ``cases``: the trial with the
    smallest ``size(trial)`` among those the predicate picks, described by ``describe(trial)``."""
    out = []
    for label, pick in cases:
        bad = [i for i, t in enumerate(trials) if pick(t)]
        if bad:
            i = min(bad, key=lambda j: size(trials[j]))
            out.append(Finding("statement_fails", f"Smallest counterexample, printed form {label}: "
                               f"trial {i}, {describe(trials[i])} (seed {trials[i].seed}).",
                               trial=i))
    return out
