"""Report builder: a synthetic run built, executed and exported; a failing cell is kept.

The payload is written by hand through the result types (edge cases: a missing gap, a zero gap,
a null inside a series, log axes, reference lines, markup in a finding). Only the notebook's
re-run cell computes: it re-runs trial 0 of T2.1 (about 2 s).
"""

import html
import json
import re

import nbformat
import pytest

from bnproofs.results import (
    FAIL,
    INCONCLUSIVE,
    PASS,
    ClaimResult,
    Finding,
    Trial,
    plot_series,
    run_to_json,
)
from reports.build import build_reports, check_kernel, claim_notebook, execute, export_html
from verify import registry

pytestmark = pytest.mark.notebook

FINDING = "printed form <undefined> & wrong"


def synthetic_payload() -> dict:
    """A one-claim run of T2.1 with hand-made trials covering the rendering edge cases."""
    curve = plot_series("descent", {"loss": [3.0, 2.0, None, 1.0]}, x=[1, 2, 3, 4],
                        xlabel="step", ylabel="objective", log="xy", hline={"optimum": 0.5})
    trials = [
        Trial(0, {"index": 0, "beta": 0.1}, {"closed_form": 1.0, "lower": 0.5, "solve_s": 0.1},
              PASS, gap=1e-12, bracket=(0.5, 0.5000001), checks={"printed_optimal": True},
              series={"training": curve}),
        Trial(1, {"index": 1}, {"closed_form": None, "lower": 0.25}, FAIL, gap=None,
              checks={"printed_optimal": False}, notes=["printed form undefined"],
              series={"training": plot_series("descent", {"loss": [1.0, 0.5]})}),
        Trial(2, {"index": 2}, {}, INCONCLUSIVE, gap=0.0, notes=["error: synthetic"]),
    ]
    claim = ClaimResult("T2.1", "E", "Synthetic title", "closed form", trials,
                        [Finding("statement_fails", FINDING, trial=1),
                         Finding("observation", "whole-run note")], elapsed_s=1.5)
    return run_to_json([claim], "cpu", 2.0)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    messages = []
    index = build_reports(synthetic_payload(), out, timeout=120, progress=messages.append)
    return out, index, messages


def test_index_links_the_claim_page(built):
    out, index, messages = built
    assert index == out / "index.html"
    page = index.read_text(encoding="utf-8")
    assert '<a href="T2.1.html">T2.1</a>' in page
    assert "fails" in page and "Synthetic title" in page
    assert messages and "T2.1: ok" in messages[0]


def test_claim_page_shows_verdict_statement_and_embedded_plots(built):
    out, _, _ = built
    page = (out / "T2.1.html").read_text(encoding="utf-8")
    statement = registry.load("T2.1").STATEMENT
    assert html.escape(statement.split("``")[0]) in page
    assert "verdict" in page and "fails" in page
    assert html.escape(FINDING) in page and FINDING not in page
    assert page.count('src="data:image/png;base64,') == 2  # gap per trial, one series
    assert "1e-12" in page and "0.5000001" in page  # stored numbers, 10 significant digits
    assert "max relative difference" in page  # the re-run cell ran
    assert "Traceback" not in page and "CLAIM_ID =" not in page  # no errors, no code


def test_pages_need_no_network(built):
    out, _, _ = built
    for path in (out / "T2.1.html", out / "code" / "T2.1.html", out / "index.html"):
        page = path.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]*\bsrc=", page)
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_code_page_and_notebook(built):
    out, _, _ = built
    assert "CLAIM_ID" in (out / "code" / "T2.1.html").read_text(encoding="utf-8")
    nb = nbformat.read(out / "notebooks" / "T2.1.ipynb", as_version=4)
    (params,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert "RESULTS_PATH = '../results/T2.1.json'" in params.source
    results = json.loads((out / "results" / "T2.1.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in results["claims"]] == ["T2.1"] and results["device"] == "cpu"


def test_failing_cell_is_saved_with_its_error(tmp_path):
    claim = synthetic_payload()["claims"][0]
    nb = claim_notebook(claim, "results/missing.json")
    error = execute(nb, tmp_path, timeout=60)
    assert error is not None and error.startswith("FileNotFoundError")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert [o.ename for o in errors] == ["FileNotFoundError"]
    export_html(nb, tmp_path / "page.html", "index.html", with_code=False)
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "did not run to completion" in page and "missing.json" in page


def test_the_kernel_adds_no_log_lines_to_the_progress(tmp_path, capfd):
    """The kernel's own log (ipykernel ≥ 7 warns on every start that its TCP sockets are
    unencrypted) would land between the progress lines of ``bnproofs report``."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    assert execute(nb, tmp_path, timeout=60) is None
    assert nb.cells[0].outputs[0]["data"]["text/plain"] == "2"
    err = capfd.readouterr().err
    assert "IPKernelApp" not in err and "WARNING" not in err


def test_missing_kernel_is_named():
    with pytest.raises(RuntimeError, match="no Jupyter kernel named 'no-such-kernel'"):
        check_kernel("no-such-kernel")
