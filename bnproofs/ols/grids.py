"""Curves sampled on one shared iteration grid, for plot series."""

from __future__ import annotations

import numpy as np


def on_grid(curves, n: int = 300, log: bool = False, every: int = 1) -> tuple[list, list[list]]:
    """Sample curves (1-D arrays indexed by iteration, NaN where a run had stopped) on one
    shared grid of at most ``n`` iterations — linear, or log-spaced from 1 when ``log`` — for a
    plot series: ``(x, [y, …])``, NaN past the end of a curve. Entry ``i`` of a curve is
    iteration ``i·every``."""
    curves = [np.asarray(c, dtype=float) for c in curves]
    ends = [int(np.nonzero(np.isfinite(c))[0][-1]) if np.isfinite(c).any() else 0
            for c in curves]
    L = max(ends) + 1
    if log:
        x = np.unique(np.geomspace(1, max(L, 2), n).astype(int) - 1)
    else:
        x = np.unique(np.linspace(0, L - 1, min(n, L)).astype(int))
    ys = [[float(c[k]) if k <= e else float("nan") for k in x] for c, e in zip(curves, ends,
                                                                                 strict=True)]
    return (x * every).tolist(), ys
