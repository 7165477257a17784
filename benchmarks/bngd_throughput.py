"""BNGD throughput of the batched implementation: runs per second (prints a table).

    python benchmarks/bngd_throughput.py [--dim 16] [--runs 256 4096] [--steps 5000]

One workload, the shape of the [C] sweeps: a problem with ``d`` = ``--dim`` and κ = 10 in its
eigenbasis, ``ε λ_max‖u‖²/‖w₀‖²`` log-uniform in ``[0.1, 100]``, ``ε_a = 1``, random starts; each
run stops when its effective weight is within 1e-6 of ``u`` (budget ``--steps``). Runs per
second = runs / wall time of the whole batch; run-steps per second counts the updates made.
Backends: numpy (the CPU default), torch on the CPU (``--torch-threads``, default 1: on a
2-core machine torch's own thread pool made these small per-step operations 50× slower), and
torch on CUDA when available. float64 throughout.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bnproofs import ols


def workload(d: int, runs: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    p = ols.random_problem(rng, d, 10.0)
    a0, w0 = ols.random_inits(rng, p, runs)
    eps = ols.eps_from_scaled(p, w0, 10 ** rng.uniform(-1, 2, runs))
    return p, a0, w0, eps


def measure(p, a0, w0, eps, steps, backend, device):
    t0 = time.perf_counter()
    r = ols.bngd_on(p, a0=a0, w0=w0, eps=eps, eps_a=1.0, steps=steps, tol=1e-6,
                    backend=backend, device=device)
    dt = time.perf_counter() - t0
    return dt, int(np.sum(np.where(r.hit >= 0, r.hit, r.stopped))), int(np.sum(r.hit >= 0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dim", type=int, default=16)
    ap.add_argument("--runs", type=int, nargs="+", default=[256, 4096])
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--torch-threads", type=int, default=1, help="0: torch's default")
    args = ap.parse_args()
    backends = [("numpy", "cpu", None), ("torch", "cpu", args.torch_threads)]
    try:
        import torch

        if torch.cuda.is_available():
            backends.append(("torch", "cuda", None))
    except ImportError:
        torch = None
        backends = backends[:1]
    print(f"{'backend':<16} {'runs':>6} {'converged':>9} {'seconds':>8} {'runs/s':>10} {'run-steps/s':>12}")
    for n in args.runs:
        p, a0, w0, eps = workload(args.dim, n)
        for backend, device, threads in backends:
            label = f"{backend}-{device}"
            if torch is not None and backend == "torch" and device == "cpu":
                old = torch.get_num_threads()
                if threads:
                    torch.set_num_threads(threads)
                label += f"-{torch.get_num_threads()}t"
            measure(p, a0[:8], w0[:8], eps[:8], 50, backend, device)  # warm-up
            dt, run_steps, conv = measure(p, a0, w0, eps, args.steps, backend, device)
            if torch is not None and backend == "torch" and device == "cpu":
                torch.set_num_threads(old)
            print(f"{label:<16} {n:>6} {conv:>9} {dt:>8.2f} {n / dt:>10.0f} {run_steps / dt:>12.3g}",
                  flush=True)


if __name__ == "__main__":
    main()
