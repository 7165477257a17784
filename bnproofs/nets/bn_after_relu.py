"""Two-layer networks with BN *after* the ReLU (Appendix G of [E]): model (45), its training, and
the certified bracket from program (46).

Model (45), on Θ_s (``γ_j² + α_j² = 1``, after the rescaling of Lemma 1.1)::

    f(X) = Σ_j BN_{γ_j, α_j}((X w_j)_+) w_j^(2),   objective ½‖f − y‖² + β ‖w^(2)‖₁        (45)

with BN of eq. (2) (:func:`bnproofs.nets.bn.bn`, constant columns → ``α/√n · 1``).

**Program (46)** and its exact cone are built by :func:`bnproofs.programs.bn_after_relu.program_46`
(the arrangements of ``X`` itself; ``U_i' = [U_i, 1/√n · 1]`` from the compact SVD
``Π D_i X = U_i Σ_i V_iᵀ``, blocks padded to ``k = max_i r_i + 1`` columns).

**Rebuild.** For an active ``s_i`` with head ``h = s_{i,1:r_i}``: ``w = V_i Σ_i⁻¹ h + N_i z``
(``z = 0`` for the printed cone; for the exact cone ``z`` from an LP that restores the pattern),
``[γ; α] = [‖h‖; s_{i,r_i+1}]/‖s_i‖``, ``w^(2) = ±‖s_i‖`` (``−`` for ``s_i'``); then the neuron
outputs ``± U_i' s_i`` and costs ``β‖s_i‖`` exactly as in (46). ``h = 0`` gives ``γ = 0`` and
``w = 0`` (a constant neuron). The network is evaluated in (45) by :func:`objective`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from bnproofs.certify.audit import Audit, audit
from bnproofs.certify.rebuild import caratheodory_prune
from bnproofs.certify.two_layer import solve_for_audit
from bnproofs.data import InputError, check_data
from bnproofs.nets.bn import bn, bn_torch
from bnproofs.nets.training import resolve_device
from bnproofs.programs.bn_after_relu import Block, Program46, program_46
from bnproofs.solvers import solver_used


@dataclass
class ReluBNNet:
    """``f = BN_{γ,α}((X W)_+) w_out``; ``W`` is d × m, the rest length m."""

    W: np.ndarray
    gamma: np.ndarray
    alpha: np.ndarray
    w_out: np.ndarray

    @property
    def width(self) -> int:
        return int(self.W.shape[1])


def forward(net: ReluBNNet, X) -> np.ndarray:
    return bn(np.maximum(np.asarray(X, dtype=float) @ net.W, 0.0), net.gamma, net.alpha) @ net.w_out


def normalise(net: ReluBNNet) -> ReluBNNet:
    """Map to Θ_s without changing the output: ``(γ, α, w^(2)) → (γ/c, α/c, c w^(2))``,
    ``c = √(γ² + α²)``; a neuron with ``c = 0`` outputs 0 and is kept with ``w^(2) = 0``."""
    c = np.sqrt(net.gamma**2 + net.alpha**2)
    safe = np.where(c > 0, c, 1.0)
    g = np.where(c > 0, net.gamma / safe, 1.0)
    a = np.where(c > 0, net.alpha / safe, 0.0)
    return ReluBNNet(net.W.copy(), g, a, np.where(c > 0, net.w_out * c, 0.0))


def objective(net: ReluBNNet, X, y, beta: float) -> float:
    """(45) on Θ_s; ``ValueError`` off Θ_s (use :func:`normalise`)."""
    dev = np.abs(net.gamma**2 + net.alpha**2 - 1.0)
    if dev.size and dev.max() > 1e-9:
        raise ValueError(f"parameters are not on Θ_s (max |γ²+α²−1| = {dev.max():.2e})")
    r = forward(net, X) - np.asarray(y, dtype=float)
    return 0.5 * float(r @ r) + beta * float(np.abs(net.w_out).sum())


def zero_network(d: int) -> ReluBNNet:
    return ReluBNNet(np.zeros((d, 1)), np.ones(1), np.zeros(1), np.zeros(1))


def _restore_pattern(blk: Block, h: np.ndarray) -> np.ndarray:
    """``z`` minimising the total violation of ``E h + B z ≥ 0`` (an LP)."""
    t = blk.N.shape[1]
    if t == 0 or not np.any(blk.B):
        return np.zeros(t)
    n = blk.E.shape[0]
    # variables (z, e): min Σe  s.t.  −B z − e ≤ E h,  e ≥ 0
    res = linprog(np.r_[np.zeros(t), np.ones(n)], A_ub=np.hstack([-blk.B, -np.eye(n)]),
                  b_ub=blk.E @ h, bounds=[(None, None)] * t + [(0, None)] * n, method="highs")
    return res.x[:t] if res.status == 0 else np.zeros(t)


#: an s_i with ‖s_i‖ ≤ ACTIVE · max_j ‖s_j‖ is taken as zero (no neuron), as in bnproofs.certify.rebuild
ACTIVE = 1e-7


def rebuild(p46: Program46, S: np.ndarray, Sp: np.ndarray) -> ReluBNNet:
    """A network (45) with one neuron per active ``s_i`` / ``s_i'`` (module docstring)."""
    d = p46.blocks[0].VSinv.shape[0] if p46.blocks else 0
    scale = max(np.linalg.norm(S, axis=1).max(initial=0), np.linalg.norm(Sp, axis=1).max(initial=0))
    cols, gs, als, outs = [], [], [], []
    for M, sgn in ((S, 1.0), (Sp, -1.0)):
        for blk, s in zip(p46.blocks, M, strict=True):
            ns = np.linalg.norm(s)
            if ns == 0 or ns <= ACTIVE * scale:
                continue
            h = s[: blk.r]
            nh = np.linalg.norm(h)
            if nh > 0:
                w = blk.VSinv @ h
                if p46.cone == "exact":
                    w = w + blk.N @ _restore_pattern(blk, h)
            else:
                w = np.zeros(d)
            cols.append(w)
            gs.append(nh / ns)
            als.append(s[-1] / ns)
            outs.append(sgn * ns)
    if not cols:
        return zero_network(d)
    return ReluBNNet(np.array(cols).T, np.array(gs), np.array(als), np.array(outs))


# --------------------------------------------------------------------------- training


@dataclass
class TrainResult:
    best_value: float  # (45) of the best restart, evaluated in numpy on Θ_s
    best_net: ReluBNNet
    values: list[float]
    curve: list[float]
    every: int
    steps: int
    lr: float
    elapsed_s: float


def train(X, y, beta, width: int, *, restarts: int = 4, steps: int = 2000, lr: float = 0.02,
          seed: int = 0, device: str = "cpu", every: int = 20) -> TrainResult:
    """Adam on (45) with ``γ_j = cos φ_j``, ``α_j = sin φ_j`` (Θ_s by construction), all
    restarts batched; every restart is evaluated in numpy by :func:`objective`."""
    import torch

    X, y, beta = check_data(X, y, beta)
    if width < 1 or restarts < 1 or steps < 1:
        raise InputError("width, restarts and steps must be positive")
    t0 = time.perf_counter()
    dev = torch.device(resolve_device(device))
    dt = torch.float64
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    Xt = torch.as_tensor(X, dtype=dt, device=dev)
    Yt = torch.as_tensor(y, dtype=dt, device=dev)
    R, d = restarts, X.shape[1]

    def randn(*shape, scale=1.0):
        return (torch.randn(*shape, generator=gen, dtype=dt) * scale).to(dev).requires_grad_()

    W = randn(R, d, width, scale=1.0 / math.sqrt(d))
    phi = randn(R, width, scale=math.pi)
    w2 = randn(R, width, scale=1.0 / math.sqrt(width))

    def value():
        H = bn_torch(torch.relu(Xt @ W), torch.cos(phi), torch.sin(phi))
        r = (H @ w2.unsqueeze(-1)).squeeze(-1) - Yt
        return 0.5 * (r * r).sum(dim=1) + beta * w2.abs().sum(dim=1)

    opt = torch.optim.Adam([W, phi, w2], lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr * 1e-3)
    hist = []
    for it in range(steps):
        opt.zero_grad(set_to_none=True)
        v = value()
        v.sum().backward()
        opt.step()
        sched.step()
        if it % every == 0:
            hist.append(v.detach().cpu().numpy())
    nets = [ReluBNNet(W[i].detach().cpu().numpy().copy(), np.cos(phi[i].detach().cpu().numpy()),
                      np.sin(phi[i].detach().cpu().numpy()), w2[i].detach().cpu().numpy().copy())
            for i in range(R)]
    vals = [objective(nt, X, y, beta) for nt in nets]
    best = int(np.nanargmin(vals))
    return TrainResult(float(vals[best]), nets[best], [float(v) for v in vals],
                       [float(h[best]) for h in hist], every, steps, lr,
                       time.perf_counter() - t0)


# --------------------------------------------------------------------------- certified bracket


@dataclass
class Certified46:
    lower: float  # verified dual-feasible value of (46) (printed or exact cone)
    upper: float  # (45) at the network rebuilt from (46)'s solution
    convex: float  # Clarabel's value of (46)
    dual: float  # Clarabel's value of its dual, solved separately
    cone_violation: float
    statuses: tuple[str, str]
    net: ReluBNNet
    neurons: int
    solve_s: float
    program: Program46
    solver_used: str = "clarabel"  # "torch", or "clarabel" (asked, or the torch fallback)
    audit: Audit | None = None  # the named checks of the bracket (bnproofs.certify.audit)

    @property
    def solvers_optimal(self) -> bool:
        return all(s == "optimal" for s in self.statuses)


def certified_46(X, y, beta, D, cone: str = "printed", solver: str = "clarabel",
                 device: str = "cpu") -> Certified46:
    """Solve (46) (Clarabel and its separately solved dual, or the torch solver on ``device``:
    :func:`bnproofs.certify.two_layer.solve_for_audit`), prune (Carathéodory), rebuild a network
    evaluated in (45), and audit the answer against it (:func:`bnproofs.certify.audit.audit`:
    the better verified dual point is the lower bound)."""
    X, y, beta = check_data(X, y, beta)
    D = np.asarray(D, dtype=bool)
    if D.ndim != 2 or D.shape[1] != X.shape[0]:
        raise InputError(f"arrangements {D.shape} do not fit n = {X.shape[0]}")
    p46 = program_46(X, D, y, beta, cone)
    prog = p46.prog
    solved = solve_for_audit(prog, solver, device)
    cs = solved.solution
    S, Sp = caratheodory_prune(prog, cs.S, cs.Sp)
    net = rebuild(p46, S, Sp)
    upper = objective(net, X, y, beta)
    audited = audit(prog, cs.S, cs.Sp, solved.dual_points, upper=upper)
    dual, dual_status, dual_s = solved.dual_figures(audited)
    return Certified46(audited.lower, upper, cs.value, dual,
                       audited["primal_feasible"].value, (cs.status, dual_status), net,
                       int(np.count_nonzero(net.w_out)), cs.solve_s + dual_s, p46,
                       solver_used(cs), audited)


# --------------------------------------------------------------------------- n ≤ d (Theorem G.2)


def dual_constraint_full_row_rank(v) -> float:
    """``max_{w, γ²+α²=1} |vᵀ BN((X w)_+)| = ‖v‖₂`` when ``X`` has full row rank (``n ≤ d``).

    Derivation. ``X w`` ranges over all of ``R^n``, so ``z = (X w)_+`` is any nonnegative
    vector. For non-constant ``z``, ``u = Π z / ‖Π z‖`` is a unit vector with ``1ᵀu = 0``, and
    every such ``u`` occurs (``z = u − min_i u_i · 1 ≥ 0`` has ``Π z = u``); a constant ``z``
    gives ``BN = α/√n · 1``, the case ``γ = 0`` below. So
    ``{BN(z)} = {γ u + α 1/√n : ‖u‖ = 1, u ⊥ 1, γ² + α² = 1}``, the unit sphere of ``R^n`` (the two
    orthogonal parts have squared norms ``γ²`` and ``α²``). Hence
    ``max |vᵀ BN| = max_{‖b‖=1} vᵀ b = ‖v‖``, attained at ``b = v/‖v‖``, i.e.
    ``z = v − min_i v_i 1`` (``w = X†z``) with ``[γ; α] = [‖Π v‖; 1ᵀv/√n]/‖v‖``.
    The dual of (45) is therefore ``max −½‖v − y‖² + ½‖y‖²`` s.t. ``‖v‖ ≤ β``, maximised at
    ``v* = y · min(1, β/‖y‖)`` with value ``β‖y‖ − β²/2`` (β < ‖y‖) or ``½‖y‖²`` (β ≥ ‖y‖).
    """
    return float(np.linalg.norm(np.asarray(v, dtype=float)))


def sample_dual_constraint(X, v, samples: int, rng) -> tuple[float, float]:
    """``(max over random (w, γ, α) of |vᵀ BN((X w)_+)|, value at the claimed maximiser)``: an
    independent numerical check of :func:`dual_constraint_full_row_rank`."""
    X = np.asarray(X, dtype=float)
    v = np.asarray(v, dtype=float)
    n, d = X.shape
    Wr = rng.standard_normal((d, samples))
    phi = rng.uniform(0, 2 * np.pi, samples)
    H = bn(np.maximum(X @ Wr, 0.0), np.cos(phi), np.sin(phi))
    sampled = float(np.abs(v @ H).max(initial=0.0))
    nv = np.linalg.norm(v)
    if nv == 0:
        return sampled, 0.0
    w = np.linalg.pinv(X) @ (v - v.min())
    pv = v - v.mean()
    g, a = np.linalg.norm(pv) / nv, v.sum() / np.sqrt(n) / nv
    attained = float(v @ bn(np.maximum(X @ w, 0.0)[:, None], np.array([g]), np.array([a]))[:, 0])
    return sampled, attained
