"""Execute a notebook with nbclient and export it to a self-contained HTML page with nbconvert.

The kernel is checked before anything runs; every cell has an explicit timeout; a notebook whose
cell fails or times out is still saved and exported, with a note naming the error above its
first cell and the traceback in the failing cell's output.

The page uses nbconvert's ``lab`` template with its remote scripts (require.js, MathJax,
mermaid) and its 240 kB stylesheet replaced by :data:`reports.style.CSS`; plots are PNGs
embedded as base64. A text cell written at build time carries its HTML rendering in
``metadata.bnproofs.html`` (formulas as MathML; its source keeps the LaTeX for Jupyter), and the
page shows that instead of passing the source through Markdown.
"""

from __future__ import annotations

import html
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter

from .notebook import KERNEL
from .style import CSS

#: nbconvert's lab template without anything fetched from a network
PAGE_TEMPLATE = (
    "{%- extends 'index.html.j2' -%}\n"
    "{% block html_head_js %}{% endblock html_head_js %}\n"
    "{% block jupyter_widgets %}{% endblock jupyter_widgets %}\n"
    "{% block html_head_js_mathjax %}{% endblock html_head_js_mathjax %}\n"
    "{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}\n"
    "{% block notebook_css %}<style>" + CSS + "</style>{% endblock notebook_css %}\n"
    # a text cell written at build time shows its HTML (MathML formulas) exactly as written
    "{% block markdowncell scoped %}"
    "{%- set rendered = cell.metadata.get('bnproofs', {}).get('html') -%}"
    "{%- if rendered -%}"
    '<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><div class="jp-RenderedHTMLCommon '
    'jp-RenderedMarkdown jp-MarkdownOutput">{{ rendered }}</div></div>'
    "{%- else -%}{{ super() }}{%- endif -%}"
    "{% endblock markdowncell %}\n"
    "{% block body_header %}{{ super() }}"
    '<nav><a href="{{ resources.index_href }}">← all claims</a></nav>'
    "{% endblock body_header %}\n"
)


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
    # the kernel's own log at ERROR: ipykernel ≥ 7 warns at every start that its TCP sockets
    # are unencrypted, noise between the progress lines; cells' warnings are outputs, unaffected
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
