"""sum_growth: when the parts add up to the whole and each states its growth against the previous
period, the previous levels they imply must add up too, so the whole's growth rate follows from the
parts': g(whole) ≈ W / Σ (Pᵢ / (1 + gᵢ)) − 1.  ("全行业851.65亿吨公里，增长13.8%；国内559.04，增长
10.0%；国际292.61，增长21.9%" implies 13.82 %.)  A growth rate inconsistent with its parts' is
a misprint the sum alone cannot see.
"""

from __future__ import annotations

from ..figures import DocView
from ..interval import Interval
from ..result import Check, compare, q, short
from .growth import HUNDRED, ONE, growth_of, previous_level
from .sums import exhaustive, marker_groups, partition_groups


def run(view: DocView) -> list[Check]:
    out, seen = [], set()
    for whole, parts, _how in marker_groups(view) + partition_groups(view):
        key = (whole.start, tuple(f.start for f in parts))
        if key in seen or len(parts) < 2:
            continue
        seen.add(key)
        total = parts[0].iv
        for f in parts[1:]:
            total = total + f.iv
        if not (exhaustive(view, parts) or total.overlaps(whole.iv)):
            continue  # the parts do not cover the whole: their growth says nothing about its growth
        rates = [growth_of(view, f) for f in [whole, *parts]]
        if any(r is None for r in rates):
            continue
        prev = [previous_level(f, g) for f, g in zip(parts, rates[1:], strict=True)]
        if any(p is None for p in prev):
            continue
        base: Interval = prev[0]
        for p in prev[1:]:
            base = base + p
        ratio = whole.iv / base
        computed = (ratio - ONE) * HUNDRED if ratio is not None else None
        implied = " + ".join(f"{q(f)}/(1+{q(g)})" for f, g in zip(parts, rates[1:], strict=True))
        expr = f"{q(whole)} / ({implied}) − 1"
        if computed is not None:
            expr += f" = {short(computed.point, 3)}% vs stated {q(rates[0])}"
        figs = [*parts, whole, *rates[1:], rates[0]]
        stated = rates[0].iv
        if rates[0].direction == "down":  # 下降1.0% is −1.0 %
            stated = Interval(-stated.hi, -stated.lo, -stated.point)
            expr = expr.replace(f"vs stated {q(rates[0])}", f"vs stated −{q(rates[0])}")
        out.append(compare("sum_growth", figs, computed, stated, expr,
                           "the previous levels the parts' growth rates imply add up to the whole's"))
    return out
