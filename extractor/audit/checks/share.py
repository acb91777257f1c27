"""share: part / whole × 100 ≈ the stated share, when the part and the whole are both printed
("全市共有学校420所，其中农村学校315所，占75%").

The part is the level just before the share in its chain; the whole is the nearest figure of the
same unit before a partial marker (其中) that precedes the part.  Without that marker the text does
not say what the share is of, and no check is made.
"""

from __future__ import annotations

from decimal import Decimal

from ..figures import DocView, Fig
from ..interval import Interval
from ..result import Check, compare, q, short
from .sums import LEVELS, _whole_before

HUNDRED = Interval.exact(Decimal(100))


def _part_before(chain: list[Fig], share: Fig) -> Fig | None:
    before = [f for f in chain if f.end <= share.start]
    for f in reversed(before):
        if f.kind in LEVELS and f.unit not in ("%", "pp"):
            return f
        if f.kind in ("share", "rate"):
            return None
    return None


def _marker_at(view: DocView, part: Fig) -> int:
    """Offset of the partial marker governing `part` (in its chain, before it), or -1."""
    lo = max(0, part.start - view.cfg.window["whole_before"])
    seg = view.text[lo:part.start]
    hits = [seg.rfind(m) for m in view.cfg.partial_markers]
    best = max(hits) if hits else -1
    if best < 0 or any(c in seg[best:] for c in "。；;"):
        return -1
    return lo + best


def _own_share(view: DocView, f: Fig) -> Fig | None:
    """The share printed right after a figure (a table row: 客运飞机 3479 331 95.6%), if any."""
    i = view.figs.index(f)
    for g in view.figs[i + 1:i + 3]:
        if g.kind == "share" and g.unit == "%" and g.chain == f.chain:
            return g
        if g.kind in LEVELS:
            return None
    return None


def _reference_whole(view: DocView, whole: Fig, share: Fig) -> Fig | None:
    """A whole that states its own share below 100 % is not what the shares are of: look back for
    the row whose share is 100 % (合计 3639 … 100.0%); none -> no check."""
    own = _own_share(view, whole)
    if own is None or own.iv.lo <= 100 <= own.iv.hi:
        return whole
    limit = whole.start - view.cfg.window["whole_before"]
    for f in reversed([f for f in view.figs if limit <= f.start < whole.start]):
        o = _own_share(view, f) if f.kind in LEVELS and f.unit == whole.unit else None
        if o is not None and o.iv.lo <= 100 <= o.iv.hi:
            return f
    return None


def run(view: DocView) -> list[Check]:
    out = []
    for chain in view.chains():
        for s in chain:
            if s.kind != "share" or s.unit != "%":
                continue
            part = _part_before(chain, s)
            at = _marker_at(view, part) if part else -1
            whole = _whole_before(view, at, part.unit, {part.start}) if part and at >= 0 else None
            whole = _reference_whole(view, whole, s) if whole is not None else None
            if whole is None:
                continue
            ratio = part.iv / whole.iv
            computed = ratio * HUNDRED if ratio is not None else None
            expr = f"{q(part)} / {q(whole)} × 100"
            if computed is not None:
                expr += f" = {short(computed.point, 3)}% vs stated {q(s)}"
            out.append(compare("share", [part, whole, s], computed, s.iv, expr))
    return out
