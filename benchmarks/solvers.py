"""Torch ADMM solver of (8) against cvxpy + Clarabel: time to a certified relative gap (prints a table).

    python benchmarks/solvers.py [--sizes 50 200 1000] [--batches 1 64] [--out FILE]

For each arrangement count P (``sample_arrangements`` on random data, n = --n, d = --d, then P
of the distinct patterns drawn at random) and batch size B, times

* ``torch-cpu`` (and ``torch-cuda`` when CUDA is present): :func:`bnproofs.torch_solver.solve_torch`
  on the whole batch at once, to a certified relative gap ``--tol`` (default 1e-6);
* ``clarabel``: :func:`bnproofs.convex.solve_program` on :func:`~bnproofs.convex.program_8`, one instance after the other, wall time
  including cvxpy's compilation, on at most ``--clarabel-max`` instances of the batch (its
  per-instance time is the mean over those; the total is extrapolated to B and marked ``*``).
  Clarabel's gap column is its objective against
  :func:`bnproofs.certificates.dual_certificate` of its own multipliers; its primal point is used
  as returned (not repaired), and the largest cone violation is printed in the status column.

Columns: P, batch, method, seconds (whole batch), seconds per instance, worst certified relative
gap, worst |value − Clarabel| / max(1, |Clarabel|) over the instances Clarabel solved.

A real-data row (``sklearn.datasets.load_digits``) is added only if scikit-learn is installed;
it is not a dependency and is not installed by this script.

Peer: ``pyscnn`` (R-FISTA and an augmented Lagrangian for convex two-layer ReLU networks, without
BN, float32 by default) would be the public side-by-side; it is not installed here because its
torch requirement may pull CUDA packages. To add it, run it on the same ``U'``, ``y`` and gates.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bnproofs.arrangements import sample_arrangements
from bnproofs.certificates import dual_certificate
from bnproofs.convex import program_8, solve_program
from bnproofs.data import whiten
from bnproofs.torch_solver import solve_torch


def instances(P, B, n, d, rng):
    Ups, ys, Ds = [], [], []
    for _ in range(B):
        Up = whiten(rng.standard_normal((n, d))).Uprime
        D = sample_arrangements(Up, 20 * P, rng)
        D = D[np.sort(rng.choice(len(D), size=min(P, len(D)), replace=False))]
        Ups.append(Up)
        ys.append(rng.standard_normal(n))
        Ds.append(D)
    return Ups, ys, Ds


def digits_instance(P, rng):
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return None
    X, y = load_digits(return_X_y=True)
    idx = rng.choice(len(y), size=60, replace=False)
    Xs = X[idx][:, X[idx].std(axis=0) > 0][:, :3]
    Up = whiten(Xs).Uprime
    D = sample_arrangements(Up, 20 * P, rng)
    D = D[np.sort(rng.choice(len(D), size=min(P, len(D)), replace=False))]
    yy = (y[idx] - y[idx].mean()) / y[idx].std()
    return [Up], [yy], [D]


def run_clarabel(Ups, ys, Ds, beta, m):
    vals, gaps, times, viols = [], [], [], []
    for Up, y, D in list(zip(Ups, ys, Ds, strict=True))[:m]:
        t0 = time.perf_counter()
        prog = program_8(Up, D, y, beta)
        sol = solve_program(prog)
        times.append(time.perf_counter() - t0)
        low = dual_certificate(prog, y - sol.prediction(prog), sol.rho,
                               sol.rhop).lower_bound
        vals.append(sol.value)
        gaps.append((sol.value - low) / max(1.0, abs(sol.value)))
        viols.append(prog.violation(sol.S, sol.Sp))
    return np.array(vals), np.array(gaps), np.array(times), max(viols)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000])
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 64])
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--d", type=int, default=2)
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--max-iter", type=int, default=20000)
    ap.add_argument("--clarabel-max", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="benchmarks/solvers_table.txt")
    args = ap.parse_args()
    import torch

    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    rng = np.random.default_rng(args.seed)
    head = (f"{'P':>6} {'batch':>5} {'method':>11} {'seconds':>9} {'s/inst':>9} "
            f"{'cert.gap':>9} {'|Δ|/Clar':>9} {'status':>14}")
    lines = [f"# n={args.n} d={args.d} beta={args.beta} tol={args.tol} seed={args.seed} "
             f"threads={torch.get_num_threads()}", head]
    print("\n".join(lines), flush=True)

    def emit(line):
        print(line, flush=True)
        lines.append(line)

    cases = [(P, B, instances(P, B, args.n, args.d, rng)) for P in args.sizes
             for B in args.batches]
    dig = digits_instance(args.sizes[0], rng)
    if dig is not None:
        cases.append((len(dig[2][0]), 1, dig))
    for _, B, (Ups, ys, Ds) in cases:
        Preal = max(len(D) for D in Ds)
        m = min(B, args.clarabel_max)
        cv, cg, ct, cviol = run_clarabel(Ups, ys, Ds, args.beta, m)
        star = "*" if m < B else ""
        emit(f"{Preal:>6} {B:>5} {'clarabel':>11} {ct.mean() * B:>8.2f}{star or ' '} "
             f"{ct.mean():>9.4f} {cg.max():>9.1e} {0.0:>9.1e} {f'viol {cviol:.0e}':>14}")
        for dev in devices:
            t0 = time.perf_counter()
            sols = solve_torch(Ups, ys, args.beta, Ds, tol=args.tol, max_iter=args.max_iter,
                               device=dev)
            if dev == "cuda":
                torch.cuda.synchronize()
            dt = time.perf_counter() - t0
            gap = max(s.gap for s in sols)
            diff = max(abs(s.upper - c) / max(1.0, abs(c)) for s, c in zip(sols, cv, strict=False))
            nc = sum(s.status == "certified" for s in sols)
            its = max(s.iterations for s in sols)
            emit(f"{Preal:>6} {B:>5} {'torch-' + dev:>11} {dt:>9.2f} {dt / B:>9.4f} "
                 f"{gap:>9.1e} {diff:>9.1e} {f'{nc}/{B} it{its}':>14}")
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
