"""The mutation matrix: a check is worth the wrong formula it catches.

A :class:`Mutant` replaces one function of the library or of a claim module by a plausible
wrong version — an error that a paper or an implementation could make: a dropped ``(·)₊``, a
wrong constant in a dual, a missing term of a rate, a wrong exponent in a rescaling, centring
dropped from BN, Σ for Σ², a transposed factor, a dropped arrangement. The claim then runs on its
default trials with the mutant in place, and its result is compared with the unmutated run:

* **killed** — a named deciding check (role ``statement`` or ``support``) that held on a trial
  before fails on the same trial under the mutant, and, for a claim that holds, its verdict is no
  longer ``holds`` (for a claim that already fails, the newly failing check is the kill);
* **crashed** — not killed, and a trial raised (recorded as an ``error:`` note): an exception is
  never evidence;
* **survived** — otherwise. Every survivor is either answered by a stronger check or documented
  as an *equivalent* mutant (``Mutant.equivalent`` says why no result can change).

The mutants of claim ``X`` live in ``verify/mutants/<module of X>.py`` as a list ``MUTANTS``.
The replacement is put in place of the original object wherever a loaded ``bnproofs`` or
``verify`` module binds it (``from m import f`` copies the binding), and restored afterwards.
Trials run in this process, one after another, without the exact layer (the symbolic proofs do
not call the library's numerical functions).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bnproofs.results import HOLDS, ClaimResult

from . import registry
from .runner import run_claim
from .verdicts import RECORD

KILLED, SURVIVED, CRASHED, EQUIVALENT = "killed", "survived", "crashed", "equivalent"


@dataclass(frozen=True)
class Mutant:
    claim: str  # the claim id it is run against
    name: str  # short, unique within the claim
    target: str  # "package.module:attribute" — the function it replaces
    replacement: Callable
    error: str  # the plausible error it models, in words
    equivalent: str = ""  # non-empty: why this mutant cannot change any result


@dataclass
class MutantOutcome:
    mutant: Mutant
    before: str  # the claim's verdict without the mutant
    after: str
    outcome: str  # killed | survived | crashed | equivalent
    caught_by: list[str]  # "trial i: check" for each newly failing deciding check

    def row(self) -> list[str]:
        m = self.mutant
        caught = ", ".join(sorted({c.split(": ", 1)[1] for c in self.caught_by})) or "-"
        return [m.claim, m.name, m.error, self.before, self.after, self.outcome, caught]


def _owners(obj) -> Iterator[tuple[object, str]]:
    """Every (module, attribute name) of a loaded bnproofs/verify module bound to ``obj``."""
    for name, mod in list(sys.modules.items()):
        if mod is None or not name.startswith(("bnproofs", "verify")):
            continue
        for attr, val in list(vars(mod).items()):
            if val is obj:
                yield mod, attr


@contextmanager
def applied(mutant: Mutant):
    """The mutant in place of its target wherever the target is bound; restored on exit."""
    mod_name, attr = mutant.target.split(":")
    original = getattr(importlib.import_module(mod_name), attr)
    owners = list(_owners(original))
    for mod, name in owners:
        setattr(mod, name, mutant.replacement)
    try:
        yield
    finally:
        for mod, name in owners:
            setattr(mod, name, original)


def newly_failing(before: ClaimResult, after: ClaimResult) -> list[str]:
    """``trial i: check`` for each deciding check that held before and fails under the mutant."""
    out = []
    for i, (tb, ta) in enumerate(zip(before.trials, after.trials, strict=False)):
        for name, held in tb.checks.items():
            role = ta.roles.get(name, tb.roles.get(name))
            if held and ta.checks.get(name) is False and role != RECORD:
                out.append(f"trial {i}: {name}")
    return out


def crashed(result: ClaimResult) -> bool:
    return any(n.startswith("error:") for t in result.trials for n in t.notes)


def judge(mutant: Mutant, before: ClaimResult, after: ClaimResult) -> MutantOutcome:
    caught = newly_failing(before, after)
    if before.verdict == HOLDS:
        killed = bool(caught) and after.verdict != HOLDS
    else:
        killed = bool(caught)
    if killed:
        outcome = KILLED
    elif mutant.equivalent:
        outcome = EQUIVALENT
    elif crashed(after):
        outcome = CRASHED
    else:
        outcome = SURVIVED
    return MutantOutcome(mutant, before.verdict, after.verdict, outcome, caught)


def mutants_of(claim_id: str) -> list[Mutant]:
    """The curated mutants of one claim (``verify/mutants/<module>.py``)."""
    module = registry.CLAIMS[registry.canonical(claim_id)]
    try:
        mod = importlib.import_module(f"verify.mutants.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"verify.mutants.{module}":
            raise
        return []
    return list(mod.MUTANTS)


def run_matrix(ids: list[str], trials: int, seed: int = 0, device: str = "cpu",
               solver: str = "auto", progress: Callable[[str], None] | None = None,
               per_claim: int | None = None) -> list[MutantOutcome]:
    """Each claim once unmutated, then once per mutant (the first ``per_claim`` of each, or
    all); the outcomes in claim order."""
    out = []
    for cid in ids:
        mod = registry.load(cid)
        before, _ = run_claim(mod, trials, seed, device, None, exact=False, solver=solver)
        for m in mutants_of(cid)[:per_claim]:
            with applied(m):
                after, _ = run_claim(mod, trials, seed, device, None, exact=False,
                                     solver=solver)
            out.append(judge(m, before, after))
            if progress:
                o = out[-1]
                progress(f"  {cid} {m.name}: {o.before} -> {o.after}: {o.outcome}")
    return out


HEADER = ["claim", "mutant", "error modelled", "before", "after", "outcome", "caught by"]


def table(outcomes: list[MutantOutcome]) -> str:
    """A Markdown table of the outcomes; its last line is the kill rate ``K/N killed``
    (equivalent mutants are listed with their reason and not counted)."""
    rows = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    rows += ["| " + " | ".join(o.row()) + " |" for o in outcomes]
    eq = [o for o in outcomes if o.outcome == EQUIVALENT]
    rows += ["", *(f"- equivalent: {o.mutant.claim} {o.mutant.name}: {o.mutant.equivalent}"
                   for o in eq)]
    counted = [o for o in outcomes if o.outcome != EQUIVALENT]
    killed = sum(o.outcome == KILLED for o in counted)
    rows.append(f"{killed}/{len(counted)} killed")
    return "\n".join(rows) + "\n"


def write_table(outcomes: list[MutantOutcome], path) -> str:
    """The table of :func:`table`, written to ``path``; returns the text."""
    text = table(outcomes)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return text


DEFAULT_TABLE = "bnproofs-out/mutants.md"


def add_parser(sub, common_ids) -> None:
    """``bnproofs mutants [ID...] [--trials N] [--out FILE]``."""
    m = sub.add_parser("mutants", help="run the curated mutants of claims and print the matrix")
    m.add_argument("ids", nargs="*", metavar="ID", help="claims (default: all with mutants)")
    m.add_argument("--trials", type=common_ids, default=10,
                   help="trials per run (default 10, the default run's)")
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--out", default=DEFAULT_TABLE, metavar="FILE",
                   help=f"where the Markdown table goes (default {DEFAULT_TABLE})")


def command(args, progress: Callable[[str], None] | None) -> int:
    """Run the matrix, print it, write it to ``args.out``; the last line is ``K/N killed``."""
    ids = [registry.canonical(i) for i in args.ids] or [c for c in registry.ids()
                                                        if mutants_of(c)]
    outcomes = run_matrix(ids, args.trials, args.seed, progress=progress)
    print(write_table(outcomes, args.out), end="")
    return 0
