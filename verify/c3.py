"""[C] Scaling property of BNGD: equivalent configurations have the same trajectory.

What this module computes independently: the three BNGD trajectories (original, (i), (ii)) are
run as three separate runs with their own dense ``H`` (``bnproofs.ols.bngd``, per-run ``H``),
each from its own transformed data — nothing is mapped during the run. The mapped original
trajectory is then compared with each transformed one at every step: the largest relative
deviation of ``w`` (relative to ``‖w_k‖``), of ``a`` (relative to ``max_k |a_k|``) and of the
relative error ``‖v_k − u‖_H/‖u‖_H`` (dimensionless; compared as ``|Δ| ≤ atol + rtol·err``,
since below ~1e-12 it is round-off). Factors are drawn over six decades and are not powers of
two, so the scaled arithmetic is not exact; the tolerance is the ``exact`` tier scaled by the
condition number of ``H`` (rounding is amplified when the dynamics are sensitive).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

from bnproofs import ols
from bnproofs.results import Finding, plot_series
from bnproofs.tolerance import EXACT

from .claim import Claim, Comparison, Sides
from .verdicts import statement

CLAIM = Claim(
    id="C3",
    paper="C",
    title="Scaling property of BNGD: (μQᵀHQ, γ/√μ Qᵀu, γa₀, γQᵀw₀) and (γw₀, γ²ε) give the "
          "same trajectory",
    kind="exact invariance (identity of trajectories)",
    statement="For Q orthogonal and μ, γ > 0: (i) {μ QᵀHQ, (γ/√μ) Qᵀu, γa₀, γQᵀw₀, ε_a, ε} "
              "reproduces the BNGD trajectory of {H, u, a₀, w₀, ε_a, ε} under w ↦ γQᵀw, a ↦ γa; "
              "(ii) {H, u, a₀, γw₀, ε_a, γ²ε} reproduces it under w ↦ γw, a ↦ a. "
              "(Precise form derived: docs/theorems/ols.md, item 3.)",
    assumptions=("H symmetric positive definite", "Q orthogonal, μ > 0, γ > 0",
                 "any ε > 0, ε_a", "w₀ ≠ 0"),
    reference="Cai, Li, Shen, ICML 2019: scaling property of BNGD on OLS",
    tex=r"\begin{array}{l}\text{(i) } \{\mu Q^\top H Q,\ \tfrac{\gamma}{\sqrt{\mu}} Q^\top u,\ "
        r"\gamma a_0,\ \gamma Q^\top w_0,\ \varepsilon_a,\ \varepsilon\} \text{ gives } "
        r"(a_k, w_k) \mapsto (\gamma a_k,\ \gamma Q^\top w_k);\\ \text{(ii) } \{H,\ u,\ a_0,\ "
        r"\gamma w_0,\ \varepsilon_a,\ \gamma^2 \varepsilon\} \text{ gives } (a_k, w_k) \mapsto "
        r"(a_k,\ \gamma w_k).\end{array}",
)


@dataclass(frozen=True)
class Case:
    d: int
    kappa: float  # condition number of H
    source: str  # "population" or "sample"
    eps_scaled: float  # x = ε λ_max ‖u‖²/‖w₀‖²
    steps: int = 300


CASES = [Case(1, 1.0, "population", 1.0), Case(3, 10.0, "population", 1e3),
         Case(8, 100.0, "sample", 0.1), Case(12, 1e3, "population", 10.0)]


def case(index: int, rng) -> Case:
    if index < len(CASES):
        return CASES[index]
    d, kappa, source = ols.draw_case(rng, 12, 3)
    return Case(d, kappa, source, float(10 ** rng.uniform(-2, 4)))


def _max_rel(x, y, scale):
    return float(np.max(np.linalg.norm(np.atleast_2d(x - y).reshape(len(x), -1), axis=1) / scale))


def scaled_i(H, u, a0, w0, Q, mu, gamma):
    """Configuration (i): ``{μ QᵀHQ, (γ/√μ) Qᵀu, γa₀, γQᵀw₀}`` (ε, ε_a unchanged)."""
    H1 = mu * Q.T @ H @ Q
    return 0.5 * (H1 + H1.T), gamma / math.sqrt(mu) * Q.T @ u, gamma * a0, gamma * Q.T @ w0


def scaled_ii(w0, eps, gamma):
    """Configuration (ii): ``{γw₀, γ²ε}`` (H, u, a₀, ε_a unchanged)."""
    return gamma * w0, gamma**2 * eps


def _runs(p, a0, w0, Q, mu, gamma, eps, eps_a, steps, device):
    """The original run and runs (i), (ii), each from its own transformed data."""
    H1, u1, a1, w1 = scaled_i(p.H, p.u, a0, w0, Q, mu, gamma)
    w2, eps2 = scaled_ii(w0, eps, gamma)
    Hs = np.stack([p.H, H1, p.H])
    us = np.stack([p.u, u1, p.u])
    gs = np.einsum("bij,bj->bi", Hs, us)
    return ols.bngd(a0=np.array([a0, a1, a0]), w0=np.stack([w0, w1, w2]),
                    eps=np.array([eps, eps, eps2]), eps_a=eps_a, g=gs, u=us, H=Hs,
                    steps=steps, keep_states=True, record_every=1, device=device)


def sides(c: Case, rng, ctx) -> Sides:
    p = ols.random_problem(rng, c.d, c.kappa, c.source)
    a0, w0 = ols.random_inits(rng, p, 1, log_scale=(-1, 1))
    mu, gamma = (float(10 ** rng.uniform(-3, 3)) for _ in range(2))
    Q = ols.random_orthogonal(rng, c.d)
    eps = float(ols.eps_from_scaled(p, w0, c.eps_scaled)[0])
    eps_a = float(rng.uniform(0.05, 1.5))
    r = _runs(p, a0[0], w0[0], Q, mu, gamma, eps, eps_a, c.steps, ctx.device)
    A, W, err = r.states["a"], r.states["w"], r.history["err"]
    nw = np.linalg.norm(W[0], axis=1)
    amax = float(np.max(np.abs(A[0])))
    mapped_i = gamma * W[0] @ Q
    dev = {
        "i_w": _max_rel(W[1], mapped_i, gamma * nw),
        "i_a": float(np.max(np.abs(A[1] - gamma * A[0])) / (gamma * amax)),
        "i_err_abs": float(np.max(np.abs(err[1] - err[0]))),
        "ii_w": _max_rel(W[2], gamma * W[0], gamma * nw),
        "ii_a": float(np.max(np.abs(A[2] - A[0])) / amax),
        "ii_err_abs": float(np.max(np.abs(err[2] - err[0]))),
    }
    per_step = np.maximum(np.linalg.norm(W[1] - mapped_i, axis=1) / (gamma * nw),
                          np.linalg.norm(W[2] - gamma * W[0], axis=1) / (gamma * nw))
    tol = EXACT.scaled(p.kappa)
    x, ys = ols.on_grid([err[0], err[1], err[2]], n=150)
    xs, (dv,) = ols.on_grid([np.maximum(per_step, 1e-17)], n=150)
    series = {
        "loss": plot_series("Relative error ‖v_k − u‖_H/‖u‖_H: original and both rescaled runs",
                            {"original": ys[0], "(i) μQᵀHQ, γ": ys[1], "(ii) γw₀, γ²ε": ys[2]},
                            x=x, xlabel="iteration", ylabel="relative error", log="y"),
        "deviation": plot_series("Largest relative deviation of w_k from the mapped original",
                                 {"max over (i), (ii)": dv}, x=xs, xlabel="iteration",
                                 ylabel="relative deviation", log="y",
                                 hline={"tolerance": tol.rtol}),
    }
    params = {"kappa": p.kappa, "source": p.source, "mu": mu, "gamma": gamma, "eps": eps, "eps_a": eps_a}
    return Sides({"deviations": dev, "final_rel_error": float(err[0][-1])}, params, series,
                 data={"err": err})


def compare(c: Case, s: Sides) -> Comparison:
    dev, err = s.values["deviations"], s.data["err"]
    tol = EXACT.scaled(s.params["kappa"])
    checks = {f"{k}_within_tol": statement(dev[k] <= tol.rtol)
              for k in ("i_w", "i_a", "ii_w", "ii_a")}
    for k, j in (("i_err", 1), ("ii_err", 2)):  # |Δ| ≤ atol + rtol·err: err is dimensionless
        checks[f"{k}_within_tol"] = statement(
            np.all(np.abs(err[j] - err[0]) <= tol.atol + tol.rtol * err[0]))
    findings = []
    if not all(ch.held for ch in checks.values()):
        pr = s.params
        findings.append(Finding("statement_fails",
                                f"trajectories differ beyond {tol.rtol:.2g} on d={c.d}, "
                                f"κ={pr['kappa']:.3g}, μ={pr['mu']:.3g}, γ={pr['gamma']:.3g}, "
                                f"ε={pr['eps']:.3g}: {dev}"))
    return Comparison(checks, gap=max(dev[k] for k in ("i_w", "i_a", "ii_w", "ii_a")),
                      tolerance=tol.as_dict(), findings=findings)


if __name__ == "__main__":
    from .cli import main

    sys.exit(main(["check", CLAIM.id, *sys.argv[1:]]))
