"""Batching: B instances of (P) packed into one set of tensors, and the CPU chunk size.

Instances must share ``n`` and the loss; ``P``, ``m`` and ``k`` are padded with zeros (a zero group
stays zero under the norm penalty, a zero row of ``G`` is the vacuous constraint ``0 ≥ 0``), and
arrangement ``P`` is an all-zero dummy that pads the working sets. Groups are numbered
``g < 2P``: arrangement ``g mod P`` with sign ``+`` for ``g < P`` (the ``s_i``) and ``−``
otherwise (the ``s_i'``); ``g = 2P`` is the dummy.

Memory: dense, the packed ``A`` and ``G``, ``8 B (P+1)(n+m) k`` bytes; shared, ``8 B (P+1) N``
for the arrangements and signs. On the CPU a batch is cut into chunks of :func:`cpu_chunk`
instances (``CPU_BATCH_ENTRIES`` cone entries); on CUDA it runs whole.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from bnproofs.programs.cone import ConeProgram
from bnproofs.solvers.torch.cones import DenseCone, SignedCone, interior_directions
from bnproofs.solvers.torch.losses import TorchLoss

#: on the CPU, batches of at most this many cone-constraint entries ``2 P m k``: there a batch
#: pays for the padding of its working sets and for its slowest instance's steps with real work,
#: and only small instances gain from sharing one (docs/solvers.md)
CPU_BATCH_ENTRIES = 320_000


def no_autograd(fn):
    """Run ``fn`` under ``torch.inference_mode()``: no tensor here needs a gradient, and the
    mode skips autograd's dispatch (version counters, view tracking) on every operation; the
    results are bitwise the same."""

    @functools.wraps(fn)
    def wrapped(*args, **kw):
        with torch.inference_mode():
            return fn(*args, **kw)

    return wrapped



def cpu_chunk(progs: list[ConeProgram]) -> int:
    """Instances per batch on the CPU: ``CPU_BATCH_ENTRIES`` cone-constraint entries ``2 P m k``
    (of the largest instance), at least 1."""
    return max(1, CPU_BATCH_ENTRIES // max(max(p.entries for p in progs), 1))


class Batch:
    """Packed data of B instances, arrangement P the all-zero dummy; group g < 2P is arrangement
    g mod P with sign + (g < P) or −, g = 2P the dummy.

    Dense: A, G as (B, P+1, n, k), (B, P+1, m, k). Shared (every instance carries a
    :class:`~bnproofs.programs.cone.Shared` factorisation with the same N and readout kind): only
    ``M`` (B, N, k), the arrangements ``Dm`` (B, P+1, N), the signs ``Sg = 2Dm − 1`` (0 on the
    dummy) and ``R`` (B, n, N) or none — products with all P arrangements are one matrix
    product with ``M`` and a mask, and ``8 B P N`` bytes replace ``8 B P (n + m) k``."""

    def __init__(self, progs, T):
        n = progs[0].shape[1]
        P = max(p.shape[0] for p in progs)
        m = max(p.shape[2] for p in progs)
        k = max(p.shape[3] for p in progs)
        B = len(progs)
        self.B, self.P, self.n, self.m, self.k = B, P, n, m, k
        self.T = T
        self._dir = self._dir_m = None  # interior directions per arrangement (self.interior)
        self.y = torch.as_tensor(np.stack([p.y for p in progs]), **T)
        self.beta = torch.as_tensor(np.array([p.beta for p in progs], dtype=float), **T)
        self.loss = TorchLoss(progs[0].loss, self.y)
        sh = [p.shared for p in progs]
        self.shared = (all(x is not None for x in sh) and len({x.M.shape[0] for x in sh}) == 1
                       and len({x.R is None for x in sh}) == 1)
        if self.shared:
            self._pack_shared(sh)
        else:
            self._pack_dense(progs)

    def _pack_shared(self, sh):
        """``M``, the arrangements, their signs and the readout of the shared factorisations."""
        B, P, m, k, T = self.B, self.P, self.m, self.k, self.T
        M = np.zeros((B, m, k))
        D = np.zeros((B, P + 1, m))
        S = np.zeros((B, P + 1, m))
        R = None if sh[0].R is None else np.stack([x.R for x in sh])
        for b, x in enumerate(sh):
            M[b, :, :x.M.shape[1]] = x.M
            D[b, :len(x.D)] = x.D
            S[b, :len(x.D)] = 2.0 * x.D - 1.0
        self.M, self.Dm, self.Sg = (torch.as_tensor(a, **T) for a in (M, D, S))
        self.R = None if R is None else torch.as_tensor(R, **T)
        rowok = (self.M.norm(dim=-1) > 0).to(self.M.dtype)  # (B, N)
        self.rowmask = self.Sg.abs() * rowok[:, None, :]
        # λ_max(G_iᵀ G_i) = λ_max(Mᵀ M) (the signs square away); 0 on the dummy
        Lm = torch.linalg.eigvalsh(self.M.transpose(-1, -2) @ self.M)[..., -1]
        self.L = Lm[:, None] * (self.Sg.abs().amax(-1) > 0)

    def _pack_dense(self, progs):
        """``A`` and ``G``, zero-padded."""
        B, P, n, m, k, T = self.B, self.P, self.n, self.m, self.k, self.T
        A = np.zeros((B, P + 1, n, k))
        G = np.zeros((B, P + 1, m, k))
        for b, p in enumerate(progs):
            Pb, _, mb, kb = p.shape
            A[b, :Pb, :, :kb] = p.A
            G[b, :Pb, :mb, :kb] = p.G
        self.A = torch.as_tensor(A, **T)
        self.G = torch.as_tensor(G, **T)
        self.rowmask = (self.G.norm(dim=-1) > 0).to(self.G.dtype)
        # λ_max(G_i G_iᵀ) = λ_max(G_iᵀ G_i): the step of the NNLS gradients
        self.L = torch.linalg.eigvalsh(self.G.transpose(-1, -2) @ self.G)[..., -1]

    def arr(self, g):
        """Arrangement index and sign of group ids ``g`` (long tensor)."""
        P = self.P
        i = torch.where(g >= 2 * P, torch.full_like(g, P), g % P)
        s = torch.where(g < P, 1.0, -1.0).to(self.y.dtype)
        return i, s

    def _readout(self, b, Z):
        """``R Z`` over the last axis (N → n) for instances ``b``."""
        return Z if self.R is None else (self.R[b] @ Z.unsqueeze(-1)).squeeze(-1)

    def predict(self, b, X):
        """``Σ_i A_i x_i`` for X (len(b), P, k) over the real arrangements: (len(b), n)."""
        P = self.P
        if not self.shared:
            return torch.einsum("bpnk,bpk->bn", self.A[b, :P], X)
        Z = X @ self.M[b].transpose(-1, -2)  # (b, P, N)
        return self._readout(b, (Z * self.Dm[b, :P]).sum(1))

    def adjoint(self, b, v):
        """``A_iᵀ v`` for every real arrangement: (len(b), P, k)."""
        P = self.P
        if not self.shared:
            return torch.einsum("bpnk,bn->bpk", self.A[b, :P], v)
        u = v if self.R is None else (v.unsqueeze(-2) @ self.R[b]).squeeze(-2)  # Rᵀ v: (b, N)
        return (self.Dm[b, :P] * u[:, None, :]) @ self.M[b]

    def cone_op(self, b, i):
        """The cone maps of arrangements ``i`` (len(b), W): an operator with ``mv(x)`` =
        ``G_i x`` (…, m), ``t(λ)`` = ``G_iᵀ λ`` (…, k) and ``L`` = ``λ_max(G_iᵀ G_i)``."""
        bi = b[:, None]
        if not self.shared:
            return DenseCone(self.G[bi, i], self.L[bi, i])
        return SignedCone(self.Sg[bi, i], self.M[b], self.L[bi, i])

    def dense(self, b, i, s):
        """Dense ``s A_i`` (len(b), W, n, k) of arrangements ``i`` with signs ``s`` (the
        working sets: small)."""
        bi = b[:, None]
        if not self.shared:
            return self.A[bi, i] * s[..., None, None]
        DM = self.Dm[bi, i][..., None] * self.M[b][:, None]  # (b, W, N, k)
        A = DM if self.R is None else self.R[b][:, None] @ DM
        return A * s[..., None, None]

    def interior(self, b, i, want):
        """Interior directions and margins (:func:`~.cones.interior_directions`) of the cones of
        arrangements ``i`` (len(b), c) where ``want``; each arrangement's is computed once per
        solve and kept (its two groups ``s_i``, ``s_i'`` share the cone, and a pruned group may
        come back)."""
        if self._dir is None:
            self._dir = torch.zeros(self.B, self.P + 1, self.k, **self.T)
            self._dir_m = torch.full((self.B, self.P + 1), math.nan, **self.T)
        bi = b[:, None]
        miss = want & self._dir_m[bi, i].isnan()
        cm = int(miss.sum(1).max())
        if cm:
            ms = torch.argsort(miss.to(torch.int8), dim=1, descending=True, stable=True)[:, :cm]
            ok = torch.take_along_dim(miss, ms, 1)
            im = torch.take_along_dim(i, ms, 1)
            E, mg = interior_directions(self.cone_op(b, im).unit_rows(), self.rowmask[bi, im])
            rows = bi.expand_as(im)
            self._dir[rows[ok], im[ok]] = E[ok]
            self._dir_m[rows[ok], im[ok]] = mg[ok]
        return self._dir[bi, i], self._dir_m[bi, i]
