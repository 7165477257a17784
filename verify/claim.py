"""The claim interface: what a claim module declares, and the one way a trial of it runs.

A claim module (one per printed statement, in the pattern of PEPit's one-file-per-theorem
examples) declares, and does nothing else::

    CLAIM = Claim(id=..., paper=..., title=..., kind=..., statement=..., assumptions=(...),
                  reference=...)

    @dataclass(frozen=True)
    class Case:                      # the named parameters of one instance: a row of the
        ...                          # trials table, and every knob a test may turn

    def case(index, rng) -> Case     # trial ``index``: a documented case, or one drawn from rng
    def sides(case, rng, ctx) -> Sides
        # builds the instance's data from ``rng`` and computes every side of the statement,
        # each independently (a closed form is never checked against a number derived from it)
    def compare(case, sides) -> Comparison
        # the named checks between the sides, with their roles (:mod:`verify.verdicts`), the
        # headline gap, the certified bracket, the tolerance tier and the trial's findings
    def summarise(result) -> list[Finding]   # optional: findings about the whole run
    def regime(case, sides) -> str           # optional: the condition of the statement's
                                             # regime the instance lies in ("a₀ = 0")
    FAILURE_MODES = (FailureMode(...), ...)  # optional: how the printed statement fails
    AUDIT = (Audited(...), ...)              # every printed line the claim relies on

A trial ``i`` of a run with seed ``s`` uses ``rng = numpy.random.default_rng(s + i)`` for both
``case`` and ``sides``, so any trial re-runs alone from ``(i, s + i)``. :func:`run_trial` is the
only caller of these functions; the runner, the tests and ``python -m verify.<module>`` all go
through it. A module runs alone as ``python -m verify.<module> [check options]``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from bnproofs.results import Finding, Trial

from .verdicts import Check, status_of


@dataclass(frozen=True)
class Claim:
    """A claim's metadata: what a reader sees above its evidence."""

    id: str
    paper: str  # "E" (Ergen et al., ICLR 2022) or "C" (Cai, Li, Shen, ICML 2019)
    title: str
    kind: str  # what sort of statement: closed form, exact reformulation, rate, identity, ...
    statement: str  # as printed (Unicode), or the precise form the suite tests, marked so
    assumptions: tuple[str, ...]
    reference: str  # paper, theorem/equation numbers, where the proof is
    tex: str = ""  # the statement in LaTeX (the report renders it to MathML; notebooks keep it)


@dataclass(frozen=True)
class Context:
    """How one trial runs: which trial, its seed, and the machinery it may use."""

    index: int
    seed: int
    device: str = "cpu"
    solver: str = "clarabel"  # the convex programs' solver: auto | clarabel | torch


@dataclass
class Sides:
    """Every side of the statement on one instance, computed independently."""

    values: dict  # the computed quantities, by name (what the trial's JSON ``values`` holds)
    params: dict = field(default_factory=dict)  # instance quantities derived from its data
    series: dict = field(default_factory=dict)  # plot specifications (results.plot_series)
    notes: list[str] = field(default_factory=list)
    data: Any = None  # anything ``compare`` needs that is not a reported value (arrays, fits)


@dataclass
class Comparison:
    """The outcome of comparing the sides of one instance."""

    checks: dict[str, Check]
    gap: float | None = None  # the trial's headline discrepancy (what ``worst_gap`` maximises)
    bracket: tuple[float, float] | None = None  # [verified lower bound, objective of a network]
    tolerance: dict | None = None  # the tier used (Tolerance.as_dict())
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def case_params(case) -> dict:
    """The case's named fields, as the trial table shows them."""
    return {f.name: getattr(case, f.name) for f in dataclasses.fields(case) if f.repr}


def run_trial(mod: ModuleType, ctx: Context, **overrides) -> tuple[Trial, list[Finding]]:
    """One trial of claim module ``mod``: case → sides → comparison → verdict. ``overrides``
    replace fields of the trial's case (a test's smaller grid, say). Raises what the computation
    raises; the runner records that (:func:`verify.runner.run_trial`)."""
    rng = np.random.default_rng(ctx.seed)
    case = mod.case(ctx.index, rng)
    if overrides:
        case = dataclasses.replace(case, **overrides)
    s = mod.sides(case, rng, ctx)
    c = mod.compare(case, s)
    params = {"index": ctx.index, **case_params(case), **s.params}
    checks = {name: chk.held for name, chk in c.checks.items()}
    trial = Trial(ctx.seed, params, s.values, status_of(c.checks), gap=c.gap, bracket=c.bracket,
                  tolerance=c.tolerance, notes=s.notes + c.notes, series=s.series, checks=checks)
    trial.roles = {name: chk.role for name, chk in c.checks.items()}
    trial.regime = mod.regime(case, s) if hasattr(mod, "regime") else ""
    return trial, c.findings

