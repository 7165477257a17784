"""Report builder: pages from a run payload alone, errata first, formulas as MathML, notebooks
executed in parallel.

Payloads: tests/fixtures/report_run.json (four claims cut from a real run: T2.1 fails with
recorded regimes and failure modes, TG.1 fails with none recorded, C3 holds, L1.1 is
inconclusive), and small hand-made claims for the fallbacks.
"""

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from reports import errata, summary
from reports.build import build_reports
from reports.execute import check_kernel, execute, export_html
from reports.index import index_html
from reports.mathml import MathError, math_html, to_mathml
from reports.notebook import claim_notebook
from verify import cli, registry

FIXTURE = Path(__file__).parent / "fixtures" / "report_run.json"
REPORTS = Path(__file__).parents[1] / "reports"


def run_payload() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def claim_of(payload: dict, cid: str) -> dict:
    return next(c for c in payload["claims"] if c["id"] == cid)


def bare_claim(cid="X1", verdict="fails", findings=(), trials=3) -> dict:
    """A claim as an older run stored it: no statement, tex, regimes or failure modes."""
    status = {"fails": "fail", "holds": "pass", "inconclusive": "inconclusive"}[verdict]
    return {"id": cid, "paper": "C", "title": "A title", "kind": "rate", "verdict": verdict,
            "worst_gap": None, "elapsed_s": 1.0, "exact": [], "exact_summary": None,
            "trials": [{"seed": i, "params": {"index": i}, "values": {}, "bracket": None,
                        "status": status, "gap": None, "checks": {}, "notes": [], "series": {}}
                       for i in range(trials)],
            "findings": [{"kind": k, "text": t, "trial": i} for k, t, i in findings]}


# ---------------------------------------------------------------- one-way flow


def test_reports_import_nothing_from_verify():
    for path in REPORTS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "verify" or n.startswith("verify.") for n in names), path


def test_notebook_code_reads_the_results_file_only():
    nb = claim_notebook(claim_of(run_payload(), "T2.1"), "../results/T2.1.json")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "verify" not in code and "runner" not in code
    assert "RESULTS_PATH = '../results/T2.1.json'" in code


# ---------------------------------------------------------------- mathematics


def test_every_claim_tex_in_the_registry_converts():
    """Strict: a claim's LaTeX that needs the Unicode fallback fails here (modules not yet on
    the declared interface have no ``CLAIM`` and are passed over)."""
    texts = {cid: getattr(getattr(registry.load(cid), "CLAIM", None), "tex", "")
             for cid in registry.ids()}
    assert any(texts.values())
    for cid, tex in texts.items():
        if tex:
            assert to_mathml(tex).startswith("<math"), cid


def test_every_tex_of_the_fixture_converts():
    for claim in run_payload()["claims"]:
        texts = [claim["tex"]] + [m["corrected"]["tex"] for m in claim["failure_modes"]]
        for tex in filter(None, texts):
            assert "<mtable" in to_mathml(tex) or "<mrow" in to_mathml(tex)


@pytest.mark.parametrize("tex, reason", [
    (r"\frac{a}{", "NoAvailableTokensError"),
    (r"\foo{x} + 1", "unknown command"),
    (r"\begin{gathered}a\\b\end{gathered}", "line break"),
])
def test_latex_that_does_not_convert_falls_back_to_the_text(tex, reason):
    with pytest.raises(MathError, match=reason):
        to_mathml(tex)
    out = math_html(tex, "the statement ≤ as printed")
    assert "<math" not in out and "did not convert" in out
    assert '<pre class="statement">the statement ≤ as printed</pre>' in out


def test_aligned_is_laid_out_as_a_table_and_signs_are_prefix():
    out = to_mathml(r"\begin{aligned}a &= (-1)^j\\ b &= -c\end{aligned}")
    assert out.count("<mtr>") == 2 and "&" not in out.replace("&#x", "")
    assert out.count('<mo form="prefix">&#x02212;</mo>') == 2
    assert math_html("", "") == "" and "<pre" in math_html("", "text only")


# ---------------------------------------------------------------- summaries and errata


def test_failure_modes_from_smallest_counterexample_findings():
    claim = bare_claim(findings=[
        ("statement_fails", "Instance 0 fails: printed value 3 > 2.", 0),
        ("statement_fails", "Smallest counterexample, printed form undefined (y ≥ 0): trial 1, "
                            "n=3 (seed 1).", 1),
        ("statement_fails", "Smallest counterexample: trial 2, n=2 (seed 2).", 2),
        ("corrected_form_holds", "The case split holds on 3/3.", None)])
    modes = summary.failure_modes(claim)
    assert [m["name"] for m in modes] == ["undefined (y ≥ 0)", summary.UNNAMED]
    assert modes[0]["counterexample"]["text"] == "trial 1, n=3 (seed 1)."
    assert all(m["counterexample"]["smallest"] for m in modes)
    assert [f["trial"] for f in summary.other_counterexamples(claim)] == [0]
    (fix,) = summary.corrections(claim)
    assert fix["evidence"] == ["The case split holds on 3/3."] and not fix["statement"]
    assert summary.one_line(claim) == "Fails on 3 of 3 trials: undefined (y ≥ 0)."


def test_failure_modes_grouped_by_what_fails():
    claim = bare_claim(findings=[
        ("statement_fails", "With a₀ = 1, the range does not grow: slope −0.03.", 1),
        ("statement_fails", "With a₀ ~ N, the range does not grow: slope 0.01.", 0),
        ("statement_fails", "With a₀ = 1, the range does not grow: slope −0.01.", 2)])
    modes = summary.failure_modes(claim)
    assert [(m["name"], m["trials"]) for m in modes] == [
        ("With a₀ = 1, the range does not grow", [1, 2]), ("With a₀ ~ N, the range does not grow",
                                                          [0])]
    assert not modes[0]["counterexample"]["smallest"]  # the first found, said so
    md = errata.errata_markdown({"claims": [claim], "device": "cpu", "versions": {}})
    assert "First counterexample found" in md and "trials 1, 2 (2 of 3)" in md


def test_one_line_falls_back_to_the_verdict_and_first_finding():
    holds = bare_claim(verdict="holds", findings=[("observation", "x " * 200, None)])
    assert summary.one_line(holds).startswith("Holds on 3 of 3 trials. x x")
    assert summary.one_line(holds).endswith("…") and len(summary.one_line(holds)) < 210
    assert summary.one_line(bare_claim(verdict="inconclusive")) == "Inconclusive on 3 of 3 trials."
    assert summary.one_line({**holds, "finding": "Recorded."}) == "Recorded."


def test_errata_markdown_reads_on_its_own():
    md = errata.render(run_payload(), "md")
    assert md.startswith("# Errata: printed statements that fail\n")
    assert md.index("## T2.1") < md.index("## TG.1") < md.index("## Every claim")
    assert "## C3" not in md and "## L1.1" not in md  # only the failing claims
    t21 = md[md.index("## T2.1"):md.index("## TG.1")]
    for part in ("**Statement as printed.**", "$$\n\\begin{aligned}", "**Assumptions.** n ≤ d",
                 "1. **undefined: a sign part of y is empty** — when",
                 "Smallest counterexample (checked in exact arithmetic): n = 2, d = 2",
                 "**Corrected statement (for: undefined", "Evidence that it holds:",
                 "| β ≥ ‖(y)₊‖ or β ≥ ‖(−y)₊‖ | fails | trials 1, 2, 4, 5 (4 of 10) |"):
        assert part in t21, part
    assert "Smallest counterexample: trial 1, n=3, d=3" in md  # TG.1, read from its findings
    assert not re.search(r"</?(p|div|span|b|ul|li|section|math)\b", md)  # no HTML


def test_errata_json_and_html():
    data = json.loads(errata.render(run_payload(), "json"))
    assert [e["id"] for e in data["errata"]] == ["T2.1", "TG.1"]
    assert data["run"]["verdicts"] == {"holds": 1, "fails": 2, "inconclusive": 1}
    assert len(data["errata"][0]["failure_modes"]) == 2 and len(data["claims"]) == 4
    page = errata.render(run_payload(), "html")
    assert page.count('<section class="erratum"') == 2 and page.count("<math") >= 2
    assert "<script" not in page


def test_errata_of_an_old_run_without_the_new_keys():
    claim = bare_claim(findings=[("statement_fails", "Printed bound fails.", 0)])
    md = errata.render({"claims": [claim], "device": "cpu", "versions": {}}, "md")
    assert "*(not recorded in this run)*" in md and "Printed bound fails." in md
    with pytest.raises(ValueError, match="unknown errata format"):
        errata.render({"claims": []}, "pdf")


def test_index_opens_with_the_errata():
    payload = run_payload()
    page = index_html(payload, {"C3": "NameError: x"})
    assert page.index('id="errata"') < page.index('id="erratum-T2.1"') < page.index(
        'id="erratum-TG.1"') < page.index('id="claims"')
    assert 'href="T2.1.html">All the evidence for T2.1' in page
    for claim in payload["claims"]:
        assert f'<a href="{claim["id"]}.html">{claim["id"]}</a>' in page
    assert "Fails on 2 of 10 trials. (45) &lt; (46) certified" in page  # TG.1's one line
    assert claim_of(payload, "T2.1")["finding"] in page.replace("&#x27;", "'")
    assert "notebook error: NameError: x" in page and "<math" in page


# ---------------------------------------------------------------- CLI


def test_cli_errata_writes_each_format(tmp_path, capsys):
    for fmt in errata.FORMATS:
        out = tmp_path / f"errata.{fmt}"
        assert cli.main(["errata", "--from", str(FIXTURE), "--format", fmt,
                         "--out", str(out)]) == 0
        assert out.read_text(encoding="utf-8") == errata.render(run_payload(), fmt)
    assert cli.main(["errata", "--from", str(FIXTURE)]) == 0
    assert capsys.readouterr().out.startswith("# Errata")


def test_cli_errata_without_a_run_says_how_to_make_one(tmp_path, capsys):
    assert cli.main(["errata", "--from", str(tmp_path / "none.json")]) == 2
    assert "run `bnproofs report`" in capsys.readouterr().err


# ---------------------------------------------------------------- notebooks and pages


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """T2.1 and C3 built and executed, two at a time."""
    out = tmp_path_factory.mktemp("report")
    payload = run_payload()
    payload["claims"] = [claim_of(payload, "T2.1"), claim_of(payload, "C3")]
    messages = []
    index = build_reports(payload, out, timeout=120, progress=messages.append, workers=2)
    return out, index, messages


@pytest.mark.notebook
def test_build_writes_every_file(built):
    out, index, messages = built
    assert index == out / "index.html"
    assert sorted(m.split(":")[0].strip() for m in messages) == ["report C3", "report T2.1"]
    assert all(": ok (" in m for m in messages)
    for name in ("T2.1.html", "C3.html", "code/T2.1.html", "notebooks/C3.ipynb",
                 "results/run.json", "results/C3.json", "errata.md", "errata.html",
                 "errata.json"):
        assert (out / name).is_file(), name
    run = json.loads((out / "results" / "run.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in run["claims"]] == ["T2.1", "C3"]
    assert errata.load_run(out / "results" / "run.json") == run


@pytest.mark.notebook
def test_claim_page_leads_with_the_answer(built):
    out, _, _ = built
    page = (out / "T2.1.html").read_text(encoding="utf-8")
    order = ["<h2>Statement</h2>", "<math", "<h2>The answer</h2>", "undefined: a sign part",
             "Smallest counterexample", "Corrected statement",
             *(f'id="{h}"' for h in ("Key-plot", "The-evidence", "Trials", "Findings", "Series",
                                     "Exact", "Run"))]
    positions = [page.index(s) for s in order]
    assert positions == sorted(positions)
    assert page.count('src="data:image/png;base64,') == 2  # key plot, one series
    assert "Traceback" not in page and "CLAIM_ID =" not in page  # no errors, no code
    assert "<th>labels</th>" in page and "<th>beta</th>" in page  # parameters as columns
    assert "<details><summary>Computed values per trial" in page


@pytest.mark.notebook
def test_notebook_keeps_the_latex(built):
    out, _, _ = built
    nb = nbformat.read(out / "notebooks" / "T2.1.ipynb", as_version=4)
    statement = next(c for c in nb.cells if "<h2>Statement</h2>" in c.source)
    assert "$$\n\\begin{aligned}" in statement.source and "<math" not in statement.source
    assert "<math" in statement.metadata["bnproofs"]["html"]


@pytest.mark.notebook
def test_pages_need_no_network(built):
    out, _, _ = built
    for path in (out / "T2.1.html", out / "code" / "C3.html", out / "index.html",
                 out / "errata.html"):
        page = path.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]*\bsrc=", page)
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


@pytest.mark.notebook
def test_failing_cell_is_saved_with_its_error(tmp_path):
    nb = claim_notebook(claim_of(run_payload(), "C3"), "results/missing.json")
    error = execute(nb, tmp_path, timeout=60)
    assert error is not None and error.startswith("FileNotFoundError")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert [o.ename for o in errors] == ["FileNotFoundError"]
    export_html(nb, tmp_path / "page.html", "index.html", with_code=False)
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "did not run to completion" in page and "missing.json" in page


@pytest.mark.notebook
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
