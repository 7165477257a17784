import json

import pytest

from verify.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_names_every_registered_claim(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    for cid in ("L1.1", "T2.1", "T2.2"):
        assert cid in out


@pytest.mark.parametrize(
    "argv, msg",
    [
        (["check", "T9.9"], "unknown claim id 'T9.9'; valid ids: L1.1"),
        (["check", "T2.1", "--trials", "0"], "must be at least 1"),
        (["check", "T2.1", "--seed", "abc"], "seed must be an integer"),
        (["check", "T2.1", "--device", "tpu"], "invalid choice"),
        (["check", "T2.2", "--solver", "scs"], "invalid choice"),
        (["check", "T2.1", "--json", "/nonexistent/dir/r.json"], "cannot write"),
        (["report", "--out", "/proc/nope"], "cannot create folder"),
        (["check", "C3", "--workers", "0"], "must be at least 1"),
        (["check", "C3", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"],
         "--workers and --scheduler exclude each other"),
        (["check", "C3", "--store", "/proc/nope/s.sqlite"], "--store /proc/nope/s.sqlite"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(capsys, argv, msg):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert msg in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cuda_without_cuda_is_a_usage_error(capsys):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    code, _, err = run(capsys, "check", "T2.1", "--device", "cuda")
    assert code == 2 and "CUDA is not available" in err


def test_check_writes_the_documented_json(capsys, tmp_path):
    pytest.importorskip("torch")  # T2.1 trains networks; without torch its trials are inconclusive
    path = tmp_path / "r.json"
    code, out, _ = run(capsys, "check", "t2.1", "--trials", "2", "--json", str(path), "--quiet",
                       "--store", str(tmp_path / "s.sqlite"), "--workers", "1")
    assert code == 0 and "T2.1" in out
    data = json.loads(path.read_text())
    assert set(data) >= {"claims", "device", "elapsed_s", "versions"}
    claim = data["claims"][0]
    assert set(claim) >= {"id", "paper", "title", "verdict", "trials", "findings"}
    assert claim["id"] == "T2.1" and claim["verdict"] in ("holds", "fails", "inconclusive")
    trial = claim["trials"][0]
    assert set(trial) >= {"seed", "params", "values", "bracket", "passed", "notes"}
    lo, hi = trial["bracket"]
    assert lo <= hi


def test_solver_and_device_reach_the_trial_context():
    """--solver and --device are handed to every trial through its Context."""
    import types

    from verify.claim import Claim
    from verify.runner import run_claim

    seen = []

    def sides(case, rng, ctx):
        seen.append((ctx.index, ctx.seed, ctx.device, ctx.solver))
        raise RuntimeError("stop")

    mod = types.SimpleNamespace(CLAIM=Claim("X", "E", "t", "k", "", (), ""),
                                case=lambda index, rng: None, sides=sides)
    res, _ = run_claim(mod, 2, 7, "cpu", progress=None, exact=False, solver="torch")
    assert seen == [(0, 7, "cpu", "torch"), (1, 8, "cpu", "torch")]
    assert [t.status for t in res.trials] == ["inconclusive"] * 2


def test_check_reports_what_it_computed_and_reused(capsys, tmp_path):
    store = str(tmp_path / "s.sqlite")
    argv = ["check", "C3", "--trials", "2", "--no-exact", "--workers", "1", "--store", store]
    code, out, err = run(capsys, *argv, "--json", str(tmp_path / "a.json"))
    assert code == 0 and "computed 2, reused 0 of 2 trials" in err
    assert "C3 trial 2/2 seed 1: pass" in err  # plain progress lines off a terminal
    code, out, err = run(capsys, *argv, "--resume", "--quiet", "--json", str(tmp_path / "b.json"))
    assert code == 0 and err.strip() == f"computed 0, reused 2 of 2 trials (store {store})"
    a, b = (json.loads((tmp_path / f).read_text()) for f in ("a.json", "b.json"))
    assert a["claims"][0]["trials"] == b["claims"][0]["trials"]
    assert (a["campaign"]["computed"], b["campaign"]["reused"]) == (2, 2)


@pytest.mark.parametrize(
    "script, argv",
    [
        ("solvers.py", ["--chunk", "0"]),
        ("solvers.py", ["--sizes", "50", "0"]),
        ("solvers.py", ["--beta", "nan"]),
        ("profile_torch_solver.py", ["--B", "0"]),
        ("hinge_small_beta.py", ["--tol", "-1"]),
    ],
)
def test_benchmark_scripts_reject_bad_options_without_a_traceback(script, argv):
    import subprocess
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / script
    res = subprocess.run([sys.executable, str(path), *argv], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2
    assert "must be positive" in res.stderr and "Traceback" not in res.stderr


def test_the_benchmark_plot_draws_a_time_that_stopped_above_the_gap_hollow(tmp_path, bench_solvers):
    """``benchmarks/solvers.py``'s plot: its axis reads "to certified gap ≤ tol", so a method
    that stopped above tol (pyscnn on every instance so far) must not look like one that reached
    it — hollow markers and a legend that says so, for that series only."""
    rows = [(50, 1, "clarabel", 0.1, 1e-9, "random"), (200, 1, "clarabel", 0.3, 2e-8, "random"),
            (50, 1, "pyscnn-al", 4.0, 3e-3, "random"), (200, 1, "pyscnn-al", 6.0, 5e-7, "random")]
    ax = bench_solvers.plot(rows, tmp_path / "t.png", tol=1e-6)
    assert (tmp_path / "t.png").stat().st_size > 0
    series = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    assert set(series) == {"clarabel, B=1", "pyscnn-al, B=1 (hollow: gap > tol)"}
    assert series["clarabel, B=1"].get_markerfacecolor() != "none"
    assert series["pyscnn-al, B=1 (hollow: gap > tol)"].get_markerfacecolor() == "none"
    # its one point that did reach tol (P = 200) is drawn filled on top
    filled = [ln for ln in ax.get_lines() if ln.get_label().startswith("_")]
    assert [tuple(ln.get_xdata()) for ln in filled] == [(200,)]
