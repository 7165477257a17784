"""The tolerance policy: one place, named tiers, ``|a - b| <= atol + rtol * |b|``.

Every comparison a claim makes goes through :func:`close` or :func:`at_least` with a named tier,
and the tier is recorded in the result so a reader knows which rule decided a verdict.

| tier        | where the number comes from                    | rtol   | atol   |
|-------------|------------------------------------------------|--------|--------|
| ``exact``   | dense linear algebra, closed forms             | 1e-9   | 1e-11  |
| ``ipm``     | interior-point solver (Clarabel, 1e-8 defaults)| 1e-6   | 1e-8   |
| ``first``   | first-order solver (torch, SCS)                | 1e-4   | 1e-6   |
| ``train``   | non-convex training (Adam/GD), one-sided only  | 1e-6   | 1e-8   |
| ``rate``    | a fitted linear rate against a predicted one   | 1e-2   | 1e-6   |

``exact`` is scaled by a condition number where the caller knows one (``Tolerance.scaled``).
``train`` is only ever used one-sidedly: a trained network must not beat a certified lower bound
by more than the tolerance; how close training gets is reported, never required.
``rate`` compares convergence exponents ``log ρ`` (iterations per decade), not rates ``ρ``: a
rate ``0.9999`` against ``1`` differs by 1e-4 but means converging against not converging. The
fit is a least-squares line on a tail window of ``log err_k`` (window reported); rtol 1e-2 leaves
room for the subdominant modes that are still in the window.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Tolerance:
    name: str
    rtol: float
    atol: float

    def bound(self, reference: float) -> float:
        """Allowed deviation around ``reference``."""
        return self.atol + self.rtol * abs(reference)

    def scaled(self, factor: float) -> Tolerance:
        """Same tier with rtol multiplied by ``factor`` (e.g. a condition number), at least 1."""
        f = max(1.0, float(factor))
        return Tolerance(f"{self.name}x{f:.3g}", self.rtol * f, self.atol * f)

    def as_dict(self) -> dict:
        return asdict(self)


EXACT = Tolerance("exact", 1e-9, 1e-11)
IPM = Tolerance("ipm", 1e-6, 1e-8)
FIRST_ORDER = Tolerance("first", 1e-4, 1e-6)
TRAIN = Tolerance("train", 1e-6, 1e-8)
RATE = Tolerance("rate", 1e-2, 1e-6)

TIERS = {t.name: t for t in (EXACT, IPM, FIRST_ORDER, TRAIN, RATE)}


def close(a: float, b: float, tol: Tolerance) -> bool:
    """``|a - b| <= atol + rtol |b|``."""
    return abs(a - b) <= tol.bound(b)


def at_least(value: float, lower: float, tol: Tolerance) -> bool:
    """One-sided: ``value`` does not go below ``lower`` by more than the tolerance."""
    return value >= lower - tol.bound(lower)


def relative_gap(hi: float, lo: float) -> float:
    """``(hi - lo) / max(1, |hi|)``: the width of a bracket relative to its size."""
    return (hi - lo) / max(1.0, abs(hi))
