"""The scan's per-match plans (memoised by the match's groups) must give the candidates the plain
per-match steps give, for any text: the not_before cut, qualifiers, 百分之 and unparsable numbers."""

from __future__ import annotations

import dataclasses
import decimal
import random

from extractor import scan
from extractor.scan import Candidate

_REFERENCE: dict = {}


def _reference(rules):
    """The `regex` pattern, compiled once per rules object of the run (~40 ms each)."""
    got = _REFERENCE.get(id(rules))
    if got is None or got[0] is not rules:
        got = _REFERENCE[id(rules)] = (rules, scan._build_pattern(rules))
    return got[1]


def _plain_scan(text: str, rules) -> list[Candidate]:
    """The scan as it was before the plans: every step per match, nothing memoised, and the
    `regex` module's pattern (the scan's own is its standard-library twin)."""
    pat = _reference(rules)
    out = []
    quals = rules.qualifiers
    for m in pat.finditer(text):
        pre, num, sc, inside, unit_text, post = (m.group(g) for g in scan._GROUPS)
        end = m.end()
        if unit_text and not post:
            stops = scan._blocking_chars(rules, unit_text)
            if stops and text[end:end + 1] in stops:
                keep = scan._scale_prefix(unit_text, rules)
                end = m.start("unit") + len(keep)
                unit_text = keep
        unit = (sc or "") + (unit_text or "")
        if num.startswith("百分"):
            unit = unit or "%"
        value = scan._parsed(num)
        if value is None:
            continue
        qual = "exact"
        if pre:
            qual = quals["before"].get(pre, "exact")
        if inside and qual == "exact":
            qual = quals["inside"].get(inside, "exact")
        if post and qual == "exact":
            qual = quals["after"].get(post, "exact")
        out.append(Candidate(m.start(), end, num, value, None, unit, scan._unit_of(rules, unit), qual,
                             not num[0].isdigit()))
    return scan.merge_ranges(text, out, rules)


def _fields(cands: list[Candidate]) -> list[tuple]:
    return [dataclasses.astuple(c) for c in cands]


def _pieces(rules) -> list[str]:
    """Surfaces the pattern is made of, and the characters that cut a unit (not_before)."""
    quals = [w for kind in ("before", "inside", "after") for w in rules.qualifiers[kind]]
    stops = [c for chars in rules.not_before.values() for c in chars]
    nums = ["1", "12.5", "1,234", "0.5", "3/4", "05", "一", "两", "十二", "三点五", "百分之五", "百分百",
            "万", "1/0", "1,234.5", "2024"]
    return nums * 4 + list(rules.units) + quals + stops + list(rules.scales) + ["-", "至", "，", "。", "第", " ", "个体"]


def test_plans_give_the_plain_candidates_on_random_texts(rules):
    rnd = random.Random(20261126)
    pieces = _pieces(rules)
    for _ in range(400):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30)))
        assert _fields(scan.scan(text, rules)) == _fields(_plain_scan(text, rules)), text
        assert _fields(scan.scan(text, rules)) == _fields(_plain_scan(text, rules)), text  # from the memo


def test_plans_cut_a_unit_only_before_its_not_before_characters(rules):
    text = "900多万个体工商户，新增900多万个。"
    assert _fields(scan.scan(text, rules)) == _fields(_plain_scan(text, rules))
    units = [c.unit for c in scan.scan(text, rules)]
    assert units[0] != units[-1]  # the same match groups, cut in one place and not the other


def test_plans_follow_the_decimal_context(rules):
    text = "增加1/3吨，又增加1/3吨"  # a fraction is divided: its value follows the precision
    plain = _fields(scan.scan(text, rules))
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        assert _fields(scan.scan(text, rules)) == _fields(_plain_scan(text, rules))
        assert _fields(scan.scan(text, rules)) != plain
    assert _fields(scan.scan(text, rules)) == plain
