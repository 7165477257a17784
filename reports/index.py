"""The index page: the errata first (one block per printed statement that fails), then every
claim in a table with its one-line finding, then the run's device, time and versions."""

from __future__ import annotations

import html
from urllib.parse import quote

from . import errata, summary
from .style import page, verdict_html

TITLE = "bnproofs — the claims of two papers on batch normalisation, checked"
HEADER = ["claim", "paper", "title", "verdict", "finding", "trials", "worst gap", "exact",
          "files"]
CLASSES = [h.replace(" ", "-") for h in HEADER]


def _exact_cell(claim: dict) -> str:
    """``18 proved · 3 refuted`` (refuted: a printed formula shown wrong), width; or a dash."""
    s = claim.get("exact_summary")
    if not s:
        return "—"
    parts = [f"{s[k]} {k}" for k in ("proved", "refuted", "undecided") if s.get(k)]
    if s.get("max_width") is not None:
        parts.append(f"width ≤ {s['max_width']:.2g}")
    return html.escape(" · ".join(parts))


def _row(claim: dict, error: str | None) -> str:
    """One claim's row of the claims table."""
    e, href = html.escape, quote(claim["id"])
    gap = "—" if claim["worst_gap"] is None else f"{claim['worst_gap']:.3g}"
    files = (f'<a href="notebooks/{href}.ipynb">notebook</a> · '
             f'<a href="code/{href}.html">with code</a>')
    if error:
        files += f'<br><span style="color:#cf222e">notebook error: {e(error)}</span>'
    cells = [f'<a href="{href}.html">{e(claim["id"])}</a>', e(claim["paper"]), e(claim["title"]),
             verdict_html(claim["verdict"]), e(summary.one_line(claim)),
             str(len(claim["trials"])), gap, _exact_cell(claim), files]
    return "<tr>" + "".join(f'<td class="{h}">{c}</td>' for h, c in zip(CLASSES, cells,
                                                                          strict=True)) + "</tr>"


def claims_table(payload: dict, errors: dict[str, str | None]) -> str:
    """Every claim: verdict, one-line finding, trials, worst gap, exact layer, files."""
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    rows = "\n".join(_row(c, errors.get(c["id"])) for c in payload["claims"])
    return f'<div class="scroll"><table>\n<tr>{head}</tr>\n{rows}\n</table></div>'


def index_html(payload: dict, errors: dict[str, str | None]) -> str:
    """The index page; ``errors`` maps a claim id to its notebook's execution error."""
    data = errata.errata(payload)
    versions = ", ".join(f"{html.escape(k)} {html.escape(str(v))}"
                         for k, v in payload["versions"].items())
    n_errata = len(data["errata"])
    body = (
        f"<h1>{html.escape(TITLE)}</h1>\n"
        f"<p>{html.escape(errata.run_line(data['run']))} Papers: [E] {summary.PAPERS['E']}; "
        f"[C] {summary.PAPERS['C']}.</p>\n"
        f'<nav><a href="#errata">Errata ({n_errata})</a> · '
        f'<a href="#claims">All claims ({len(payload["claims"])})</a> · the errata alone: '
        '<a href="errata.html">page</a>, <a href="errata.md">Markdown</a>, '
        '<a href="errata.json">JSON</a></nav>\n'
        f'<h2 id="errata">{errata.TITLE}</h2>\n'
        + errata.errata_html_blocks(data, href=lambda cid: f"{quote(cid)}.html")
        + '\n<h2 id="claims">All claims</h2>\n'
        + claims_table(payload, errors)
        + f"\n<p>Device {html.escape(str(payload['device']))}; total time "
          f"{payload['elapsed_s']:.1f} s.<br>Versions: {versions}.</p>"
    )
    return page("bnproofs report", body)
