"""Campaigns end to end: the same numbers in this process, two local processes and a Dask
cluster; a run killed with SIGKILL loses no finished trial and resumes with the rest."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from verify.cli import main

ROOT = Path(__file__).resolve().parent.parent

RUN_FACTS = {"elapsed_s", "time_s", "compute_s", "campaign", "versions"}  # timings, where, when


def _results_only(x):
    if isinstance(x, dict):
        return {k: _results_only(v) for k, v in x.items() if k not in RUN_FACTS}
    if isinstance(x, list):
        return [_results_only(v) for v in x]
    return x


def _check(tmp_path, name, *extra):
    out = tmp_path / f"{name}.json"
    code = main(["check", "L5.1", "C4", "--trials", "3", "--quiet", "--store",
                 str(tmp_path / f"{name}.sqlite"), "--json", str(out), *extra])
    assert code == 0
    return json.loads(out.read_text())


def test_one_worker_two_workers_and_a_dask_cluster_give_the_same_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    one = _check(tmp_path, "one", "--workers", "1")
    two = _check(tmp_path, "two", "--workers", "2")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        dask = _check(tmp_path, "dask", "--scheduler", cluster.scheduler_address)
    assert (one["campaign"]["executor"], two["campaign"]["executor"]) == ("inline",
                                                                          "processes:2")
    assert dask["campaign"]["executor"].startswith("dask:")
    assert [c["id"] for c in one["claims"]] == ["L5.1", "C4"]
    assert all(c["exact"] for c in one["claims"])  # the exact checks ran (as tasks) too
    assert _results_only(two) == _results_only(one)
    assert _results_only(dask) == _results_only(one)


def _rows(path) -> int:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:  # not created yet
        return 0


def _frozen_code(tmp_path):
    """A copy of the packages for subprocesses to run (first on PYTHONPATH, and their folder):
    an edit of the working tree meanwhile must not change their code version."""
    src = tmp_path / "src"
    for pkg in ("bnproofs", "verify"):
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH",
                                                                                  "")])}
    return src, env


def test_a_run_killed_with_sigkill_resumes_with_only_the_missing_trials(tmp_path):
    src, env = _frozen_code(tmp_path)
    store, trials = tmp_path / "s.sqlite", 30
    cmd = [sys.executable, "-m", "verify.cli", "check", "C4", "--trials", str(trials),
           "--no-exact", "--workers", "1", "--quiet", "--store", str(store)]
    proc = subprocess.Popen(cmd, cwd=src, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while _rows(store) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    kept = _rows(store)
    if kept >= trials:
        pytest.skip("the run finished before it could be killed")
    assert kept >= 2
    db = sqlite3.connect(store)
    runs = db.execute("SELECT status FROM runs").fetchall()
    db.close()
    assert runs == [("running",)], runs  # never finished
    res = subprocess.run([*cmd, "--resume"], cwd=src, env=env, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr
    assert f"computed {trials - kept}, reused {kept} of {trials} trials" in res.stderr
    assert _rows(store) == trials
