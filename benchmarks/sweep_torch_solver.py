"""The torch solver against cvxpy + Clarabel on varied instances of (8), the three losses of
B.1, bracket against bracket.

    python benchmarks/sweep_torch_solver.py [--loss squared logistic hinge] [--only K ...]
                                            [--tol 1e-6]
                                            [--out FILE]

The fixed list :data:`CASES` spans what (8) allows: general data, duplicated rows, rank 2,
condition 1e6, n = d + 1 with the exact arrangements, β from 0.001 to above the zero-network
threshold, P from the exact count of a tiny instance to 2000 sampled ones at n = 100, and
scikit-learn's bundled digits. Each case is built from its own seed, so a row can be re-run alone
(``--only``). For the logistic and hinge losses the labels are ``sign(y)``.

Per instance: the torch solver (:func:`bnproofs.solvers.torch.solve_torch`, CPU, one thread,
stopped at the certified gap --tol) and Clarabel (:func:`bnproofs.solvers.clarabel.solve_program`, cvxpy's
compile included). Each answer is certified the same way (``benchmarks/solvers.py``'s ``certify``:
its objective, and the dual certificate of ``v = −∇L(f)`` with its own multipliers; for the
hinge loss, Clarabel's bound comes from a separate Clarabel solve of the dual, not timed), which gives
two brackets ``[lower, objective]`` of the one optimum. ``meet`` says whether they intersect (up
to 1e-9 relative, and only where Clarabel's point violates its cones by ≤ 1e-8: otherwise its
objective is no upper bound); ``|Δ|`` is the relative difference of the two objectives. A
Clarabel failure (``SolverError``) is printed as such.

The table goes to stdout line by line and to --out (default
``benchmarks/out/sweep_torch_solver.txt``, rewritten after each row, so that an interrupted run
keeps the rows it finished). The exit status is 1 if a torch answer is not
certified or its bracket misses Clarabel's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent)]  # solvers.py, and this checkout's bnproofs

from solvers import VIOL_TOL, certify, distinct_gates  # noqa: E402

from bnproofs.data import whiten  # noqa: E402
from bnproofs.instances import data_matrix  # noqa: E402
from bnproofs.programs.arrangements import enumerate_arrangements  # noqa: E402
from bnproofs.programs.cone import program_8  # noqa: E402
from bnproofs.solvers.clarabel import solve_program  # noqa: E402
from bnproofs.solvers.torch import solve_torch  # noqa: E402

#: (name, data kind, n, d, P (None: the exact arrangements), β); the data kinds are
#: :func:`bnproofs.instances.data_matrix`'s, plus "digits"
CASES = [
    ("general", "general", 50, 3, 200, 0.1),
    ("ties", "ties", 30, 3, 500, 0.05),
    ("rank 2", "rank2", 40, 5, 300, 0.3),
    ("condition 1e6", "illcond", 40, 4, 400, 0.1),
    ("n = d + 1, exact", "general", 6, 5, None, 0.2),
    ("tiny, exact", "general", 4, 2, None, 0.05),
    ("small β", "general", 30, 3, 800, 0.001),
    ("β above threshold", "general", 20, 3, 100, 30.0),
    ("large", "general", 100, 3, 2000, 0.1),
    ("digits", "digits", 60, 3, 500, 0.1),
]


def build(index, loss):
    _, kind, n, d, P, beta = CASES[index]
    rng = np.random.default_rng(1000 + index)
    if kind == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        idx = rng.choice(len(y), size=n, replace=False)
        X = X[idx][:, X[idx].std(axis=0) > 0][:, :d]
        y = (y[idx] - y[idx].mean()) / y[idx].std()
    else:
        X, y = data_matrix(rng, n, d, kind), rng.standard_normal(n)
    Up = whiten(X).Uprime
    D = enumerate_arrangements(Up) if P is None else distinct_gates(Up, P, rng)[0]
    if loss != "squared":
        y = np.where(y >= 0, 1.0, -1.0)
    return program_8(Up, D, y, beta, loss)


def bracket(prog, ref):
    """Clarabel's ``[lower, objective]``, its certified gap and cone violation (``certify``:
    for the hinge loss from a separate Clarabel solve of the dual)."""
    obj, gap, viol = certify(prog, ref.S, ref.Sp, ref.rho, ref.rhop)
    return obj - gap * max(1.0, abs(obj)), obj, gap, viol


def main() -> int:
    import cvxpy
    import torch


    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loss", nargs="+", default=["squared", "logistic", "hinge"],
                    choices=["squared", "logistic", "hinge"])
    ap.add_argument("--only", nargs="+", type=int, help="case numbers (0-based) to run")
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--out", default=str(ROOT / "out" / "sweep_torch_solver.txt"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    which = args.only if args.only else range(len(CASES))
    if any(not 0 <= i < len(CASES) for i in which):
        ap.error(f"--only takes case numbers 0..{len(CASES) - 1}")
    head = (f"{'#':>2} {'case':<18} {'loss':<8} {'n':>3} {'P':>5} {'β':>6} | {'torch s':>7} "
            f"{'steps':>5} {'gap':>8} {'status':<9} | {'Clarabel s':>10} {'its gap':>8} "
            f"{'viol':>7} | {'|Δ|':>7} {'meet':<4}")
    lines = [f"sweep_torch_solver.py, tol {args.tol:g}, torch {torch.__version__}, one thread",
             head]
    print(*lines, sep="\n", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    bad = 0
    for loss in args.loss:
        for i in which:
            prog = build(i, loss)
            P = prog.shape[0]
            name, _, n, _, _, beta = CASES[i]
            t0 = time.perf_counter()
            s = solve_torch(prog, tol=args.tol, device="cpu")
            ts_ = time.perf_counter() - t0
            up_t, gap_t, _ = certify(prog, s.S, s.Sp, s.rho, s.rhop, s.v)
            lo_t = up_t - gap_t * max(1.0, abs(up_t))
            row = (f"{i:>2} {name:<18} {loss:<8} {n:>3} {P:>5} {beta:>6g} | {ts_:>7.3f} "
                   f"{s.iterations:>5} {gap_t:>8.1e} {s.status:<9} | ")
            t0 = time.perf_counter()
            try:
                ref = solve_program(prog)
            except cvxpy.error.SolverError:
                ref = None
            tc = time.perf_counter() - t0
            ok = s.status == "converged" and gap_t <= args.tol
            if ref is None:
                row += f"{tc:>10.3f} {'fails':>8} {'':>7} | {'':>7} {'—':<4}"
            else:
                lo_c, up_c, gap_c, viol_c = bracket(prog, ref)
                scale = max(1.0, abs(up_c))
                # Clarabel's objective bounds the optimum from above only at a feasible point
                meet = lo_c <= up_t + 1e-9 * scale and (viol_c > VIOL_TOL
                                                        or lo_t <= up_c + 1e-9 * scale)
                ok = ok and meet
                row += (f"{tc:>10.3f} {gap_c:>8.1e} {viol_c:>7.0e} | "
                        f"{abs(up_t - up_c) / scale:>7.1e} {'yes' if meet else 'NO':<4}")
            bad += not ok
            print(row, flush=True)
            lines.append(row)
            out.write_text("\n".join(lines) + "\n")  # after each row: an interrupt keeps them
    lines.append(f"{bad} torch answer(s) not certified or missing Clarabel's bracket")
    print(lines[-1])
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
