"""Cost of the exact dual constraint of (11) and of the certified bracket for (9) = (12).

    python benchmarks/vector_constraint.py [--reps 3]

For Gaussian X (n × d, so r + 1 = d + 1), Gaussian Y (n × C) and β = 0.3 c(Y): the number of
flats, the time of one exact evaluation of ``c(V) = max_{‖s‖=1} ‖Vᵀ(U's)_+‖`` (best of
``--reps``), and the column-generation run of :func:`bnproofs.certify.vector.certified_vector_optimum`
(rounds, columns, wall time, relative bracket width). Square ``U'`` (n ≤ d) uses the support
enumeration (2^n eigenproblems) instead of flats. Single-threaded numpy; Clarabel for the masters.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bnproofs.certify.vector import certified_vector_optimum, dual_constraint, flats
from bnproofs.data import whiten

SIZES = [(6, 1, 2), (8, 2, 3), (10, 2, 3), (10, 3, 2), (12, 3, 3), (8, 8, 3), (12, 16, 3)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'n':>3} {'r+1':>4} {'C':>2} {'flats':>6} {'c(V) s':>9} {'rounds':>6} {'cols':>5} "
          f"{'bracket s':>9} {'rel width':>9}")
    for n, d, C in SIZES:
        X, Y = rng.standard_normal((n, d)), rng.standard_normal((n, C))
        W = whiten(X)
        k = W.r + 1
        nflats = len(flats(W.Uprime)) if k < n else 0
        best = np.inf
        for _ in range(args.reps):
            t0 = time.perf_counter()
            c = dual_constraint(W.Uprime, Y).value
            best = min(best, time.perf_counter() - t0)
        t0 = time.perf_counter()
        opt = certified_vector_optimum(X, Y, 0.3 * c, W)
        dt = time.perf_counter() - t0
        print(f"{n:>3} {k:>4} {C:>2} {nflats:>6} {best:>9.4f} {opt.iterations:>6} "
              f"{opt.columns:>5} {dt:>9.2f} {opt.width / max(1, abs(opt.upper)):>9.1e}")


if __name__ == "__main__":
    main()
