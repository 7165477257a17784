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

import math
from collections.abc import Callable
from dataclasses import dataclass

from bnproofs.results import FAIL, FAILS, HOLDS, INCONCLUSIVE, PASS, Finding

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


def failed_names(checks: dict[str, Check]) -> list[str]:
    """The names of the checks that did not hold, in order, whatever their role (for a
    finding's text)."""
    return [k for k, c in checks.items() if not c.held]


def statement_if(held, sound: bool) -> Check:
    """A check whose failure contradicts the statement only where the evidence it rests on is
    sound: a network below the lower bound of an exact program refutes ``problem = program``
    only when the program had every arrangement (a program with fewer has a larger optimum).
    A ``statement`` check when ``sound``, a ``support`` check otherwise."""
    return Check(bool(held), STATEMENT if sound else SUPPORT)


def printed_form(printed: float, lower: float, upper: float, tol) -> dict[str, Check]:
    """The checks that decide a printed closed form of value ``printed`` against a certified
    bracket ``[lower, upper]`` (``lower`` a verified dual value, ``upper`` the best network
    found; Theorems 2.1, 4.1, 4.2 of [E]), under the tolerance tier ``tol``:

    * ``printed_defined`` (statement): the formula gives a number (not 0/0);
    * ``printed_optimal`` (support): ``|printed − lower| ≤ tol.bound(lower)``;
    * ``strong_duality`` (support): ``|upper − lower| ≤ tol.bound(lower)`` — tight, and not
      crossed (a network below the verified lower bound means a wrong bound);
    * ``printed_not_above_found`` (statement): not ``printed > upper + tol.bound(upper)``: a
      network certifiably better than the printed form refutes its optimality, whatever the
      lower bound says.
    """
    defined = bool(math.isfinite(printed))
    optimal = defined and abs(printed - lower) <= tol.bound(lower)
    tight = abs(upper - lower) <= tol.bound(lower)
    above = printed > upper + tol.bound(upper)
    return {"printed_defined": statement(defined), "printed_optimal": support(optimal),
            "strong_duality": support(tight), "printed_not_above_found": statement(not above)}


def printed_reason(checks: dict[str, Check], undefined: str, above: str) -> str:
    """Why the checks of :func:`printed_form` do not let a trial pass: ``undefined`` or
    ``above`` (the statement's failures), ``bracket too wide to decide``, or ``""``."""
    if not checks["printed_defined"].held:
        return undefined
    if not checks["printed_not_above_found"].held:
        return above
    if not (checks["printed_optimal"].held and checks["strong_duality"].held):
        return "bracket too wide to decide"
    return ""


# ------------------------------------------------------------------ regimes and failure modes


def regimes(trials: list) -> list[dict]:
    """The trials grouped by the regime their claim module assigned (``Trial.regime``; a module
    without ``regime()`` has one unnamed regime): ``{"condition", "verdict", "trials"}`` in the
    order the regimes first occur, the verdict of each group by the rule of
    :attr:`bnproofs.results.ClaimResult.verdict`."""
    groups: dict[str, list[int]] = {}
    for i, t in enumerate(trials):
        groups.setdefault(t.regime, []).append(i)
    out = []
    for cond, idx in groups.items():
        statuses = {trials[i].status for i in idx}
        verdict = (FAILS if FAIL in statuses else INCONCLUSIVE if INCONCLUSIVE in statuses
                   else HOLDS)
        out.append({"condition": cond, "verdict": verdict, "trials": idx})
    return out


@dataclass(frozen=True)
class FailureMode:
    """One way a printed statement fails: its condition, which failing trials show it, its
    smallest counterexample proved in exact arithmetic, and the corrected statement."""

    name: str  # e.g. "undefined", "suboptimal"
    condition: str  # when it happens, in words
    applies: Callable  # Trial -> bool: a failing trial shows this mode
    counterexample: Callable | None = None  # () -> {"instance", "exact", "proved", "text"}
    corrected: str = ""  # the corrected statement (Unicode)
    corrected_tex: str = ""
    evidence: str = ""  # how the corrected statement is verified


def failure_modes(modes, trials: list) -> list[dict]:
    """The failing trials grouped by mode (the first mode that applies); failing trials that no
    declared mode explains form an ``unclassified`` mode, so a new failure never hides."""
    failing = [i for i, t in enumerate(trials) if t.status == FAIL]
    out, left = [], list(failing)
    for m in modes:
        mine = [i for i in left if m.applies(trials[i])]
        left = [i for i in left if i not in mine]
        if not mine:
            continue
        ce = m.counterexample() if m.counterexample else None
        out.append({"name": m.name, "condition": m.condition, "trials": mine,
                    "counterexample": ce,
                    "corrected": {"statement": m.corrected, "tex": m.corrected_tex,
                                  "evidence": m.evidence}})
    if left:
        out.append({"name": "unclassified", "condition": "a failing trial no declared failure "
                    "mode explains", "trials": left, "counterexample": None, "corrected": None})
    return out


def headline(verdict: str, regs: list[dict], modes: list[dict], n_trials: int) -> str:
    """The one-line finding a reader sees first."""
    named = [r for r in regs if r["condition"]]
    if len({r["verdict"] for r in named}) > 1:
        return "; ".join(f"{r['verdict']} for {r['condition']}" for r in named)
    if verdict == FAILS and modes:
        return "fails as printed: " + "; ".join(f"{m['name']} when {m['condition']}"
                                                  for m in modes)
    return f"{verdict} on {n_trials} trials"


@dataclass(frozen=True)
class Audited:
    """A printed line a claim relies on — the theorem, or a definition, count, bound or remark it
    uses — and what tests it: named checks of the trials, exact items, or a reported finding."""

    line: str  # as printed
    source: str  # where: "main text, (7)", "Appendix C.1, Lemma C.1"
    checks: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()  # names of exact items (bnproofs.exact) that prove or refute it
    finding: str = ""  # where no check applies: what the suite found


def _check_outcome(names, trials) -> str:
    seen = [(i, n) for i, t in enumerate(trials) for n in names if n in t.checks]
    if not seen:
        return "not exercised"
    bad = sorted({i for i, n in seen if not trials[i].checks[n]})
    n_tr = len({i for i, _ in seen})
    return f"held on {n_tr}/{n_tr} trials" if not bad else f"failed on trials {bad}"


def audit(items, trials: list, exact_items: list[dict]) -> list[dict]:
    """Each audited line with what its checks, exact items and findings gave."""
    out = []
    for a in items:
        parts = []
        if a.checks:
            parts.append(f"{', '.join(a.checks)}: {_check_outcome(a.checks, trials)}")
        for name in a.exact:
            got = [e["outcome"] for e in exact_items if e["name"] == name]
            parts.append(f"{name}: {got[0] if got else 'not run'}")
        if a.finding:
            parts.append(f"finding: {a.finding}")
        out.append({"line": a.line, "source": a.source, "checks": list(a.checks),
                    "exact": list(a.exact), "outcome": "; ".join(parts) or "not checked"})
    return out


def conclude(mod, result) -> None:
    """Fill the claim-level conclusions of ``result`` from its trials: the regimes, the failure
    modes (the module's ``FAILURE_MODES``), the audit (``AUDIT``) and the one-line finding."""
    result.regimes = regimes(result.trials)
    result.failure_modes = failure_modes(getattr(mod, "FAILURE_MODES", ()), result.trials)
    result.audit = audit(getattr(mod, "AUDIT", ()), result.trials, result.exact)
    result.finding = headline(result.verdict, result.regimes, result.failure_modes,
                              len(result.trials))


def failed_statements(checks: dict[str, Check]) -> list[str]:
    """The names of the statement checks that did not hold (what a ``statement_fails`` finding
    lists)."""
    return [k for k, c in checks.items() if c.role == STATEMENT and not c.held]
