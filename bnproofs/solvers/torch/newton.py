"""One damped Newton step of the barrier objective on the working sets: direction and length.

With ``F = L(Σ_w A_w x_w) + β Σ_w ‖x_w‖ − μ Σ_{w,j} ω_w log (G_w x_w)_j`` (weights ``ω_w``,
:mod:`~.barrier`), the Hessian is block diagonal, k × k per group,
``H_w = β (I − x̂x̂ᵀ)/‖x_w‖ + μ G_wᵀ diag(ω_w / (G_w x_w)²) G_w``, plus the rank-n term
``ÃᵀWÃ`` of the loss (``W`` its curvature, the identity for the squared loss). The direction
solves ``(H + ÃᵀWÃ) d = −∇F`` by Woodbury with one n × n Cholesky: with ``H_w = L_w L_wᵀ``,
``Z_w = L_w⁻¹ A_wᵀ`` and ``u_w = −L_w⁻¹ ∇_w F`` (one triangular solve), ``ZᵀZ`` and ``Zᵀu`` come
from one product, and ``d_w = L_w⁻ᵀ (u_w − Z_w s)`` with ``(I + W½ZᵀZW½) s = W½Zᵀu``. Near
round-off a growing ridge makes ``H_w`` factorable; for the hinge loss at ``μ < DENSE_MU`` the
whole Hessian is solved instead (Jacobi-scaled dense Cholesky: there Woodbury's correction
cancels a block's inverse along ``x̂``).

The length: the best, by ``F``, of the multiples ``LADDER`` of ``d``, the damped step
``1/(1 + λ)`` (λ the Newton decrement; ``F/μ`` is self-concordant up to the norm term) and 0,
each group ``w`` moving ``min(α, BOUNDARY × its distance to its cone's boundary) d_w``, so that a
few groups near their boundary do not hold the others to a tiny step. A step is taken only where
it lowers ``F``; where none does far from the path, the multiples ``RESCUE`` of the damped step
are tried before the instance is given up as broken. Hinge: shorter trial steps too, and full
Newton steps once ``λ ≤ TRUST_LAMBDA`` (there ``F``'s changes are below its round-off).
"""

from __future__ import annotations

import math

import torch

#: centred: Newton decrement ≤ MU_LAMBDA (μ is then cut)
MU_LAMBDA = 1.0
LADDER, BOUNDARY = (4.0, 2.0, 1.0, 0.5, 0.25, 0.1, 0.03), 0.85
#: hinge: the extra trial steps (after a cut in τ the predictions near the kinks need them)
HINGE_LADDER = (0.01, 0.003, 0.001, 3e-4)
RESCUE = tuple(10.0 ** -j for j in range(1, 9))
#: hinge: full Newton steps once λ ≤ TRUST_LAMBDA; the whole Newton system once μ < DENSE_MU
TRUST_LAMBDA, DENSE_MU = 1e-2, 1e-8
RIDGES = (1e-12, 1e-8, 1e-4)


def ray_root(q, c, m):
    """The root ``α ≥ 0`` of ``qα² + cα − m = 0`` (q, m ≥ 0), in the form without cancellation:
    the minimiser of ``½qα² + cα − m log α`` along a ray (the barrier objective's model)."""
    disc = torch.sqrt(c * c + 4 * q * m)
    return torch.where(c > 0, 2 * m / (c + disc), (disc - c) / (2 * q).clamp_min(1e-300))


def log_factors(rat, s4):
    """``Σ_j log(1 + s rat_j)`` over the last axis of ``rat`` (a group's rows ``G d / G x``)
    for the steps ``s4`` (…, 1): the change of a group's log-barrier term along a trial step.

    As ``log Π_j (1 + s rat_j)``: one log per group instead of one per row. Where the product
    over- or underflows (``(1 + s rat)^m`` beyond 1e±308) the sum of the logs is taken instead.
    The caller keeps every factor positive (the steps are capped at ``BOUNDARY`` × the distance
    to the boundary, so each factor is ≥ 1 − BOUNDARY): with an even number of negative factors,
    a step outside the cone, the product would be positive."""
    fac = rat.new_ones(()).addcmul(s4, rat)
    out = fac.prod(-1).log_()
    if bool(out.isinf().any()):
        return fac.log_().sum(-1)
    return out


def _rowvec(v, Mt):
    """``v Mt`` for v (b, p) and Mt (b, p, q): (b, q) (batched matrix × vector products take a
    slow path on the CPU)."""
    return (v.unsqueeze(1) @ Mt).squeeze(1)


def gradient_hessian(rp, path):
    """At the path's point: the prediction ``f``, ``∂L/∂f`` and its curvature (``None``: 1),
    ``‖x_w‖``, ``∇F`` (b, W, k) and the diagonal blocks ``H_w`` (identity on unusable groups)."""
    x, mu = path.x, path.mu
    f = _rowvec(x.reshape(rp.nb, -1), rp.A2T)
    if rp.hinge:
        rp.loss.tau = path.tau
    r, wl = rp.loss.grad_hess(f)  # ∂L/∂f (f − y for squared) and ∂²L/∂f² (None: 1)
    xn = x.norm(dim=-1).clamp_min(1e-300)
    xh = x / xn[..., None]
    m1 = mu[:, None, None]
    inv = rp.rw / path.Gx
    # (0 on the unusable groups: A, G and x are 0 there)
    grad = (_rowvec(r, rp.A2).view(rp.nb, rp.Wn, rp.k) + rp.beta3 * xh - m1 * rp.op.t(inv))
    Hn = (rp.beta2 / xn)[..., None, None] * (rp.eyek - xh[..., :, None] * xh[..., None, :])
    H = torch.where(rp.um4, Hn + m1[..., None] * rp.op.gram(inv / path.Gx), rp.eyek)
    return f, r, wl, xn, grad, H


def factor(H, eyek):
    """Cholesky factors of the blocks, with a growing ridge where round-off near the boundary
    defeats it; and the instances whose blocks still cannot be factored."""
    ch, info = torch.linalg.cholesky_ex(H)
    if bool((info > 0).any(1).any()):
        dg = H.diagonal(dim1=-2, dim2=-1).amax(-1, keepdim=True).nan_to_num(1.0, 1.0, 1.0)
        for ridge in RIDGES:
            ch2, info2 = torch.linalg.cholesky_ex(H + (ridge * dg)[..., None] * eyek)
            fix = info > 0
            ch = torch.where(fix[..., None, None], ch2, ch)
            info = torch.where(fix, info2, info)
            if not bool((info > 0).any()):
                break
    return ch, (info > 0).any(1)


def woodbury(rp, ch, grad, wl):
    """The Newton direction ``d`` (b, W, k) by Woodbury (module docstring), and the instances
    whose n × n system cannot be factored."""
    n, nb, Wn, k = rp.n, rp.nb, rp.Wn, rp.k
    rp.AtU[..., n] = -grad.nan_to_num()
    # (as Zuᵀ = AtUᵀ L⁻ᵀ: this form returns Zu row-major, so that it flattens to (Wk, n+1))
    Zu = torch.linalg.solve_triangular(ch.mT, rp.AtU.mT, upper=True, left=False).mT
    Zu = Zu.view(nb, Wn * k, n + 1)
    Z, u = Zu[..., :n], Zu[..., n]
    S = Zu.mT @ Z  # (b, n+1, n): ZᵀZ over Zᵀu
    if wl is None:
        K, Ztu = rp.eyen + S[:, :n], S[:, n]
    else:  # the loss's weights W: ÃᵀWÃ, so I + W½ZᵀZW½ and W½Zᵀu (sol is W½ K⁻¹ W½ Zᵀu)
        om = wl.sqrt()
        K, Ztu = rp.eyen + om[:, :, None] * S[:, :n] * om[:, None, :], om * S[:, n]
    cK, infoK = torch.linalg.cholesky_ex(K)
    sol = torch.cholesky_solve(Ztu[..., None], cK).squeeze(-1)
    if wl is not None:
        sol = om * sol
    w = (u - _rowvec(sol, Z.mT)).view(nb, Wn, k, 1)
    return torch.linalg.solve_triangular(ch.mT, w, upper=True).squeeze(-1), infoK > 0


def dense_direction(rp, H, grad, wl, dx):
    """Hinge at small μ: the whole Hessian ``H + ÃᵀWÃ`` solved, Jacobi-scaled; ``dx`` kept where
    it cannot be factored."""
    nb, Wn, k = rp.nb, rp.Wn, rp.k
    Hf = torch.zeros(nb, Wn, k, Wn, k, **rp.T)
    iw = torch.arange(Wn, device=grad.device)
    Hf[:, iw, :, iw, :] = H.transpose(0, 1)
    Hf = Hf.view(nb, Wn * k, Wn * k) + (rp.A2.mT * wl[:, None, :]) @ rp.A2
    dsc = Hf.diagonal(dim1=-2, dim2=-1).clamp_min(1e-300).rsqrt()
    cf, infof = torch.linalg.cholesky_ex(Hf * dsc[:, :, None] * dsc[:, None, :])
    dxf = torch.cholesky_solve((-grad.reshape(nb, -1) * dsc)[..., None], cf).squeeze(-1)
    return torch.where((infof == 0)[:, None, None], (dxf * dsc).view(nb, Wn, k), dx)


def barrier_value(rp, path, sg, f, Adg, rat, dx):
    """``F`` at ``x_w + s_w d_w`` for the per-group steps ``sg`` (J, b, W), less the barrier at
    ``x`` (the same for every trial point), from products at ``x`` and along ``d`` (``Adg``:
    ``A_w d_w``, (b, W, n); ``rat``: ``G d / G x`` per row, 0 off the rows). +inf outside the
    domain or where ``F`` overflows."""
    s4 = sg[..., None]
    ff = f + (sg.transpose(0, 1) @ Adg).transpose(0, 1)  # (J, b, n)
    F = (rp.loss.value(ff) + rp.beta * torch.addcmul(path.x, s4, dx).norm(dim=-1).sum(-1)
         - path.mu * (log_factors(rat, s4) * rp.wgt).sum(-1))
    return F.nan_to_num_(math.inf, math.inf, math.inf)  # (−inf: an overflow, never a step)


def step_length(rp, path, f, dx, lam_n):
    """The per-group steps (b, W) along ``dx`` (module docstring) and the index of the trial
    taken (``J − 1``: the zero step, none lowered ``F``)."""
    # each group's distance to its cone's boundary along d_w, from its rows' ratios G d / G x
    # (exactly 0 off the rows, where G d = 0 and G x = 1; inf where no row decreases)
    rat = rp.op.mv(dx).div_(path.Gx)
    tmin = rat.amin(-1)
    ag = torch.where(tmin < 0, -1.0 / tmin, math.inf)  # (b, W)
    damped = (1.0 / (1.0 + lam_n))[None, :, None]
    ladb = torch.cat([rp.lad.expand(-1, rp.nb, 1), damped,
                      *([0.1 * damped, 0.01 * damped] if rp.hinge else []),
                      torch.zeros(1, rp.nb, 1, **rp.T)])
    sg = torch.minimum(ladb, BOUNDARY * ag)  # (J, b, W)
    Adg = (rp.A4 * dx[:, None]).sum(-1).mT  # A_w d_w: (b, W, n)
    Fb, best = barrier_value(rp, path, sg, f, Adg, rat, dx).min(0)
    step = torch.take_along_dim(sg, best[None, :, None], 0)[0]
    # (+inf outside the domain: never chosen while a step is inside)
    stuck = path.active & (best == len(ladb) - 1) & (lam_n > MU_LAMBDA)
    if bool(stuck.any()):  # a weighted barrier term is self-concordant only for weights ≥ 1
        sg2 = torch.minimum(damped * rp.rescue, BOUNDARY * ag)
        Fb2, best2 = barrier_value(rp, path, sg2, f, Adg, rat, dx).min(0)
        take = stuck & (Fb2 < Fb)
        step = torch.where(take[:, None],
                           torch.take_along_dim(sg2, best2[None, :, None], 0)[0], step)
        best = torch.where(take, 0, best)
    step = torch.where((path.active & (Fb < math.inf))[:, None], step, 0.0)
    if rp.hinge:  # deep in the quadratic region F's changes are below its round-off: full steps
        trust = path.active & (lam_n <= TRUST_LAMBDA)
        step = torch.where(trust[:, None], torch.clamp(BOUNDARY * ag, max=1.0), step)
        best = torch.where(trust, 0, best)
    return step, best == len(ladb) - 1
