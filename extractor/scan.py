"""Scan normalised text for number candidates: qualifier + number + unit + qualifier.

Why a regex scan first: it runs at tens of MB/s, so only the clauses that carry a figure are
segmented later.  The pattern is built from named fragments (QUAL_BEFORE, NUMBER, QUAL_INSIDE,
UNIT, QUAL_AFTER) whose vocabularies come from `rules/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

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


@dataclass
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


def _compiled(rules: Rules) -> regex.Pattern:
    """The candidate pattern for these rules, built once per rules version."""
    key = str(rules.directory) + rules.version
    if key not in _PATTERNS:
        _PATTERNS[key] = _build_pattern(rules)
    return _PATTERNS[key]


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
    """Every number-with-unit candidate, before exclusions and acceptance; ranges merged."""
    pat = _compiled(rules)
    out: list[Candidate] = []
    for m in pat.finditer(text):
        num = m.group("num")
        end = m.end()
        unit_text = m.group("unit") or ""
        if unit_text and not m.group("post") and _blocked(rules, unit_text, text[end:end + 1]):
            # 900多万个体工商户: "个" starts the word 个体, so the figure is "900多万"
            keep = _scale_prefix(unit_text, rules)
            end = m.start("unit") + len(keep)
            unit_text = keep
        unit = (m.group("scale") or "") + unit_text
        if num.startswith("百分"):
            unit = unit or "%"
        try:
            value = parse_number(num)
        except (InvalidOperation, ValueError, KeyError, ZeroDivisionError):
            continue
        qual = "exact"
        for grp, where in (("pre", "before"), ("inside", "inside"), ("post", "after")):
            q = m.group(grp)
            if q and qual == "exact":
                qual = rules.qualifiers[where].get(q, "exact")
        out.append(Candidate(m.start(), end, num, value, None, unit, _unit_of(rules, unit), qual,
                             not num[0].isdigit()))
    return merge_ranges(text, out, rules)


def _blocked(rules: Rules, unit: str, following: str) -> bool:
    """Is this unit really the first character of the next word (个 in 个体, 人 in 人民)?"""
    if not following:
        return False
    for surface, chars in rules.not_before.items():
        if unit.endswith(surface) and following in chars:
            return True
    return False


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
            gap = text[a.end:b.start]
            if (
                gap and _RANGE_GAP.fullmatch(gap) and a.chinese == b.chinese and b.unit
                and (not a.unit or a.unit == b.unit) and b.value >= a.value
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
