"""Interval arithmetic on Decimals: the tolerance of the audit, as statcheck does it.

Why intervals: a figure printed as 25.78 stands for any value in [25.775, 25.785].  Propagating
each input's half-unit of its last printed digit through the expression gives the set of results
the inputs allow; a check fails only when the stated value lies outside that set, so rounding is
never a false alarm.  Bounds may be infinite: a figure qualified by 余/以上 has no top.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
INF = Decimal("Infinity")


@dataclass(frozen=True)
class Interval:
    """[lo, hi] around the printed point value (lo/hi may be -inf/+inf)."""

    lo: Decimal
    hi: Decimal
    point: Decimal

    @classmethod
    def exact(cls, v: Decimal) -> Interval:
        return cls(v, v, v)

    @property
    def bounded(self) -> bool:
        return self.lo.is_finite() and self.hi.is_finite()

    @property
    def half_width(self) -> Decimal:
        return (self.hi - self.lo) / 2 if self.bounded else INF

    def __add__(self, o: Interval) -> Interval:
        return Interval(self.lo + o.lo, self.hi + o.hi, self.point + o.point)

    def __sub__(self, o: Interval) -> Interval:
        return Interval(self.lo - o.hi, self.hi - o.lo, self.point - o.point)

    def __mul__(self, o: Interval) -> Interval:
        vals = [_mul(a, b) for a in (self.lo, self.hi) for b in (o.lo, o.hi)]
        return Interval(min(vals), max(vals), self.point * o.point)

    def __truediv__(self, o: Interval) -> Interval | None:
        """None unless the divisor is surely positive (every divisor here is a level)."""
        if not o.lo > 0:
            return None
        recip = Interval(ZERO if o.hi.is_infinite() else 1 / o.hi, 1 / o.lo, 1 / o.point)
        return self * recip

    def scale(self, k: Decimal) -> Interval:
        """Multiply by an exact constant."""
        return self * Interval.exact(k)

    def overlaps(self, o: Interval) -> bool:
        return not (self.hi < o.lo or self.lo > o.hi)

    def __str__(self) -> str:
        return f"[{fmt(self.lo)}, {fmt(self.hi)}]"


def _mul(a: Decimal, b: Decimal) -> Decimal:
    """Product of bounds where 0 × inf is 0 (a zero bound is a real zero, the inf only 'no bound')."""
    if a == 0 or b == 0:
        return ZERO
    return a * b


def fmt(d: Decimal, places: int = 6) -> str:
    """A Decimal for people: at most `places` decimals, no exponent, no trailing zeros."""
    if d.is_infinite():
        return "inf" if d > 0 else "-inf"
    q = d.quantize(Decimal(1).scaleb(-places)) if abs(d) < 10**15 else d
    s = format(q, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s
