"""The look of every page (claim pages, index, errata): one small inline stylesheet, no remote
fonts or scripts. Formulas are MathML, laid out by the browser in its math font."""

from __future__ import annotations

import html

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
.scroll{overflow-x:auto}
details{margin:.4em 0}
summary{cursor:pointer;color:#0969da}
.ansi-red-fg{color:#cf222e}.ansi-green-fg{color:#1a7f37}.ansi-yellow-fg{color:#9a6700}
.ansi-blue-fg{color:#0969da}.ansi-cyan-fg{color:#1b7c83}.ansi-magenta-fg{color:#8250df}
.ansi-bold{font-weight:bold}
nav{font-size:.9em;margin-bottom:1em}
math{font-family:"Latin Modern Math","STIX Two Math","Cambria Math",math;font-size:1.1em}
math[display=block]{display:block math;margin:.6em 0;overflow-x:auto;overflow-y:hidden;
 padding:.2em 0}
mtd[columnalign=left]{text-align:left}
mtd[columnalign=right]{text-align:right}
pre.statement{white-space:pre-wrap;font-family:inherit;font-size:1em;background:#f6f8fa;
 padding:.5em .7em;border-radius:4px}
pre.sympy{margin:0;line-height:1.15}
.note{color:#9a6700;font-size:.9em;margin:.3em 0}
.label{font-weight:600;color:#57606a;font-size:.85em;text-transform:uppercase;
 letter-spacing:.03em}
.erratum{border:1px solid #d0d7de;border-left:4px solid #cf222e;border-radius:6px;
 padding:.4em 1em .8em;margin:1em 0}
.erratum h3{margin:.4em 0 .1em}
.source{color:#57606a;font-size:.9em;margin:0 0 .4em}
.oneline{font-size:1.05em}
.mode{margin:.6em 0}
.counterexample,.corrected{background:#f6f8fa;border-radius:4px;padding:.3em .7em;margin:.3em 0}
.corrected{background:#f0f9f2}
.proved{color:#1a7f37;font-weight:600}
.verdict-holds{color:#1a7f37;font-weight:700}
.verdict-fails{color:#cf222e;font-weight:700}
.verdict-inconclusive{color:#9a6700;font-weight:700}
td.finding{max-width:34em}
"""


def verdict_html(verdict: str) -> str:
    """A verdict in its colour."""
    return f'<span class="verdict-{html.escape(verdict)}">{html.escape(verdict)}</span>'


def page(title: str, body: str) -> str:
    """A whole HTML page around ``body`` with the stylesheet inline."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )
