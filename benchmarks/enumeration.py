"""Exact arrangement enumeration: time and count against n and d (prints a table).

    python benchmarks/enumeration.py [--limit 10]

For each d, n grows until one enumeration takes longer than --limit seconds; prints P, Cover's
count, the paper's bound and the time, and the largest (n, d) under the limit.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bnproofs.data import whiten
from bnproofs.programs.arrangements import cover_count, enumerate_arrangements, paper_bound


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=10.0, help="seconds per enumeration")
    ap.add_argument("--dims", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'d':>3} {'n':>5} {'P':>10} {'Cover':>10} {'bound':>12} {'seconds':>9}")
    largest = {}
    for d in args.dims:
        n = d + 2
        while True:
            Up = whiten(rng.standard_normal((n, d))).Uprime
            t0 = time.perf_counter()
            P = len(enumerate_arrangements(Up))
            dt = time.perf_counter() - t0
            print(f"{d:>3} {n:>5} {P:>10} {cover_count(n, d + 1):>10} "
                  f"{paper_bound(n, d):>12.4g} {dt:>9.3f}", flush=True)
            if dt > args.limit:
                break
            largest[d] = (n, P, dt)
            n = int(n * 1.5) + 1
    for d, (n, P, dt) in largest.items():
        print(f"largest under {args.limit:g}s for d={d}: n={n} (P={P}, {dt:.2f}s)")


if __name__ == "__main__":
    main()
