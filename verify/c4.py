"""[C] Norm growth under BNGD: ‖w_{k+1}‖² = ‖w_k‖² + ε²‖∇_w J(a_k, w_k)‖², so ‖w_k‖ never decreases.

Statement (precise form *(derived; standard — THEOREMS_OLS.md, item 4)*; the paper's mechanism
behind "convergence for arbitrary ε", not printed on the poster): ``w_kᵀ∇_w J(a_k, w_k) = 0``
(J is invariant under ``w ↦ γw``), hence with ``w_{k+1} = w_k − ε∇_w J``,
``‖w_{k+1}‖² = ‖w_k‖² + ε²‖∇_w J(a_k, w_k)‖²`` at every step and ``‖w_k‖`` is non-decreasing.

Assumptions: ``H`` symmetric positive definite; ``w₀ ≠ 0``; any ``ε > 0`` and ``ε_a``.
Reference: Cai, Li, Shen, ICML 2019 (the norm-growth property used in their convergence proof).

What this module computes independently: BNGD trajectories with every iterate kept
(``bnproofs.ols.bngd`` on the dense ``H``, its own in-loop update formula), and at each kept
state the gradient by the separate closed form ``bnproofs.ols.grad_J`` — itself checked against
central differences of ``J`` at three early states (``first`` tier). At every step of every run:
the identity's residual relative to ``‖w_{k+1}‖² + ε s_k ‖w_k‖`` (``s_k = |a_k|‖g‖/‖w_k‖_H``,
the size of the terms that cancel in ``∇_w J``: ε times their rounding is what moves ``‖w‖²``
when ``∇_w J`` is itself round-off), ``|w_kᵀ∇_w J|`` relative to
``‖w_k‖ s_k``, and ``‖w_{k+1}‖² ≥ ‖w_k‖²`` up to the same scale (all ``exact`` tier, scaled by ``d``). ε covers eight
decades of the dimensionless rate ``ε λ_max‖u‖²/‖w₀‖²`` and ``ε_a`` runs over ``(0, 1.9)``
(the identity does not involve ``ε_a``).
"""

from __future__ import annotations

import math

import numpy as np

from bnproofs import ols
from bnproofs.results import FAIL, PASS, Finding, Trial, plot_series
from bnproofs.tolerance import EXACT, FIRST_ORDER

ID = "C4"
PAPER = "C"
TITLE = "Norm growth: ‖w_{k+1}‖² = ‖w_k‖² + ε²‖∇_w J‖² at every step; ‖w_k‖ never decreases"
KIND = "exact identity along trajectories"
STATEMENT = __doc__.split("Assumptions:")[0].split("\n", 2)[2].strip()
ASSUMPTIONS = ["H symmetric positive definite", "w₀ ≠ 0", "any ε > 0, any ε_a"]

STEPS = 150
RUNS = 8
CASES = [(1, 1.0, "population"), (4, 50.0, "population"), (10, 1e3, "sample")]


def instance(index: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    if index < len(CASES):
        d, kappa, source = CASES[index]
    else:
        d, kappa, source = ols.draw_case(rng, 12, 3)
    p = ols.random_problem(rng, d, kappa, source)
    a0, w0 = ols.random_inits(rng, p, RUNS, log_scale=(-1, 1))
    eps_scaled = np.sort(10 ** rng.uniform(-3, 5, RUNS))
    eps_scaled[0], eps_scaled[-1] = 1e-3, 1e5
    return {"problem": p, "a0": a0, "w0": w0, "eps_scaled": eps_scaled,
            "eps": ols.eps_from_scaled(p, w0, eps_scaled), "eps_a": rng.uniform(0.05, 1.9, RUNS),
            "d": d, "rng": rng}


def _fd_grad_w(p, a, w):
    h = 1e-6 * np.linalg.norm(w)
    return np.array([(ols.J(p, a, w + h * e) - ols.J(p, a, w - h * e)) / (2 * h)
                     for e in np.eye(w.size)])


def check(index: int, seed: int, device: str = "cpu"):
    inst = instance(index, seed)
    p, eps = inst["problem"], inst["eps"]
    r = ols.bngd(a0=inst["a0"], w0=inst["w0"], eps=eps, eps_a=inst["eps_a"], g=p.g, u=p.u,
                 H=p.H, steps=STEPS, keep_states=True, device=device)
    A, W = r.states["a"], r.states["w"]
    tol = EXACT.scaled(p.d)
    n2 = np.einsum("bki,bki->bk", W, W)
    resid = np.zeros((RUNS, STEPS))
    cosines = np.zeros((RUNS, STEPS))
    mono = True
    for b in range(RUNS):
        for k in range(STEPS):
            _, gw = ols.grad_J(p, A[b, k], W[b, k])
            gn = np.linalg.norm(gw)
            # the size of the terms that cancel in ∇_w J (|a|‖g‖/‖w‖_H): near convergence ∇ is
            # round-off, its direction means nothing, and ε times its rounding moves ‖w‖²
            size = abs(A[b, k]) * np.linalg.norm(p.g) / float(ols.h_norm(p, W[b, k]))
            scale = n2[b, k + 1] + eps[b] * size * math.sqrt(n2[b, k])
            resid[b, k] = abs(n2[b, k + 1] - n2[b, k] - eps[b] ** 2 * gn**2) / scale
            cosines[b, k] = abs(W[b, k] @ gw) / (np.linalg.norm(W[b, k]) * size) if size else 0.0
            mono &= n2[b, k + 1] >= n2[b, k] - tol.bound(scale)
    fd_gap = 0.0
    for b, k in ((0, 0), (RUNS // 2, 1), (RUNS - 1, 0)):  # early states: the gradient is not round-off
        _, gw = ols.grad_J(p, A[b, k], W[b, k])
        fd = _fd_grad_w(p, A[b, k], W[b, k])
        size = abs(A[b, k]) * np.linalg.norm(p.g) / float(ols.h_norm(p, W[b, k]))
        fd_gap = max(fd_gap, float(np.max(np.abs(fd - gw)) / max(size, 1e-300)))
    checks = {
        "identity_every_step": bool(resid.max() <= tol.rtol),
        "w_orthogonal_to_grad": bool(cosines.max() <= tol.rtol),
        "norm_non_decreasing": bool(mono),
        "grad_matches_fd": fd_gap <= FIRST_ORDER.rtol * 10,  # a central difference: h² error
    }
    growth = n2[:, -1] / n2[:, 0]
    shown = [0, RUNS // 2, RUNS - 1]
    x, ys = ols.on_grid([n2[b] / n2[b, 0] for b in shown], n=151)
    xr, (yr,) = ols.on_grid([np.maximum(resid.max(0), 1e-18)], n=150)
    es = inst["eps_scaled"]
    series = {
        "norm": plot_series("‖w_k‖²/‖w₀‖² (never decreases; jumps by ε²‖∇J‖² in the first steps)",
                            dict(zip(["ε̃ = 1e-3", "middle ε̃", "ε̃ = 1e5"], ys, strict=True)), x=x,
                            xlabel="iteration", ylabel="‖w_k‖²/‖w₀‖²", log="y"),
        "identity": plot_series("Largest residual of the identity over the runs, per step",
                                {"|Δ‖w‖² − ε²‖∇_wJ‖²| (relative)": yr}, x=xr,
                                xlabel="iteration", ylabel="relative residual", log="y",
                                hline={"tolerance": tol.rtol}),
    }
    params = {"index": index, "d": inst["d"], "kappa": p.kappa, "source": p.source,
              "steps": STEPS, "eps_scaled": es.tolist(), "eps_a": inst["eps_a"].tolist()}
    values = {"max_identity_residual": float(resid.max()), "max_orthogonality_residual": float(cosines.max()),
              "fd_gap": fd_gap, "norm_growth_factor": growth.tolist()}
    status = PASS if all(checks.values()) else FAIL
    findings = []
    if status == FAIL:
        bad = [k for k, v in checks.items() if not v]
        findings.append(Finding("statement_fails",
                                f"norm growth fails on d={inst['d']}, κ={p.kappa:.3g}: {', '.join(bad)} "
                                f"(max residual {resid.max():.3g}, max orthogonality residual {cosines.max():.3g})"))
    return Trial(seed, params, values, status, gap=float(resid.max()), tolerance=tol.as_dict(),
                 series=series, checks=checks), findings


def summarise(result):
    pairs = [(e, g) for t in result.trials if "norm_growth_factor" in t.values
             for e, g in zip(t.params["eps_scaled"], t.values["norm_growth_factor"], strict=True)]
    if not pairs:
        return []
    big = [g for e, g in pairs if e >= 1e3]
    small = [g for e, g in pairs if e <= 1e-1]
    return [Finding("observation",
                    f"growth of ‖w‖² over {STEPS} steps: median ×{np.median(small):.3g} for "
                    f"ε̃ ≤ 0.1 and ×{np.median(big):.3g} for ε̃ ≥ 1e3 (ε̃ = ελ_max‖u‖²/‖w₀‖²): "
                    "large steps inflate ‖w‖ at once, which shrinks the effective step ε/‖w‖².")]
