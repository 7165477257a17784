"""Build the reports of a run: one executed notebook and HTML page per claim, the errata, and an
index page. Everything shown comes from the run payload (the JSON layout of
:mod:`bnproofs.results`); nothing is recomputed, and nothing here imports the claim modules.

For a run payload, under ``out``::

    results/run.json          the whole run (what ``bnproofs errata`` reads by default)
    results/<ID>.json         that claim alone, in the same layout (a one-claim payload)
    notebooks/<ID>.ipynb      built with nbformat, executed with nbclient in notebooks/
    <ID>.html                 the reader's page: outputs only, code hidden
    code/<ID>.html            the same page with the code
    errata.html, .md, .json   the printed statements that fail (:mod:`reports.errata`)
    index.html                the errata, then one row per claim linking its page

The notebooks run concurrently, ``workers`` at a time: each worker thread drives its own kernel
process (nbclient), so the kernels' work (loading, plotting) runs in parallel.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from bnproofs.results import write_json

from . import errata
from .execute import check_kernel, execute, export_html
from .index import index_html
from .notebook import claim_notebook

__all__ = ["ClaimReport", "build_claim", "build_reports", "check_kernel", "write_results"]


@dataclass
class ClaimReport:
    """What building one claim's report produced."""

    id: str
    error: str | None  # the notebook's execution error, if any
    build_s: float


def write_results(payload: dict, out: Path) -> None:
    """``out/results/run.json`` and one ``out/results/<ID>.json`` per claim."""
    write_json(out / "results" / "run.json", payload)
    for claim in payload["claims"]:
        write_json(out / "results" / f"{claim['id']}.json", {**payload, "claims": [claim]})


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


def write_errata(payload: dict, out: Path) -> None:
    """``out/errata.html``, ``.md`` and ``.json``."""
    for fmt in errata.FORMATS:
        (out / f"errata.{fmt}").write_text(errata.render(payload, fmt), encoding="utf-8")


def build_reports(
    payload: dict,
    out: Path,
    timeout: int = 600,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> Path:
    """Write the results files, every claim's notebook and pages, the errata and the index;
    return the index's path.

    The results files are written before the kernel is checked, so a missing kernel loses no
    results. ``timeout`` is the per-cell limit in seconds; ``workers`` notebooks run at once
    (default: one per CPU). A failing notebook is saved with its error and named on the index,
    and the other claims are still built. ``progress`` gets one line per claim as it finishes.
    """
    out = Path(out)
    for folder in ("results", "notebooks", "code"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    write_results(payload, out)
    check_kernel()
    claims = payload["claims"]
    reports: dict[str, ClaimReport] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers or os.cpu_count() or 1)) as pool:
        jobs = [pool.submit(build_claim, claim, out, timeout) for claim in claims]
        for job in as_completed(jobs):
            report = job.result()
            reports[report.id] = report
            if progress:
                status = f"error: {report.error}" if report.error else "ok"
                progress(f"  report {report.id}: {status} ({report.build_s:.1f}s)")
    write_errata(payload, out)
    index = out / "index.html"
    errors = {cid: r.error for cid, r in reports.items()}
    index.write_text(index_html(payload, errors), encoding="utf-8")
    return index
