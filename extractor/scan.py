"""Scan normalised text for number candidates: qualifier + number + unit + qualifier.

Why a regex scan first: it runs at tens of MB/s, so only the clauses that carry a figure are
segmented later.  The pattern is built from named fragments (QUAL_BEFORE, NUMBER, QUAL_INSIDE,
UNIT, QUAL_AFTER) whose vocabularies come from `rules/`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, getcontext
from typing import Any

import regex

from .numbers import parse_number
from .rules import Rules, Unit

ARABIC = r"(?<![\d.]|\d,)(?:\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?|\d+(?:\.\d+)?(?:/\d+(?![\d.]))?)"
CN_NUM = r"[零〇一二两三四五六七八九十百千万亿](?:[零〇一二两三四五六七八九十百千万亿]*)(?:点[零〇一二两三四五六七八九]+)?"
PERCENT_WORDS = r"百分之[零〇一二两三四五六七八九十百点]+|百分百"
RANGE_SEP = r"[ ]?(?:-|－|—|–|~|～|至|到)[ ]?"


def trie_regex(words: list[str]) -> str:
    """An alternation as a trie, so the longest surface wins and the scan stays fast."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        alts = [regex.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if end else body

    return build(trie)


@dataclass(slots=True)
class Candidate:
    """A number with its unit and qualifier, in normalised coordinates."""

    start: int
    end: int
    number_text: str
    value: Decimal
    value_high: Decimal | None
    unit: str
    unit_obj: Unit | None
    qualifier: str
    chinese: bool
    kind_hint: str = ""  # "rank" for rank patterns
    rule_hint: str = ""
    flags: list[str] = field(default_factory=list)

    @property
    def family(self) -> str:
        return self.unit_obj.family if self.unit_obj else "none"


_PATTERNS: dict[str, regex.Pattern] = {}
_GROUPS = ("pre", "num", "scale", "inside", "unit", "post")


def _fields(pat: regex.Pattern) -> Callable[[tuple], tuple]:
    """Picks the named groups out of `Match.groups()` (a tuple is far cheaper than named lookups)."""
    return operator.itemgetter(*(pat.groupindex[g] - 1 for g in _GROUPS))


def _compiled(rules: Rules) -> regex.Pattern:
    """The candidate pattern for these rules, built once per rules version."""
    got = rules.derived.get("scan.pattern")
    if got is None:
        key = str(rules.directory) + rules.version
        if key not in _PATTERNS:
            _PATTERNS[key] = _build_pattern(rules)
        got = rules.derived["scan.pattern"] = _PATTERNS[key]
    return got


def _build_pattern(rules: Rules) -> regex.Pattern:
    units = sorted(rules.units, key=len, reverse=True)
    unit_re = trie_regex(units)
    per_re = trie_regex(rules.per) if rules.per else None
    if per_re:
        unit_re = f"(?:{unit_re})(?:/(?:{per_re}))?"
    pre = trie_regex(list(rules.qualifiers["before"]))
    inside = trie_regex(list(rules.qualifiers["inside"]))
    post = trie_regex(list(rules.qualifiers["after"]))
    number = f"(?:{PERCENT_WORDS}|{ARABIC}|{CN_NUM})"
    scales = trie_regex([w for w, v in rules.scales.items() if v >= 10000])
    pattern = (
        f"(?P<pre>{pre})?"
        f"(?P<num>{number})"
        f"(?:(?P<scale>{scales})(?=(?:{inside})))?"
        f"(?P<inside>{inside})?"
        f"(?P<unit>{unit_re})?"
        f"(?P<post>{post})?"
    )
    return regex.compile(pattern)


def _unit_of(rules: Rules, surface: str) -> Unit | None:
    if not surface:
        return None
    u = rules.unit(surface)
    if u is not None:
        return u
    if "/" in surface:  # compound rate: 万吨/日 -> base 吨/日
        head, per = surface.split("/", 1)
        hu = rules.unit(head)
        if hu is not None:
            return Unit(surface, f"{hu.base}/{per}", hu.scale, hu.family)
    return Unit(surface, surface, Decimal(1), "count")


def scan(text: str, rules: Rules) -> list[Candidate]:
    """Every number-with-unit candidate, before exclusions and acceptance; ranges merged.

    Documents repeat their numbers, units and unit-word contexts, so the pure per-match steps
    (parsing a number, looking up a unit and qualifier, the not_before characters) are memoised
    across calls by the match's groups (see _memos, _match_plan): a match then costs one lookup."""
    pat = _compiled(rules)
    fields = _fields(pat)
    out: list[Candidate] = []
    append = out.append
    plans = _memos(rules)[3]
    for m in pat.finditer(text):
        key = fields(m.groups())
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _match_plan(rules, key)
        if plan is _SKIP:
            continue
        start, end = m.span()
        num, value, unit, unit_obj, qual, chinese, stops, cut = plan
        if stops and text[end:end + 1] in stops:
            # 900多万个体工商户: "个" starts the word 个体, so the figure is "900多万"
            end -= cut[0]
            unit, unit_obj = cut[1], cut[2]
        append(Candidate(start, end, num, value, None, unit, unit_obj, qual, chinese))
    return merge_ranges(text, out, rules)


#: the plan of a match the scan skips (a number text that does not parse)
_SKIP: Any = ()
#: what a match's groups decide: number text, value, unit, unit object, qualifier, chinese, the
#: characters after the match that cut its unit (not_before), and (characters cut, unit, unit object)
_Plan = tuple[str, Decimal, str, "Unit | None", str, bool, frozenset, "tuple[int, str, Unit | None] | None"]


def _match_plan(rules: Rules, key: tuple) -> _Plan:
    """Everything the scan derives from a match's groups alone, as the plain per-match steps did.

    Why by the groups: they decide the value, unit and qualifier; only the character after the
    match (the not_before test) depends on the text, so that test stays per match."""
    values, units, blocked, _plans = _memos(rules)
    pre, num, scale, inside, unit_text, post = key
    value = values.get(num, _MISSING)
    if value is _MISSING:
        value = values[num] = _parsed(num)
    if value is None:
        return _SKIP
    quals = rules.qualifiers
    qual = "exact"
    if pre:
        qual = quals["before"].get(pre, "exact")
    if inside and qual == "exact":
        qual = quals["inside"].get(inside, "exact")
    if post and qual == "exact":
        qual = quals["after"].get(post, "exact")
    unit, unit_obj = _unit_pair(rules, units, num, scale, unit_text)
    stops: frozenset[str] = frozenset()
    cut = None
    if unit_text and not post:  # the unit group then ends the match
        stops = blocked.get(unit_text)
        if stops is None:
            stops = blocked[unit_text] = _blocking_chars(rules, unit_text)
        if stops:
            keep = _scale_prefix(unit_text, rules)
            cut = (len(unit_text) - len(keep), *_unit_pair(rules, units, num, scale, keep))
    return num, value, unit, unit_obj, qual, not num[0].isdigit(), stops, cut


def _unit_pair(rules: Rules, units: dict[str, Unit | None], num: str, scale: str | None,
               unit_text: str | None) -> tuple[str, Unit | None]:
    """The unit surface of a match (scale word + unit; % for 百分之…) and its Unit."""
    unit = (scale or "") + (unit_text or "")
    if num.startswith("百分"):
        unit = unit or "%"
    unit_obj = units.get(unit, _MISSING)
    if unit_obj is _MISSING:
        unit_obj = units[unit] = _unit_of(rules, unit)
    return unit, unit_obj


_MISSING: Any = object()
#: memos kept across documents; emptied when one grows past this many entries (a bound on memory)
_MEMO_LIMIT = 1 << 16
_VALUE_MEMOS: dict[str, dict[str, Decimal | None]] = {}
_UNIT_MEMOS: dict[int, tuple[Rules, dict[str, Unit | None], dict[str, frozenset[str]]]] = {}
_PLAN_MEMOS: dict[tuple[str, int], tuple[Rules, dict[tuple, _Plan]]] = {}


def _memos(rules: Rules) -> tuple[dict[str, Decimal | None], dict[str, Unit | None], dict[str, frozenset[str]],
                                  dict[tuple, _Plan]]:
    """The memos of _parsed, _unit_of, _blocking_chars and _match_plan for this call.

    Why per decimal context: a parse multiplies and divides Decimals, whose rounding follows the
    current context, so values parsed under another context are not reused.  Why per Rules object
    (held, so its id is not reused): units, qualifiers and not_before come from the rules, which are
    not changed after loading (the candidate pattern, cached per rules version, assumes so too).
    The match plans hold values and units, so they are kept per context and per Rules object."""
    ctx = repr(getcontext())
    values = _VALUE_MEMOS.get(ctx)
    if values is None or len(values) > _MEMO_LIMIT:
        if len(_VALUE_MEMOS) > 8:
            _VALUE_MEMOS.clear()
        values = _VALUE_MEMOS[ctx] = {}
    entry = _UNIT_MEMOS.get(id(rules))
    if entry is None or entry[0] is not rules or len(entry[1]) + len(entry[2]) > _MEMO_LIMIT:
        if len(_UNIT_MEMOS) > 8:
            _UNIT_MEMOS.clear()
        entry = _UNIT_MEMOS[id(rules)] = (rules, {}, {})
    plans = _PLAN_MEMOS.get((ctx, id(rules)))
    if plans is None or plans[0] is not rules or len(plans[1]) > _MEMO_LIMIT:
        if len(_PLAN_MEMOS) > 8:
            _PLAN_MEMOS.clear()
        plans = _PLAN_MEMOS[(ctx, id(rules))] = (rules, {})
    return values, entry[1], entry[2], plans[1]


def _parsed(num: str) -> Decimal | None:
    """parse_number, or None for a number text the scan skips."""
    try:
        return parse_number(num)
    except (InvalidOperation, ValueError, KeyError, ZeroDivisionError):
        return None


def _blocking_chars(rules: Rules, unit: str) -> frozenset[str]:
    """The characters that make this unit the first character of the next word (个 in 个体, 人 in
    人民): every not_before entry the unit ends with.  Computed once per unit, not per occurrence."""
    return frozenset(c for surface, chars in rules.not_before.items() if unit.endswith(surface) for c in chars)


def _scale_prefix(unit: str, rules: Rules) -> str:
    """The scale word a unit starts with (万 of 万个), or ''."""
    for n in range(len(unit) - 1, 0, -1):
        if unit[:n] in rules.scales and rules.scales[unit[:n]] >= 10000:
            return unit[:n]
    return ""


_RANGE_GAP = regex.compile(RANGE_SEP)


def merge_ranges(text: str, cands: list[Candidate], rules: Rules) -> list[Candidate]:
    """"6%－6.5%", "300-500元": two adjacent candidates joined by a range sign become one figure,
    value the low end, value_high the high end."""
    out: list[Candidate] = []
    i = 0
    while i < len(cands):
        a = cands[i]
        if i + 1 < len(cands):
            b = cands[i + 1]
            if (  # the cheap tests first; all are pure, so the order does not change the answer
                b.unit and a.chinese == b.chinese and (not a.unit or a.unit == b.unit)
                and b.start > a.end and _RANGE_GAP.fullmatch(text[a.end:b.start]) and b.value >= a.value
            ):
                qual = a.qualifier if a.qualifier != "exact" else b.qualifier
                out.append(Candidate(a.start, b.end, a.number_text, a.value, b.value, b.unit, b.unit_obj,
                                     qual, a.chinese))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def scan_ranks(text: str, rules: Rules) -> list[Candidate]:
    """Rank figures (全省第一, 居世界第二, 第5位) from the rank patterns."""
    out: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for rule_id, pat in rules.ranks:
        for m in pat.finditer(text):
            a, b = m.span()
            if any(a < tb and ta < b for ta, tb in taken):
                continue
            n = m.group("n")
            try:
                value = parse_number(n)
            except (InvalidOperation, ValueError, KeyError):
                continue
            taken.append((a, b))
            out.append(Candidate(a, b, n, value, None, "", None, "exact", not n[0].isdigit(),
                                 kind_hint="rank", rule_hint=rule_id))
    return out
