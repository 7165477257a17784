"""The ``bnproofs`` command line: ``list``, ``check``, ``report``, ``errata``, ``mutants``.

``check`` and ``report`` run a campaign (:mod:`verify.runner`): every trial is a task, run in
``--workers`` local processes (default: one per core; 1 runs in this process) or on the Dask
cluster at ``--scheduler ADDRESS``, and every finished trial is committed to the result store
``--store`` at once (:mod:`verify.store`; default ``bnproofs-out/results.sqlite`` under the
current folder for ``check``, ``<out>/results.sqlite`` for ``report``). ``--resume`` computes
only the trials the store lacks for this code version. The JSON and the reports are built from
the store. See docs/campaigns.md.

Exit codes: 0 when the run completed (whatever the verdicts), 2 for usage errors (one line on
stderr, no traceback: a bad option, an unusable store, an unreachable scheduler), 1 for internal
failures, 130 when interrupted (finished trials are kept and written).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bnproofs.data import InputError
from bnproofs.exact import summary as exact_summary
from bnproofs.results import run_to_json, write_json
from bnproofs.solvers import SOLVERS
from reports import errata as errata_doc

from . import mutation, registry
from .executors import make_executor, pin_threads
from .runner import Campaign, claim_of, run_campaign
from .store import Store, code_version

DEFAULT_TRIALS = 10
DEFAULT_SEED = 0
CHECK_STORE = Path("bnproofs-out") / "results.sqlite"


class UsageError(InputError):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def _integer(text: str, least: int, what: str, below: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} an integer, got {text!r}") from None
    if v < least:
        raise argparse.ArgumentTypeError(f"{below}, got {v}")
    return v


def _positive_int(text: str) -> int:
    return _integer(text, 1, "expected", "must be at least 1")


def _seed(text: str) -> int:
    return _integer(text, 0, "seed must be", "seed must be non-negative")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bnproofs", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", parser_class=_Parser, required=True)
    sub.add_parser("list", help="one line per claim: id, paper, title, kind")

    def common(sp, store_default):
        sp.add_argument("--trials", type=_positive_int, default=DEFAULT_TRIALS)
        sp.add_argument("--seed", type=_seed, default=DEFAULT_SEED)
        sp.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
        sp.add_argument("--solver", choices=list(SOLVERS), default="auto",
                        help="solver of the convex programs (claims that solve them); auto: "
                             "the torch solver for large programs, Clarabel otherwise")
        sp.add_argument("--quiet", action="store_true", help="no progress bar or lines")
        sp.add_argument("--no-exact", dest="exact", action="store_false",
                        help="skip the exact layer (sympy proofs, rational certificates)")
        sp.add_argument("--threads", type=_positive_int, default=1,
                        help="CPU threads for torch per process (default 1: the claims' networks "
                             "are small, and more threads than free cores slow torch down 10x "
                             "or more)")
        sp.add_argument("--workers", type=_positive_int, default=None,
                        help="local worker processes (default: the machine's cores, "
                             f"{os.cpu_count()} here); 1 runs the trials in this process")
        sp.add_argument("--scheduler", metavar="ADDRESS",
                        help="run the trials on the Dask cluster whose scheduler listens here "
                             "(e.g. tcp://10.0.0.5:8786) instead of local processes")
        sp.add_argument("--store", metavar="PATH",
                        help="the SQLite result store (default: " + store_default + ")")
        sp.add_argument("--resume", action="store_true",
                        help="reuse the trials already in the store for this code version; "
                             "compute only the missing ones")

    c = sub.add_parser("check", help="run claims on seeded instances")
    c.add_argument("ids", nargs="+", metavar="ID")
    common(c, str(CHECK_STORE))
    c.add_argument("--json", metavar="PATH", help="write the JSON result here")

    r = sub.add_parser("report", help="run claims and write notebooks + HTML reports")
    r.add_argument("--out", default="reports/out", metavar="DIR")
    r.add_argument("--claims", nargs="+", metavar="ID", default=None)
    r.add_argument("--timeout", type=_positive_int, default=600,
                   help="per-cell timeout in seconds when executing notebooks")
    common(r, "OUT/results.sqlite")

    e = sub.add_parser("errata", help="the printed statements that fail, from a run's JSON")
    e.add_argument("--format", choices=errata_doc.FORMATS, default="md")
    e.add_argument("--from", dest="source", default=str(errata_doc.DEFAULT_RUN), metavar="PATH",
                   help="a run's JSON: the one `bnproofs report` saves (default: %(default)s, "
                        "from `report --out reports/out`) or a `check --json` file")
    e.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    mutation.add_parser(sub, _positive_int)
    return p


def _writable_file(path: str) -> Path:
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise UsageError(f"--json {path}: is a directory")
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"--json {path}: cannot write to folder {parent}")
    return p


def _writable_dir(path: str) -> Path:
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {path}: cannot create folder ({exc.strerror})") from None
    if not os.access(p, os.W_OK):
        raise UsageError(f"--out {path}: folder is not writable")
    return p


def cmd_list() -> int:
    for cid in registry.ids():
        c = claim_of(registry.load(cid), cid)
        print(f"{c.id:<6} [{c.paper}]  {c.title}  ({c.kind})")
    return 0


def run_checks(args, ids: list[str], store_path: Path):
    """Run the campaign the options describe; ``(Outcome, payload)``, the payload built from
    the store (:func:`bnproofs.results.run_to_json`, plus ``solver`` and ``campaign``)."""
    from bnproofs.nets.training import resolve_device

    if args.scheduler and args.workers:
        raise UsageError("--workers and --scheduler exclude each other (a Dask cluster has its "
                         "own workers)")
    dev = resolve_device(args.device)
    workers = args.workers or os.cpu_count() or 1
    t0 = time.perf_counter()
    store = Store(store_path)
    try:
        oc = run_campaign(Campaign(tuple(ids), args.trials, args.seed, dev, args.solver,
                                   args.exact), store,
                          lambda n: make_executor(workers, args.scheduler, n, args.threads),
                          resume=args.resume, quiet=args.quiet, command=args.argv)
    finally:
        store.close()
    print(f"computed {oc.computed}, reused {oc.reused} of {len(ids) * args.trials} trials "
          f"(store {store_path})", file=sys.stderr)
    if oc.foreign:
        print(f"warning: {oc.foreign} trial(s) ran on code other than this process's (files "
              "changed during the run, or a cluster worker has another version); they are "
              "stored under their own code version", file=sys.stderr)
    payload = run_to_json(oc.results, dev, time.perf_counter() - t0)
    payload["solver"] = args.solver
    payload["campaign"] = {"executor": oc.executor, "store": str(store_path), "run": oc.run_id,
                           "computed": oc.computed, "reused": oc.reused,
                           "code_version": code_version()}
    return oc, payload


def print_summary(results) -> None:
    print(f"{'claim':<7}{'trials':>7}  {'verdict':<13}{'worst gap':>12}  findings  exact")
    for r in results:
        wg = "-" if r.worst_gap is None else f"{r.worst_gap:.3g}"
        print(f"{r.id:<7}{len(r.trials):>7}  {r.verdict:<13}{wg:>12}  {len(r.findings):>8}  "
              f"{exact_line(r.exact)}")


def exact_line(items) -> str:
    """``12 proved, 3 refuted`` (refuted = a printed formula shown wrong), or ``-``."""
    if not items:
        return "-"
    s = exact_summary(items)
    parts = [f"{s[k]} {k}" for k in ("proved", "refuted", "undecided") if s[k]]
    return ", ".join(parts)


def cmd_check(args) -> int:
    ids = [registry.canonical(i) for i in args.ids]
    out = _writable_file(args.json) if args.json else None
    oc, payload = run_checks(args, ids, Path(args.store or CHECK_STORE))
    print_summary(oc.results)
    if out is not None:
        write_json(out, payload)
        print(f"wrote {out}")
    return 130 if oc.interrupted else 0


def cmd_report(args) -> int:
    from reports.build import build_reports, check_kernel

    ids = [registry.canonical(i) for i in (args.claims or registry.ids())]
    out = _writable_dir(args.out)
    try:
        check_kernel()  # before the (long) checks, not after
    except RuntimeError as exc:
        raise UsageError(str(exc)) from None
    oc, payload = run_checks(args, ids, Path(args.store) if args.store else out / "results.sqlite")
    print_summary(oc.results)
    index = build_reports(payload, out, timeout=args.timeout,
                          progress=None if args.quiet else _progress,
                          workers=args.workers or os.cpu_count() or 1)  # notebooks run here
    print(f"wrote {index}")
    return 130 if oc.interrupted else 0


def cmd_errata(args) -> int:
    """The errata of a finished run (:mod:`reports.errata`), without running anything."""
    text = errata_doc.render(errata_doc.load_run(args.source), args.format)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--out {args.out}: {exc.strerror}") from None
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _progress(msg):
    print(msg, file=sys.stderr, flush=True)


def main(argv=None) -> int:
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        args = build_parser().parse_args(argv)
        args.argv = argv
        if args.command == "errata":
            return cmd_errata(args)
        if args.command != "list":
            pin_threads(getattr(args, "threads", 1))
        if args.command == "list":
            return cmd_list()
        if args.command == "check":
            return cmd_check(args)
        if args.command == "mutants":
            return mutation.command(args, _progress)
        return cmd_report(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # internal failure: say what, exit 1
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("BNPROOFS_DEBUG"):
            raise
        return 1


if __name__ == "__main__":
    sys.exit(main())
