"""The cones ``K_g = {s : G_g s ≥ 0}`` of the groups: their maps and interior directions.

A batch of groups' cone maps is an operator with ``mv(x) = G x`` (…, m), ``t(λ) = Gᵀ λ`` (…, k),
``gram(c) = Gᵀ diag(c) G`` (…, k, k) and ``L = λ_max(GᵀG)`` (the NNLS step). Dense programs
store ``G`` itself (:class:`DenseCone`); programs with a shared factorisation ``G_i = diag(σ_i) M``
(:class:`~bnproofs.programs.cone.Shared`: (8), (15)) store the signs and one ``M`` per instance
(:class:`SignedCone`), so that every product over all arrangements is one matrix product with
``M`` and a mask.
"""

from __future__ import annotations

import math

import torch


class DenseCone:
    """The cone maps ``G_i`` of a batch of groups, dense: ``G`` (…, m, k), ``L`` (…,) the
    largest eigenvalue of ``G_iᵀ G_i``."""

    def __init__(self, G, L):
        self.G, self.L = G, L
        self.k = G.shape[-1]

    def unit_rows(self):
        """The maps of the rows scaled to unit length (zero rows stay zero)."""
        return DenseCone(self.G / self.G.norm(dim=-1, keepdim=True).clamp_min(1e-300), None)

    def mv(self, x, fresh=False):
        """``G x`` (always a new tensor, so ``fresh`` changes nothing here)."""
        return torch.einsum("...mk,...k->...m", self.G, x)

    def t(self, lam):
        return torch.einsum("...mk,...m->...k", self.G, lam)

    def gram(self, c):
        """``Σ_j c_j g_j g_jᵀ = G_iᵀ diag(c) G_i`` (…, k, k) for row weights c (…, m)."""
        return (self.G * c[..., None]).mT @ self.G

    def masked(self, keep):
        """The maps with the groups outside ``keep`` (…,) zeroed (no constraint rows)."""
        return DenseCone(self.G * keep[..., None, None], self.L)


class SignedCone:
    """``G_i = diag(σ_i) M`` with one ``M`` per instance: σ (b, W, N), M (b, N, k)."""

    def __init__(self, sig, M, L):
        self.sig, self.M, self.L = sig, M, L
        self.k = M.shape[-1]
        self._MM = None

    def unit_rows(self):
        """The maps of the rows scaled to unit length (|σ_j| = 1 on real rows; zero rows stay
        zero)."""
        M = self.M / self.M.norm(dim=-1, keepdim=True).clamp_min(1e-300)
        return SignedCone(self.sig.sign(), M, None)

    def mv(self, x, fresh=False):
        """``G x``; ``fresh``: may return a buffer that the caller then owns (no copy)."""
        if fresh and x.shape[:-1] == self.sig.shape[:-1]:
            return (x @ self.M.transpose(-1, -2)).mul_(self.sig)
        return self.sig * (x @ self.M.transpose(-1, -2))

    def t(self, lam):
        return (self.sig * lam) @ self.M

    def gram(self, c):
        """``Σ_j c_j σ_j² m_j m_jᵀ`` (…, k, k): one matrix product with the rows' outer
        products ``m_j m_jᵀ`` (N × k², computed once per operator)."""
        if self._MM is None:
            self._MM = (self.M[..., :, None] * self.M[..., None, :]).flatten(-2)
            # σ ∈ {−1, 0, 1}: c σ σ = c σ², exactly
            self._sig2 = self.sig * self.sig
        return ((c * self._sig2) @ self._MM).unflatten(-1, (self.k, self.k))

    def masked(self, keep):
        """The maps with the groups outside ``keep`` (…,) zeroed: σ = 0 on their rows."""
        return SignedCone(self.sig * keep[..., None], self.M, self.L)


def interior_directions(op, rowmask, iters: int = 80):
    """Unit ``e`` with ``G e > 0`` per group and its margin ``min_j ĝ_jᵀ e`` over the rows in
    ``rowmask`` (``ĝ_j`` the unit rows; margin ≤ 0: none found — an empty cone interior), for the
    cone maps ``op`` of the unit rows (``cone.unit_rows()``: for (8) and (15) one matrix product
    with the shared ``M`` per operation, not a batch of tiny ones).

    Max-margin by damped Newton on the smoothed concave problem
    ``max_s F_τ(s) = −τ log Σ_j exp(−ĝ_jᵀ s / τ) − ½‖s‖²`` (its maximiser at τ → 0 is the
    min-norm point of the convex hull of the ``ĝ_j``, which has ``ĝ_jᵀ s > 0`` for all j iff the
    cone has an interior, by Gordan's theorem): each step is one k × k solve and the best of a
    ladder of step lengths on ``F_τ``; τ (per group) is halved once the Newton decrement is
    below τ, i.e. once ``s`` follows the smoothed path. The best direction seen
    is returned."""
    T = dict(dtype=rowmask.dtype, device=rowmask.device)
    s = torch.zeros(rowmask.shape[:-1] + (op.k,), **T)
    best = torch.zeros_like(s)
    best[..., 0] = 1.0
    best_m = torch.full(rowmask.shape[:-1], -math.inf, **T)
    eye = torch.eye(op.k, **T)
    tau = torch.ones(rowmask.shape[:-1], **T)
    steps = torch.tensor([1.0, 0.5, 0.25, 0.1], **T)
    logm = math.log(max(2, rowmask.shape[-1]))
    has_rows = rowmask.sum(-1) > 0
    sm = _Smoothed(rowmask)
    a = op.mv(s)
    for it in range(iters):
        s, decrement = _smoothed_newton(op, sm, s, a, tau, steps, eye)
        ns = s.norm(dim=-1).clamp_min(1e-300)
        e = s / ns[..., None]
        a = op.mv(s)  # also the next iteration's
        mg = sm.margin(a, ns)
        up = mg > best_m
        best = torch.where(up[..., None], e, best)
        best_m = torch.where(up, mg, best_m)
        tau = torch.where(decrement <= 0.1 * tau, 0.5 * tau, tau)  # (≥ 2^−iters: no clamp)
        # done once every cone has a direction and the smoothing (≤ τ log m) is below 20 % of
        # the smallest margin found (a start well inside the cone is all the barrier needs)
        if it >= 8 and it % 4 == 0:
            worst = torch.where(has_rows, best_m, math.inf).amin()
            if bool(worst > 0) and float(tau.amax()) * logm < 0.2 * float(worst):
                break
    best_m = torch.where(has_rows, best_m, torch.ones_like(best_m))
    return best, best_m


class _Smoothed:
    """``F_τ(s) = −τ log Σ_j exp(−ĝ_jᵀ s / τ) − ½‖s‖²`` over the rows in ``rowmask``, from the
    rows ``a = Ĝ s``."""

    def __init__(self, rowmask):
        self.rowpos = rowmask > 0
        # (−∞ off the rows; nothing to add where every group has all its rows)
        self.off = None if bool(self.rowpos.all()) else torch.where(self.rowpos, 0.0, -math.inf)

    def scaled(self, a, ntau):
        """``−a/τ`` on the rows, ``−∞`` off them (``ntau = −1/τ``)."""
        return a * ntau if self.off is None else a * ntau + self.off

    def value(self, a, sv, ntau, tau):
        """``F_τ`` at ``sv`` (…, k) or (J, …, k)."""
        return -tau * torch.logsumexp(self.scaled(a, ntau), -1) - 0.5 * (sv * sv).sum(-1)

    def margin(self, a, ns):
        """``min_j ĝ_jᵀ s / ‖s‖`` over the rows (``ns = ‖s‖``)."""
        # (min_j a_j / ‖s‖ = (min_j a_j) / ‖s‖ exactly: rounding is monotone)
        return (a if self.off is None else torch.where(self.rowpos, a, math.inf)).amin(-1) / ns


def _smoothed_newton(op, sm, s, a, tau, steps, eye):
    """One damped Newton step on ``F_τ`` from ``s`` (rows ``a``): the best of the multiples
    ``steps`` of the Newton direction; the new ``s`` and the Newton decrement."""
    # τ is a power of 2 (1, halved): products with 1/τ are the divisions by τ, exactly
    itau = 1.0 / tau
    ntau = (-itau)[..., None]
    pi = torch.softmax(sm.scaled(a, ntau), -1).nan_to_num()
    p = op.t(pi)
    C = op.gram(pi) - p[..., :, None] * p[..., None, :]
    # (solve_ex: at tiny τ, C/τ can overflow on a cone that is already done; no step there)
    d, info = torch.linalg.solve_ex(C * itau[..., None, None] + eye, (p - s).unsqueeze(-1))
    d = torch.where((info == 0)[..., None], d.squeeze(-1), 0.0).nan_to_num(0.0, 0.0, 0.0)
    # the trial points' rows as a + t Ĝ d (one product, not one per trial step)
    st = steps.view(-1, *([1] * s.dim()))
    trial = s[None] + st * d[None]
    Fs = sm.value(a[None] + st * op.mv(d)[None], trial, ntau, tau).nan_to_num(-math.inf)
    pick = Fs.argmax(0)
    s = torch.take_along_dim(trial, pick[None, ..., None], 0)[0]
    return s, (d * (p - s)).sum(-1).abs()
