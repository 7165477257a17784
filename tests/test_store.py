import math
import sqlite3
import subprocess
import sys

import pytest

from verify.cli import main
from verify.store import SCHEMA_VERSION, Store, StoreError, TrialKey, tree_hash


def _key(index=0, code="c0", claim="C3"):
    return TrialKey(claim, index, index, "auto", "cpu", f"inst{index}", code)


def _record(index=0, status="pass", code="c0", notes=()):
    return {"trial": {"seed": index, "params": {"index": index}, "values": {"x": float("nan")},
                      "status": status, "notes": list(notes)},
            "findings": [], "compute_s": 0.01, "code": code}


def test_a_trial_round_trips_with_its_non_finite_numbers(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    s.put_trial(_key(), _record(), run_id=None)
    s.close()
    got = Store(tmp_path / "s.sqlite").get_trial(_key())
    assert got["trial"]["status"] == "pass" and math.isnan(got["trial"]["values"]["x"])


def test_the_key_includes_the_code_version(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    s.put_trial(_key(code="old"), _record(code="old"), run_id=None)
    assert s.get_trial(_key(code="new")) is None
    s.put_trial(_key(code="new"), _record(code="new"), run_id=None)
    s.put_trial(_key(code="new"), _record(code="new", status="fail"), run_id=None)  # replaced
    assert s.count_trials() == 2 and s.get_trial(_key(code="new"))["trial"]["status"] == "fail"


def test_the_store_is_in_wal_mode_and_records_runs(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    run = s.start_run({"code": "c0", "claims": ["C3"], "trials": 3})
    s.finish_run(run, "completed", 3, 0)
    db = sqlite3.connect(tmp_path / "s.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT status, computed, claims FROM runs").fetchone() == (
        "completed", 3, '["C3"]')


WRITER = """
import sys
from verify.store import Store, TrialKey
s = Store(sys.argv[1])
for i in range(int(sys.argv[2]), int(sys.argv[2]) + 60):
    rec = {"trial": {"status": "pass", "notes": []}, "findings": [], "compute_s": 0.0,
           "code": "c0"}
    s.put_trial(TrialKey("C3", i, i, "auto", "cpu", f"inst{i}", "c0"), rec, run_id=None)
"""


def test_two_processes_writing_one_store_do_not_corrupt_it(tmp_path):
    """Overlapping keys (10..59) and distinct ones: every row lands once, the file stays sound."""
    path = tmp_path / "s.sqlite"
    Store(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), start])
             for start in ("0", "10")]
    assert [p.wait(120) for p in procs] == [0, 0]
    s = Store(path)
    assert s.count_trials() == 70
    assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _foreign(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE people (name TEXT)")
    db.commit()
    db.close()


def _other_version(path):
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value=? WHERE key='version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()


def _damaged(path):
    """A real store whose pages after the header are overwritten."""
    s = Store(path)
    for i in range(200):
        s.put_trial(_key(i), _record(i), run_id=None)
    s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    data = bytearray(path.read_bytes())
    data[4096:] = b"\x5a" * (len(data) - 4096)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("make, msg", [
    (lambda p: p.write_bytes(b"not a database at all, just text\n" * 20), "not an SQLite file"),
    (_foreign, "not a bnproofs store (tables: people)"),
    (_other_version, f"store schema version {SCHEMA_VERSION + 1}"),
    (_damaged, "--store"),
    (lambda p: p.mkdir(), "is a directory"),
])
def test_an_unusable_store_is_one_line_and_exit_2(tmp_path, capsys, make, msg):
    path = tmp_path / "s.sqlite"
    make(path)
    with pytest.raises(StoreError, match="--store"):
        Store(path)
    code = main(["check", "C3", "--trials", "1", "--no-exact", "--workers", "1", "--quiet",
                 "--store", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and msg in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_the_code_version_follows_the_contents_of_the_files(tmp_path):
    for name in ("a", "b"):
        pkg = tmp_path / name / "pkg"
        (pkg / "__pycache__").mkdir(parents=True)
        (pkg / "m.py").write_text("x = 1\n")
        (pkg / "__pycache__" / "m.cpython-311.pyc").write_bytes(bytes([len(name)]) * 8)
    h = tree_hash([tmp_path / "a" / "pkg"])
    assert h == tree_hash([tmp_path / "b" / "pkg"])  # another copy of the same files
    (tmp_path / "b" / "pkg" / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"other")
    assert tree_hash([tmp_path / "b" / "pkg"]) == h  # compiled files do not count
    (tmp_path / "b" / "pkg" / "m.py").write_text("x = 2\n")  # an uncommitted edit
    assert tree_hash([tmp_path / "b" / "pkg"]) != h
    (tmp_path / "b" / "pkg" / "m.py").write_text("x = 1\n")
    (tmp_path / "b" / "pkg" / "n.py").write_text("")  # a new file
    assert tree_hash([tmp_path / "b" / "pkg"]) != h
