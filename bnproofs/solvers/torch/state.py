"""The state of one batch between rounds: every group's point, multipliers and working-set flags,
the paths' parameters, counters, and the best bounds so far (what the solver returns)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from bnproofs.solvers.torch.batch import Batch

#: ``Chunk.entered``: a group never entered (or pruned), entered on an interior ray, or kept at 0
#: because its cone shows no interior direction
OUTSIDE, ENTERED, NO_INTERIOR = 0, 1, -1


@dataclass
class Chunk:
    """Per instance ``b`` and group ``g`` (``2P + 1`` ids, the last the dummy): the tensors are
    scattered to and gathered from the working sets; the numpy arrays are per instance."""

    bt: Batch
    x: torch.Tensor  # (B, NG, k) the current feasible point
    entered: torch.Tensor  # (B, NG) int8: OUTSIDE, ENTERED or NO_INTERIOR
    lam: torch.Tensor  # (B, NG, m) multipliers of every group (warm starts of the checks)
    in_ws: torch.Tensor  # (B, NG) bool: in the working set
    pruned: torch.Tensor  # (B, NG) bool: dropped once (never again)
    mu: torch.Tensor  # (B,) barrier parameter where each path stopped (0: none yet)
    tau: torch.Tensor  # (B,) hinge: the loss's smoothing at the current point
    iters: np.ndarray  # Newton steps so far
    rounds: np.ndarray  # full checks so far
    inner_tol: np.ndarray  # the restricted solve's relative target
    todo: np.ndarray  # still solving
    stalled: np.ndarray  # the Newton system broke down, or no progress in STALL_ROUNDS checks
    best_gap: np.ndarray  # the best bracket's relative gap so far
    flat: np.ndarray  # consecutive full checks without 1 % progress
    paused: np.ndarray  # handed back before its restricted target was met
    # the best bounds so far, each from its own check: the feasible point of the lowest upper
    # bound, the dual point and multipliers of the highest lower bound
    best_up: np.ndarray
    best_lo: np.ndarray
    best_x: torch.Tensor  # (B, NG, k)
    best_lam: torch.Tensor  # (B, 2P, m)
    best_v: torch.Tensor  # (B, n)

    @classmethod
    def start(cls, bt: Batch) -> Chunk:
        """Every instance at ``x = 0`` with an empty working set."""
        T, dev = bt.T, bt.T["device"]
        B, P, n, m, k = bt.B, bt.P, bt.n, bt.m, bt.k
        NG = 2 * P + 1
        flags = dict(dtype=torch.bool, device=dev)
        x = torch.zeros(B, NG, k, **T)
        return cls(
            bt, x, torch.zeros(B, NG, dtype=torch.int8, device=dev), torch.zeros(B, NG, m, **T),
            torch.zeros(B, NG, **flags), torch.zeros(B, NG, **flags), torch.zeros(B, **T),
            torch.full((B,), 0.1, **T), np.zeros(B, dtype=int), np.zeros(B, dtype=int),
            np.full(B, 1.0), np.ones(B, dtype=bool), np.zeros(B, dtype=bool), np.full(B, np.inf),
            np.zeros(B, dtype=int), np.zeros(B, dtype=bool), np.full(B, np.inf),
            np.full(B, -np.inf), torch.zeros_like(x), torch.zeros(B, 2 * P, m, **T),
            torch.zeros(B, n, **T))

    @property
    def device(self) -> torch.device:
        return self.bt.T["device"]
