"""growth: a level L, its absolute change C and its growth g in one clause chain must agree:
g ≈ C / (L − C) × 100 for an increase, C / (L + C) × 100 for a decrease.

A level with only a change or only a growth rate against the previous period implies the previous
level; those are written as derived figures (kind derived_previous) for the historical panel.
"""

from __future__ import annotations

from decimal import Decimal

from ..config import AuditConfig
from ..derive import derived_row
from ..figures import DocView, Fig
from ..interval import Interval
from ..result import Check, compare, q, short

HUNDRED = Interval.exact(Decimal(100))
ONE = Interval.exact(Decimal(1))
LEVELS = {"level", "target"}
NO_LEVEL_UNITS = {"%", "pp", ""}


def _about_level(f: Fig, cfg: AuditConfig | None) -> bool:
    """A change or growth belongs to the level before it only when nothing but comparison words
    (比上年, 增长, 同比 …) stand before it in its clause: '制造业投资增长13.3%' is another indicator,
    '平均每年增加42亿元' an average over years."""
    if cfg is None:
        return True
    if cfg.average_words is not None and cfg.average_words.search(f.label):
        return False
    rest = cfg.comparison_words.sub("", f.label) if cfg.comparison_words is not None else f.label
    return len(rest) <= 1


def _partners(chain: list[Fig], i: int, cfg: AuditConfig | None = None) -> tuple[Fig | None, Fig | None]:
    """The change and growth that follow level chain[i], before the next level of the chain."""
    level, change, growth = chain[i], None, None
    for f in chain[i + 1:]:
        if f.kind in LEVELS or not _about_level(f, cfg):
            break
        if f.kind == "change" and change is None and growth is None and f.unit == level.unit:
            change = f
        elif f.kind == "growth" and growth is None and f.unit == "%":
            growth = f
    return change, growth


def _down(*figs: Fig | None) -> bool:
    return any(f is not None and f.direction == "down" for f in figs)


def _previous(view: DocView, f: Fig) -> bool:
    return bool(view.cfg.previous_basis.search(f.basis))


def check_growth(level: Fig, change: Fig, growth: Fig) -> Check:
    """C / (L ∓ C) × 100 against the stated growth."""
    down = _down(change, growth)
    base = level.iv + change.iv if down else level.iv - change.iv
    ratio = change.iv / base
    computed = ratio * HUNDRED if ratio is not None else None
    sign = "+" if down else "−"
    expr = f"{q(change)} / ({q(level)} {sign} {q(change)}) × 100"
    if computed is not None:
        expr += f" = {short(computed.point, 4)}% vs stated {q(growth)}"
    note = "decrease" if down else "increase"
    if change.direction and growth.direction and change.direction != growth.direction:
        return Check("growth", "unverifiable", [level, change, growth], expr,
                     message="the change and the growth rate point in different directions")
    return compare("growth", [level, change, growth], computed, growth.iv, expr, note)


def derive_from_change(view: DocView, level: Fig, change: Fig) -> None:
    down = _down(change)
    prev = level.iv + change.iv if down else level.iv - change.iv
    expr = f"{q(level)} {'+' if down else '−'} {q(change)}"
    view.derived.append(derived_row(view, level, prev, expr, "derived_previous", "audit.growth.change", exact=True))


def derive_from_growth(view: DocView, level: Fig, growth: Fig) -> None:
    if level.unit in NO_LEVEL_UNITS:
        return  # 增长0.38% of a rate: percentage points or per cent? ambiguous, derive nothing
    down = _down(growth)
    rate = growth.iv / HUNDRED
    factor = ONE - rate if down else ONE + rate
    prev = level.iv / factor
    if prev is None:
        return
    expr = f"{q(level)} / (1 {'−' if down else '+'} {q(growth)})"
    view.derived.append(derived_row(view, level, prev, expr, "derived_previous", "audit.growth.rate"))


def run(view: DocView) -> list[Check]:
    out: list[Check] = []
    for chain in view.chains():
        for i, level in enumerate(chain):
            if level.kind not in LEVELS or level.unit in ("%", "pp"):
                continue
            change, growth = _partners(chain, i, view.cfg)
            if change is not None and growth is not None:
                out.append(check_growth(level, change, growth))
            if change is not None and _previous(view, change) and change.exact and level.exact:
                derive_from_change(view, level, change)
            elif growth is not None and _previous(view, growth) and level.exact and growth.exact:
                derive_from_growth(view, level, growth)
        out += [check_base(*t) for t in _with_base(view, chain)]
    return out


def _is_base(view: DocView, f: Fig) -> bool:
    return bool(view.cfg.base_words and view.cfg.base_words.search(f.label))


def _with_base(view: DocView, chain: list[Fig]) -> list[tuple[Fig, Fig, Fig]]:
    """(level, base, growth) where the base is printed: 达到1387.4亿元，比1952年的827.1亿元增长68%;
    由1655亿美元增加到3251亿美元，增长96.4%.  The level and the base are the two figures of one unit
    just before the growth (since the previous growth), one of them labelled as a base."""
    out = []
    start = 0
    for j, g in enumerate(chain):
        if g.kind != "growth" or g.unit != "%":
            continue
        before = [f for f in chain[start:j] if f.kind in LEVELS and f.unit not in NO_LEVEL_UNITS]
        start = j + 1
        if len(before) < 2 or before[-1].unit != before[-2].unit or not _about_level(g, view.cfg):
            continue
        a, b = before[-2], before[-1]
        if _is_base(view, b) and not _is_base(view, a):
            out.append((a, b, g))
        elif _is_base(view, a) and not _is_base(view, b):
            out.append((b, a, g))
    return out


def check_base(level: Fig, base: Fig, growth: Fig) -> Check:
    """(L / B − 1) × 100 against the stated growth (1 − L / B for a decrease)."""
    ratio = level.iv / base.iv
    down = _down(growth)
    computed = None if ratio is None else ((ONE - ratio) if down else (ratio - ONE)) * HUNDRED
    expr = f"({'1 − ' if down else ''}{q(level)} / {q(base)}{'' if down else ' − 1'}) × 100"
    if computed is not None:
        expr += f" = {short(computed.point, 4)}% vs stated {q(growth)}"
    return compare("growth", [level, base, growth], computed, growth.iv, expr,
                   "decrease from the printed base" if down else "increase from the printed base")


def growth_of(view: DocView, fig: Fig) -> Fig | None:
    """The growth rate against the previous period stated right after a level, if any."""
    for chain in view.chains():
        if chain[0].chain != fig.chain:
            continue
        i = next(k for k, f in enumerate(chain) if f is fig)
        growth = _partners(chain, i, view.cfg)[1]
        return growth if growth is not None and _previous(view, growth) else None
    return None


def previous_level(level: Fig, growth: Fig) -> Interval | None:
    """L / (1 ± g/100): the previous period's level a level and its growth imply."""
    rate = growth.iv / HUNDRED
    return level.iv / (ONE - rate if _down(growth) else ONE + rate)
