"""What a reader sees first about a claim, read from a run payload (:mod:`bnproofs.results`).

Nothing here computes a number: the verdict per regime, the failure modes with their smallest
counterexample and the corrected statement are the run's own (``regimes``, ``failure_modes``),
and where a run recorded none they are taken from its findings:

- failure modes: the ``statement_fails`` findings of the form ``Smallest counterexample, printed
  form <label>: <instance>`` (one mode per label), else the ``statement_fails`` findings grouped
  by the text before their first colon (the first of each group is shown, marked as such);
- corrected statement: the texts of the ``corrected_form_holds`` findings, as its evidence;
- the one-line finding: ``claim["finding"]``, else the verdict, the trial counts and the failure
  modes' names (or the first finding).
"""

from __future__ import annotations

import re

from bnproofs.results import FAIL, INCONCLUSIVE, PASS

PAPERS = {"E": "Ergen et al., ICLR 2022", "C": "Cai, Li, Shen, ICML 2019"}
VERDICT_COLOURS = {"holds": "#1a7f37", "fails": "#cf222e", "inconclusive": "#9a6700"}
SMALLEST = re.compile(r"Smallest counterexample(?:, printed form (?P<label>[^:]+?))?: (?P<rest>.+)",
                      re.S)
ONE_LINE = 200  # characters of a first finding quoted in a one-line summary
UNNAMED = "the printed statement fails"  # a failure mode whose findings give it no name


def failing(payload: dict) -> list[dict]:
    """The claims whose printed statement fails (verdict ``fails``), in run order."""
    return [c for c in payload["claims"] if c["verdict"] == "fails"]


def source(claim: dict) -> str:
    """Where the statement is printed: the recorded reference, else the paper."""
    paper = claim.get("paper", "")
    return claim.get("reference") or PAPERS.get(paper, paper)


def counts(claim: dict) -> dict[str, int]:
    """Trials per status."""
    statuses = [t["status"] for t in claim["trials"]]
    return {s: statuses.count(s) for s in (PASS, FAIL, INCONCLUSIVE)}


def regimes(claim: dict) -> list[dict]:
    """The verdict per regime as recorded, else one row for the whole run."""
    if claim.get("regimes"):
        return [{"condition": r.get("condition", ""), "verdict": r.get("verdict", ""),
                 "trials": r.get("trials")} for r in claim["regimes"]]
    return [{"condition": "all trials", "verdict": claim["verdict"],
             "trials": list(range(len(claim["trials"])))}]


def trials_text(trials, total: int | None = None) -> str:
    """``trials 1, 2, 5 (3 of 10)`` for a list of indices, ``4 trials`` for a count."""
    if trials is None:
        return ""
    if isinstance(trials, int):
        return f"{trials} trial{'s' * (trials != 1)}"
    of = f" ({len(trials)} of {total})" if total is not None else ""
    return f"trial{'s' * (len(trials) != 1)} {', '.join(str(i) for i in trials)}{of}"


def _findings(claim: dict, kind: str) -> list[dict]:
    return [f for f in claim.get("findings", []) if f["kind"] == kind]


def _recorded_mode(mode: dict) -> dict:
    """A recorded failure mode with every key present."""
    cx = mode.get("counterexample") or {}
    return {"name": mode.get("name", ""), "condition": mode.get("condition", ""),
            "trials": mode.get("trials"), "recorded": True,
            "counterexample": {"text": cx.get("text", ""), "instance": cx.get("instance"),
                               "exact": cx.get("exact"), "proved": cx.get("proved"),
                               "trial": cx.get("trial"), "smallest": True},
            "corrected": mode.get("corrected") or None}


def _mode(name: str, found: list[dict], text: str, smallest: bool) -> dict:
    """A failure mode read from findings: ``found`` are its findings, the first one shown; its
    trials are theirs, unknown (None) for a smallest-counterexample summary."""
    trials = sorted({f["trial"] for f in found if f["trial"] is not None})
    return {"name": name, "condition": "", "trials": None if smallest else trials or None,
            "recorded": False,
            "counterexample": {"text": text, "instance": None, "exact": None, "proved": None,
                               "trial": found[0]["trial"], "smallest": smallest},
            "corrected": None}


def _mode_key(text: str) -> str:
    """The text before the first colon (``With a₀ = 1, BNGD's good range does not increase``),
    which names what fails; the whole text where there is no short one."""
    head = text.split(": ", 1)[0]
    named = head != text and len(head) <= 160 and head.count("(") == head.count(")")
    return head if named else UNNAMED


def failure_modes(claim: dict) -> list[dict]:
    """The ways the printed statement fails: recorded, else read from the findings (module
    docstring). Each: name, condition, trials, counterexample {text, instance, exact, proved,
    trial, smallest}, corrected (or None), recorded."""
    if claim.get("failure_modes"):
        return [_recorded_mode(m) for m in claim["failure_modes"]]
    fails = _findings(claim, "statement_fails")
    summaries = [(f, SMALLEST.fullmatch(f["text"].strip())) for f in fails]
    summaries = [(f, m) for f, m in summaries if m]
    if summaries:
        return [_mode(m["label"] or UNNAMED, [f], m["rest"], True) for f, m in summaries]
    groups: dict[str, list[dict]] = {}
    for f in fails:
        groups.setdefault(_mode_key(f["text"]), []).append(f)
    return [_mode(key, found, _after_key(found[0]["text"], key), False)
            for key, found in groups.items()]


def _after_key(text: str, key: str) -> str:
    """A finding's text without the mode name it starts with."""
    return text[len(key):].lstrip(": ") if key != UNNAMED and text.startswith(key) else text


def other_counterexamples(claim: dict) -> list[dict]:
    """``statement_fails`` findings not shown as a mode's counterexample."""
    shown = [m["counterexample"]["text"] for m in failure_modes(claim)]
    return [f for f in _findings(claim, "statement_fails")
            if not any(s and f["text"].endswith(s) for s in shown)
            and not SMALLEST.fullmatch(f["text"].strip())]


def _correction(corrected: dict, modes: list[str]) -> dict:
    evidence = corrected.get("evidence") or []
    return {"statement": corrected.get("statement", ""), "tex": corrected.get("tex", ""),
            "evidence": [evidence] if isinstance(evidence, str) else list(evidence),
            "modes": modes}


def corrections(claim: dict) -> list[dict]:
    """Corrected statements with their evidence: the modes' recorded ``corrected`` (one entry
    per distinct one, naming its modes), else one entry holding the ``corrected_form_holds``
    findings. Each: statement, tex, evidence (list of texts), modes."""
    recorded: list[tuple[dict, list[str]]] = []
    for m in failure_modes(claim):
        if not m["corrected"]:
            continue
        same = next((names for c, names in recorded if c == m["corrected"]), None)
        if same is None:
            recorded.append((m["corrected"], [m["name"]]))
        else:
            same.append(m["name"])
    if recorded:
        return [_correction(c, names) for c, names in recorded]
    texts = [f["text"] for f in _findings(claim, "corrected_form_holds")]
    return [{"statement": "", "tex": "", "evidence": texts, "modes": []}] if texts else []


def counts_text(claim: dict) -> str:
    """``2 pass, 8 fail`` (statuses with no trial left out), or ``no trials``."""
    return ", ".join(f"{n} {status}" for status, n in counts(claim).items() if n) or "no trials"


def verdict_sentence(claim: dict) -> str:
    """``Fails on 8 of 10 trials`` / ``Holds on 10 of 10 trials`` / ``Inconclusive on …``."""
    n, c = len(claim["trials"]), counts(claim)
    if claim["verdict"] == "fails":
        return f"Fails on {c[FAIL]} of {n} trials"
    if claim["verdict"] == "holds":
        return f"Holds on {c[PASS]} of {n} trials"
    return f"Inconclusive on {c[INCONCLUSIVE]} of {n} trials" if n else "No trials recorded"


def shorten(text: str, limit: int = ONE_LINE) -> str:
    """``text`` cut at a word boundary before ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def lead(claim: dict) -> str:
    """The sentence under a claim's verdict: the recorded finding, else (where no failure mode
    is listed below it) the first finding in full; else nothing."""
    if claim.get("finding"):
        return claim["finding"]
    first = next(iter(claim.get("findings", [])), None)
    return first["text"] if first and not failure_modes(claim) else ""


def one_line(claim: dict) -> str:
    """The claim's one-line finding (module docstring)."""
    if claim.get("finding"):
        return claim["finding"]
    sentence = verdict_sentence(claim)
    names = [m["name"] for m in failure_modes(claim) if m["name"] != UNNAMED]
    if claim["verdict"] == "fails" and names:
        return shorten(f"{sentence}: {'; '.join(names)}.")
    fails = _findings(claim, "statement_fails") if claim["verdict"] == "fails" else []
    first = next(iter(fails or claim.get("findings", [])), None)
    return shorten(f"{sentence}. {first['text']}") if first else f"{sentence}."


def value_text(value) -> str:
    """A recorded instance or exact value as one line: ``n = 3, d = 5`` for a mapping."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k} = {value_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)
