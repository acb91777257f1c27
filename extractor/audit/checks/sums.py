"""sum: a whole and its parts.

Two ways the text says which figures are parts of which whole:
- a partial marker (其中): the level figures of the marker's scope (to the closing bracket, or to
  the next ；/。) are parts of the nearest figure of the same unit before the marker;
- named parts (rules/audit.yaml partitions: 国内/国际, 东部/东北/中部/西部 …): consecutive figures
  of one unit whose labels carry the part words, and the whole stated just before them.
Parts that cover an exhaustive partition must add up to the whole; other parts only check as
<= the whole (其中完成13所 of 18所 may leave some out).  Parts above the whole always fail.
"""

from __future__ import annotations

import regex

from ..config import Partition
from ..figures import DocView, Fig, similar
from ..interval import ZERO, Interval
from ..result import CONSISTENT, INCONSISTENT, UNVERIFIABLE, Check, compare, in_unit, q, tolerance

LEVELS = {"level", "target"}
OPEN, CLOSE = "（(", "）)"


#: A table row: words, then numbers separated by spaces, no clause punctuation.
_TABLE_ROW = regex.compile(r"[：:]?[^，,。；;\n]*?[ \t\u3000]\d[\d.,%]*(?:[ \t\u3000]+[-+]?\d[\d.,%]*)*[ \t\u3000]*$",
                           regex.MULTILINE)
_HEADING = regex.compile(r"\n\s*(?:\d+|[一二三四五六七八九十]+)\s*[．.、]")


def _scope_end(text: str, at: int, marker: str, cap: int) -> int:
    """Where a partial marker's scope ends: its closing bracket; for 其中： (a list) the 。 or the
    next numbered heading; else the next ；/。.  Never more than `cap` characters."""
    before, after = text[max(0, at - 2):at], text[at + len(marker):at + len(marker) + 1]
    line_end = text.find("\n", at)
    line_end = len(text) if line_end < 0 else line_end
    if _TABLE_ROW.match(text, at + len(marker), line_end):
        return line_end  # 其中：港澳台航线 91 — in a table, 其中 governs its own row only
    if any(c in before for c in OPEN):
        end_chars = CLOSE
    elif after in ("：", ":"):
        end_chars = "。"
    else:
        end_chars = "；;。"
    limit = min(len(text), at + cap)
    ends = [i for c in end_chars if 0 <= (i := text.find(c, at + len(marker), limit))]
    heading = _HEADING.search(text, at, limit)
    return min(ends + ([heading.start()] if heading else []) + [limit])


def additive(view: DocView, f: Fig) -> bool:
    """A figure that can be a part or a whole of a sum: a level of an additive unit, not an average,
    rate or price (rules/audit.yaml non_additive)."""
    if f.kind not in LEVELS or f.unit in ("%", "pp") or "/" in f.unit:
        return False
    pat = view.cfg.non_additive
    return pat is None or not pat.search(f.indicator + " " + f.label)


def _whole_before(view: DocView, at: int, unit: str, exclude: set[int]) -> Fig | None:
    """The nearest level figure of this unit ending before `at`, within the window."""
    limit = at - view.cfg.window["whole_before"]
    for f in reversed(view.figs):
        if f.end <= at and f.start >= limit and f.kind in LEVELS and f.unit == unit and f.start not in exclude:
            return f
    return None


def _near_marker(view: DocView, at: int, exclude: set[int]) -> list[Fig]:
    """Figures that may be the whole of a marker: those of its own chain before it; when the marker
    opens its chain (其中：…), those of the chain just before, within the window."""
    chain = view.chain_at(at)
    before = [f for f in view.figs if f.end <= at and f.start not in exclude]
    same = [f for f in before if f.chain == chain]
    if same:
        return same
    prev = [f for f in before if f.start >= at - view.cfg.window["whole_before"]]
    return [f for f in prev if f.chain == prev[-1].chain] if prev else []


def _is_change(view: DocView, f: Fig) -> bool:
    """A change (比上年新增3257人) or the base of a comparison (比一九五二年的827亿元): not an amount
    of the period, so never a part or a whole."""
    cfg = view.cfg
    return f.kind == "change" or bool(cfg.change_words and cfg.change_words.search(f.label)) \
        or bool(cfg.base_words and cfg.base_words.search(f.label))


def _whole_for(view: DocView, at: int, part: Fig, exclude: set[int], scoped: set[int]) -> Fig | None:
    """The whole a part belongs to, next to the marker: same unit, additive, not a change; a similar
    indicator of the same kind (plan with plan, result with result) first, then the nearest.
    None when the window before holds a similar figure (not itself a part) but the marker's
    neighbourhood does not: the text then does not say which whole is meant."""
    def fits(f: Fig) -> bool:
        return f.unit == part.unit and additive(view, f) and not _is_change(view, f)

    def sim(f: Fig) -> bool:
        return bool(f.indicator and part.indicator and similar(f.indicator, part.indicator))

    cands = [f for f in _near_marker(view, at, exclude) if fits(f)]
    if not cands:
        return None
    limit = at - view.cfg.window["whole_before"]
    wide = [f for f in view.figs if limit <= f.start and f.end <= at and f.start not in scoped | exclude and fits(f)]
    if not any(sim(f) for f in cands) and any(sim(f) for f in wide):
        return None
    return max(enumerate(cands), key=lambda ic: (sim(ic[1]) and ic[1].kind == part.kind, sim(ic[1]), ic[0]))[1]


def _scopes(view: DocView) -> list[tuple[int, int, str]]:
    out = []
    for marker in view.cfg.partial_markers:
        at = view.text.find(marker)
        while at >= 0:
            out.append((at, _scope_end(view.text, at, marker, view.cfg.window["part_gap"] * 2), marker))
            at = view.text.find(marker, at + 1)
    return sorted(out)


def marker_groups(view: DocView) -> list[tuple[Fig, list[Fig], str]]:
    """(whole, parts, how) for every partial marker whose scope holds parts of a stated whole."""
    scopes = _scopes(view)
    scoped = {f.start for at, end, _ in scopes for f in view.figs if at < f.start < end}
    out = []
    for at, end, marker in scopes:
        inside = [f for f in view.figs if at < f.start < end and additive(view, f) and not _is_change(view, f)]
        exclude = {f.start for f in inside}
        groups: dict[int, tuple[Fig, list[Fig]]] = {}
        for part in inside:
            whole = _whole_for(view, at, part, exclude, scoped)
            if whole is not None:
                groups.setdefault(whole.start, (whole, []))[1].append(part)
        out += [(whole, parts, marker) for whole, parts in groups.values()]
    return out


def _part_word(f: Fig, p: Partition) -> str:
    return next((w for w in p.parts if w in f.label), "")


def _runs(view: DocView, p: Partition) -> list[list[Fig]]:
    """Runs of consecutive same-unit level figures that each carry a different part word of p."""
    runs: list[list[Fig]] = []
    cur: list[Fig] = []
    for f in view.figs:
        if not additive(view, f) or f.unit == "" or not _part_word(f, p) or _is_change(view, f):
            continue
        fits = cur and f.unit == cur[-1].unit and f.start - cur[-1].end <= view.cfg.window["part_gap"] \
            and _part_word(f, p) not in {_part_word(g, p) for g in cur} and similar(f.indicator, cur[-1].indicator)
        if not fits:
            if len(cur) >= 2:
                runs.append(cur)
            cur = []
        cur.append(f)
    if len(cur) >= 2:
        runs.append(cur)
    return runs


def _named_whole(view: DocView, parts: list[Fig], p: Partition) -> Fig | None:
    """The whole of named parts: before the first part, same unit, similar indicator, not itself a part,
    preferring one labelled with a whole word (全行业, 全国)."""
    limit = parts[0].start - view.cfg.window["whole_before"]
    cands = [f for f in view.figs if limit <= f.start and f.end <= parts[0].start and additive(view, f)
             and f.unit == parts[0].unit and not _part_word(f, p) and similar(f.indicator, parts[0].indicator)
             and not _is_change(view, f)]
    marked = [f for f in cands if any(w in f.label for w in p.whole)]
    pool = marked or [f for f in cands if f.indicator and f.indicator == parts[0].indicator]
    return pool[-1] if pool else None


def partition_groups(view: DocView) -> list[tuple[Fig, list[Fig], str]]:
    out = []
    for p in view.cfg.partitions:
        for run in _runs(view, p):
            whole = _named_whole(view, run, p)
            if whole is not None:
                out.append((whole, run, p.id))
    return out


def exhaustive(view: DocView, parts: list[Fig]) -> str:
    """The id of an exhaustive partition whose every part word labels one of these parts, else ''."""
    for p in view.cfg.partitions:
        if p.exhaustive and {w for w in p.parts if any(w in f.label for f in parts)} == set(p.parts):
            return p.id
    return ""


def check_sum(whole: Fig, parts: list[Fig], full: str, how: str) -> Check:
    total = parts[0].iv
    for f in parts[1:]:
        total = total + f.iv
    names = " + ".join(q(f) for f in parts)
    figs = [*parts, whole]
    if full:
        expr = f"{names} = {in_unit(total.point, whole)} vs stated {q(whole)}"
        return compare("sum", figs, total, whole.iv, expr, f"parts of {full} add up to the whole")
    return check_partial(figs, total, whole, names, how)


def _partial_status(total: Interval, whole: Interval, exact: bool) -> tuple[str, str]:
    """Parts that need not cover the whole must not exceed it.  Proven (every value the intervals
    allow) -> consistent, even with qualified figures; refuted -> inconsistent, unless a qualified
    figure (余, 超过) may not be a part at all; otherwise unverifiable."""
    if total.lo > whole.hi:
        if exact:
            return INCONSISTENT, f"the parts ({total}) exceed the whole ({whole})"
        return UNVERIFIABLE, f"the parts ({total}) exceed the whole ({whole}), but qualified figures may not be parts"
    if total.hi <= whole.lo:
        return CONSISTENT, "the parts stay within the whole"
    if exact:
        return CONSISTENT, "the parts add up to the whole"
    return UNVERIFIABLE, "qualified figures: the parts may or may not exceed the whole"


def check_partial(figs: list[Fig], total: Interval, whole: Fig, names: str, how: str) -> Check:
    """Parts that need not cover the whole (其中): sum <= whole."""
    status, why = _partial_status(total, whole.iv, all(f.exact for f in figs))
    if status == INCONSISTENT:
        rel = ">"
    else:
        rel = "=" if total.overlaps(whole.iv) and status == CONSISTENT and len(figs) > 2 else "≤"
    head = f"{names} = {in_unit(total.point, whole)}" if len(figs) > 2 else names
    return Check("sum", status, figs, f"{head} {rel} {q(whole)}", total.point, whole.value,
                 tolerance(total, whole.iv), f"{how} (partial parts): {why}")


def run(view: DocView) -> list[Check]:
    seen: set[tuple[int, tuple[int, ...]]] = set()
    out = []
    for whole, parts, how in marker_groups(view) + partition_groups(view):
        key = (whole.start, tuple(f.start for f in parts))
        if key in seen or whole.iv.point <= ZERO:
            continue
        seen.add(key)
        out.append(check_sum(whole, parts, exhaustive(view, parts), how))
    return out

