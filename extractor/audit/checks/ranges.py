"""range: shares and most rates lie in 0..100 %, nothing falls by more than 100 %, growth beyond
plausible bounds is suspect.  Bounds and exceptions (毛入学率 may exceed 100 %) are rules/audit.yaml.

Only figures outside a bound produce a row: inconsistent, or consistent with the exception that
allows it, so the table is not flooded with one row per percentage.
"""

from __future__ import annotations

from ..config import RangeRule
from ..figures import DocView, Fig
from ..result import CONSISTENT, INCONSISTENT, UNVERIFIABLE, Check, q, short


def _applies(rule: RangeRule, f: Fig) -> bool:
    if f.kind not in rule.kinds or (rule.unit and f.unit != rule.unit):
        return False
    return not rule.direction or (f.direction or "up") == rule.direction


def _outside(rule: RangeRule, f: Fig) -> str:
    """'above' / 'below' when even the figure's interval leaves the bound, else ''."""
    if rule.hi is not None and f.iv.lo > rule.hi:
        return "above"
    if rule.lo is not None and f.iv.hi < rule.lo:
        return "below"
    return ""


def check_figure(rule: RangeRule, f: Fig) -> Check | None:
    side = _outside(rule, f)
    if not side:
        return None
    bound = rule.hi if side == "above" else rule.lo
    expr = f"{q(f)} {'>' if side == 'above' else '<'} {short(bound)}{rule.unit}"
    words = f.indicator + " " + f.label
    if rule.exempt is not None and (m := rule.exempt.search(words)):
        return Check("range", CONSISTENT, [f], expr, f.value, bound, None,
                     f"{rule.id}: exempt ({m.group(0)}): {rule.note}")
    status = INCONSISTENT if f.exact or side == "below" else UNVERIFIABLE
    return Check("range", status, [f], expr, f.value, bound, None, f"{rule.id}: {side} the bound: {rule.note}")


def run(view: DocView) -> list[Check]:
    out = []
    for f in view.figs:
        for rule in view.cfg.ranges:
            if _applies(rule, f) and (c := check_figure(rule, f)) is not None:
                out.append(c)
    return out
