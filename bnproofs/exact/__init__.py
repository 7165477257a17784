"""Exact evidence: symbolic identities (sympy) and rational certificates (``fractions``).

Two kinds of :class:`ExactItem`, independent of floating point:

* ``symbolic`` — an algebraic step of a proof, checked for general symbols: the difference of
  the two sides is simplified by sympy and must be exactly 0 (``proved``); a difference that sympy
  shows to be nonzero under the stated assumptions is ``refuted`` and kept (a printed formula
  that fails); anything sympy cannot decide is ``undecided``;
* ``rational`` — a certificate on a small instance with rational data: a primal point and a
  dual point checked in exact rational arithmetic, giving an exact bracket ``[lower, upper]``
  for the optimal value; ``proved`` when every exact check passes.

``role`` says what an item stands for: ``step`` (a step of a proof that must hold),
``printed`` (a formula as the paper prints it: refuting it is a finding, not an error),
``corrected`` (the form the suite verifies where the printed one fails) and ``certificate``.

Library only: nothing here knows about claims (``verify.exact_checks`` maps claims to items).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

PROVED, REFUTED, UNDECIDED = "proved", "refuted", "undecided"
ROLES = ("step", "printed", "corrected", "certificate")


@dataclass
class ExactItem:
    name: str
    kind: str  # "symbolic" | "rational"
    role: str
    outcome: str  # proved | refuted | undecided
    statement: str  # one line, Unicode
    expression: str = ""  # the identity or quantity, pretty-printed (Unicode, multi-line)
    difference: str = ""  # the simplified difference of the two sides (or what failed)
    latex: str = ""  # the same identity in LaTeX (for readers who want it)
    assumptions: str = ""
    time_s: float = 0.0
    width: str | None = None  # rational certificates: exact bracket width as a fraction
    width_float: float | None = None
    bracket: list | None = None  # [lower, upper] as floats (the exact values in `values`)
    values: dict = field(default_factory=dict)  # exact numbers as strings, counts, …
    notes: list = field(default_factory=list)

    def __post_init__(self):
        if self.kind not in ("symbolic", "rational"):
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.outcome not in (PROVED, REFUTED, UNDECIDED):
            raise ValueError(f"unknown outcome {self.outcome!r}")

    @property
    def proved(self) -> bool:
        return self.outcome == PROVED

    @property
    def as_expected(self) -> bool:
        """Steps, corrected forms and certificates must be proved; a printed formula only has to
        be decided (proved or refuted)."""
        return self.proved if self.role != "printed" else self.outcome != UNDECIDED

    def to_json(self) -> dict:
        d = asdict(self)
        d["proved"] = self.proved
        return d


def summary(items) -> dict:
    """Counts over a list of items (objects or their JSON dicts)."""
    rows = [i.to_json() if isinstance(i, ExactItem) else i for i in items]
    count = {o: sum(r["outcome"] == o for r in rows) for o in (PROVED, REFUTED, UNDECIDED)}
    unexpected = sum(
        (r["outcome"] != PROVED) if r["role"] != "printed" else (r["outcome"] == UNDECIDED)
        for r in rows
    )
    widths = [r["width_float"] for r in rows if r.get("width_float") is not None]
    return {
        "items": len(rows),
        **count,
        "unexpected": unexpected,
        "max_width": max(widths) if widths else None,
        "time_s": sum(r["time_s"] for r in rows),
    }
