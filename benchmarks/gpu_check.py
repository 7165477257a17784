"""GPU check of the torch solver: CPU and CUDA agree, and what a batch on the GPU is worth.

    python benchmarks/gpu_check.py [--sizes 50 200] [--batch 256] [--P 50] [--tol 1e-6]
                                   [--agree 1e-8] [--allow-cpu]

* Agreement: the problems of benchmarks/solvers.py (``random_case`` at each P of --sizes, four
  instances each, and ``digits_case``), each solved by the public dispatcher
  ``bnproofs.solvers.solve(prog, solver="torch", device=..., fallback=False)`` on the CPU and
  on CUDA: the largest ``|v_cpu − v_cuda| / max(1, |v_cpu|)`` of the objective values, which
  must be ≤ --agree, and both answers certified (status ``optimal``).
* Throughput: a batch of --batch instances of (8) (``random_case`` at P = --P) solved in one
  batch on CUDA (benchmarks/solvers.py ``run_torch``: the solver's batch entry point, to the
  certified gap --tol), against the CPU rate of cvxpy + Clarabel on 8 of its instances
  (``run_clarabel``).

Writes ``benchmarks/out/gpu_check.json`` (device name, figures, pass/fail) and exits 1 when the
agreement fails. ``--allow-cpu`` runs without CUDA (CPU against CPU: a smoke test of this
script, not a GPU check).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

from bnproofs.programs.cone import program_8
from bnproofs.solvers import solve

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "gpu_check.json"


def bench_solvers():
    """benchmarks/solvers.py as a module (a script: loaded from its path)."""
    spec = importlib.util.spec_from_file_location("bench_solvers", ROOT / "benchmarks" /
                                                  "solvers.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def agreement(bs, args, device: str, rng) -> dict:
    """The largest relative difference of the objective between CPU and ``device``."""
    cases = [(f"random P={P}", bs.random_case(P, 4, 50, 3, 0.1, rng)) for P in args.sizes]
    cases.append(("digits", bs.digits_case(args.sizes[0], 0.1, rng)))
    worst, rows = 0.0, []
    for name, case in cases:
        for Up, y, D, _, beta in case:
            prog = program_8(Up, D, y, beta, "squared")
            a = solve(prog, solver="torch", device="cpu", tol=args.tol, fallback=False)
            b = solve(prog, solver="torch", device=device, tol=args.tol, fallback=False)
            diff = abs(a.value - b.value) / max(1.0, abs(a.value))
            worst = max(worst, diff)
            rows.append({"case": name, "P": len(D), "cpu": a.value, device: b.value,
                         "diff": diff, "certified": a.status == b.status == "optimal"})
    return {"worst_relative_difference": worst, "instances": len(rows),
            "all_certified": all(r["certified"] for r in rows), "rows": rows,
            "pass": worst <= args.agree and all(r["certified"] for r in rows)}


def throughput(bs, args, device: str, rng) -> dict:
    case = bs.random_case(args.P, args.batch, 50, 3, 0.1, rng)
    opts = SimpleNamespace(chunk=args.batch, tol=args.tol, loss="squared", ref_max=8)
    bs.run_torch(case[:4], opts, device)  # warm: CUDA context, kernels
    t0 = time.perf_counter()
    gpu = bs.run_torch(case, opts, device)
    wall = time.perf_counter() - t0
    cpu = bs.run_clarabel(case, opts)
    return {"P": args.P, "batch": args.batch, "device_wall_s": wall,
            "device_per_s": args.batch / wall, "device_status": gpu["status"],
            "clarabel_cpu_per_s": 1.0 / cpu["per"], "speedup": cpu["per"] * args.batch / wall,
            "worst_gap": gpu["gap"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--P", type=int, default=50)
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--agree", type=float, default=1e-8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--allow-cpu", action="store_true", help="smoke test without CUDA")
    args = ap.parse_args()
    cuda = torch.cuda.is_available()
    if not cuda and not args.allow_cpu:
        print("error: CUDA is not available (--allow-cpu for a smoke test)", file=sys.stderr)
        return 2
    device = "cuda" if cuda else "cpu"
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    bs = bench_solvers()
    fig = {"device": torch.cuda.get_device_name() if cuda else "cpu (smoke test)",
           "torch": torch.__version__, "date": time.strftime("%Y-%m-%d %H:%M"),
           "agreement": agreement(bs, args, device, rng),
           "throughput": throughput(bs, args, device, rng)}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fig, indent=1))
    a, t = fig["agreement"], fig["throughput"]
    print(f"{fig['device']}: CPU vs {device} worst relative difference "
          f"{a['worst_relative_difference']:.2e} over {a['instances']} instances "
          f"({'pass' if a['pass'] else 'FAIL'}, ≤ {args.agree:g}); batch of {t['batch']} at "
          f"P = {t['P']}: {t['device_per_s']:.1f} instances/s against Clarabel's "
          f"{t['clarabel_cpu_per_s']:.1f}/s on the CPU ({t['speedup']:.1f}×); wrote {OUT}")
    return 0 if a["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
