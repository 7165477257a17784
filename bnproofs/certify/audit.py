"""The audit of a solver's answer to a cone program (P): named checks, run once by the caller.

Any solver's answer — Clarabel's, the torch solver's, pyscnn's — is a point ``(S, S')`` of (P)
(:mod:`bnproofs.programs.cone`) and one or more dual points ``(v, ρ, ρ')`` of (D). Nothing the
solver reports is used. In the pattern of cvxpy's solver test helper, :func:`audit` recomputes
every figure from the answer and names each check:

* ``primal_feasible`` — the cone constraints ``G_i s_i ≥ 0``, ``G_i s_i' ≥ 0`` at the point:
  the largest violation ``max(0, −min_i min_j (G_i s_i)_j)`` is at most :data:`VIOLATION`;
* ``dual_feasible`` — each dual point is made feasible (projected onto ``dom L*(−·)``, ``ρ``
  clipped to ``≥ 0``, scaled by ``t = min(1, β / max_i c_i)``) and the scaled point's constraint
  norms ``‖±A_iᵀ t v + G_iᵀ t ρ_i‖`` are recomputed and at most ``β (1 + 1e-12)``
  (:func:`bnproofs.certify.certificates.dual_certificate`); the best value is the lower bound
  ``L = −L*(−t v)`` (for the squared loss ``−½‖t v − y‖² + ½‖y‖²``);
* ``gap_certified`` — the certified relative gap ``(U − L) / max(1, |U|)`` is at most ``tol``, where the
  upper end ``U`` is the objective of a network evaluated in its own model (the caller's: the
  rebuilt network of (6), (13) or (45)) or, without one, the objective of (P) recomputed at the
  point;
* ``bracket_ordered`` — the ends are not crossed: ``L ≤ U`` up to round-off
  (:data:`~bnproofs.tolerance.EXACT`). A crossed bracket means a wrong certificate or a wrong
  objective; it raises :class:`BracketCrossed` and is never passed on as a result.

The solvers' stopping rules compute bounds of their own (the torch solver stops on its own
certified gap); the audit is still done once, here, by the caller of the solver.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bnproofs.certify.certificates import DualCertificate, best_certificate, dual_certificate
from bnproofs.programs.cone import ConeProgram
from bnproofs.tolerance import EXACT, relative_gap

#: a point whose cone constraints are violated by more than this is not primal feasible
VIOLATION = 1e-8
#: the scaled dual point's constraint norms may exceed β by this relative round-off
DUAL_SLACK = 1e-12
#: the default bound on the certified relative gap
GAP = 1e-6

CHECKS = ("primal_feasible", "dual_feasible", "gap_certified", "bracket_ordered")


class BracketCrossed(RuntimeError):
    """A verified lower bound above an upper bound beyond round-off."""


@dataclass(frozen=True)
class Check:
    """One named check: ``held`` iff ``value ≤ limit``."""

    name: str
    held: bool
    value: float
    limit: float


@dataclass(frozen=True)
class Audit:
    """The audited bracket ``[lower, upper]`` of an answer, its certificate and named checks."""

    upper: float
    lower: float
    certificate: DualCertificate
    checks: tuple[Check, ...]

    @property
    def gap(self) -> float:
        """``(upper − lower) / max(1, |upper|)``."""
        return relative_gap(self.upper, self.lower)

    @property
    def passed(self) -> bool:
        """Every check held."""
        return all(c.held for c in self.checks)

    def __getitem__(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def as_dict(self) -> dict:
        """``{name: held}`` with the bracket and the gap."""
        return {"upper": self.upper, "lower": self.lower, "gap": self.gap,
                **{c.name: c.held for c in self.checks}}


def primal_feasibility(prog: ConeProgram, S, Sp, limit: float = VIOLATION) -> Check:
    """``primal_feasible``: the largest cone-constraint violation at ``(S, Sp)``."""
    viol = prog.violation(S, Sp)
    return Check("primal_feasible", viol <= limit, viol, limit)


def dual_feasibility(cert: DualCertificate, limit: float = 1 + DUAL_SLACK) -> Check:
    """``dual_feasible``: the scaled dual point's largest constraint norm over β."""
    return Check("dual_feasible", cert.scaled_constraint <= limit, cert.scaled_constraint, limit)


def certified_gap(upper: float, lower: float, tol: float = GAP) -> Check:
    """``gap_certified``: the relative width of ``[lower, upper]`` is at most ``tol``."""
    gap = relative_gap(upper, lower)
    return Check("gap_certified", gap <= tol, gap, tol)


def bracket_order(upper: float, lower: float) -> Check:
    """``bracket_ordered``: ``lower ≤ upper`` up to :data:`~bnproofs.tolerance.EXACT`; raises
    :class:`BracketCrossed` otherwise."""
    excess = lower - upper
    limit = EXACT.bound(upper)
    if not excess <= limit:  # (a NaN end counts as crossed)
        raise BracketCrossed(f"lower bound {lower!r} above upper bound {upper!r} "
                             f"by {excess:.3e} (round-off allows {limit:.3e})")
    return Check("bracket_ordered", True, excess, limit)


def audit(prog: ConeProgram, S, Sp, dual_points: Iterable[tuple], *, upper: float | None = None,
          tol: float = GAP) -> Audit:
    """Audit the answer ``(S, Sp)`` with the dual points ``(v, ρ, ρ')`` of ``dual_points`` (the
    best verified one is kept, the first on a tie) against ``upper`` (a network's objective in
    its model; by default the objective of (P) at the point)."""
    certs = [dual_certificate(prog, v, rho, rhop) for v, rho, rhop in dual_points]
    cert = best_certificate(*certs)
    if upper is None:
        upper = prog.objective(S, Sp)
    lower = cert.lower_bound
    checks = (primal_feasibility(prog, S, Sp), dual_feasibility(cert),
              certified_gap(upper, lower, tol), bracket_order(upper, lower))
    return Audit(float(upper), lower, cert, checks)
