"""The errata: one entry per printed statement that fails, as JSON, Markdown or HTML.

An entry gives the paper and the statement as printed, how it fails (each failure mode with its
condition and the smallest counterexample found), the corrected statement and the evidence that it
holds, all read from a run payload (:mod:`bnproofs.results`; :mod:`reports.summary` says where
each part comes from when a run did not record it). The same answer block opens every claim page.

``bnproofs errata`` writes it from a run's JSON: by default the one ``bnproofs report`` saves
(:data:`DEFAULT_RUN`, the whole run beside the per-claim files), or any ``bnproofs check --json``
file passed with ``--from``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path

from bnproofs.data import InputError

from . import summary
from .mathml import math_html
from .style import page, verdict_html

#: where ``bnproofs report`` (default ``--out reports/out``) saves the whole run
DEFAULT_RUN = Path("reports/out/results/run.json")
FORMATS = ("md", "html", "json")
TITLE = "Errata: printed statements that fail"

Math = Callable[[str, str], str]  # (tex, Unicode text) -> HTML


def load_run(path: str | Path = DEFAULT_RUN) -> dict:
    """A run payload from ``path``; :class:`InputError` saying how to make one if absent."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            payload = json.load(fh)
    except FileNotFoundError:
        raise InputError(f"no run results at {path}: run `bnproofs report` (it saves "
                         f"{DEFAULT_RUN}) or pass --from a `bnproofs check --json` file") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read run results {path}: {exc}") from None
    if not isinstance(payload, dict) or "claims" not in payload:
        raise InputError(f"{path} is not a bnproofs run (no 'claims')")
    return payload


def entry(claim: dict) -> dict:
    """Everything the errata and a claim page's answer show about ``claim``."""
    return {
        "id": claim["id"], "paper": claim.get("paper", ""), "title": claim.get("title", ""),
        "source": summary.source(claim), "statement": claim.get("statement", ""),
        "tex": claim.get("tex", ""), "assumptions": list(claim.get("assumptions") or []),
        "verdict": claim["verdict"], "finding": summary.one_line(claim),
        "verdict_sentence": summary.verdict_sentence(claim), "trials": len(claim["trials"]),
        "counts": summary.counts_text(claim), "lead": summary.lead(claim),
        "regimes": claim.get("regimes") or [], "failure_modes": summary.failure_modes(claim),
        "corrections": summary.corrections(claim),
        "other_counterexamples": [{"trial": f["trial"], "text": f["text"]}
                                  for f in summary.other_counterexamples(claim)],
    }


def errata(payload: dict) -> dict:
    """The errata of a run (JSON): the run, one entry per failing claim, every claim's line."""
    verdicts = [c["verdict"] for c in payload["claims"]]
    return {
        "run": {"device": payload.get("device"), "solver": payload.get("solver"),
                "elapsed_s": payload.get("elapsed_s"),
                "commit": (payload.get("versions") or {}).get("bnproofs_commit"),
                "claims": len(verdicts),
                "verdicts": {v: verdicts.count(v) for v in ("holds", "fails", "inconclusive")}},
        "errata": [entry(c) for c in summary.failing(payload)],
        "claims": [{"id": c["id"], "paper": c.get("paper", ""), "title": c.get("title", ""),
                    "verdict": c["verdict"], "finding": summary.one_line(c)}
                   for c in payload["claims"]],
    }


def run_line(run: dict) -> str:
    """``24 claims checked: 18 hold, 5 fail, 1 inconclusive (commit abc1234, device cpu).``"""
    v = run["verdicts"]
    where = ", ".join(f"{k} {run[k]}" for k in ("commit", "device", "solver") if run.get(k))
    return (f"{run['claims']} claims checked: {v['holds']} hold, {v['fails']} fail, "
            f"{v['inconclusive']} inconclusive" + (f" ({where})." if where else "."))


# ---------------------------------------------------------------- HTML


def _counterexample_html(cx: dict) -> str:
    e = html.escape
    label = "Smallest counterexample" if cx["smallest"] else "First counterexample found"
    proved = ' <span class="proved">✓ checked in exact arithmetic</span>' if cx["proved"] else ""
    lines = [f'<span class="label">{label}</span>{proved}']
    if cx["instance"] is not None:
        lines.append(f"Instance: {e(summary.value_text(cx['instance']))}")
    if cx["exact"] is not None:
        lines.append(f"Exact: {e(summary.value_text(cx['exact']))}")
    if cx["text"]:
        trial = cx["trial"] is not None and f"trial {cx['trial']}" not in cx["text"]
        lines.append(e(cx["text"]) + (f" (trial {cx['trial']})" if trial else ""))
    return '<div class="counterexample">' + "<br>".join(lines) + "</div>"


def mode_html(mode: dict, total: int) -> str:
    """One failure mode: its name, condition, trials and counterexample."""
    e = html.escape
    condition = f" — when {e(mode['condition'])}" if mode["condition"] else ""
    trials = summary.trials_text(mode["trials"], total)
    name = "" if mode["name"] == summary.UNNAMED else f"<b>{e(mode['name'])}</b>{condition}"
    return (f'<div class="mode">{name}'
            + (f"<br><small>{e(trials)}</small>" if trials else "")
            + _counterexample_html(mode["counterexample"]) + "</div>")


def correction_html(c: dict, math: Math) -> str:
    """A corrected statement (formula, else text) and the evidence that it holds; without a
    recorded statement, the findings that a corrected form holds."""
    e = html.escape
    modes = f" (for: {e('; '.join(c['modes']))})" if c["modes"] else ""
    stated = c["tex"] or c["statement"]
    label = "Corrected statement" if stated else "A corrected form holds"
    body = math(c["tex"], c["statement"]) if stated else ""
    evidence = "".join(f"<li>{e(t)}</li>" for t in c["evidence"])
    heading = "<p><b>Evidence that it holds</b></p>" if stated and evidence else ""
    return (f'<div class="corrected"><span class="label">{label}</span>{modes}{body}{heading}'
            + (f"<ul>{evidence}</ul>" if evidence else "") + "</div>")


def _regimes_html(regimes: list[dict], total: int) -> str:
    e = html.escape
    rows = "".join(f"<tr><td>{e(r.get('condition', ''))}</td><td>"
                   f"{verdict_html(r.get('verdict', ''))}</td>"
                   f"<td>{e(summary.trials_text(r.get('trials'), total))}</td></tr>"
                   for r in regimes)
    return ("<table><tr><th>regime</th><th>verdict</th><th>trials</th></tr>"
            f"{rows}</table>")


def answer_html(en: dict, math: Math = math_html) -> str:
    """The answer: verdict (per regime), failure modes, corrected statement, other cases."""
    e = html.escape
    parts = [f"<p>Verdict: {verdict_html(en['verdict'])} (trials: {e(en['counts'])}).</p>"]
    if en["lead"]:
        parts.append(f'<p class="oneline">{e(en["lead"])}</p>')
    if en["regimes"]:
        parts.append(_regimes_html(en["regimes"], en["trials"]))
    if en["failure_modes"]:
        heading = "How the printed statement fails" if en["verdict"] == "fails" else \
            "What fails as printed"
        parts.append(f'<p class="label">{heading}</p>')
        parts.extend(mode_html(m, en["trials"]) for m in en["failure_modes"])
    parts.extend(correction_html(c, math) for c in en["corrections"])
    others = en["other_counterexamples"]
    if others:
        items = "".join(f"<li>(trial {o['trial']}) {e(o['text'])}</li>" for o in others)
        parts.append(f"<details><summary>Counterexamples, one per failing trial ({len(others)})"
                     "</summary>"
                     f"<ul>{items}</ul></details>")
    return "\n".join(parts)


def statement_html(en: dict, math: Math = math_html) -> str:
    """The statement (MathML, else Unicode), its Unicode text folded, assumptions, source."""
    e = html.escape
    if not (en["tex"] or en["statement"]):
        body = '<p class="note">No statement recorded in this run.</p>'
    else:
        body = math(en["tex"], en["statement"])
        if en["tex"] and en["statement"]:
            body += ("<details><summary>The statement as printed, in text</summary>"
                     f'<pre class="statement">{e(en["statement"])}</pre></details>')
    items = "".join(f"<li>{e(a)}</li>" for a in en["assumptions"])
    return (body + (f'<p><span class="label">Assumptions</span></p><ul>{items}</ul>'
                    if items else "")
            + f'<p class="source">{e(en["source"])}</p>')


def erratum_html(en: dict, href: str | None = None, math: Math = math_html) -> str:
    """One erratum block; ``href`` links the claim's page."""
    e = html.escape
    link = f'<p><a href="{e(href)}">All the evidence for {e(en["id"])} →</a></p>' if href else ""
    return (f'<section class="erratum" id="erratum-{e(en["id"])}">'
            f'<h3>{e(en["id"])} — {e(en["title"])} [{e(en["paper"])}]</h3>'
            f"{statement_html(en, math)}{answer_html(en, math)}{link}</section>")


def errata_html_blocks(data: dict, href: Callable[[str], str] | None = None) -> str:
    """Every erratum block, or a line saying that none failed."""
    if not data["errata"]:
        return "<p>No printed statement failed in this run.</p>"
    return "\n".join(erratum_html(en, href(en["id"]) if href else None) for en in data["errata"])


def errata_page(payload: dict) -> str:
    """The errata as a standalone HTML page."""
    data = errata(payload)
    return page(TITLE, f"<h1>{TITLE}</h1>\n<p>{html.escape(run_line(data['run']))}</p>\n"
                       + errata_html_blocks(data))


# ---------------------------------------------------------------- Markdown


def _md_math(tex: str, text: str) -> list[str]:
    """A formula for Markdown: the Unicode text quoted, then the LaTeX as a $$ display."""
    lines = [f"> {line}" for line in text.splitlines()] if text else []
    if tex:
        lines += ["", "$$", " ".join(tex.split()), "$$"]
    return lines


def _md_mode(i: int, mode: dict, total: int) -> list[str]:
    """A numbered failure mode, its counterexample as a sub-item (or inline when unnamed)."""
    cx = mode["counterexample"]
    condition = f" — when {mode['condition']}" if mode["condition"] else ""
    trials = summary.trials_text(mode["trials"], total)
    label = "Smallest counterexample" if cx["smallest"] else "First counterexample found"
    proved = " (checked in exact arithmetic)" if cx["proved"] else ""
    example = " ".join(filter(None, [
        f"{label}{proved}:",
        f"{summary.value_text(cx['instance'])}." if cx["instance"] is not None else "",
        f"{summary.value_text(cx['exact'])}." if cx["exact"] is not None else "", cx["text"]]))
    name = "" if mode["name"] == summary.UNNAMED else f"**{mode['name']}**{condition}."
    head = " ".join(filter(None, [name, f"Seen on {trials}." if trials else ""]))
    return [f"{i}. {head}", f"   - {example}"] if head else [f"{i}. {example}"]


def _md_correction(c: dict) -> list[str]:
    modes = f" (for: {'; '.join(c['modes'])})" if c["modes"] else ""
    if not (c["tex"] or c["statement"]):
        return [f"**A corrected form holds{modes}.**", "", *[f"- {t}" for t in c["evidence"]], ""]
    out = [f"**Corrected statement{modes}.**", "", *_md_math(c["tex"], c["statement"]), ""]
    if c["evidence"]:
        out += ["Evidence that it holds:", "", *[f"- {t}" for t in c["evidence"]]]
    return out + [""]


def _cell(text: str) -> str:
    """Text for a Markdown table cell (a ``|`` would end the cell)."""
    return text.replace("|", "\\|")


def _md_regimes(en: dict) -> list[str]:
    rows = [f"| {_cell(r.get('condition', ''))} | {r.get('verdict', '')} | "
            f"{summary.trials_text(r.get('trials'), en['trials'])} |" for r in en["regimes"]]
    return ["| regime | verdict | trials |", "|---|---|---|", *rows, ""]


def erratum_markdown(en: dict) -> list[str]:
    """One erratum in Markdown."""
    statement = _md_math(en["tex"], en["statement"]) or ["*(not recorded in this run)*"]
    out = [f"## {en['id']} — {en['title']} [{en['paper']}]", "", f"*{en['source']}*", "",
           "**Statement as printed.**", "", *statement, ""]
    if en["assumptions"]:
        out += [f"**Assumptions.** {'; '.join(en['assumptions'])}.", ""]
    out += [f"**Verdict: {en['verdict']}** (trials: {en['counts']})."
            + (f" {en['lead']}" if en["lead"] else ""), ""]
    if en["regimes"]:
        out += _md_regimes(en)
    if en["failure_modes"]:
        out += ["**How it fails.**" if en["verdict"] == "fails" else "**What fails as printed.**",
                ""]
        for i, m in enumerate(en["failure_modes"], 1):
            out += _md_mode(i, m, en["trials"])
        out.append("")
    for c in en["corrections"]:
        out += _md_correction(c)
    if en["other_counterexamples"]:
        out += [f"Counterexamples, one per failing trial ({len(en['other_counterexamples'])}):",
                ""]
        out += [f"- trial {o['trial']}: {o['text']}" for o in en["other_counterexamples"]] + [""]
    return out


def errata_markdown(payload: dict) -> str:
    """The errata as a Markdown document that reads on its own."""
    data = errata(payload)
    out = [f"# {TITLE}", "", run_line(data["run"]), "",
           "Each entry: the statement as printed, how it fails (with the smallest counterexample "
           "found), and the corrected statement with the evidence that it holds. Papers: [E] "
           f"{summary.PAPERS['E']}; [C] {summary.PAPERS['C']}.", ""]
    for en in data["errata"]:
        out += erratum_markdown(en)
    if not data["errata"]:
        out += ["No printed statement failed in this run.", ""]
    out += ["## Every claim", "", "| claim | paper | verdict | finding |", "|---|---|---|---|"]
    out += [f"| {c['id']} | {c['paper']} | {c['verdict']} | {_cell(c['finding'])} |"
            for c in data["claims"]]
    return "\n".join(out).rstrip() + "\n"


def render(payload: dict, fmt: str = "md") -> str:
    """The errata of ``payload`` in format ``fmt`` (:data:`FORMATS`)."""
    if fmt == "md":
        return errata_markdown(payload)
    if fmt == "html":
        return errata_page(payload)
    if fmt == "json":
        return json.dumps(errata(payload), indent=1, ensure_ascii=False) + "\n"
    raise InputError(f"unknown errata format {fmt!r}; one of {', '.join(FORMATS)}")
