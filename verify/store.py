"""The result store: one SQLite file holding every finished trial, exact check and run.

A trial's row is written and committed the moment its result arrives, so a run killed at any
point (even by SIGKILL) loses no finished trial, and ``--resume`` computes only what is
missing. The file is in WAL mode with a busy timeout: several runs may share one store, each
row being one transaction (``INSERT OR REPLACE`` on the key), and a reader never blocks a writer.

A trial's key is ``(claim, index, seed, solver, device, instance, code)``:

* ``instance`` — :func:`instance_key`, a hash of the claim, index, seed and the ``repr`` of the
  trial's ``Case`` (:mod:`verify.claim`): the instance the trial runs on;
* ``code`` — :func:`code_version`, a hash of the contents of every ``.py`` file of ``bnproofs/``
  and ``verify/``. It changes with any edit, committed or not, so a trial computed by other code
  is never reused: it is recomputed, and its old row stays beside the new one.

Exact checks (:mod:`verify.exact_checks`) are keyed ``(claim, seed, code)``. A run's metadata
(command, code version, executor, library versions, counts) is a row of ``runs``.

Schema (version :data:`SCHEMA_VERSION`; a file with another schema or version is refused)::

    meta(key PRIMARY KEY, value)                      -- schema = bnproofs-store, version
    runs(id PRIMARY KEY, started, finished, status, code, host, executor, command, claims,
         trials, seed, device, solver, versions, computed, reused)
    trials(claim, idx, seed, solver, device, instance, code,   -- the key
           status, record, compute_s, error, run_id, finished) -- record: the trial's JSON
    exact(claim, seed, code, record, compute_s, run_id, finished)

``record`` holds JSON (NaN and infinities written as ``NaN``/``Infinity``, as Python reads
them): a trial's ``{"trial", "findings", "compute_s", "code"}``, an exact check's
``{"items", "compute_s", "code"}``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sqlite3
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bnproofs
from bnproofs.data import InputError

SCHEMA_NAME = "bnproofs-store"
SCHEMA_VERSION = 1
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 60_000

_TABLES = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL, finished REAL, "
    "status TEXT, code TEXT, host TEXT, executor TEXT, command TEXT, claims TEXT, trials "
    "INTEGER, seed INTEGER, device TEXT, solver TEXT, versions TEXT, computed INTEGER, "
    "reused INTEGER)",
    "CREATE TABLE trials (claim TEXT NOT NULL, idx INTEGER NOT NULL, seed INTEGER NOT NULL, "
    "solver TEXT NOT NULL, device TEXT NOT NULL, instance TEXT NOT NULL, code TEXT NOT NULL, "
    "status TEXT, record TEXT NOT NULL, compute_s REAL, error INTEGER, run_id INTEGER, "
    "finished REAL, PRIMARY KEY (claim, idx, seed, solver, device, instance, code))",
    "CREATE TABLE exact (claim TEXT NOT NULL, seed INTEGER NOT NULL, code TEXT NOT NULL, "
    "record TEXT NOT NULL, compute_s REAL, run_id INTEGER, finished REAL, "
    "PRIMARY KEY (claim, seed, code))",
)


class StoreError(InputError):
    """The store cannot be used (not a bnproofs store, another schema version, unreadable)."""


@dataclass(frozen=True)
class TrialKey:
    claim: str
    index: int
    seed: int
    solver: str
    device: str
    instance: str
    code: str

    def with_code(self, code: str) -> TrialKey:
        return TrialKey(self.claim, self.index, self.seed, self.solver, self.device,
                        self.instance, code)


def _sha(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()


def tree_hash(packages) -> str:
    """A hash of the relative paths and contents of the ``.py`` files under each folder of
    ``packages`` (``__pycache__`` aside), independent of where the folders lie."""
    files = []
    for pkg in map(Path, packages):
        files += [(p.relative_to(pkg.parent).as_posix(), p) for p in pkg.rglob("*.py")
                  if "__pycache__" not in p.parts]
    return _sha(*(x for rel, p in sorted(files) for x in (rel, p.read_bytes())))[:32]


@lru_cache(maxsize=1)
def code_version() -> str:
    """:func:`tree_hash` of ``bnproofs/`` and ``verify/`` as laid on disk when first called in
    this process: the same in a clean clone, a dirty tree or any copy of the same files."""
    return tree_hash([Path(bnproofs.__file__).parent, Path(__file__).parent])


def instance_key(claim: str, index: int, seed: int, case_repr: str) -> str:
    """A hash of what a trial runs on: its claim, index, seed and ``repr`` of its case."""
    return _sha(claim, index, seed, case_repr)[:32]


def dumps(obj) -> str:
    return json.dumps(obj, allow_nan=True, separators=(",", ":"))


class Store:
    """An open store (see the module docstring). Every public method commits before returning."""

    def __init__(self, path):
        self.path = Path(path)
        _check_header(self.path)
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                      isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"--store {self.path}: cannot open ({exc})") from None
        self._guard(self._prepare)

    def _guard(self, fn, *args):
        """Run ``fn``; an SQLite error becomes a one-line :class:`StoreError`."""
        try:
            return fn(*args)
        except StoreError:
            raise
        except sqlite3.Error as exc:
            raise StoreError(f"--store {self.path}: unusable SQLite file ({exc})") from None

    def _prepare(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # durable across a killed process in WAL
        if self.db.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
            raise StoreError(f"--store {self.path}: the SQLite file is damaged (quick_check)")
        if not self._tables():
            self._create()
        self._validate()

    def _tables(self) -> set[str]:
        rows = self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {r[0] for r in rows if not r[0].startswith("sqlite_")}

    def _create(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if not self._tables():  # another run may have created it meanwhile
                for sql in _TABLES:
                    self.db.execute(sql)
                self.db.executemany("INSERT INTO meta VALUES (?, ?)",
                                    [("schema", SCHEMA_NAME), ("version", str(SCHEMA_VERSION))])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _validate(self) -> None:
        tables = self._tables()
        if "meta" not in tables:
            raise StoreError(f"--store {self.path}: an SQLite file that is not a bnproofs store "
                             f"(tables: {', '.join(sorted(tables))})")
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        if meta.get("schema") != SCHEMA_NAME:
            raise StoreError(f"--store {self.path}: an SQLite file that is not a bnproofs store "
                             f"(schema {meta.get('schema')!r})")
        if meta.get("version") != str(SCHEMA_VERSION):
            raise StoreError(f"--store {self.path}: store schema version {meta.get('version')}, "
                             f"this bnproofs reads version {SCHEMA_VERSION}")

    # ---------------------------------------------------------------- trials and exact checks

    def get_trial(self, key: TrialKey) -> dict | None:
        row = self._guard(self._one, "SELECT record FROM trials WHERE claim=? AND idx=? AND "
                          "seed=? AND solver=? AND device=? AND instance=? AND code=?",
                          _key_tuple(key))
        return None if row is None else json.loads(row)

    def put_trial(self, key: TrialKey, record: dict, run_id: int | None) -> None:
        trial = record["trial"]
        error = any(n.startswith("error:") for n in trial.get("notes", []))
        self._guard(self.db.execute, "INSERT OR REPLACE INTO trials VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*_key_tuple(key), trial["status"], dumps(record), record["compute_s"],
                     int(error), run_id, time.time()))

    def get_exact(self, claim: str, seed: int, code: str) -> dict | None:
        row = self._guard(self._one, "SELECT record FROM exact WHERE claim=? AND seed=? AND "
                          "code=?", (claim, seed, code))
        return None if row is None else json.loads(row)

    def put_exact(self, claim: str, seed: int, record: dict, run_id: int | None) -> None:
        self._guard(self.db.execute, "INSERT OR REPLACE INTO exact VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (claim, seed, record["code"], dumps(record), record["compute_s"], run_id,
                     time.time()))

    def _one(self, sql: str, args: tuple):
        row = self.db.execute(sql, args).fetchone()
        return None if row is None else row[0]

    def count_trials(self, claim: str | None = None) -> int:
        sql, args = "SELECT COUNT(*) FROM trials", ()
        if claim is not None:
            sql, args = sql + " WHERE claim=?", (claim,)
        return self._guard(self._one, sql, args)

    # ---------------------------------------------------------------------------------- runs

    def start_run(self, info: dict) -> int:
        """Record a run's start; ``info`` holds the ``runs`` columns it knows."""
        cols = {"started": time.time(), "status": "running", "host": platform.node(),
                "command": None, **info}
        cols = {k: dumps(v) if isinstance(v, (list, dict)) else v for k, v in cols.items()}
        sql = (f"INSERT INTO runs ({', '.join(cols)}) VALUES "
               f"({', '.join('?' * len(cols))})")
        return self._guard(lambda: self.db.execute(sql, tuple(cols.values())).lastrowid)

    def finish_run(self, run_id: int, status: str, computed: int, reused: int) -> None:
        self._guard(self.db.execute, "UPDATE runs SET finished=?, status=?, computed=?, "
                    "reused=? WHERE id=?", (time.time(), status, computed, reused, run_id))

    def close(self) -> None:
        self.db.close()


def _key_tuple(key: TrialKey) -> tuple:
    return (key.claim, key.index, key.seed, key.solver, key.device, key.instance, key.code)


def _check_header(path: Path) -> None:
    """Refuse, in one line, a path that is a folder or a non-empty file that is not SQLite; make
    the folder of a new store."""
    if path.is_dir():
        raise StoreError(f"--store {path}: is a directory")
    if path.exists():
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise StoreError(f"--store {path}: cannot read ({exc.strerror})") from None
        if head and head != SQLITE_HEADER:
            raise StoreError(f"--store {path}: not a bnproofs store (not an SQLite file)")
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"--store {path}: cannot create folder {path.parent} "
                         f"({exc.strerror})") from None
    if not os.access(path.parent, os.W_OK):
        raise StoreError(f"--store {path}: cannot write to folder {path.parent}")
