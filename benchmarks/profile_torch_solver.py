"""Where the torch solver's time goes on (8) (n = 50, d = 3, β = 0.1 by default), one thread.

    python benchmarks/profile_torch_solver.py [--P 1000] [--count 5] [--clarabel 2] [--B 1]

Builds ``--count`` instances with ``benchmarks/solvers.py``'s ``random_case``, solves them one
at a time (or ``--B`` at a time) with :func:`bnproofs.solvers.torch.solve_batch` on the CPU and
prints per solve: time, Newton steps, rounds, the stopping rule's gap, and the split of the time
between
the restricted barrier solves (Newton steps), the interior directions of entering groups, the
NNLS of the full checks and the rest of the full checks (pricing, bookkeeping). The split comes
from wrapping the package's functions, so it costs nothing when this script is not running.
``--clarabel N`` also solves the first N with cvxpy + Clarabel and compares the optima.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent)]  # solvers.py, and this checkout's bnproofs

from solvers import check_positive, digits_case, random_case  # noqa: E402

from bnproofs.programs.cone import program_8  # noqa: E402
from bnproofs.solvers.clarabel import solve_program  # noqa: E402
from bnproofs.solvers.torch import batch, pricing, rounds, solve_batch  # noqa: E402

CLOCK = {"nnls": 0.0, "interior": 0.0, "barrier": 0.0}


def _timed(name, fn):
    def wrapped(*a, **kw):
        t0 = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            CLOCK[name] += time.perf_counter() - t0
    return wrapped


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--P", type=int, default=1000)
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--B", type=int, default=1, help="instances per solve_batch")
    ap.add_argument("--clarabel", type=int, default=2)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--d", type=int, default=3)
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--digits", action="store_true", help="the digits data instead")
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    check_positive(ap, args, "P", "count", "B", "n", "d", "beta", "tol")
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    case = ([c for _ in range(args.count) for c in digits_case(args.P, args.beta, rng)]
            if args.digits else random_case(args.P, args.count, args.n, args.d, args.beta, rng))
    progs = [program_8(Up, D, y, beta) for Up, y, D, _, beta in case]
    pricing.nnls = _timed("nnls", pricing.nnls)
    batch.interior_directions = _timed("interior", batch.interior_directions)
    rounds.barrier = _timed("barrier", rounds.barrier)
    solve_batch(progs[:1], tol=args.tol, device="cpu")  # warm-up (kernels)
    print(f"{'#':>3} {'s':>7} {'steps':>6} {'rounds':>6} {'|W|':>4} {'gap':>8} {'status':>9} "
          f"{'newton':>7} {'interior':>8} {'nnls':>6} {'check+':>7}")
    tot = {"s": 0.0, "steps": 0, "rounds": 0, **{k: 0.0 for k in CLOCK}}
    sols = []
    for j in range(0, len(progs), args.B):
        for k in CLOCK:
            CLOCK[k] = 0.0
        t0 = time.perf_counter()
        out = solve_batch(progs[j:j + args.B], tol=args.tol, device="cpu")
        t = time.perf_counter() - t0
        sols += out
        s = out[0]
        newton = CLOCK["barrier"] - CLOCK["interior"]
        rest = t - CLOCK["barrier"] - CLOCK["nnls"]
        print(f"{j:>3} {t:>7.3f} {max(o.iterations for o in out):>6} "
              f"{max(o.rounds for o in out):>6} {s.working_set:>4} "
              f"{max(o.gap for o in out):>8.1e} "
              f"{sum(o.status == 'converged' for o in out)}/{len(out):<7} "
              f"{newton:>7.3f} {CLOCK['interior']:>8.3f} {CLOCK['nnls']:>6.3f} {rest:>7.3f}",
              flush=True)
        tot["s"] += t
        tot["steps"] += max(o.iterations for o in out)
        tot["rounds"] += max(o.rounds for o in out)
        tot["newton"] = tot.get("newton", 0.0) + newton
        tot["interior"] += CLOCK["interior"]
        tot["nnls"] += CLOCK["nnls"]
        tot["rest"] = tot.get("rest", 0.0) + rest
    nb = -(-len(progs) // args.B)
    print(f"mean per instance {tot['s'] / len(progs):.4f} s; per solve: steps "
          f"{tot['steps'] / nb:.0f}, rounds {tot['rounds'] / nb:.1f}, newton "
          f"{tot['newton'] / nb:.3f} s, interior {tot['interior'] / nb:.3f} s, nnls "
          f"{tot['nnls'] / nb:.3f} s, check+rest {tot['rest'] / nb:.3f} s; "
          f"{1e3 * tot['newton'] / max(1, tot['steps']):.2f} ms/step; converged "
          f"{sum(o.status == 'converged' for o in sols)}/{len(sols)}")
    for j in range(min(args.clarabel, len(progs))):
        t0 = time.perf_counter()
        ref = solve_program(progs[j])
        t = time.perf_counter() - t0
        rel = abs(sols[j].upper - ref.value) / max(1.0, abs(ref.value))
        print(f"clarabel #{j}: {t:.3f} s ({t / (tot['s'] / len(progs)):.1f}× torch), "
              f"|Δ| {rel:.1e}")


if __name__ == "__main__":
    main()
