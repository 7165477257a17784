"""Solvers of (8) to one certified relative gap: torch (CPU/CUDA), cvxpy + Clarabel, pyscnn's AL.

    python benchmarks/solvers.py [--sizes 50 200 1000 5000] [--batches 1 16 256 1000]
                                 [--loss squared|logistic|hinge] [--out FILE] [--quick]

Problems. For each arrangement count P and batch size B, B instances of (8) on ``U' =
whiten(X).Uprime`` (X: n × d Gaussian, y Gaussian, n = --n, d = --d) with P distinct arrangements
``D_i = 1[U' h_i ≥ 0]`` from Gaussian gates ``h_i`` (the first P distinct patterns; the gates are
kept, pyscnn needs them), plus one real-data instance (scikit-learn's bundled digits, n = 60
samples, 3 features, labels standardised). Every method solves the same ``program_8``.
``--loss logistic`` / ``--loss hinge`` (Appendix B.1): the same problems with labels ``sign(y)``
and that loss (Clarabel through cvxpy's exponential cones, or a linear program with second-order
cones; pyscnn is not run, its AL solver is for the squared loss here); the table goes to
``solvers_table_<loss>.txt`` unless --out is given. For the hinge loss Clarabel's gap is
certified with a separate Clarabel solve of the dual (``certify``).

Methods (time per instance, wall clock, the batch total for torch):

* ``torch-cpu`` / ``torch-cuda`` — :func:`bnproofs.solvers.torch.solve_batch` on the whole batch
  (in chunks of at most --chunk instances, which on the CPU ``solve_batch`` cuts further to
  :func:`~bnproofs.solvers.torch.cpu_chunk` (n = 50, d = 3): 16 instances at P = 50, 4 at
  P = 200, 1 above P = 400), stopped at the certified relative gap --tol;
* ``clarabel`` — :func:`bnproofs.solvers.clarabel.solve_program` (cvxpy + Clarabel), including cvxpy's
  compile time, one instance after the other, on at most --ref-max instances of the batch;
* ``pyscnn-al`` — pyscnn's ``ConvexReLU`` (gates = the same ``h_i``, so the same ``D_i``;
  ``bias=False``) with its augmented-Lagrangian solver ``AL``, ``unitize_data=False``,
  ``dtype="float64"``, on the data ``U'``. Loss scaling: pyscnn minimises
  ``‖ŷ − y‖²/(2n) + λ Σ_i (‖v_i‖ + ‖w_i‖)``, n times smaller than (8) with ``β = nλ``: so
  ``λ = β/n`` (regulariser ``NeuronGL1``), and its ``(v_i, w_i)`` are our ``(s_i, s_i')``. Its
  tolerances are tightened (``tol = constraint_tol`` in --pyscnn-tols) until our certificate
  of its answer reaches --tol; the time of that run is reported (or the last one, marked).
  Skipped with a message when pyscnn is not installed (``pip install --no-deps pyscnn
  linalg_backends opt_einsum tqdm``: its torch requirement must not replace the suite's).

One audit for all (:func:`bnproofs.certify.audit.audit`, ``certify``): the gap column is
``(objective − lower)/max(1, |objective|)`` with the objective of (8) recomputed at each method's
returned point and ``lower`` from the dual point made feasible and verified: the torch solver's
own ``(v, ρ, ρ')``; for Clarabel ``v = y − Σ D_i U'(s_i − s_i')`` with its multipliers; for
pyscnn, which has none usable, that ``v`` with the multipliers of
:func:`bnproofs.solvers.torch.dual_multipliers`. Clarabel's and pyscnn's points are used as
returned (the largest cone violation is printed, ``viol``; an answer counts as certified only
if its gap is ≤ --tol and its violation ≤ 1e-8, since an infeasible point's objective is no upper
bound — below the verified lower bound it is a crossed bracket, printed as gap ``inf``); the
torch point is feasible. ``|Δ|``
is the worst ``|value − Clarabel| / max(1, |Clarabel|)`` over the instances both solved.

Memory: each (method, case) runs in a forked child; ``MiB`` is its peak resident set size minus
its size at the start (``ru_maxrss``), and for CUDA ``torch.cuda.max_memory_allocated``.

Cases with ``B · P`` above --max-work (300 000) are skipped (printed as such): on 2 CPU cores the
largest ones take hours (P = 1000, B = 1000: ~5 min of torch; P = 5000, B = 256: ~5 min of torch
and ~4 GiB of programs). ``--quick`` is the development run (P 50 and 200, B 1 and 4).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

import numpy as np

from bnproofs.certify.audit import VIOLATION, BracketCrossed, audit
from bnproofs.data import whiten
from bnproofs.programs.cone import program_8
from bnproofs.programs.losses import dual_from_prediction
from bnproofs.solvers.clarabel import solve_program, solve_program_dual
from bnproofs.solvers.torch import dual_multipliers, solve_batch


def distinct_gates(Up, P, rng):
    """The first ``P`` distinct nonzero patterns ``1[U' h ≥ 0]`` of Gaussian gates, and their
    gates."""
    k = Up.shape[1]
    seen, D, H = set(), [], []
    for _ in range(200):
        Hs = rng.standard_normal((k, 20 * P))
        Ds = Up @ Hs >= 0
        for j in range(Hs.shape[1]):
            key = Ds[:, j].tobytes()
            if key not in seen and Ds[:, j].any():  # D_i = 0 is inert (pyscnn drops it)
                seen.add(key)
                D.append(Ds[:, j])
                H.append(Hs[:, j])
                if len(D) == P:
                    return np.array(D), np.array(H).T
    return np.array(D), np.array(H).T


def random_case(P, B, n, d, beta, rng):
    out = []
    for _ in range(B):
        Up = whiten(rng.standard_normal((n, d))).Uprime
        D, H = distinct_gates(Up, P, rng)
        out.append((Up, rng.standard_normal(n), D, H, beta))
    return out


def digits_case(P, beta, rng):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    idx = rng.choice(len(y), size=60, replace=False)
    Xs = X[idx][:, X[idx].std(axis=0) > 0][:, :3]
    Up = whiten(Xs).Uprime
    D, H = distinct_gates(Up, P, rng)
    yy = (y[idx] - y[idx].mean()) / y[idx].std()
    return [(Up, yy, D, H, beta)]


VIOL_TOL = VIOLATION  # an answer whose cone violation exceeds this is no certified upper bound


def reached(gap, viol, tol):
    return gap <= tol and viol <= VIOL_TOL


def certify(prog, S, Sp, rho=None, rhop=None, v=None):
    """(objective, certified gap, cone violation) of an answer ``(S, Sp)`` by the audit, with
    the dual point ``v`` where the solver has its own (torch). Otherwise, for the hinge loss the
    subgradient ``y·1[y f < 1]`` of the answer's prediction is an arbitrary choice at the kinks
    (its bound is loose), so the dual (D) is solved by Clarabel and certified instead (not
    timed). A crossed bracket (an infeasible point below the verified bound) has gap ``inf``."""
    if v is None and prog.loss == "hinge":
        d = solve_program_dual(prog)
        v, rho, rhop = d.v, d.rho, d.rhop
    elif v is None:
        v = dual_from_prediction(prog.loss, prog.predict(S - Sp), prog.y)
    if rho is None:
        rho, rhop = dual_multipliers(prog, v)
    try:
        a = audit(prog, S, Sp, [(v, rho, rhop)])
    except BracketCrossed:
        return prog.objective(S, Sp), float("inf"), prog.violation(S, Sp)
    return a.upper, a.gap, a["primal_feasible"].value


def run_clarabel(case, args):
    vals, gaps, viols, t = [], [], [], 0.0
    for Up, y, D, _, beta in case[: args.ref_max]:
        t0 = time.perf_counter()
        prog = program_8(Up, D, y, beta, args.loss)
        sol = solve_program(prog)
        t += time.perf_counter() - t0
        obj, gap, viol = certify(prog, sol.S, sol.Sp, sol.rho, sol.rhop)
        vals.append(obj)
        gaps.append(gap)
        viols.append(viol)
    m = len(vals)
    return {"per": t / m, "n": m, "gap": max(gaps), "viol": max(viols), "vals": vals,
            "status": f"{sum(reached(g, c, args.tol) for g, c in zip(gaps, viols, strict=True))}"
                      f"/{m} cert"}


def run_torch(case, args, device):
    import torch

    progs = [program_8(Up, D, y, beta, args.loss) for Up, y, D, _, beta in case]
    t0 = time.perf_counter()
    sols = []
    for i in range(0, len(progs), args.chunk):
        sols += solve_batch(progs[i:i + args.chunk], tol=args.tol, device=device)
    if device == "cuda":
        torch.cuda.synchronize()
    t = time.perf_counter() - t0
    audited = [certify(p, s.S, s.Sp, s.rho, s.rhop, s.v) for p, s in zip(progs, sols, strict=True)]
    out = {"per": t / len(progs), "n": len(progs), "gap": max(a[1] for a in audited),
           "viol": max(a[2] for a in audited), "vals": [a[0] for a in audited],
           "status": f"{sum(reached(g, c, args.tol) for _, g, c in audited)}/{len(sols)} cert "
                     f"it{max(s.iterations for s in sols)}"}
    if device == "cuda":
        out["cuda_mib"] = torch.cuda.max_memory_allocated() / 2**20
    return out


def _to_ours(model, Up, D, V, W):
    """pyscnn returns its neurons with its own (rescaled, reordered) gates ``model.G``: map each
    to our arrangement by its pattern ``1[U' g ≥ 0]``."""
    index = {row.tobytes(): i for i, row in enumerate(D)}
    S, Sp = np.zeros((len(D), Up.shape[1])), np.zeros((len(D), Up.shape[1]))
    for j, pat in enumerate((Up @ model.G >= 0).T):
        i = index[pat.tobytes()]  # KeyError: a pattern we did not give it
        S[i], Sp[i] = V[j], W[j]
    return S, Sp


def run_pyscnn(case, args):
    from scnn.metrics import Metrics
    from scnn.models import ConvexReLU
    from scnn.optimize import optimize_model
    from scnn.regularizers import NeuronGL1
    from scnn.solvers import AL

    vals, gaps, viols, t, ok = [], [], [], 0.0, 0
    for Up, y, D, H, beta in case[: args.ref_max]:
        n = len(y)
        prog = program_8(Up, D, y, beta)
        for tol in args.pyscnn_tols:
            model = ConvexReLU(H, c=1, bias=False)
            t0 = time.perf_counter()
            model, _ = optimize_model(model, AL(model, tol=tol, constraint_tol=tol), Metrics(),
                                      Up, y, regularizer=NeuronGL1(beta / n),
                                      return_convex=True, unitize_data=False, verbose=False,
                                      dtype="float64")
            dt = time.perf_counter() - t0
            V, W = (np.asarray(p, dtype=float)[0] for p in model.parameters)
            obj, gap, viol = certify(prog, *_to_ours(model, Up, D, V, W))
            if reached(gap, viol, args.tol):
                break
        t += dt
        ok += reached(gap, viol, args.tol)
        vals.append(obj)
        gaps.append(gap)
        viols.append(viol)
    m = len(vals)
    return {"per": t / m, "n": m, "gap": max(gaps), "viol": max(viols), "vals": vals,
            "status": f"{ok}/{m} cert"}


def _child(conn, fn, a):
    import torch

    torch.set_num_threads(1)
    start = _rss_mib()
    try:
        res = fn(*a)
        res["mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - start
    except Exception as exc:  # reported in the table, not hidden
        res = {"error": f"{type(exc).__name__}: {exc}"[:120]}
    conn.send(res)
    conn.close()


def _rss_mib():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def measured(fn, *a):
    """Run ``fn(*a)`` in a forked child; its result dict with the peak memory added."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(child, fn, a))
    p.start()
    res = parent.recv()
    p.join()
    return res


def have_pyscnn() -> bool:
    try:
        import scnn.models  # noqa: F401
    except Exception as exc:  # not installed, or its imports fail: say which
        print(f"# pyscnn skipped: {type(exc).__name__}: {exc}", flush=True)
        return False
    return True


def plot(rows, path, loss="squared", tol=1e-6):
    """Time against P per method and batch size (random data): a filled marker where every
    timed instance reached the certified gap ``tol``, a hollow one where the method stopped above
    it (then the time is to its own stop, e.g. pyscnn's). Returns the axes (figure closed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    # a colour per method, a marker and a line style per batch size (12 series would repeat
    # matplotlib's 10 colours)
    methods = sorted({r[2] for r in rows})
    batches = sorted({r[1] for r in rows})
    for mi, method in enumerate(methods):
        colour = f"C{mi}"
        for B in sorted({r[1] for r in rows if r[2] == method}):
            pts = sorted((r[0], r[3], r[4] <= tol) for r in rows
                         if r[2] == method and r[1] == B and r[5] == "random")
            if not pts:
                continue
            bi = batches.index(B)
            marker, style = "osD^v"[bi % 5], ("-", "--", "-.", ":")[bi % 4]
            P, sec, ok = zip(*pts, strict=True)
            ax.plot(P, sec, color=colour, linestyle=style, marker=marker,
                    markerfacecolor=colour if all(ok) else "none", label=f"{method}, B={B}"
                    + ("" if all(ok) else " (hollow: gap > tol)"))
            for p, t, good in pts:
                if good and not all(ok):
                    ax.plot([p], [t], color=colour, marker=marker)
    ax.set(xscale="log", yscale="log", xlabel="arrangements P",
           ylabel=f"seconds per instance (to certified gap ≤ {tol:g})",
           title=f"(8), {loss} loss: time against P")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return ax


def page(lines, png, path, loss="squared"):
    """A self-contained report page: the plot (embedded) and the table, readable offline."""
    import base64
    import html

    img = base64.b64encode(Path(png).read_bytes()).decode()
    path.write_text(
        "<!doctype html><meta charset='utf-8'><title>Solvers of (8): benchmark</title>"
        "<body style='font-family:sans-serif;max-width:60em;margin:auto'>"
        f"<h1>Solvers of (8), {loss} loss, to one certified relative gap</h1>"
        "<p>Produced by <code>python benchmarks/solvers.py</code>; method and columns are "
        "described in its docstring. Seconds per instance; <code>*</code>: Clarabel and pyscnn "
        "timed on a subset of the batch. In the plot a hollow marker is a method that stopped "
        "above the target gap (the time is to its own stop; the table gives the gap).</p>"
        f"<img alt='time against P' src='data:image/png;base64,{img}'>"
        f"<pre>{html.escape(chr(10).join(lines))}</pre></body>\n")


def check_positive(ap, args, *names) -> None:
    """``ap.error`` (a one-line message, exit 2) unless every named option, or each of its
    values, is > 0 (a NaN is not)."""
    for name in names:
        value = getattr(args, name)
        if not all(v > 0 for v in (value if isinstance(value, list) else [value])):
            ap.error(f"--{name.replace('_', '-')} must be positive (got {value})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000, 5000])
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 16, 256, 1000])
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--d", type=int, default=3)
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--ref-max", type=int, default=4,
                    help="instances per batch solved by Clarabel and pyscnn (mean extrapolated)")
    ap.add_argument("--chunk", type=int, default=256, help="torch instances per solve_batch")
    ap.add_argument("--max-work", type=int, default=300_000, help="skip cases with B·P above")
    ap.add_argument("--pyscnn-tols", type=float, nargs="+", default=[1e-6, 1e-8, 1e-10])
    ap.add_argument("--no-pyscnn", action="store_true")
    ap.add_argument("--quick", action="store_true", help="P 50 200, B 1 4 (development)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--loss", choices=["squared", "logistic", "hinge"], default="squared")
    ap.add_argument("--out", default=None, help="default benchmarks/out/solvers_table[_LOSS].txt")
    args = ap.parse_args()
    check_positive(ap, args, "chunk", "ref_max", "max_work", "n", "d", "sizes", "batches",
                   "beta", "tol")
    if args.out is None:
        args.out = ("benchmarks/out/solvers_table.txt" if args.loss == "squared"
                    else f"benchmarks/out/solvers_table_{args.loss}.txt")
    if args.quick:
        args.sizes, args.batches = [50, 200], [1, 4]
    import torch

    torch.set_num_threads(1)
    cuda = torch.cuda.is_available()
    pys = not args.no_pyscnn and args.loss == "squared" and have_pyscnn()
    rng = np.random.default_rng(args.seed)
    import platform

    lines = [f"# loss={args.loss} n={args.n} d={args.d} beta={args.beta} tol={args.tol} "
             f"seed={args.seed} "
             f"torch threads 1, {platform.processor() or platform.machine()}, "
             f"cuda={'yes: ' + torch.cuda.get_device_name() if cuda else 'no'}",
             f"{'P':>6} {'B':>5} {'method':>10} {'s/inst':>9} {'gap':>8} {'|Δ|':>8} "
             f"{'viol':>8} {'MiB':>8} {'data':>7}  status"]
    print("\n".join(lines), flush=True)
    rows = []

    def emit(P, B, method, res, ref, data):
        if "error" in res:
            line = f"{P:>6} {B:>5} {method:>10}  error: {res['error']}"
        else:
            diff = (max(abs(a - c) / max(1.0, abs(c)) for a, c in
                        zip(res["vals"], ref, strict=False)) if ref else float("nan"))
            mib = res.get("cuda_mib", res.get("mib", float("nan")))
            star = "*" if res["n"] < B else " "
            line = (f"{P:>6} {B:>5} {method:>10} {res['per']:>8.4f}{star} {res['gap']:>8.1e} "
                    f"{diff:>8.1e} {res['viol']:>8.1e} {mib:>8.1f} {data:>7}  {res['status']}")
            rows.append((P, B, method, res["per"], res["gap"], data))
        print(line, flush=True)
        lines.append(line)

    cases = [(P, B, "random") for P in args.sizes for B in args.batches]
    cases.append((args.sizes[0], 1, "digits"))
    for P, B, data in cases:
        if B * P > args.max_work:
            line = f"{P:>6} {B:>5} {'-':>10}  skipped: B·P = {B * P} > --max-work {args.max_work}"
            print(line, flush=True)
            lines.append(line)
            continue
        case = (random_case(P, B, args.n, args.d, args.beta, rng) if data == "random"
                else digits_case(P, args.beta, rng))
        if args.loss != "squared":  # labels ±1
            case = [(Up, np.where(y >= 0, 1.0, -1.0), D, H, b) for Up, y, D, H, b in case]
        Preal = len(case[0][2])
        cl = measured(run_clarabel, case, args)
        ref = cl.get("vals", [])
        emit(Preal, B, "clarabel", cl, ref, data)
        for dev in ["cpu"] + (["cuda"] if cuda else []):
            emit(Preal, B, f"torch-{dev}", measured(run_torch, case, args, dev), ref, data)
        if pys:
            emit(Preal, B, "pyscnn-al", measured(run_pyscnn, case, args), ref, data)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    plot(rows, out.with_suffix(".png"), args.loss, args.tol)
    page(lines, out.with_suffix(".png"), out.with_suffix(".html"), args.loss)
    print(f"wrote {out}, {out.with_suffix('.png')} and {out.with_suffix('.html')}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
