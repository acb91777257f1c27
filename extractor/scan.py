"""Scan normalised text for number candidates: qualifier + number + unit + qualifier.

Why a regex scan first: it runs at tens of MB/s, so only the clauses that carry a figure are
segmented later.  The pattern is built from named fragments (QUAL_BEFORE, NUMBER, QUAL_INSIDE,
UNIT, QUAL_AFTER) whose vocabularies come from `rules/`.
"""

from __future__ import annotations

import operator
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, getcontext
from functools import lru_cache
from typing import Any

import regex

from .numbers import parse_number
from .rules import Rules, Unit


def _arabic(d: str, std: bool = False) -> str:
    """The Arabic number pattern with `d` for a digit (a class body: \\d, or its characters).

    `std`: for the standard engine, which takes no lookbehind alternatives of two widths, so
    "not after [digit or .] nor after digit," is written as two lookbehinds (the same test)."""
    one = d if d == r"\d" else f"[{d}]"
    behind = f"(?<![{d}.])(?<!{one},)" if std else f"(?<![{d}.]|{one},)"
    return (behind + f"(?:{one}{{1,3}}(?:,{one}{{3}})+(?![{d}])(?:\\.{one}+)?"
            f"|{one}+(?:\\.{one}+)?(?:/{one}+(?![{d}.]))?)")


ARABIC = _arabic(r"\d")
CN_NUM = r"[零〇一二两三四五六七八九十百千万亿](?:[零〇一二两三四五六七八九十百千万亿]*)(?:点[零〇一二两三四五六七八九]+)?"
PERCENT_WORDS = r"百分之[零〇一二两三四五六七八九十百点]+|百分百"
#: the characters a number can start with, besides a digit (\d): 百 of 百分之, a Chinese numeral
_NUMBER_FIRSTS = "百零〇一二两三四五六七八九十千万亿"
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


_PATTERNS: dict[str, regex.Pattern | re.Pattern] = {}
_GROUPS = ("pre", "num", "scale", "inside", "unit", "post")


def _fields(pat: regex.Pattern | re.Pattern) -> Callable[[tuple], tuple]:
    """Picks the named groups out of `Match.groups()` (a tuple is far cheaper than named lookups)."""
    return operator.itemgetter(*(pat.groupindex[g] - 1 for g in _GROUPS))


def _compiled(rules: Rules) -> regex.Pattern | re.Pattern:
    """The candidate pattern for these rules, built once per rules version: the standard-library
    twin of `_build_pattern` (see _fast_pattern), which finds the same matches."""
    got = rules.derived.get("scan.pattern")
    if got is None:
        key = str(rules.directory) + rules.version
        if key not in _PATTERNS:
            _PATTERNS[key] = _fast_pattern(rules)
        got = rules.derived["scan.pattern"] = _PATTERNS[key]
    return got


def _source(rules: Rules, arabic: str = ARABIC) -> str:
    """The candidate pattern's source (`arabic`: ARABIC, or its twin for the standard engine)."""
    units = sorted(rules.units, key=len, reverse=True)
    unit_re = trie_regex(units)
    per_re = trie_regex(rules.per) if rules.per else None
    if per_re:
        unit_re = f"(?:{unit_re})(?:/(?:{per_re}))?"
    pre = trie_regex(list(rules.qualifiers["before"]))
    inside = trie_regex(list(rules.qualifiers["inside"]))
    post = trie_regex(list(rules.qualifiers["after"]))
    number = f"(?:{PERCENT_WORDS}|{arabic}|{CN_NUM})"
    scales = trie_regex([w for w, v in rules.scales.items() if v >= 10000])
    return (
        f"(?P<pre>{pre})?"
        f"(?P<num>{number})"
        f"(?:(?P<scale>{scales})(?=(?:{inside})))?"
        f"(?P<inside>{inside})?"
        f"(?P<unit>{unit_re})?"
        f"(?P<post>{post})?"
    )


def _build_pattern(rules: Rules) -> regex.Pattern:
    """The candidate pattern as the `regex` module compiles it: the reference _fast_pattern follows."""
    return regex.compile(_source(rules))


def _fast_pattern(rules: Rules) -> regex.Pattern | re.Pattern:
    """`_build_pattern`'s matches, found about three times faster (the scan's regex search was ~9%
    of a document's time).

    Why the same matches: the source is the same but for ARABIC, whose digits are the characters
    the `regex` module takes for a digit (_regex_digits: its Unicode tables may be newer than the
    standard engine's) and whose lookbehind is split in two (_arabic), and a lookahead for the
    characters a match can start with (or more): the first character of a `before` qualifier, or
    of a number (a digit, 百 of 百分之, a Chinese numeral).  Both engines backtrack alike on this pattern
    (alternatives tried in order, the same greedy groups); the lookahead only rejects positions
    where no match starts, and it lets the standard engine skip to the next such character by a
    set search instead of trying the whole pattern at every position.  A source the standard
    engine cannot compile keeps the `regex` pattern."""
    digits, may_be_digit = _regex_digits()
    firsts = {w[0] for w in rules.qualifiers["before"] if w} | set(_NUMBER_FIRSTS)
    lead = "(?=[" + may_be_digit + "".join(re.escape(ch) for ch in sorted(firsts)) + "])"
    try:
        return re.compile(lead + _source(rules, _arabic(digits, std=True)))
    except re.error:
        return _build_pattern(rules)


#: every character outside the Basic Multilingual Plane, in a class: see _fast_pattern's lookahead
_ASTRAL = "\\U00010000-\\U0010ffff"


@lru_cache(maxsize=1)
def _regex_digits() -> tuple[str, str]:
    """Class bodies for the `regex` module's \\d: exactly its characters, and a superset of them
    for a lookahead.  Why: its Unicode tables may be newer than the standard engine's (Python 3.11:
    110 digits of later scripts, all astral).  The exact one is \\d and those extra characters when
    the standard \\d holds no other (else every digit, as ranges); the superset leaves the astral
    ones to the range of every astral character, so that the engine keeps its fast set search
    (astral ranges turn it off).  Found by searching every code point once (~40 ms, once per
    process, and only when the rules cache misses)."""
    every = _every_character()
    theirs = {ord(ch) for ch in regex.findall(r"\d", every)}
    ours = {ord(ch) for ch in re.findall(r"\d", every)}
    extra = sorted(theirs - ours)
    exact = r"\d" + _ranges(extra) if ours <= theirs else _ranges(sorted(theirs))
    return exact, r"\d" + _ranges([c for c in extra if c <= 0xFFFF]) + _ASTRAL


def _every_character() -> str:
    """Every code point in order, surrogates included: its UTF-32-LE bytes are written a byte
    column at a time (half the time of an array built from a range of ~1.1M ints)."""
    n = sys.maxunicode + 1  # 0x110000: 17 planes of 65536
    raw = bytearray(4 * n)
    raw[0::4] = bytes(range(256)) * (n // 256)
    raw[1::4] = bytes(b for b in range(256) for _ in range(256)) * (n // 65536)
    raw[2::4] = b"".join(bytes([plane]) * 65536 for plane in range(n // 65536))
    return raw.decode("utf-32-le", "surrogatepass")


def _ranges(codes: list[int]) -> str:
    """Sorted code points as class ranges, both ends written as \\U escapes (none is special)."""
    runs: list[list[int]] = []
    for c in codes:
        if runs and runs[-1][1] == c - 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in runs)


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
    memos = _memos(rules)
    plans = memos[3]
    for m in pat.finditer(text):
        key = fields(m.groups())
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _match_plan(rules, key, memos)
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


def _match_plan(rules: Rules, key: tuple, memos: _Memos | None = None) -> _Plan:
    """Everything the scan derives from a match's groups alone, as the plain per-match steps did.

    Why by the groups: they decide the value, unit and qualifier; only the character after the
    match (the not_before test) depends on the text, so that test stays per match.  `memos`: what
    `_memos(rules)` gives, passed by the scan, which asked it once for the whole text (it formats
    the decimal context, a third of a plan's cost; a few thousand plans are made per corpus pass)."""
    values, units, blocked, _plans = _memos(rules) if memos is None else memos
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
#: what _memos gives: the memos of values, units, not_before characters and plans
_Memos = tuple[dict[str, Decimal | None], dict[str, Unit | None], dict[str, frozenset[str]], dict[tuple, _Plan]]


def _memos(rules: Rules) -> _Memos:
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
