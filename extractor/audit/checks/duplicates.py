"""duplicate: the same fact stated twice in one document with different values.

"The same fact" must be certain, not guessed from a loose indicator name: the same indicator,
subject, period, unit and kind (a subject must be known: without it 国内航线 and 国际航线 look
alike), *and* the same words before the figure in its chain (numbers aside), in different chains.  Equal restatements are reported as consistent, differing ones as inconsistent.
"""

from __future__ import annotations

import regex

from ..figures import CHAIN_SEPS, DocView, Fig, clean
from ..result import CONSISTENT, INCONSISTENT, UNVERIFIABLE, Check, q

KINDS = {"level", "rate", "share"}


_NUMBERS = regex.compile(r"[\d０-９.．,，%％]+")


def context(view: DocView, f: Fig, width: int = 40) -> str:
    """The words of the chain before a figure (at most `width` characters), numbers removed: two
    statements of one fact read the same up to the number (累计完成投入 after 已完工9所 is
    another project than after 启动7所)."""
    lo = max(0, f.start - width)
    seg = view.text[lo:f.start]
    cut = max(seg.rfind(c) for c in CHAIN_SEPS)
    return _NUMBERS.sub("#", clean(seg[cut + 1:]))


def _key(view: DocView, f: Fig) -> tuple:
    return (f.indicator, f.subject, f.period, f.unit, f.kind, f.direction, context(view, f))


def run(view: DocView) -> list[Check]:
    groups: dict[tuple, list[Fig]] = {}
    for f in view.figs:
        if f.kind in KINDS and f.indicator and f.subject and len(f.label) >= view.cfg.window["duplicate_label"]:
            groups.setdefault(_key(view, f), []).append(f)
    out = []
    for figs in groups.values():
        if len(figs) < 2 or len({f.chain for f in figs}) < 2:
            continue
        first, rest = figs[0], figs[1:]
        differ = [f for f in rest if not f.iv.overlaps(first.iv)]
        expr = " vs ".join(q(f) for f in figs)
        if differ:
            status = INCONSISTENT if all(f.exact for f in figs) else UNVERIFIABLE
            msg = f"'{first.label}' stated {len(figs)} times with different values"
        else:
            status, msg = CONSISTENT, f"'{first.label}' restated {len(figs)} times with the same value"
        out.append(Check("duplicate", status, figs, expr, first.value, rest[0].value, None, msg))
    return out
