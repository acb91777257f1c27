"""from_to: "从202元提高到209元" says the new value is above the old one, "由X降至Y" below it;
"分别从202元、270元提高到209元、280元" pairs the two lists in order.  A raise to a smaller value is
a misprint the other checks cannot see.  Pairs of different units, or lists of different lengths,
are not checked.
"""

from __future__ import annotations

import regex

from ..figures import CHAIN_SEPS, DocView, Fig
from ..result import CONSISTENT, INCONSISTENT, UNVERIFIABLE, Check, q

_FROM = regex.compile(r"[从由]")
_UP = "提高|增加|增长|上升|扩大|提升|增"
_DOWN = "降低|减少|下降|压减|缩小|压缩|降|减"
_TO = regex.compile(rf"(?P<verb>{_UP}|{_DOWN})(?:到|至)")
_DOWN_RE = regex.compile(rf"^(?:{_DOWN})$")
_LIST_GLUE = regex.compile(r"^[、和及与\s]*$")


def _run_after(view: DocView, figs: list[Fig], at: int, stop: int) -> list[Fig]:
    """The figures from `at` on, joined only by 、/和 (a list), before `stop`."""
    out: list[Fig] = []
    for f in figs:
        if f.start < at or f.start >= stop:
            continue
        gap = view.text[(out[-1].end if out else at):f.start]
        if regex.search(r"\d", gap):
            return []  # digits the table does not hold (1 6 5 5 亿美元): a figure read in part
        if out and not _LIST_GLUE.match(gap):
            break
        if not out and any(c in gap for c in "，,；;。"):
            break
        out.append(f)
    return out


def _segments(view: DocView):
    """(from-figures, verb, to-figures) for each 从/由 … 提高到/降至 … in one clause chain."""
    text = view.text
    for m in _FROM.finditer(text):
        end = min([i for c in CHAIN_SEPS if (i := text.find(c, m.end(), m.end() + 120)) >= 0] or [m.end() + 120])
        to = _TO.search(text, m.end(), end)
        if to is None:
            continue
        olds = _run_after(view, view.figs, m.end(), to.start())
        news = _run_after(view, view.figs, to.end(), end)
        if olds and len(olds) == len(news) and olds[-1].end <= to.start():
            yield olds, to.group(0), news[:len(olds)]


def check_pair(old: Fig, new: Fig, down: bool, word: str) -> Check:
    expr = f"{q(new)} {'<' if down else '>'} {q(old)} ({word})"
    wrong = new.iv.lo > old.iv.hi if down else new.iv.hi < old.iv.lo
    right = new.iv.hi < old.iv.lo if down else new.iv.lo > old.iv.hi
    # "right" holds for every value the (widened) intervals allow, qualified or not: a proof, not a guess
    status = INCONSISTENT if wrong else (CONSISTENT if right else UNVERIFIABLE)
    msg = {INCONSISTENT: "the new value goes the other way", CONSISTENT: "the new value goes the stated way",
           UNVERIFIABLE: "the two may be equal at the printed precision or within their qualifiers"}[status]
    return Check("from_to", status, [old, new], expr, new.value, old.value, None, msg)


def run(view: DocView) -> list[Check]:
    out, seen = [], set()
    for olds, verb, news in _segments(view):
        for old, new in zip(olds, news, strict=True):
            if old.unit != new.unit or (old.start, new.start) in seen:
                continue
            seen.add((old.start, new.start))
            out.append(check_pair(old, new, bool(_DOWN_RE.match(verb[:-1])), verb))
    return out
