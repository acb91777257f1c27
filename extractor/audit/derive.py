"""Derived figures: values a report implies but does not print (last year's level from this year's
level and its growth; a plan from what was done and the completion rate).

Written to derived.csv/.parquet with the indicator table's columns plus `expression`, so the
historical panel can use them.  start/end/quote are those of the printed figure the value is
derived from, so `text[start:end] == quote` still holds; the value itself is in value/value_norm.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pyarrow as pa

from ..table import INDICATOR_SCHEMA
from .figures import DocView, Fig
from .interval import Interval, fmt

DERIVED_SCHEMA = pa.schema(list(INDICATOR_SCHEMA) + [pa.field("expression", pa.string())])


def _previous_period(period: str) -> str:
    """'2015' -> '2014', '2012年初' -> '2011年初'; other periods stay unnamed."""
    m = re.search(r"(1[89]\d\d|20\d\d)", period or "")
    if not m:
        return ""
    return period[:m.start()] + str(int(m.group(1)) - 1) + period[m.end():]


def derived_row(view: DocView, base: Fig, value: Interval, expression: str, kind: str, rule: str,
                exact: bool = False) -> dict:
    """A row of derived.csv for a value implied by `base` (and others named in the expression).
    `exact`: computed from printed amounts only (level − change), so qualifier "exact"; a value
    implied by a rounded rate (level / (1 + g)) is "approx"."""
    row = dict(base.row)
    mult = Decimal(repr(float(row.get("multiplier") or 1.0))) or Decimal(1)
    point = value.point
    row.update({
        "number_text": "",
        "value": float(point / mult),
        "value_high": None,
        "value_norm": float(point),
        "qualifier": "exact" if exact else "approx",
        "kind": kind,
        "direction": "",
        "basis": "",
        "period": _previous_period(base.period) if kind == "derived_previous" else base.period,
        "rule": rule,
        "flags": "derived",
        "expression": f"{expression} = {fmt(point / mult, 4)}{row.get('unit') or ''}"
                      f" (in {fmt(value.lo / mult, 4)} .. {fmt(value.hi / mult, 4)})",
    })
    return row
