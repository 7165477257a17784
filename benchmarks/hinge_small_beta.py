"""How often the torch solver certifies the hinge loss at small β: a fixed sample of 52 instances.

    python benchmarks/hinge_small_beta.py [--sets A B C E] [--tol 1e-6] [--out FILE]

The hinge loss is where the torch solver is weakest: at small β its barrier path must go down to
μ ~ 1e-10, where the Newton systems are lost to round-off, and a solve that cannot reach --tol
ends ``stalled`` (:func:`bnproofs.solvers.solve` then answers with Clarabel and records it). The
sample (each instance from its own seed, labels ``sign(y)``, d = 3):

* ``A`` — n = 30, 1000 sampled arrangements (:func:`bnproofs.instances.sampled_hinge_8`,
  ~700 distinct), β = 0.02, seeds 0–11 (the tests' instances);
* ``B`` — n = 30, P = 500 distinct gates (``benchmarks/solvers.py``'s ``random_case``, seed 0),
  β = 0.02, 12 instances;
* ``C`` — n = 50, P = 1000, β = 0.03, 20 instances (``random_case`` seeds 0 and 1, 10 each);
* ``E`` — n = 50, P = 1000, β = 0.01, 8 instances (seed 0).

Per instance: status, certified gap, Newton steps, rounds and time of
:func:`bnproofs.solvers.torch.solve_torch` (CPU, one thread); then the stalled count per set.
Which instances stall depends on round-off, so also on torch's thread count (the counts move by
about one per set between 1 and 2 threads). Rows go to stdout and to --out (default
``benchmarks/out/hinge_small_beta.txt``, rewritten after each row).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent)]  # solvers.py, and this checkout's bnproofs

from solvers import check_positive, random_case  # noqa: E402

from bnproofs.certify.audit import audit  # noqa: E402
from bnproofs.instances import sampled_hinge_8  # noqa: E402
from bnproofs.programs.cone import program_8  # noqa: E402
from bnproofs.solvers.torch import solve_torch  # noqa: E402


def _gates(P, seed, count, n, beta):
    return [program_8(Up, D, np.where(y >= 0, 1.0, -1.0), b, "hinge")
            for Up, y, D, _, b in random_case(P, count, n, 3, beta, np.random.default_rng(seed))]


#: set → (description, builder of its instances as (name, program) pairs)
SETS = {
    "A": ("n = 30, ~700 sampled arrangements, β = 0.02",
          lambda: [(f"A{s}", sampled_hinge_8(s)) for s in range(12)]),
    "B": ("n = 30, P = 500, β = 0.02",
          lambda: [(f"B{j}", p) for j, p in enumerate(_gates(500, 0, 12, 30, 0.02))]),
    "C": ("n = 50, P = 1000, β = 0.03",
          lambda: [(f"C{s}.{j}", p) for s in (0, 1)
                   for j, p in enumerate(_gates(1000, s, 10, 50, 0.03))]),
    "E": ("n = 50, P = 1000, β = 0.01",
          lambda: [(f"E{j}", p) for j, p in enumerate(_gates(1000, 0, 8, 50, 0.01))]),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", choices=sorted(SETS), default=sorted(SETS))
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "hinge_small_beta.txt")
    args = ap.parse_args()
    check_positive(ap, args, "tol")
    import torch

    torch.set_num_threads(1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"torch solver, hinge loss, tol {args.tol:g}, CPU, one thread",
             f"{'instance':>9} {'status':>9} {'gap':>8} {'steps':>6} {'rounds':>6} {'s':>6}"]
    print(*lines, sep="\n", flush=True)
    summary = []
    for key in args.sets:
        desc, build = SETS[key]
        stalled, total = 0, 0.0
        progs = build()
        for name, prog in progs:
            t0 = time.perf_counter()
            s = solve_torch(prog, tol=args.tol, device="cpu")
            t = time.perf_counter() - t0
            total += t
            gap = audit(prog, s.S, s.Sp, [(s.v, s.rho, s.rhop)], tol=args.tol).gap
            stalled += not gap <= args.tol
            lines.append(f"{name:>9} {s.status:>9} {gap:>8.1e} {s.iterations:>6} "
                         f"{s.rounds:>6} {t:>6.2f}")
            print(lines[-1], flush=True)
            args.out.write_text("\n".join(lines) + "\n")
        summary.append(f"{key} ({desc}): {stalled} of {len(progs)} not certified, "
                       f"{total:.1f} s")
    lines += summary
    print(*summary, sep="\n")
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
