"""Run claims over seeded trials: each trial a task, every result kept in the store.

A claim module declares the interface of :mod:`verify.claim`. Trial ``i`` of a run with seed
``s`` is the task ``(claim, i, s + i, device, solver)``; the instance is a function of
``(i, s + i)`` only, so a trial runs alone, anywhere, and gives the same numbers: in this
process, in a pool of processes or on a Dask cluster (:mod:`verify.executors`). A task returns
a JSON-able record ``{"trial", "findings", "compute_s", "code"}``; the runner writes it to the
store (:mod:`verify.store`) as it arrives, and builds each claim's :class:`ClaimResult` from the
stored records in trial order: the trials, their findings, then once per claim the module's
``summarise(result)``, the exact checks (:mod:`verify.exact_checks`, themselves tasks) and the
claim-level conclusions (:func:`verify.verdicts.conclude`). A claim's ``elapsed_s`` is the
compute time of its trials and exact checks, wherever and however concurrently they ran.

A trial that raises is recorded as ``inconclusive`` with the error (an ``error:`` note), so one
solver failure does not lose the rest of the run; ``--resume`` computes such trials again. Ctrl-C
stops the run and keeps the trials already finished.
"""

from __future__ import annotations

import dataclasses
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bnproofs.exact import summary as exact_summary
from bnproofs.results import INCONCLUSIVE, ClaimResult, Finding, Trial, versions

from . import exact_checks, registry
from .claim import Claim, Context
from .claim import run_trial as claim_trial
from .executors import ensure_pinned
from .progress import Progress
from .store import Store, TrialKey, code_version, instance_key
from .verdicts import conclude


def stderr_progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------ one trial, as data


def plain(x):
    """``x`` as JSON-able data (numpy scalars and arrays to numbers and lists, tuples to lists,
    keys to strings), keeping NaN and infinities, so a trial read back computes as it was."""
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return float(x)
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if hasattr(x, "tolist"):
        return plain(x.tolist())
    try:
        return float(x)
    except (TypeError, ValueError):
        return str(x)


def encode_trial(trial: Trial) -> dict:
    return plain({f.name: getattr(trial, f.name) for f in dataclasses.fields(Trial)})


def decode_trial(d: dict) -> Trial:
    kw = {f.name: d[f.name] for f in dataclasses.fields(Trial) if f.name in d}
    if kw.get("bracket") is not None:
        kw["bracket"] = tuple(kw["bracket"])
    return Trial(**kw)


def run_trial(mod, index: int, seed: int, device: str, solver: str = "clarabel"):
    """One trial of one claim: ``(Trial, findings)``; never raises for a failing computation."""
    try:
        return claim_trial(mod, Context(index, seed, device, solver))
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception:  # recorded, not hidden: the verdict becomes inconclusive
        tb = traceback.format_exc(limit=3).strip().splitlines()[-1]
        return Trial(seed, {"index": index}, {}, INCONCLUSIVE, notes=[f"error: {tb}"]), []


def trial_record(mod, index: int, seed: int, device: str, solver: str) -> dict:
    """One trial as a JSON-able record (what a task returns and the store keeps)."""
    t0 = time.perf_counter()
    trial, findings = run_trial(mod, index, seed, device, solver)
    return {"trial": encode_trial(trial), "findings": [f.to_json() for f in findings],
            "compute_s": time.perf_counter() - t0, "code": code_version()}


def exact_record(claim_id: str, seed: int) -> dict:
    t0 = time.perf_counter()
    items = plain(exact_checks.run(claim_id, seed))
    return {"items": items, "compute_s": time.perf_counter() - t0, "code": code_version()}


def errored(record: dict) -> bool:
    return any(n.startswith("error:") for n in record["trial"].get("notes", []))


@dataclass(frozen=True)
class TrialTask:
    claim: str
    index: int
    seed: int
    device: str
    solver: str

    def run(self) -> dict:
        return trial_record(registry.load(self.claim), self.index, self.seed, self.device,
                            self.solver)


@dataclass(frozen=True)
class ExactTask:
    claim: str
    seed: int

    def run(self) -> dict:
        return exact_record(self.claim, self.seed)


def execute(task) -> dict:
    """The task function every executor runs (in a pinned process, :mod:`verify.executors`)."""
    ensure_pinned()
    return task.run()


# ----------------------------------------------------------------- from records to a result


def claim_of(mod, claim_id: str) -> Claim:
    """The module's ``CLAIM``; a stand-in naming the gap for a module that declares none (its
    trials then fail with an ``error:`` note, and the run goes on)."""
    return getattr(mod, "CLAIM", None) or Claim(claim_id, "", f"{claim_id} (its module "
                                                "declares no CLAIM)", "", "", (), "")


def _summarise(mod, res: ClaimResult) -> list[Finding]:
    if not hasattr(mod, "summarise") or not res.trials:
        return []
    try:
        return list(mod.summarise(res))
    except Exception:  # recorded, not hidden
        tb = traceback.format_exc(limit=3).strip().splitlines()[-1]
        return [Finding("observation", f"error: summarise raised {tb}")]


def assemble(mod, claim_id: str, records: list[dict], exact: dict | None, solver: str,
             device: str) -> ClaimResult:
    """The claim's result from its trial records (in trial order) and exact record."""
    c = claim_of(mod, claim_id)
    res = ClaimResult(c.id, c.paper, c.title, c.kind, statement=c.statement,
                      assumptions=list(c.assumptions), reference=c.reference, tex=c.tex,
                      solver=solver, device=device)
    for rec in records:
        pos = len(res.trials)
        res.trials.append(decode_trial(rec["trial"]))
        res.findings.extend(Finding(f["kind"], f["text"], trial=pos) for f in rec["findings"])
    res.findings.extend(_summarise(mod, res))
    res.exact = exact["items"] if exact else []
    res.elapsed_s = sum(r["compute_s"] for r in records) + (exact["compute_s"] if exact else 0)
    conclude(mod, res)
    return res


def exact_message(claim_id: str, rec: dict) -> str | None:
    if not rec["items"]:
        return None
    s = exact_summary(rec["items"])
    return (f"  {claim_id} exact: {s['proved']} proved, {s['refuted']} refuted, "
            f"{s['undecided']} undecided ({rec['compute_s']:.1f}s)")


def run_claim(
    mod,
    trials: int,
    seed: int,
    device: str,
    progress: Callable[[str], None] | None = stderr_progress,
    exact: bool = True,
    solver: str = "clarabel",
) -> tuple[ClaimResult, bool]:
    """Run ``trials`` trials of module ``mod`` in this process, without a store (the module as
    loaded, so a test's or a mutant's replacement functions are the ones that run), then
    (``exact``) its exact checks; returns the result and whether the run was interrupted."""
    cid = mod.CLAIM.id
    records, interrupted = [], False
    try:
        for i in range(trials):
            records.append(trial_record(mod, i, seed + i, device, solver))
            if progress:
                r = records[-1]
                progress(f"  {cid} trial {i + 1}/{trials} seed {seed + i}: "
                         f"{r['trial']['status']} ({r['compute_s']:.1f}s)")
    except KeyboardInterrupt:
        interrupted = True
        if progress:
            progress(f"  {cid}: interrupted after {len(records)} trial(s); keeping them")
    ex = exact_record(cid, seed) if exact and not interrupted else None
    if progress and ex and exact_message(cid, ex):
        progress(exact_message(cid, ex))
    return assemble(mod, cid, records, ex, solver, device), interrupted


# -------------------------------------------------------------------------------- campaigns


@dataclass(frozen=True)
class Campaign:
    """What to run: ``trials`` trials of each claim in ``ids`` from ``seed``."""

    ids: tuple[str, ...]
    trials: int
    seed: int
    device: str
    solver: str = "clarabel"
    exact: bool = True


@dataclass
class Outcome:
    results: list[ClaimResult]
    interrupted: bool
    computed: int  # trials computed by this run
    reused: int  # trials read from the store (``resume``)
    foreign: int  # trials whose worker ran other code than this process (files changed)
    executor: str
    run_id: int


def case_repr(mod, index: int, seed: int) -> str:
    """``repr`` of trial ``index``'s case (cheap: ``case`` draws a few numbers); empty when the
    module cannot say (its trial will record the error)."""
    try:
        return repr(mod.case(index, np.random.default_rng(seed)))
    except Exception:  # the trial itself records what is wrong
        return ""


def plan(c: Campaign, mods: dict, code: str) -> list[TrialKey]:
    """Every trial's store key, claim by claim in trial order."""
    return [TrialKey(cid, i, c.seed + i, c.solver, c.device,
                     instance_key(cid, i, c.seed + i, case_repr(mods[cid], i, c.seed + i)), code)
            for cid in c.ids for i in range(c.trials)]


def reusable(store: Store, keys: list[TrialKey]) -> dict[TrialKey, TrialKey]:
    """The trials already in the store under this code version, except those that errored."""
    out = {}
    for k in keys:
        rec = store.get_trial(k)
        if rec is not None and not errored(rec):
            out[k] = k
    return out


class _Run:
    """One campaign's bookkeeping: which record of each trial is stored under which key, and
    each claim's result, assembled as soon as its last task is in (while the workers compute
    the other claims)."""

    def __init__(self, c: Campaign, mods: dict, keys: list[TrialKey], store: Store,
                 stored: dict, exact_codes: dict):
        self.c, self.mods, self.keys, self.store = c, mods, keys, store
        self.stored = stored  # planned key -> the key its record is stored under
        self.exact_codes = exact_codes  # claim id -> code version of its stored exact record
        self.slot = {(k.claim, k.index): k for k in keys}
        self.foreign, self.results, self.pending = 0, {}, {}

    def expect(self, todo: list) -> None:
        for t in todo:
            self.pending[t.claim] = self.pending.get(t.claim, 0) + 1

    def file(self, task, rec: dict, run_id: int, progress: Progress) -> None:
        """Store a task's record; assemble its claim when that was its last task."""
        if isinstance(task, ExactTask):
            self.store.put_exact(task.claim, task.seed, rec, run_id)
            self.exact_codes[task.claim] = rec["code"]
            if exact_message(task.claim, rec):
                progress.message(exact_message(task.claim, rec))
        else:
            key = self.slot[(task.claim, task.index)]
            self.stored[key] = key.with_code(rec["code"])
            self.foreign += rec["code"] != key.code
            self.store.put_trial(self.stored[key], rec, run_id)
            progress.trial(task.claim, task.index, self.c.trials, task.seed,
                           rec["trial"]["status"], rec["compute_s"])
        self.pending[task.claim] -= 1
        if not self.pending[task.claim]:
            self.assemble(task.claim)

    def assemble(self, cid: str) -> None:
        """The claim's result, from its records as read back from the store."""
        recs = [self.store.get_trial(self.stored[k]) for k in self.keys
                if k.claim == cid and k in self.stored]
        if recs:
            code = self.exact_codes.get(cid)
            ex = self.store.get_exact(cid, self.c.seed, code) if code else None
            self.results[cid] = assemble(self.mods[cid], cid, recs, ex, self.c.solver,
                                         self.c.device)

    def ordered(self) -> list[ClaimResult]:
        """Every claim's result in campaign order (the rest assembled now: claims reused whole,
        or cut short by an interruption)."""
        for cid in self.c.ids:
            if cid not in self.results:
                self.assemble(cid)
        return [self.results[cid] for cid in self.c.ids if cid in self.results]


def _collect(run: _Run, executor, todo: list, run_id: int, progress: Progress) -> bool:
    """Run ``todo``, filing each record as it arrives; True when interrupted."""
    run.expect(todo)
    ok = interrupted = False
    try:
        for task, rec in executor.run(execute, todo):
            run.file(task, rec, run_id, progress)
        ok = True
    except KeyboardInterrupt:
        interrupted = True
        progress.message(f"interrupted: keeping the {len(run.stored)} finished trial(s)")
    finally:
        executor.close(abort=not ok)
        progress.close()
    return interrupted


def run_campaign(c: Campaign, store: Store, executor_for: Callable, resume: bool = False,
                 quiet: bool = False, command: list[str] | None = None) -> Outcome:
    """Run campaign ``c`` on the executor ``executor_for(number of tasks)`` gives, recording
    every result in ``store``; ``resume``: reuse the trials and exact checks already stored
    under this code version."""
    code = code_version()
    mods = {cid: registry.load(cid) for cid in c.ids}
    keys = plan(c, mods, code)
    exact = {cid: code for cid in (c.ids if c.exact and resume else ())
             if store.get_exact(cid, c.seed, code) is not None}
    run = _Run(c, mods, keys, store, reusable(store, keys) if resume else {}, exact)
    reused = len(run.stored)
    todo = [TrialTask(k.claim, k.index, k.seed, k.device, k.solver) for k in keys
            if k not in run.stored]
    todo += [ExactTask(cid, c.seed) for cid in c.ids
             if c.exact and cid in exact_checks.EXACT and cid not in exact]
    executor = executor_for(len(todo))
    run_id = store.start_run({"code": code, "executor": executor.name, "command": command,
                              "claims": list(c.ids), "trials": c.trials, "seed": c.seed,
                              "device": c.device, "solver": c.solver, "versions": versions()})
    progress = Progress(len(keys), reused, quiet)
    progress.message(f"{len(c.ids)} claim(s) x {c.trials} trial(s), seed {c.seed}, device "
                     f"{c.device}, solver {c.solver}: {len(keys) - reused} to compute, {reused} "
                     f"in the store {store.path}; running on {executor.name}")
    status = "failed"
    try:
        interrupted = _collect(run, executor, todo, run_id, progress)
        status = "interrupted" if interrupted else "completed"
    finally:
        store.finish_run(run_id, status, len(run.stored) - reused, reused)
    return Outcome(run.ordered(), interrupted, len(run.stored) - reused, reused, run.foreign,
                   executor.name, run_id)
