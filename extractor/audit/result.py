"""One audit finding (a row of audit.csv) and the comparison that decides its status.

Statuses: consistent (the stated value lies inside the interval its inputs allow), inconsistent
(outside it, even after widening qualified inputs), unverifiable (a qualified or unbounded input,
or a divisor that may be zero, leaves the question open).  Never a false alarm from rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .figures import Fig, clean
from .interval import Interval, fmt

CONSISTENT, INCONSISTENT, UNVERIFIABLE = "consistent", "inconsistent", "unverifiable"


@dataclass
class Check:
    check: str
    status: str
    figures: list[Fig]
    expression: str
    computed: Decimal | None = None
    stated: Decimal | None = None
    tolerance: Decimal | None = None
    message: str = ""
    doc_id: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def spans(self) -> str:
        return " ".join(f.span for f in self.figures)

    def row(self) -> dict:
        return {"doc_id": self.doc_id, "check": self.check, "status": self.status, "figures": self.spans,
                "expression": self.expression, "computed": _float(self.computed), "stated": _float(self.stated),
                "tolerance": _float(self.tolerance), "message": self.message}


def _float(d: Decimal | None) -> float | None:
    return None if d is None or not d.is_finite() else float(d)


def q(f: Fig) -> str:
    """A figure as printed, for expressions people read (line wraps removed)."""
    return clean(f.quote)


def decide(computed: Interval | None, stated: Interval, inputs: list[Fig]) -> tuple[str, str]:
    """Status and a sentence on why, for 'computed ≈ stated'."""
    if computed is None:
        return UNVERIFIABLE, "a divisor may be zero or negative at the printed precision"
    qualified = [q(f) for f in inputs if not f.exact]
    if not computed.overlaps(stated):
        why = f"the inputs allow {computed}, the stated value stands for {stated}"
        return INCONSISTENT, why + (f" (qualified {', '.join(qualified)} already widened)" if qualified else "")
    if qualified:
        return UNVERIFIABLE, f"holds only within the widening of qualified {', '.join(qualified)}"
    if not computed.bounded or not stated.bounded:
        return UNVERIFIABLE, "an input has no bound"
    return CONSISTENT, f"the inputs allow {computed}, the stated value stands for {stated}"


def tolerance(computed: Interval | None, stated: Interval) -> Decimal | None:
    if computed is None or not computed.bounded or not stated.bounded:
        return None
    return computed.half_width + stated.half_width


def compare(name: str, inputs: list[Fig], computed: Interval | None, stated: Interval, expression: str,
            note: str = "") -> Check:
    """A check 'computed ≈ stated': the status from the intervals, the numbers for the table."""
    status, why = decide(computed, stated, inputs)
    return Check(name, status, inputs, expression, computed.point if computed else None, stated.point,
                 tolerance(computed, stated), (note + ": " if note else "") + why)


def short(d: Decimal, places: int = 4) -> str:
    return fmt(d, places)


def in_unit(d: Decimal, like: Fig) -> str:
    """A normalised value written in the unit of a printed figure: 621000000 人次 -> '6.21亿人次'."""
    mult = Decimal(repr(float(like.row.get("multiplier") or 1.0))) if like.row else Decimal(1)
    return fmt(d / (mult or Decimal(1)), 4) + str(like.row.get("unit") or "" if like.row else "")
