"""Result types shared by every claim, and the stable JSON they serialise to.

JSON layout (stable; extra keys may be added, none removed)::

    {"claims": [{"id", "paper", "title", "kind", "verdict", "worst_gap", "elapsed_s",
                 "trials": [{"seed", "params", "values", "bracket", "passed", "status",
                             "gap", "tolerance", "checks", "notes", "series"}],
                 "findings": [{"kind", "text", "trial"}],
                 "exact": [{"name", "kind", "role", "outcome", "proved", "statement",
                            "expression", "difference", "latex", "assumptions", "time_s",
                            "width", "width_float", "bracket", "values", "notes"}],
                 "exact_summary": {"items", "proved", "refuted", "undecided", "unexpected",
                                   "max_width", "time_s"}}],
     "device", "elapsed_s", "versions"}

``status`` is ``pass`` | ``fail`` | ``inconclusive`` (``passed`` is ``status == "pass"``);
``gap`` is the trial's headline discrepancy (what ``worst_gap`` maximises); ``checks`` names each comparison made and whether it held; ``exact`` holds the claim's exact evidence (:mod:`bnproofs.exact`: symbolic identities and rational
certificates, computed once per run, not per trial; empty when none apply or with ``--no-exact``). ``series`` holds
curves for plots and may be empty. Each series entry is a plot specification the report renders
without computing anything::

    "series": {"<name>": {"title": str, "x": [..] or None, "y": {"<label>": [..], ...},
                          "xlabel": str, "ylabel": str, "log": "" | "x" | "y" | "xy",
                          "hline": {"<label>": value} (optional reference lines)}}

Use :func:`plot_series` to make one.
"""

from __future__ import annotations

import json
import math
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bnproofs.exact import summary as exact_summary

PASS, FAIL, INCONCLUSIVE = "pass", "fail", "inconclusive"
HOLDS, FAILS = "holds", "fails"
FINDING_KINDS = (
    "statement_fails",  # a printed statement fails on an instance it covers
    "corrected_form_holds",  # a corrected form verified where the printed one fails
    "assumption_needed",  # breaking one assumption breaks the conclusion
    "infimum",  # an optimum approached but not attained
    "observation",  # anything else the suite learned
)


def _clean(x: Any) -> Any:
    """Make numbers JSON-safe: numpy scalars to float, NaN/inf to None."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "tolist") and not isinstance(x, (str, bytes)):
        return _clean(x.tolist())
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, int):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f if math.isfinite(f) else None


def plot_series(title, y: dict, x=None, xlabel="", ylabel="", log="", hline=None) -> dict:
    """A plot specification for ``Trial.series`` (see the module docstring)."""
    return {"title": title, "x": x, "y": y, "xlabel": xlabel, "ylabel": ylabel, "log": log,
            "hline": hline or {}}


def excess_curve(curve, lower: float) -> list[float]:
    """``(value − lower)/max(1, |lower|)`` floored at 1e-16, for log-scale training plots."""
    return [max((v - lower) / max(1.0, abs(lower)), 1e-16) for v in curve]


def training_series(title: str, curves: dict, lower: float, every: int, hline=None) -> dict:
    """The plot of Adam runs against a certified lower bound: each curve's relative excess
    :func:`excess_curve` per recorded step (``every`` steps apart), on a log axis."""
    n = len(next(iter(curves.values())))
    return plot_series(title, {k: excess_curve(c, lower) for k, c in curves.items()},
                       x=[i * every for i in range(n)], xlabel="step",
                       ylabel="(value − lower) / max(1, |lower|)", log="y", hline=hline)


@dataclass
class Trial:
    seed: int
    params: dict
    values: dict
    status: str
    gap: float | None = None
    bracket: tuple[float, float] | None = None
    tolerance: dict | None = None
    notes: list[str] = field(default_factory=list)
    series: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)  # name -> bool: the individual comparisons
    roles: dict = field(default_factory=dict)  # name -> statement | support | record
    regime: str = ""  # the condition of the statement's regime this instance lies in

    @property
    def passed(self) -> bool:
        return self.status == PASS

    def to_json(self) -> dict:
        return _clean(
            {
                "seed": self.seed,
                "params": self.params,
                "values": self.values,
                "bracket": list(self.bracket) if self.bracket is not None else None,
                "passed": self.passed,
                "status": self.status,
                "gap": self.gap,
                "tolerance": self.tolerance,
                "notes": self.notes,
                "series": self.series,
                "checks": self.checks,
                "roles": self.roles,
                "regime": self.regime,
            }
        )


@dataclass
class Finding:
    kind: str
    text: str
    trial: int | None = None  # index into the claim's trials, or None for the whole claim

    def __post_init__(self):
        if self.kind not in FINDING_KINDS:
            raise ValueError(f"unknown finding kind {self.kind!r}")

    def to_json(self) -> dict:
        return {"kind": self.kind, "text": self.text, "trial": self.trial}


@dataclass
class ClaimResult:
    id: str
    paper: str
    title: str
    kind: str
    trials: list[Trial] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    elapsed_s: float = 0.0
    exact: list[dict] = field(default_factory=list)  # ExactItem JSON dicts (bnproofs.exact)
    statement: str = ""  # as printed, or the precise form tested
    assumptions: list[str] = field(default_factory=list)
    reference: str = ""
    tex: str = ""  # the statement in LaTeX
    solver: str = ""  # the convex programs' solver the run used
    device: str = ""
    finding: str = ""  # the one-line finding a reader sees first
    regimes: list[dict] = field(default_factory=list)  # {"condition", "verdict", "trials"}
    # {"name", "condition", "trials", "counterexample": {"instance", "exact", "proved", "text"},
    #  "corrected": {"statement", "tex", "evidence"}}
    failure_modes: list[dict] = field(default_factory=list)
    # each printed line the claim relies on: {"line", "source", "checks", "outcome"}
    audit: list[dict] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """``fails`` if any trial fails, else ``inconclusive`` if any is, else ``holds``."""
        statuses = {t.status for t in self.trials}
        if not self.trials:
            return INCONCLUSIVE
        if FAIL in statuses:
            return FAILS
        if INCONCLUSIVE in statuses:
            return INCONCLUSIVE
        return HOLDS

    @property
    def worst_gap(self) -> float | None:
        gaps = [t.gap for t in self.trials if t.gap is not None and math.isfinite(t.gap)]
        return max(gaps) if gaps else None

    def to_json(self) -> dict:
        return _clean(
            {
                "id": self.id,
                "paper": self.paper,
                "title": self.title,
                "kind": self.kind,
                "statement": self.statement,
                "assumptions": self.assumptions,
                "reference": self.reference,
                "tex": self.tex,
                "solver": self.solver,
                "device": self.device,
                "finding": self.finding,
                "regimes": self.regimes,
                "failure_modes": self.failure_modes,
                "audit": self.audit,
                "verdict": self.verdict,
                "worst_gap": self.worst_gap,
                "elapsed_s": self.elapsed_s,
                "trials": [t.to_json() for t in self.trials],
                "findings": [f.to_json() for f in self.findings],
                "exact": self.exact,
                "exact_summary": exact_summary(self.exact) if self.exact else None,
            }
        )


def versions() -> dict:
    """Versions of the components whose numbers the results depend on."""
    out = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "cvxpy", "clarabel", "torch", "bnproofs"):
        try:
            mod = __import__(name)
            out[name] = getattr(mod, "__version__", "unknown")
        except ImportError:
            out[name] = None
    out["bnproofs_commit"] = git_commit()
    return out


def git_commit() -> str | None:
    """The commit of the checkout the code runs from (None outside a git checkout)."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5, cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def run_to_json(claims: list[ClaimResult], device: str, elapsed_s: float) -> dict:
    return {
        "claims": [c.to_json() for c in claims],
        "device": device,
        "elapsed_s": elapsed_s,
        "versions": versions(),
    }


def write_json(path, payload: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=1, allow_nan=False)
