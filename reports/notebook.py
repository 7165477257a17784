"""The report notebook of one claim: the answer first, then the evidence.

Cells, in order: the title with the verdict and the one-line finding; the statement (LaTeX in the
notebook, MathML on the page), its assumptions and source; the answer (verdict per regime,
failure modes with the smallest counterexample, corrected statement: :func:`errata.answer_html`);
the key plot (headline gap per trial, by status, else the first series); then the evidence: the trials (parameters as
columns), all findings, the recorded series, the exact layer, and the run's device and versions.

The text cells are written at build time from the claim's payload; the code cells read the
claim's results file when the notebook runs. A text cell holding mathematics keeps it as
``$$…$$`` for Jupyter and carries its MathML rendering in ``metadata.bnproofs.html``, which the
HTML export shows instead (:func:`reports.execute.export_html`).
"""

from __future__ import annotations

import html

import nbformat

from . import cells, errata
from .mathml import math_html
from .style import verdict_html

KERNEL = "python3"


def dollars(tex: str, text: str) -> str:
    """A formula as Jupyter's Markdown shows it: ``$$tex$$``, else the Unicode text."""
    if tex.strip():
        return "\n\n$$\n" + " ".join(tex.split()) + "\n$$\n\n"
    return f'<pre class="statement">{html.escape(text)}</pre>' if text else ""


def text_cell(make) -> nbformat.NotebookNode:
    """A Markdown cell from ``make(math)``: its source uses :func:`dollars`; the page shows
    ``make(math_html)`` (kept in the cell's metadata), HTML exactly as written."""
    cell = nbformat.v4.new_markdown_cell(make(dollars))
    cell.metadata["bnproofs"] = {"html": make(math_html)}
    return cell


def _title(claim: dict, en: dict) -> str:
    e = html.escape
    return (f"<h1>{e(claim['id'])} — {e(claim['title'])}</h1>\n"
            f"<p>Paper [{e(claim['paper'])}] · {e(claim['kind'])} · verdict "
            f"{verdict_html(claim['verdict'])}</p>\n"
            f'<p class="oneline">{e(en["finding"])}</p>')


def lead_cells(claim: dict) -> list[nbformat.NotebookNode]:
    """Title, statement and answer: text written from the payload at build time."""
    en = errata.entry(claim)
    return [
        text_cell(lambda math: _title(claim, en)),
        text_cell(lambda math: "<h2>Statement</h2>\n" + errata.statement_html(en, math)),
        text_cell(lambda math: "<h2>The answer</h2>\n" + errata.answer_html(en, math)),
    ]


EVIDENCE = [
    ("## Trials\n\nOne row per trial: its parameters (6 significant digits), status, headline "
     "gap, certified bracket and the checks that did not hold; below, every computed value in "
     "full. Every number is read from the results file.",
     cells.TRIALS_TABLE),
    ("## Findings\n\nEverything the run concluded, by kind.", cells.FINDINGS),
    ("## Series\n\nEach recorded curve, one panel per trial (first four trials).", cells.SERIES),
    ("## Exact\n\nEvidence independent of floating point (computed once per run, not per "
     "trial). *Symbolic*: a step of the proof checked by sympy for general symbols — the "
     "difference of the two sides simplifies to 0 (*proved*), or is shown nonzero under the "
     "stated case (*refuted*: for a *printed* formula this exposes where it fails). "
     "*Rational*: a primal and a dual point on a small rational instance checked in exact "
     "arithmetic (feasibility, the complete arrangement list, norms through their squares); "
     "the bracket width is exact.", cells.EXACT),
    ("## Run", cells.RUN_INFO),
]


def claim_notebook(claim: dict, results_path: str) -> nbformat.NotebookNode:
    """The report notebook of one claim; ``results_path`` is relative to where it runs."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    params = code(f"CLAIM_ID = {claim['id']!r}\nRESULTS_PATH = {results_path!r}",
                  metadata={"tags": ["parameters"]})
    nb_cells = [*lead_cells(claim), params, code(cells.LOAD), code(cells.PLOTTING),
                md("## Key plot\n\nThe headline gap of every trial (what the verdict compares "
                   "with its tolerance), coloured by the trial's status; where no trial records "
                   "a gap, the first recorded series."),
                code(cells.KEY_PLOT), md("# The evidence")]
    for text, source in EVIDENCE:
        nb_cells += [md(text), code(source)]
    nb = nbformat.v4.new_notebook(cells=nb_cells)
    nb.metadata.update(
        title=f"{claim['id']} — {claim['title']}",
        kernelspec={"name": KERNEL, "display_name": "Python 3", "language": "python"},
        language_info={"name": "python"},
    )
    return nb
