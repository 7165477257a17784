import io
import math

import numpy as np
import pytest

from bnproofs.results import Trial
from verify import runner
from verify.executors import Inline
from verify.progress import Progress
from verify.runner import Campaign, decode_trial, encode_trial, plain, run_campaign
from verify.store import Store


def test_a_trial_survives_its_json_form():
    t = Trial(3, {"index": 1, "dims": (2, 8)}, {"x": np.float64(0.5), "nan": float("nan"),
                                                "arr": np.arange(3), "ok": np.bool_(True),
                                                "by_k": {4: np.int64(7)}},
              "pass", gap=np.float64(1e-12), bracket=(1.0, 1.0 + 1e-9), checks={"a": True},
              roles={"a": "statement"})
    d = plain(encode_trial(t))
    back = decode_trial(d)
    assert back.bracket == (1.0, 1.0 + 1e-9) and back.gap == 1e-12
    assert back.values["arr"] == [0, 1, 2] and back.values["ok"] is True
    assert math.isnan(back.values["nan"]) and back.values["by_k"] == {"4": 7}
    assert back.to_json() == t.to_json()  # the payload form is unchanged by the round trip


class Shuffled(Inline):
    """Runs every task, then yields the results last first (as a pool may)."""

    def run(self, fn, tasks):
        done = [(t, fn(t)) for t in tasks]
        yield from reversed(done)


class StopAfter(Inline):
    """Ctrl-C after ``n`` results."""

    def __init__(self, n):
        self.n = n

    def run(self, fn, tasks):
        for i, t in enumerate(tasks):
            if i == self.n:
                raise KeyboardInterrupt
            yield t, fn(t)


C3 = Campaign(("C3",), trials=3, seed=5, device="cpu", solver="auto", exact=False)


def test_results_come_back_in_trial_order_whatever_order_they_arrive(tmp_path):
    oc = run_campaign(C3, Store(tmp_path / "s.sqlite"), lambda n: Shuffled(), quiet=True)
    (res,) = oc.results
    assert [t.params["index"] for t in res.trials] == [0, 1, 2]
    assert [t.seed for t in res.trials] == [5, 6, 7]
    assert oc.computed == 3 and oc.reused == 0 and not oc.interrupted


def test_resume_computes_only_what_is_missing(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    first = run_campaign(C3, store, lambda n: StopAfter(2), quiet=True)
    assert first.interrupted and first.computed == 2 and store.count_trials() == 2
    sizes = []
    second = run_campaign(C3, store, lambda n: sizes.append(n) or Inline(), resume=True,
                          quiet=True)
    assert sizes == [1] and (second.computed, second.reused) == (1, 2)
    again = run_campaign(C3, store, lambda n: Inline(), resume=True, quiet=True)
    assert (again.computed, again.reused) == (0, 3)
    assert again.results[0].to_json()["trials"] == second.results[0].to_json()["trials"]


def test_a_trial_of_other_code_or_one_that_errored_is_recomputed(tmp_path, monkeypatch):
    store = Store(tmp_path / "s.sqlite")
    run_campaign(C3, store, lambda n: Inline(), quiet=True)
    monkeypatch.setattr(runner, "code_version", lambda: "edited")
    oc = run_campaign(C3, store, lambda n: Inline(), resume=True, quiet=True)
    assert (oc.computed, oc.reused) == (3, 0) and store.count_trials() == 6

    def broken(*a, **k):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(runner, "claim_trial", broken)
    monkeypatch.setattr(runner, "code_version", lambda: "edited again")
    oc = run_campaign(C3, store, lambda n: Inline(), quiet=True)
    assert all(t.notes == ["error: RuntimeError: solver exploded"] for t in oc.results[0].trials)
    monkeypatch.undo()
    monkeypatch.setattr(runner, "code_version", lambda: "edited again")
    oc = run_campaign(C3, store, lambda n: Inline(), resume=True, quiet=True)
    assert (oc.computed, oc.reused) == (3, 0)
    assert {t.status for t in oc.results[0].trials} == {"pass"}


def test_a_module_that_declares_no_claim_gives_error_trials_not_a_crash(tmp_path, monkeypatch):
    import types

    monkeypatch.setattr(runner.registry, "load", lambda cid: types.SimpleNamespace())
    oc = run_campaign(C3, Store(tmp_path / "s.sqlite"), lambda n: Inline(), quiet=True)
    (res,) = oc.results
    assert res.verdict == "inconclusive" and "declares no CLAIM" in res.title
    assert all(t.notes[0].startswith("error: AttributeError") for t in res.trials)


def test_progress_lines_off_a_terminal_and_a_bar_on_one():
    out = io.StringIO()
    p = Progress(4, reused=1, stream=out)
    p.trial("C3", 1, 4, 1, "pass", 0.2)
    p.trial("C3", 2, 4, 2, "pass", 0.2)
    assert "C3 trial 2/4 seed 1: pass (0.2s) [2/4, ~" in out.getvalue()
    assert "left]" in out.getvalue()
    bar = io.StringIO()
    p = Progress(4, reused=1, stream=bar, bar=True)
    p.trial("C4", 1, 4, 1, "pass", 0.2)
    p.close()
    assert "C4" in bar.getvalue() and "2/4" in bar.getvalue()
    quiet = io.StringIO()
    p = Progress(4, stream=quiet, quiet=True)
    p.trial("C3", 0, 4, 0, "pass", 0.1)
    p.message("x")
    assert quiet.getvalue() == ""


@pytest.mark.parametrize("workers, scheduler, tasks, name", [
    (8, None, 1, "inline"), (1, None, 50, "inline"), (2, None, 50, "processes:2"),
])
def test_the_executor_follows_workers_and_the_number_of_tasks(workers, scheduler, tasks, name):
    from verify.executors import make_executor

    ex = make_executor(workers, scheduler, tasks)
    try:
        assert ex.name == name
    finally:
        ex.close()
