"""Campaign figures: parallel speedup, the whole report, a Dask cluster's overhead, resume.

    python benchmarks/campaign.py [--only trials|report|dask|resume ...] [--claims ID ...]
                                  [--trials 10] [--dask-trials 1000] [--dask-claim C3]

Parts (each runs ``bnproofs`` as a subprocess of this Python, with a fresh store in a temporary
folder, and times it by the wall clock):

* ``trials`` — the trial phase of the default run (every claim, or --claims; --trials trials,
  seed 0, ``--no-exact``) at ``--workers 1`` and ``--workers 2``: the speedup (target ≥ 1.8× on
  2 cores), and whether both gave the same results: timings aside (run facts, values whose key
  ends ``_s``/``seconds``/``per_second``, durations and rates quoted in notes and findings), the first
  differing paths listed otherwise. The payloads are kept as
  ``benchmarks/out/campaign_<run>.json``.
* ``report`` — the whole ``bnproofs report`` (trials, exact checks, notebooks, HTML) at
  ``--workers 2`` (target ≤ 5 min on 2 cores).
* ``dask`` — --dask-trials trials of --dask-claim on a ``distributed.LocalCluster`` of 2 worker
  processes of one thread: throughput, and the per-task overhead two ways: ``(2·span − Σ task
  compute)/tasks`` (span: the run's time from the executor's start to its last task filed, as
  the store's ``runs`` row has it; the compute as measured inside each task), and the round
  trip of an empty task (1000 of them on the same cluster: ``2·wall/tasks``); target < 50 ms.
  The same campaign on ``--workers 2`` must give the same results.
* ``resume`` — a run of --resume-trials trials of C4 at ``--workers 2`` killed with SIGKILL
  once some trials are stored, then resumed: the finished trials recomputed (target 0).

The runs use a snapshot of ``bnproofs/``, ``verify/`` and ``reports/`` copied to the temporary
folder when the script starts (first on ``PYTHONPATH``), so an edit of the working tree during
the benchmark changes neither the code that runs nor its code version (which would make
``resume`` recompute everything, as it should for changed code).

The figures are printed, merged into ``benchmarks/out/campaign.json`` (by part, with the
machine's cores and the date), and written as the section "Campaigns" of
``benchmarks/results.md`` (that section only is replaced).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import distributed

from verify.registry import ids as all_ids

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "campaign.json"
RESULTS_MD = ROOT / "benchmarks" / "results.md"
PARTS = ("trials", "report", "dask", "resume")
RUN_FACTS = {"elapsed_s", "time_s", "compute_s", "campaign", "versions"}
SNAPSHOT = [ROOT]  # where the runs import the code from (main() puts a frozen copy here)


def snapshot(tmp: Path) -> None:
    """Freeze the code: copy the packages to ``tmp/src`` and run everything from there."""
    src = tmp / "src"
    for pkg in ("bnproofs", "verify", "reports"):
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])
    sys.path.insert(0, str(src))  # the Dask cluster's worker processes start from this
    SNAPSHOT[0] = src


def bnproofs(*argv, check=True) -> tuple[float, subprocess.CompletedProcess]:
    """``bnproofs ARGV`` (this Python's ``verify.cli``) and its wall time."""
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "verify.cli", *argv], capture_output=True,
                         text=True, cwd=SNAPSHOT[0])
    wall = time.perf_counter() - t0
    if check and res.returncode != 0:
        sys.exit(f"bnproofs {' '.join(argv)} exited {res.returncode}:\n{res.stderr[-2000:]}")
    return wall, res


TIMING_KEY = re.compile(r"(_s|_seconds|seconds|per_second)$")
DURATION = re.compile(r"\d+(\.\d+)?(e[-+]?\d+)? ?(s|ms|[a-z]+/s)\b")  # 1.2s, 11 runs/s


def results_only(x):
    """A payload without what depends on when and where it ran: run facts, timing values
    (keys ending ``_s``/``seconds``/``per_second``) and durations quoted in texts."""
    if isinstance(x, dict):
        return {k: results_only(v) for k, v in x.items()
                if k not in RUN_FACTS and not TIMING_KEY.search(k)}
    if isinstance(x, list):
        return [results_only(v) for v in x]
    if isinstance(x, str):
        return DURATION.sub("<duration>", x)
    return x


def differences(a, b, path="", out=None) -> list[str]:
    """Where two payloads differ, timings aside (the first 20 paths)."""
    out = [] if out is None else out
    a, b = (results_only(a), results_only(b)) if not path else (a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            differences(a.get(k), b.get(k), f"{path}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            differences(x, y, f"{path}[{i}]", out)
    elif a != b and not (a != a and b != b):  # NaN equals NaN here
        out.append(f"{path}: {str(a)[:60]} | {str(b)[:60]}")
    return out[:20]


def stored_times(store: Path) -> tuple[float, float]:
    """(Σ compute time of the stored trials, the run's span from its start — executor up — to
    its last task filed), from the store."""
    db = sqlite3.connect(store)
    try:
        compute = db.execute("SELECT SUM(compute_s) FROM trials").fetchone()[0] or 0.0
        span = db.execute("SELECT MAX(finished - started) FROM runs").fetchone()[0] or 0.0
        return compute, span
    finally:
        db.close()


def check_run(tmp: Path, name: str, ids, trials: int, *extra) -> dict:
    """``bnproofs check`` into its own store and JSON: wall, Σ compute, payload."""
    store, js = tmp / f"{name}.sqlite", tmp / f"{name}.json"
    wall, _ = bnproofs("check", *ids, "--trials", str(trials), "--seed", "0", "--quiet",
                       "--store", str(store), "--json", str(js), *extra)
    compute, span = stored_times(store)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(js, OUT.parent / f"campaign_{name}.json")  # kept, to look into a difference
    return {"wall_s": wall, "compute_s": compute, "span_s": span,
            "payload": json.loads(js.read_text())}


def part_trials(args, tmp: Path) -> dict:
    ids = args.claims or all_ids()
    runs = {w: check_run(tmp, f"trials{w}", ids, args.trials, "--no-exact", "--workers", str(w))
            for w in (1, 2)}
    diff = differences(runs[1]["payload"], runs[2]["payload"])
    return {"claims": ids, "trials": args.trials, "wall_1_s": runs[1]["wall_s"],
            "wall_2_s": runs[2]["wall_s"], "compute_s": runs[1]["compute_s"],
            "speedup": runs[1]["wall_s"] / runs[2]["wall_s"], "same_results": not diff,
            "differences": diff,
            "verdicts": {c["id"]: c["verdict"] for c in runs[2]["payload"]["claims"]}}


def part_report(args, tmp: Path) -> dict:
    claims = ["--claims", *args.claims] if args.claims else []
    wall, res = bnproofs("report", "--out", str(tmp / "report"), "--trials", str(args.trials),
                         "--seed", "0", "--workers", "2", "--quiet", *claims)
    return {"claims": args.claims or all_ids(), "trials": args.trials, "workers": 2,
            "wall_s": wall, "tail": res.stdout.strip().splitlines()[-1:]}


def _empty(_):
    return None


def part_dask(args, tmp: Path) -> dict:
    ids, n = [args.dask_claim], args.dask_trials
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        dask = check_run(tmp, "dask", ids, n, "--no-exact", "--scheduler",
                         cluster.scheduler_address)
        with distributed.Client(cluster.scheduler_address) as client:
            client.gather(client.map(_empty, range(10), pure=False))  # warm
            t0 = time.perf_counter()
            client.gather(client.map(_empty, range(1000), pure=False))
            empty = time.perf_counter() - t0
    local = check_run(tmp, "local", ids, n, "--no-exact", "--workers", "2")
    return {"claim": args.dask_claim, "tasks": n, "workers": 2, "wall_s": dask["wall_s"],
            "span_s": dask["span_s"], "throughput_per_s": n / dask["span_s"],
            "compute_s": dask["compute_s"],
            "overhead_ms": 1000 * (2 * dask["span_s"] - dask["compute_s"]) / n,
            "empty_task_ms": 1000 * 2 * empty / 1000, "local_wall_s": local["wall_s"],
            "same_results_as_local": not differences(dask["payload"], local["payload"]),
            "differences": differences(dask["payload"], local["payload"])}


def _rows(store: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def part_resume(args, tmp: Path) -> dict:
    store, n = tmp / "resume.sqlite", args.resume_trials
    argv = ["check", "C4", "--trials", str(n), "--no-exact", "--workers", "2", "--quiet",
            "--store", str(store)]
    proc = subprocess.Popen([sys.executable, "-m", "verify.cli", *argv], cwd=SNAPSHOT[0],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while _rows(store) < n // 3 and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = _rows(store)
    wall, res = bnproofs(*argv, "--resume")
    m = re.search(r"computed (\d+), reused (\d+)", res.stderr)
    computed, reused = int(m[1]), int(m[2])
    return {"claim": "C4", "trials": n, "finished_before_kill": kept, "computed": computed,
            "reused": reused, "finished_recomputed": kept - reused, "rows_after": _rows(store),
            "resume_wall_s": wall}


def _load(part: dict) -> str:
    return f" (load {part['load_before']:.1f})" if "load_before" in part else ""


def table(fig: dict) -> str:
    """The Markdown section "Campaigns" from the figures measured so far."""
    intro = textwrap.fill(
        f"Measured by `python benchmarks/campaign.py` on {fig.get('cores')} cores; figures in "
        "benchmarks/out/campaign.json. Each row gives the machine's load average when the part "
        "started: other work on a shared machine slows every run and the parallel ones most, so "
        "rows with a load above the core count are not the machine's figures.", width=100)
    lines = ["## Campaigns", "", intro, "",
             "| part | figure | target |", "|---|---|---|"]
    if "trials" in fig:
        t = fig["trials"]
        lines.append(f"| trial phase, {len(t['claims'])} claims × {t['trials']} trials"
                     f"{_load(t)} | {t['wall_1_s']:.0f} s at 1 worker, {t['wall_2_s']:.0f} s at "
                     f"2: **{t['speedup']:.2f}×**; same results: "
                     f"{'not compared' if t['same_results'] is None else t['same_results']} "
                     "| ≥ 1.8× |")
    if "report" in fig:
        r = fig["report"]
        lines.append(f"| `bnproofs report`, {len(r['claims'])} claims × {r['trials']} trials, "
                     f"2 workers{_load(r)} | **{r['wall_s'] / 60:.1f} min** | ≤ 5 min |")
    if "dask" in fig:
        d = fig["dask"]
        lines.append(f"| Dask LocalCluster (2 × 1 thread), {d['tasks']} trials of {d['claim']}"
                     f"{_load(d)} | {d['throughput_per_s']:.1f} trials/s; per-task overhead "
                     f"(2·span − Σ compute)/tasks **{d['overhead_ms']:.0f} ms**, empty-task round "
                     f"trip **{d['empty_task_ms']:.1f} ms**; same results as --workers 2: "
                     f"{d['same_results_as_local']} | < 50 ms |")
    if "resume" in fig:
        s = fig["resume"]
        lines.append(f"| SIGKILL then --resume, {s['trials']} trials of {s['claim']}{_load(s)} | "
                     f"{s['finished_before_kill']} finished before the kill, "
                     f"**{s['finished_recomputed']}** of them recomputed; computed "
                     f"{s['computed']}, reused {s['reused']} | 0 |")
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    """Replace (or append) the section "## Campaigns" of benchmarks/results.md."""
    old = RESULTS_MD.read_text() if RESULTS_MD.exists() else "# Benchmark results\n"
    pat = re.compile(r"^## Campaigns\n.*?(?=^## |\Z)", re.S | re.M)
    new = pat.sub(lambda _: text + "\n", old) if pat.search(old) else (
        old.rstrip("\n") + "\n\n" + text)
    RESULTS_MD.write_text(new)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    ap.add_argument("--claims", nargs="+", metavar="ID", help="default: every claim")
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--dask-trials", type=int, default=1000)
    ap.add_argument("--dask-claim", default="C3")
    ap.add_argument("--resume-trials", type=int, default=60)
    ap.add_argument("--no-write", action="store_true",
                    help="print only (no campaign.json, no results.md section)")
    ap.add_argument("--json-only", action="store_true",
                    help="merge into campaign.json, leave benchmarks/results.md alone")
    ap.add_argument("--table", action="store_true",
                    help="run nothing: write the results.md section from campaign.json")
    args = ap.parse_args()
    if min(args.trials, args.dask_trials, args.resume_trials) < 1:
        ap.error("--trials, --dask-trials and --resume-trials must be positive")
    fig = json.loads(OUT.read_text()) if OUT.exists() else {}
    if args.table:
        write_section(table(fig))
        print(table(fig))
        return
    fig.update(cores=os.cpu_count(), date=time.strftime("%Y-%m-%d %H:%M"))
    with tempfile.TemporaryDirectory() as tmp:
        snapshot(Path(tmp))
        for part in args.only:
            print(f"{part} ...", file=sys.stderr, flush=True)
            load = os.getloadavg()[0]
            fig[part] = {**globals()[f"part_{part}"](args, Path(tmp)), "load_before": load}
            print(json.dumps({part: fig[part]}, indent=1, default=str))
    if args.no_write:
        return
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fig, indent=1, default=str))
    if not args.json_only:
        write_section(table(fig))
    print(table(fig))


if __name__ == "__main__":
    main()
