"""Build the reports: one executed notebook and HTML page per claim, and an index page.

For each claim of a run payload (the JSON layout of :mod:`bnproofs.results`)::

    out/results/<ID>.json     that claim alone, in the same layout (a one-claim payload)
    out/notebooks/<ID>.ipynb  built with nbformat, executed with nbclient in out/notebooks/
    out/<ID>.html             the reader's page: outputs only, code hidden
    out/code/<ID>.html        the same page with the code
    out/index.html            one row per claim, linking its page

The notebooks read every number from ``results/<ID>.json``; nothing is recomputed except in the
last cell, which re-runs one trial with its stored seed as a labelled reproducibility check.

Offline reading: statements are written in Unicode, so the pages need no MathJax. The HTML uses
nbconvert's ``lab`` template with its remote scripts (require.js, MathJax, mermaid) and its
240 kB stylesheet replaced by a small inline one; plots are PNGs embedded as base64.
"""

from __future__ import annotations

import html
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import nbformat
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter

from bnproofs.results import write_json
from verify import registry

KERNEL = "python3"
VERDICT_COLOURS = {"holds": "#1a7f37", "fails": "#cf222e", "inconclusive": "#9a6700"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;
 line-height:1.5;max-width:1150px;margin:1.5em auto;padding:0 1em}
main{display:block}
.jp-InputPrompt,.jp-OutputPrompt,.jp-Collapser,a.anchor-link{display:none}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em}
pre{overflow-x:auto;margin:.4em 0}
.jp-InputArea pre{background:#f6f8fa;padding:.6em;border-radius:4px}
.jp-Cell{margin:.5em 0}
.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]{background:#fff1f0;
 padding:.3em .6em}
img{max-width:100%}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #d0d7de;padding:2px 7px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.ansi-red-fg{color:#cf222e}.ansi-green-fg{color:#1a7f37}.ansi-yellow-fg{color:#9a6700}
.ansi-blue-fg{color:#0969da}.ansi-cyan-fg{color:#1b7c83}.ansi-magenta-fg{color:#8250df}
.ansi-bold{font-weight:bold}
nav{font-size:.9em;margin-bottom:1em}
"""

#: nbconvert's lab template without anything fetched from a network
PAGE_TEMPLATE = (
    "{%- extends 'index.html.j2' -%}\n"
    "{% block html_head_js %}{% endblock html_head_js %}\n"
    "{% block jupyter_widgets %}{% endblock jupyter_widgets %}\n"
    "{% block html_head_js_mathjax %}{% endblock html_head_js_mathjax %}\n"
    "{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}\n"
    "{% block notebook_css %}<style>" + CSS + "</style>{% endblock notebook_css %}\n"
    "{% block body_header %}{{ super() }}"
    '<nav><a href="{{ resources.index_href }}">← all claims</a></nav>'
    "{% endblock body_header %}\n"
)

# ---------------------------------------------------------------- cells run by the kernel

LOAD_CELL = '''\
%matplotlib inline
import json
from html import escape

import matplotlib.pyplot as plt
from IPython.display import HTML, display

with open(RESULTS_PATH, encoding="utf-8") as fh:
    RUN = json.load(fh)
CLAIM = next(c for c in RUN["claims"] if c["id"] == CLAIM_ID)
TRIALS = CLAIM["trials"]
STATUS_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "inconclusive": "#9a6700"}
STATUS_MARKERS = {"pass": "o", "fail": "X", "inconclusive": "s"}


def fmt(v):
    """A stored value as escaped text: floats to 10 significant digits, missing as a dash."""
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.10g}"
    return escape(str(v))


def html_table(header, rows):
    """An HTML table from header strings and rows of already-escaped cells."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div style="overflow-x:auto"><table><tr>{head}</tr>{body}</table></div>'


print(f"{CLAIM_ID} [{CLAIM['paper']}]: {len(TRIALS)} trial(s), verdict {CLAIM['verdict']}, "
      f"{CLAIM['elapsed_s']:.1f} s on {RUN['device']}")
print("versions:", ", ".join(f"{k} {v}" for k, v in RUN["versions"].items()))
'''

TRIALS_CELL = '''\
def status_html(status):
    """A trial status in its colour."""
    return f'<b style="color:{STATUS_COLOURS.get(status, "inherit")}">{escape(status)}</b>'


def trial_row(i, t):
    """Everything stored about trial ``i`` except its values."""
    bracket = "[" + ", ".join(fmt(b) for b in t["bracket"]) + "]" if t["bracket"] else "—"
    failing = ", ".join(escape(k) for k, ok in t["checks"].items() if not ok) or "—"
    params = "<br>".join(f"{escape(k)} = {fmt(v)}" for k, v in t["params"].items())
    notes = "<br>".join(escape(n) for n in t["notes"])
    return [i, t["seed"], params, status_html(t["status"]), fmt(t["gap"]), bracket, failing,
            notes]


display(HTML(html_table(
    ["trial", "seed", "parameters", "status", "gap", "bracket", "failing checks", "notes"],
    [trial_row(i, t) for i, t in enumerate(TRIALS)])))
names = list(dict.fromkeys(k for t in TRIALS for k in t["values"]))
display(HTML(html_table(
    ["value"] + [f"trial {i}" for i in range(len(TRIALS))],
    [[escape(k)] + [fmt(t["values"].get(k)) for t in TRIALS] for k in names])))
'''

GAP_CELL = '''\
from matplotlib.ticker import MaxNLocator

positive = [t["gap"] for t in TRIALS if t["gap"] is not None and t["gap"] > 0]
floor = min(positive) / 10 if positive else 0.0
fig, ax = plt.subplots(figsize=(7, 3.2))
for status, colour in STATUS_COLOURS.items():
    points = [(i, t["gap"]) for i, t in enumerate(TRIALS) if t["status"] == status]
    shown = [(i, g) for i, g in points if g is not None and g > 0]
    rest = [i for i, g in points if g is None or g <= 0]
    if shown:
        ax.scatter(*zip(*shown, strict=True), marker=STATUS_MARKERS[status], color=colour, label=status)
    if rest:
        ax.scatter(rest, [floor] * len(rest), marker=STATUS_MARKERS[status],
                   facecolors="none", edgecolors=colour,
                   label=f"{status}, gap missing or ≤ 0 (drawn at {floor:.3g})")
if positive:
    ax.set_yscale("log")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_xlabel("trial")
ax.set_ylabel("gap")
ax.set_title(f"{CLAIM_ID}: headline gap per trial")
ax.legend(fontsize=8)
plt.show()
'''

SERIES_CELL = '''\
from matplotlib.lines import Line2D

MAX_TRIALS = 8
STYLES = ["-", "--", ":", "-."]


def as_floats(values):
    """Stored numbers with missing entries (saved as null) as NaN, for plotting only."""
    return [float("nan") if v is None else v for v in values]


def plot_series(name):
    """Overlay series ``name`` of up to MAX_TRIALS trials: colour = trial, line style = label."""
    specs = [(i, t["series"][name]) for i, t in enumerate(TRIALS) if name in t["series"]]
    shown, first = specs[:MAX_TRIALS], specs[0][1]
    labels = list(dict.fromkeys(k for _, s in shown for k in [*s["y"], *(s.get("hline") or {})]))
    style = {k: STYLES[j % len(STYLES)] for j, k in enumerate(labels)}
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for j, (_, spec) in enumerate(shown):
        for label, ys in spec["y"].items():
            xs = spec["x"] if spec["x"] is not None else range(len(ys))
            ax.plot(xs, as_floats(ys), color=f"C{j}", ls=style[label], lw=1.3)
        for label, v in (spec.get("hline") or {}).items():
            if v is not None:
                ax.axhline(v, color=f"C{j}", ls=style[label], lw=0.9, alpha=0.8)
    if "x" in first["log"]:
        ax.set_xscale("log")
    if "y" in first["log"]:
        ax.set_yscale("log")
    ax.set_xlabel(first["xlabel"] or "index")
    ax.set_ylabel(first["ylabel"])
    more = f" (first {len(shown)} of {len(specs)} trials)" if len(specs) > len(shown) else ""
    ax.set_title(f"{first['title']}{more}", fontsize=10)
    handles = [Line2D([], [], color=f"C{j}", label=f"trial {i} (seed {TRIALS[i]['seed']})")
               for j, (i, _) in enumerate(shown)]
    handles += [Line2D([], [], color="0.3", ls=style[k], label=k) for k in labels]
    ax.legend(handles=handles, fontsize=8)
    plt.show()


series_names = list(dict.fromkeys(n for t in TRIALS for n in t["series"]))
for name in series_names:
    plot_series(name)
if not series_names:
    print("No series recorded for this claim.")
'''

VERDICT_CELL = '''\
VERDICT_COLOURS = {"holds": "#1a7f37", "fails": "#cf222e", "inconclusive": "#9a6700"}


def finding_html(f):
    """One finding as a list item, with the trial it came from."""
    where = "whole run" if f["trial"] is None else f"trial {f['trial']}"
    return f"<li><b>{escape(f['kind'])}</b> ({where}): {escape(f['text'])}</li>"


counts = ", ".join(f"{sum(t['status'] == s for t in TRIALS)} {s}" for s in STATUS_COLOURS)
verdict = CLAIM["verdict"]
findings = "".join(finding_html(f) for f in CLAIM["findings"])
display(HTML(
    f'<p style="font-size:1.25em">Verdict: <b style="color:{VERDICT_COLOURS.get(verdict)}">'
    f"{escape(verdict)}</b></p><p>Trials: {counts}; worst gap {fmt(CLAIM['worst_gap'])}.</p>"
    + (f"<ul>{findings}</ul>" if findings else "<p>No findings recorded.</p>")))
'''

EXACT_CELL = '''\
OUTCOME_COLOURS = {"proved": "#1a7f37", "refuted": "#cf222e", "undecided": "#9a6700"}
EXACT = CLAIM.get("exact") or []


def pre(text):
    """Pretty-printed sympy output (Unicode, several lines) kept as it is."""
    return f'<pre style="margin:0;line-height:1.15">{escape(text)}</pre>' if text else "—"


def outcome_html(item):
    """Outcome in its colour; a refuted printed formula is a finding, not an error."""
    colour = OUTCOME_COLOURS.get(item["outcome"], "inherit")
    note = " (printed formula shown wrong)" if item["outcome"] == "refuted" and \
        item["role"] == "printed" else ""
    return f'<b style="color:{colour}">{escape(item["outcome"])}</b>{note}'


def width_html(item):
    if item.get("width_float") is None:
        return "—"
    digits = item["values"].get("width_denominator_digits")
    return (f"{item['width_float']:.3g}<br><small>exact rational"
            + (f", {digits}-digit denominator" if digits else "") + "</small>")


if not EXACT:
    print("No exact checks apply to this claim (or the run used --no-exact).")
else:
    s = CLAIM.get("exact_summary") or {}
    print(f"{s.get('items')} exact item(s): {s.get('proved')} proved, {s.get('refuted')} refuted, "
          f"{s.get('undecided')} undecided; {s.get('unexpected')} not as expected; "
          f"{s.get('time_s', 0):.1f} s in total")
    rows = [[escape(e["name"]), escape(e["kind"]), escape(e["role"]), outcome_html(e),
             escape(e["statement"]) + (f"<br><small>assuming {escape(e['assumptions'])}</small>"
                                      if e.get("assumptions") else ""),
             pre(e["expression"]), pre(e["difference"]), width_html(e), f"{e['time_s']:.2f}"]
            for e in EXACT]
    display(HTML(html_table(["item", "kind", "role", "outcome", "statement", "identity / value",
                             "difference (simplified) or checks", "bracket width", "time (s)"],
                            rows)))
'''

RERUN_CELL = '''\
import time

from verify import registry, runner


def numbers(t):
    """Every stored number of a trial by name (params, values, gap, bracket); null kept."""
    fields = {f"params.{k}": v for k, v in t["params"].items()}
    fields.update({f"values.{k}": v for k, v in t["values"].items()})
    fields["gap"] = t["gap"]
    if t["bracket"]:
        fields["bracket.lower"], fields["bracket.upper"] = t["bracket"]
    return {k: v for k, v in fields.items()
            if v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))}


def relative_difference(a, b):
    """|a − b| / max(|a|, |b|), 0 when both are 0; None when either is missing."""
    if a is None or b is None:
        return None
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale else 0.0


def rerun(index):
    """Re-run trial ``index`` on the CPU and show every stored number beside the new one."""
    stored = TRIALS[index]
    start = time.perf_counter()
    fresh, _ = runner.run_trial(registry.load(CLAIM_ID), stored["params"]["index"],
                                stored["seed"], "cpu")
    fresh = fresh.to_json()
    print(f"trial {index} (index {stored['params']['index']}, seed {stored['seed']}) re-run on "
          f"cpu in {time.perf_counter() - start:.1f} s; stored run was on {RUN['device']}; "
          f"status stored {stored['status']}, re-run {fresh['status']}")
    old, new = numbers(stored), numbers(fresh)
    rows, worst, unmatched = [], 0.0, 0
    for name in dict.fromkeys([*old, *new]):
        d = relative_difference(old.get(name), new.get(name))
        timing = name.endswith("_s")  # wall-clock timings are recorded, not expected to repeat
        unmatched += d is None and old.get(name) != new.get(name)
        worst = max(worst, d) if d is not None and not timing else worst
        note = "timing, not compared" if timing else ("" if d is not None else "missing")
        rows.append([escape(name), fmt(old.get(name)), fmt(new.get(name)),
                     "—" if d is None else f"{d:.2e}", note])
    display(HTML(html_table(["number", "stored", "re-run", "relative difference", ""], rows)))
    print(f"max relative difference (timings excluded): {worst:.3g}; "
          f"{unmatched} number(s) present or defined on one side only")
    if worst or unmatched:
        print("differences mean the code changed since the run, the device matters, "
              "or a computation is not deterministic")


if TRIALS:
    rerun(RERUN_TRIAL)
else:
    print("No trials recorded; nothing to re-run.")
'''


# ---------------------------------------------------------------- notebook


def rst_to_html(text: str) -> str:
    """A docstring statement as preformatted HTML: escaped, ``literals`` as <code>."""
    text = html.escape(text).replace("::\n", ":\n")
    text = re.sub(r"``(.+?)``", r"<code>\1</code>", text)
    return re.sub(r"`([^`\n]+)`", r"<code>\1</code>", text)


def _heading(claim: dict) -> str:
    """Title cell: id, title, paper, kind, coloured verdict."""
    verdict = claim["verdict"]
    colour = VERDICT_COLOURS.get(verdict, "inherit")
    return (
        f"<h1>{html.escape(claim['id'])} — {html.escape(claim['title'])}</h1>\n\n"
        f"<p>Paper [{html.escape(claim['paper'])}] · {html.escape(claim['kind'])} · verdict "
        f'<b style="color:{colour}">{html.escape(verdict)}</b></p>'
    )


def _statement(claim_id: str) -> str:
    """Statement and assumptions of the claim module, as HTML for a markdown cell."""
    mod = registry.load(claim_id)
    items = "".join(f"<li>{rst_to_html(a)}</li>" for a in mod.ASSUMPTIONS)
    return (
        "## Statement\n\n"
        '<pre style="white-space:pre-wrap;font-family:inherit;font-size:1em">'
        f"{rst_to_html(mod.STATEMENT)}</pre>\n\n"
        f"## Assumptions\n\n<ul>{items}</ul>"
    )


def claim_notebook(claim: dict, results_path: str) -> nbformat.NotebookNode:
    """The report notebook of one claim; ``results_path`` is relative to where it runs."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    params = code(
        f"CLAIM_ID = {claim['id']!r}\nRESULTS_PATH = {results_path!r}\nRERUN_TRIAL = 0",
        metadata={"tags": ["parameters"]},
    )
    cells = [
        md(_heading(claim)),
        md(_statement(claim["id"])),
        md("## Parameters\n\nThe results file and the trial the last cell re-runs."),
        params,
        code(LOAD_CELL),
        md("## Trials\n\nEvery number below is read from the results file."),
        code(TRIALS_CELL),
        md("## Gap per trial"),
        code(GAP_CELL),
        md("## Series\n\nOne figure per recorded series, up to 8 trials each."),
        code(SERIES_CELL),
        md("## Verdict and findings"),
        code(VERDICT_CELL),
        md("## Exact\n\nEvidence independent of floating point (computed once per run, not per "
           "trial). *Symbolic*: a step of the proof checked by sympy for general symbols — the "
           "difference of the two sides simplifies to 0 (*proved*), or is shown nonzero under "
           "the stated case (*refuted*: for a *printed* formula this exposes where it fails). "
           "*Rational*: a primal and a dual point on a small rational instance checked in exact "
           "arithmetic (feasibility, the complete arrangement list, norms through their squares);"
           " the bracket width is exact. Formulas are plain Unicode (no MathJax needed)."),
        code(EXACT_CELL),
        md("## Reproducibility check\n\nThe only computation in this notebook: trial "
           "`RERUN_TRIAL` is run again on the CPU with its stored index and seed, and every "
           "stored number is compared with the recomputed one. The same seed should give the "
           "same numbers."),
        code(RERUN_CELL),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.update(
        title=f"{claim['id']} — {claim['title']}",
        kernelspec={"name": KERNEL, "display_name": "Python 3", "language": "python"},
        language_info={"name": "python"},
    )
    return nb


# ---------------------------------------------------------------- execute and export


def check_kernel(name: str = KERNEL) -> None:
    """Raise :class:`RuntimeError` saying how to install it if Jupyter has no kernel ``name``."""
    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise RuntimeError(
            f"no Jupyter kernel named {name!r}, needed to execute the report notebooks; "
            "install one with `python -m ipykernel install --sys-prefix`"
        ) from None


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int) -> str | None:
    """Execute ``nb`` in place in folder ``cwd``; ``None``, or the error (also shown on top).

    Execution stops at the first failing cell, whose output shows the traceback; a note naming
    the error is inserted after the title so the reader sees it first.
    """
    # (the kernel's own log at ERROR: ipykernel ≥ 7 warns on every start that its TCP sockets
    # are unencrypted, noise between the progress lines; cells' warnings are outputs, unaffected)
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    except (CellTimeoutError, DeadKernelError) as exc:
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    else:
        return None
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(
        '<p style="color:#cf222e;border:1px solid #cf222e;padding:.5em">'
        f"This notebook did not run to completion: <code>{html.escape(error)}</code>. "
        "The failing cell below shows the details.</p>"
    ))
    return error


def export_html(nb: nbformat.NotebookNode, path: Path, index_href: str, with_code: bool) -> None:
    """Write ``nb`` as a self-contained HTML page (no remote scripts, images embedded)."""
    exporter = HTMLExporter(template_name="lab", raw_template=PAGE_TEMPLATE,
                            exclude_input=not with_code)
    body, _ = exporter.from_notebook_node(nb, resources={"index_href": index_href})
    path.write_text(body, encoding="utf-8")


# ---------------------------------------------------------------- per claim and index


@dataclass
class ClaimReport:
    """What building one claim's report produced."""

    id: str
    error: str | None  # the notebook's execution error, if any
    build_s: float


def write_claim_json(claim: dict, payload: dict, out: Path) -> Path:
    """``out/results/<ID>.json``: a payload holding only ``claim``."""
    path = out / "results" / f"{claim['id']}.json"
    write_json(path, {**payload, "claims": [claim]})
    return path


def build_claim(claim: dict, out: Path, timeout: int) -> ClaimReport:
    """Notebook, execution and both HTML pages of one claim whose results file is written."""
    start = time.perf_counter()
    cid = claim["id"]
    nb_path = out / "notebooks" / f"{cid}.ipynb"
    results = Path(os.path.relpath(out / "results" / f"{cid}.json", nb_path.parent)).as_posix()
    nb = claim_notebook(claim, results)
    error = execute(nb, nb_path.parent, timeout)
    nbformat.write(nb, nb_path)
    export_html(nb, out / f"{cid}.html", "index.html", with_code=False)
    export_html(nb, out / "code" / f"{cid}.html", "../index.html", with_code=True)
    return ClaimReport(cid, error, time.perf_counter() - start)


def _index_row(claim: dict, report: ClaimReport) -> str:
    """One claim's row of the index table."""
    e, cid = html.escape, claim["id"]
    href = quote(cid)
    gap = "—" if claim["worst_gap"] is None else f"{claim['worst_gap']:.3g}"
    colour = VERDICT_COLOURS.get(claim["verdict"], "inherit")
    files = (f'<a href="notebooks/{href}.ipynb">notebook</a> · '
             f'<a href="code/{href}.html">with code</a>')
    if report.error:
        files += f'<br><span style="color:#cf222e">notebook error: {e(report.error)}</span>'
    cells = [f'<a href="{href}.html">{e(cid)}</a>', e(claim["paper"]), e(claim["title"]),
             e(claim["kind"]), f'<b style="color:{colour}">{e(claim["verdict"])}</b>',
             str(len(claim["trials"])), gap, str(len(claim["findings"])),
             _exact_cell(claim), f"{claim['elapsed_s']:.1f}", files]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _exact_cell(claim: dict) -> str:
    """``18 proved · 3 refuted`` (refuted: a printed formula shown wrong), width; or a dash."""
    s = claim.get("exact_summary")
    if not s:
        return "—"
    parts = [f"{s[k]} {k}" for k in ("proved", "refuted", "undecided") if s.get(k)]
    if s.get("max_width") is not None:
        parts.append(f"width ≤ {s['max_width']:.2g}")
    return html.escape(" · ".join(parts))


def index_html(payload: dict, reports: list[ClaimReport]) -> str:
    """The index page: one row per claim, then the run's device, time and versions."""
    rows = "\n".join(_index_row(c, r) for c, r in zip(payload["claims"], reports, strict=True))
    header = "".join(f"<th>{h}</th>" for h in ["claim", "paper", "title", "kind", "verdict",
                                                 "trials", "worst gap", "findings", "exact", "time (s)",
                                                 "files"])
    versions = ", ".join(f"{html.escape(k)} {html.escape(str(v))}"
                         for k, v in payload["versions"].items())
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>bnproofs report</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        "<h1>bnproofs — claims checked</h1>\n"
        f"<table>\n<tr>{header}</tr>\n{rows}\n</table>\n"
        f"<p>Device {html.escape(payload['device'])}; total time "
        f"{payload['elapsed_s']:.1f} s.<br>Versions: {versions}.</p>\n</body>\n</html>\n"
    )


def build_reports(
    payload: dict,
    out: Path,
    timeout: int = 600,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write every claim's results file, notebook and pages, then the index; return its path.

    The results files are written before the kernel is checked, so a missing kernel loses no
    results. ``timeout`` is the per-cell limit in seconds; a failing notebook is saved with its
    error and named on the index, and the other claims are still built.
    """
    out = Path(out)
    for folder in ("results", "notebooks", "code"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for claim in payload["claims"]:
        write_claim_json(claim, payload, out)
    check_kernel()
    reports = []
    for claim in payload["claims"]:
        report = build_claim(claim, out, timeout)
        reports.append(report)
        if progress:
            status = f"error: {report.error}" if report.error else "ok"
            progress(f"  report {report.id}: {status} ({report.build_s:.1f}s)")
    index = out / "index.html"
    index.write_text(index_html(payload, reports), encoding="utf-8")
    return index
