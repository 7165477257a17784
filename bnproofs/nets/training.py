"""Training BN ReLU networks in torch (float64), many restarts at once.

All restarts are one batched model (leading dimension R), so R initialisations cost about as
much as one on small problems. Three objectives, by what they are:

* ``weight_decay`` — (3) as printed: loss + (β/2) Σ_l (‖γ^(l)‖² + ‖α^(l)‖² + ‖W^(l)‖²);
* ``effective`` — (22) (Appendix B.2.1): only the last BN layer and the output weights are
  decayed (the decay of layers feeding a BN can be driven to 0 without changing the output);
* ``l1`` — (4)/(6): loss + β Σ_j ‖w_j^(L)‖ with the last BN layer on Θ_s through an angle,
  ``γ_j = cos φ_j``, ``α_j = sin φ_j``.

Labels may be a vector (scalar output, ``w^(L)`` a vector) or an ``n × C`` matrix (vector output,
``w^(L)`` is ``m × C``, an ``n × 1`` matrix included); then (4)/(6) reads (10),
``β Σ_j ‖w_j^(L)‖₂`` over rows, and ``effective`` is (9).

Whatever is trained, every restart is mapped to Θ_s (:func:`bnproofs.nets.network.normalise_last`)
and evaluated in numpy by objective (4)/(6); that number is what the claims compare, so the
torch arithmetic is never trusted on its own. Optimiser: Adam with a cosine-decayed step,
a fixed number of steps (stated in every result).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from bnproofs.data import InputError, check_data
from bnproofs.nets.network import Layer, Net, normalise_last, objective_l1, objective_weight_decay
from bnproofs.programs import losses as loss_fns

OBJECTIVES = ("weight_decay", "effective", "l1")


def resolve_device(device: str = "auto") -> str:
    """``auto`` → ``cuda`` when available, else ``cpu``; ``cuda`` without CUDA is an error."""
    if device not in ("auto", "cpu", "cuda"):
        raise InputError(f"device must be auto, cpu or cuda, got {device!r}")
    try:
        import torch
    except ImportError:
        if device == "cuda":
            raise InputError("--device cuda: torch is not installed") from None
        return "cpu"
    has_cuda = torch.cuda.is_available()
    if device == "cuda" and not has_cuda:
        raise InputError("--device cuda requested but CUDA is not available on this machine")
    return "cuda" if (device == "auto" and has_cuda) else ("cpu" if device == "auto" else device)


@dataclass
class TrainResult:
    best_value: float  # objective (4)/(6) of the best restart, evaluated in numpy
    best_net: Net  # best restart mapped to Θ_s
    raw_net: Net  # the same restart as trained (before mapping to Θ_s)
    values: list[float]  # (4)/(6) per restart
    trained_values: list[float]  # the trained objective per restart (numpy, same formula)
    curve: list[float]  # (6)-value of the best restart during training, every `every` steps
    every: int
    steps: int
    lr: float
    objective: str
    elapsed_s: float
    notes: list[str] = field(default_factory=list)


def train(
    X,
    y,
    beta: float,
    widths: list[int],
    *,
    objective: str = "effective",
    restarts: int = 4,
    steps: int = 2000,
    lr: float = 0.02,
    seed: int = 0,
    device: str = "cpu",
    every: int = 20,
    init_scale: float = 1.0,
    pool: int = 1,
    loss: str = "squared",
) -> TrainResult:
    """Train ``restarts`` networks with hidden ``widths`` on (X, y) with decay β; ``loss`` is
    one of :data:`bnproofs.programs.losses.LOSSES` (B.1), squared unless given.

    ``pool = K > 1`` trains the CNN of (13): ``X`` is the patch matrix ``M`` (nK × h) and the
    first layer's ReLU outputs are summed over the K blocks (see :class:`~bnproofs.nets.network.Net`);
    ``y`` has n rows. Labels may be a vector or an n × C matrix (vector output)."""
    import torch

    if objective not in OBJECTIVES:
        raise InputError(f"objective must be one of {OBJECTIVES}")
    if not isinstance(pool, int) or pool < 1:
        raise InputError(f"pool must be a positive integer, got {pool!r}")
    X, _, beta = check_data(X, None, beta)
    if X.shape[0] % pool:
        raise InputError(f"{X.shape[0]} rows of X are not {pool} blocks of equal size")
    _, y, _ = check_data(X[: X.shape[0] // pool], y)
    loss_fns.check_loss(loss, y)
    if loss != "squared" and objective == "weight_decay":
        raise InputError("objective 'weight_decay' is evaluated with the squared loss only")
    if not widths or min(widths) < 1 or restarts < 1 or steps < 1:
        raise InputError("widths, restarts and steps must be positive")
    t0 = time.perf_counter()
    dev = torch.device(resolve_device(device))
    dt = torch.float64
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    Xt = torch.as_tensor(np.asarray(X, dtype=float), dtype=dt, device=dev)
    Y = np.asarray(y, dtype=float)
    Yt = torch.as_tensor(Y.reshape(Y.shape[0], -1), dtype=dt, device=dev)
    R, n, C = restarts, Xt.shape[0], Yt.shape[1]

    def randn(*shape, scale=1.0):
        return (torch.randn(*shape, generator=gen, dtype=dt) * scale).to(dev).requires_grad_()

    dims = [Xt.shape[1], *widths]
    Ws, gs, als = [], [], []
    for li in range(len(widths)):
        Ws.append(randn(R, dims[li], dims[li + 1], scale=init_scale / math.sqrt(dims[li])))
        gs.append(randn(R, dims[li + 1], scale=0.5))
        als.append(randn(R, dims[li + 1], scale=0.5))
    phi = randn(R, widths[-1], scale=math.pi)
    w_out = randn(R, widths[-1], C, scale=1.0 / math.sqrt(widths[-1]))
    last_params = [phi] if objective == "l1" else [gs[-1], als[-1]]
    params = Ws + gs[:-1] + als[:-1] + last_params + [w_out]

    def last_bn():
        if objective == "l1":
            return torch.cos(phi), torch.sin(phi)
        return gs[-1], als[-1]

    def forward():
        A = Xt.expand(R, n, Xt.shape[1])
        for li in range(len(widths)):
            g, a = (gs[li], als[li]) if li < len(widths) - 1 else last_bn()
            Z = A @ Ws[li]
            Zc = Z - Z.mean(dim=1, keepdim=True)
            nz = torch.linalg.vector_norm(Zc, dim=1, keepdim=True).clamp_min(1e-150)
            A = torch.relu(Zc / nz * g.unsqueeze(1) + a.unsqueeze(1) / math.sqrt(Z.shape[1]))
            if li == 0 and pool > 1:  # conv-BN over all nK rows, then sum over the K blocks
                A = A.reshape(R, pool, n // pool, A.shape[2]).sum(dim=1)
        return A @ w_out  # R × n × C

    def losses():
        if loss == "squared":
            r = forward() - Yt
            fit = 0.5 * (r * r).sum(dim=(1, 2))
        else:
            fit = loss_fns.torch_value(loss, forward(), Yt)
        g, a = last_bn()
        wn = torch.linalg.vector_norm(w_out, dim=2)
        l1_at_theta_s = fit + beta * (wn * torch.sqrt(g * g + a * a)).sum(dim=1)
        if objective == "l1":
            trained = fit + beta * wn.sum(dim=1)
        elif objective == "effective":
            trained = fit + 0.5 * beta * ((g * g + a * a).sum(1) + (w_out**2).sum(dim=(1, 2)))
        else:
            reg = (w_out**2).sum(dim=(1, 2))
            for li in range(len(widths)):
                gg, aa = (gs[li], als[li]) if li < len(widths) - 1 else last_bn()
                reg = reg + (gg**2).sum(1) + (aa**2).sum(1) + (Ws[li] ** 2).sum(dim=(1, 2))
            trained = fit + 0.5 * beta * reg
        return trained, l1_at_theta_s

    opt = torch.optim.Adam(params, lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr * 1e-3)
    hist = []
    for it in range(steps):
        opt.zero_grad(set_to_none=True)
        trained, l1v = losses()
        trained.sum().backward()
        opt.step()
        sched.step()
        if it % every == 0:
            hist.append(l1v.detach().cpu().numpy())
    with torch.no_grad():
        g_last, a_last = last_bn()
        nets = []
        for rr in range(R):
            layers = []
            for li in range(len(widths)):
                g, a = (gs[li], als[li]) if li < len(widths) - 1 else (g_last, a_last)
                layers.append(
                    Layer(
                        Ws[li][rr].cpu().numpy().copy(),
                        g[rr].cpu().numpy().copy(),
                        a[rr].cpu().numpy().copy(),
                    )
                )
            wo = w_out[rr].cpu().numpy()
            nets.append(Net(layers, wo[:, 0].copy() if C == 1 and Y.ndim == 1 else wo.copy(),
                            pool=pool))
    Xn = np.asarray(X, dtype=float)
    if objective == "weight_decay":
        trained_vals = [objective_weight_decay(nt, Xn, Y, beta) for nt in nets]
    else:
        trained_vals = [float(v) for v in losses()[0].detach().cpu().numpy()]
    normed = [normalise_last(nt) for nt in nets]
    vals = [objective_l1(nt, Xn, Y, beta, loss_name=loss) for nt in normed]
    best = int(np.nanargmin(vals))
    curve = [float(h[best]) for h in hist]
    return TrainResult(
        best_value=float(vals[best]),
        best_net=normed[best],
        raw_net=nets[best],
        values=[float(v) for v in vals],
        trained_values=[float(v) for v in trained_vals],
        curve=curve,
        every=every,
        steps=steps,
        lr=lr,
        objective=objective,
        elapsed_s=time.perf_counter() - t0,
    )
