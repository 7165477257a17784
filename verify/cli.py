"""The ``bnproofs`` command line: ``list``, ``check``, ``report``.

Exit codes: 0 when the run completed (whatever the verdicts), 2 for usage errors (one line on
stderr, no traceback), 1 for internal failures, 130 when interrupted (finished trials are kept
and written).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bnproofs.data import InputError
from bnproofs.exact import summary as exact_summary
from bnproofs.programs.cone import SOLVERS
from bnproofs.results import run_to_json, write_json

from . import registry
from .runner import run_claim

DEFAULT_TRIALS = 10
DEFAULT_SEED = 0


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

    def common(sp):
        sp.add_argument("--trials", type=_positive_int, default=DEFAULT_TRIALS)
        sp.add_argument("--seed", type=_seed, default=DEFAULT_SEED)
        sp.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
        sp.add_argument("--solver", choices=list(SOLVERS), default="auto",
                        help="solver of the convex programs (claims that solve them); auto: "
                             "the torch solver for large programs, Clarabel otherwise")
        sp.add_argument("--quiet", action="store_true", help="no per-trial progress")
        sp.add_argument("--no-exact", dest="exact", action="store_false",
                        help="skip the exact layer (sympy proofs, rational certificates)")
        sp.add_argument("--threads", type=_positive_int, default=1,
                        help="CPU threads for torch (default 1: the claims' networks are small, "
                             "and more threads than free cores slow torch down 10x or more)")

    c = sub.add_parser("check", help="run claims on seeded instances")
    c.add_argument("ids", nargs="+", metavar="ID")
    common(c)
    c.add_argument("--json", metavar="PATH", help="write the JSON result here")

    r = sub.add_parser("report", help="run claims and write notebooks + HTML reports")
    r.add_argument("--out", default="reports/out", metavar="DIR")
    r.add_argument("--claims", nargs="+", metavar="ID", default=None)
    r.add_argument("--timeout", type=_positive_int, default=600,
                   help="per-cell timeout in seconds when executing notebooks")
    common(r)
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
        c = registry.load(cid).CLAIM
        print(f"{c.id:<6} [{c.paper}]  {c.title}  ({c.kind})")
    return 0


def run_checks(ids, trials, seed, device, quiet, exact=True, solver="auto"):
    from bnproofs.nets.training import resolve_device

    dev = resolve_device(device)
    mods = [registry.load(i) for i in ids]
    t0 = time.perf_counter()
    results, interrupted = [], False
    for m in mods:
        if not quiet:
            print(f"{m.CLAIM.id}: {trials} trial(s), seed {seed}, device {dev}, solver {solver}",
                  file=sys.stderr)
        res, interrupted = run_claim(m, trials, seed, dev, None if quiet else _progress,
                                     exact=exact, solver=solver)
        results.append(res)
        if interrupted:
            break
    payload = run_to_json(results, dev, time.perf_counter() - t0)
    payload["solver"] = solver
    return results, payload, interrupted


def _progress(msg):
    print(msg, file=sys.stderr, flush=True)


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
    results, payload, interrupted = run_checks(ids, args.trials, args.seed, args.device,
                                               args.quiet, args.exact, args.solver)
    print_summary(results)
    if out is not None:
        write_json(out, payload)
        print(f"wrote {out}")
    return 130 if interrupted else 0


def cmd_report(args) -> int:
    from reports.build import build_reports, check_kernel

    ids = [registry.canonical(i) for i in (args.claims or registry.ids())]
    out = _writable_dir(args.out)
    try:
        check_kernel()  # before the (long) checks, not after
    except RuntimeError as exc:
        raise UsageError(str(exc)) from None
    results, payload, interrupted = run_checks(ids, args.trials, args.seed, args.device,
                                               args.quiet, args.exact, args.solver)
    print_summary(results)
    index = build_reports(payload, out, timeout=args.timeout, progress=_progress)
    print(f"wrote {index}")
    return 130 if interrupted else 0


def set_threads(n: int) -> None:
    """torch's intra-op threads (the claims' tensors are tiny: one thread is as fast on a quiet
    machine and much faster on a busy one)."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(n)


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command != "list":
            set_threads(args.threads)
        if args.command == "list":
            return cmd_list()
        if args.command == "check":
            return cmd_check(args)
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
