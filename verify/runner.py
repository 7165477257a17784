"""Run a claim module over seeded trials and collect a :class:`ClaimResult`.

A claim module declares the interface of :mod:`verify.claim` (``CLAIM``, ``Case``, ``case``,
``sides``, ``compare``, optionally ``summarise``). Trial ``i`` uses seed ``seed + i``
(recorded), and the instance is a function of ``(i, seed + i)`` only, so any trial can be
re-run alone.

A trial that raises is recorded as ``inconclusive`` with the error, so one solver failure does
not lose the rest of the run. Ctrl-C stops the run and keeps the trials already finished.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable

from bnproofs.exact import summary as exact_summary
from bnproofs.results import INCONCLUSIVE, ClaimResult, Trial

from . import exact_checks
from .claim import Context
from .claim import run_trial as claim_trial


def stderr_progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_trial(mod, index: int, seed: int, device: str, solver: str = "clarabel"):
    """One trial of one claim: ``(Trial, findings)``; never raises for a failing computation."""
    try:
        return claim_trial(mod, Context(index, seed, device, solver))
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception:  # recorded, not hidden: the verdict becomes inconclusive
        tb = traceback.format_exc(limit=3).strip().splitlines()[-1]
        return Trial(seed, {"index": index}, {}, INCONCLUSIVE, notes=[f"error: {tb}"]), []


def run_claim(
    mod,
    trials: int,
    seed: int,
    device: str,
    progress: Callable[[str], None] | None = stderr_progress,
    exact: bool = True,
    solver: str = "clarabel",
) -> tuple[ClaimResult, bool]:
    """Run ``trials`` trials, then (``exact``) the claim's exact checks once
    (:mod:`verify.exact_checks`); returns the result and whether the run was interrupted."""
    c = mod.CLAIM
    res = ClaimResult(c.id, c.paper, c.title, c.kind, statement=c.statement,
                      assumptions=list(c.assumptions), reference=c.reference, tex=c.tex, solver=solver,
                      device=device)
    t0 = time.perf_counter()
    interrupted = False
    try:
        for i in range(trials):
            ts = time.perf_counter()
            trial, findings = run_trial(mod, i, seed + i, device, solver)
            for f in findings:
                f.trial = len(res.trials)
            res.trials.append(trial)
            res.findings.extend(findings)
            if progress:
                progress(
                    f"  {c.id} trial {i + 1}/{trials} seed {seed + i}: {trial.status}"
                    f" ({time.perf_counter() - ts:.1f}s)"
                )
    except KeyboardInterrupt:
        interrupted = True
        if progress:
            progress(f"  {c.id}: interrupted after {len(res.trials)} trial(s); keeping them")
    if hasattr(mod, "summarise") and res.trials:
        res.findings.extend(mod.summarise(res))
    if exact and not interrupted:
        te = time.perf_counter()
        res.exact = exact_checks.run(c.id, seed)
        if progress and res.exact:
            s = exact_summary(res.exact)
            progress(f"  {c.id} exact: {s['proved']} proved, {s['refuted']} refuted, "
                     f"{s['undecided']} undecided ({time.perf_counter() - te:.1f}s)")
    res.elapsed_s = time.perf_counter() - t0
    return res, interrupted
