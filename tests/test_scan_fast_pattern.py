"""The scan's standard-library pattern (scan._fast_pattern) must find what the `regex` module's
candidate pattern (scan._build_pattern, the reference) finds: every match, span and group, on any text."""

from __future__ import annotations

import random
import re
import sys
from array import array

import regex
from conftest import ROOT, SHARED

from extractor import scan

_REFERENCE: dict = {}


def _reference(rules) -> regex.Pattern:
    """The `regex` pattern, compiled once per rules object of the run (~40 ms each)."""
    got = _REFERENCE.get(id(rules))
    if got is None or got[0] is not rules:
        got = _REFERENCE[id(rules)] = (rules, scan._build_pattern(rules))
    return got[1]


def _matches(pat, text: str) -> list[tuple]:
    return [(m.span(), m.groups()) for m in pat.finditer(text)]


def _every_character() -> str:
    return array("I", range(sys.maxunicode + 1)).tobytes().decode("utf-32-le", "surrogatepass")


def test_the_scan_uses_the_standard_pattern(rules):
    assert isinstance(scan._compiled(rules), re.Pattern)
    assert scan._compiled(rules).groupindex == _reference(rules).groupindex


def test_every_character_is_every_code_point_in_order():
    assert scan._every_character() == _every_character()


def test_the_digit_classes_are_the_regex_modules_digits():
    every = _every_character()
    theirs = regex.findall(r"\d", every)
    exact, superset = scan._regex_digits()
    assert re.findall(f"[{exact}]", every) == theirs
    assert set(theirs) <= set(re.findall(f"[{superset}]", every))


def test_the_lookbehind_twin_is_the_same_test():
    assert scan.ARABIC == r"(?<![\d.]|\d,)(?:\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?|\d+(?:\.\d+)?(?:/\d+(?![\d.]))?)"
    plain, twin = regex.compile(scan.ARABIC), re.compile(scan._arabic(scan._regex_digits()[0], std=True))
    rnd = random.Random(7)
    for _ in range(2000):
        text = "".join(rnd.choice("1,.0/9 a５٣\U00010d41") for _ in range(rnd.randint(1, 12)))
        assert _matches(plain, text) == _matches(twin, text), text


def _pieces(rules) -> list[str]:
    quals = [w for kind in ("before", "inside", "after") for w in rules.qualifiers[kind]]
    nums = ["1", "12.5", "1,234", "0.5", "3/4", "05", "一", "两", "十二", "三点五", "百分之五", "百分百",
            "万", "1/0", "1,234.5", "2024", "٣", "５", "\U00010d43", "\U0001d7d8", "²", "①", "1,", ".5"]
    return (nums * 4 + list(rules.units) + quals + list(rules.scales) + list(rules.per or [])
            + ["-", "至", "，", "。", "第", " ", ",", ".", "/", "个体", "\n", "𠀀"])


def test_the_standard_pattern_finds_the_same_matches_on_random_texts(rules):
    rnd = random.Random(20261126)
    pieces = _pieces(rules)
    fast, plain = scan._compiled(rules), _reference(rules)
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30)))
        assert _matches(fast, text) == _matches(plain, text), text


def test_the_standard_pattern_finds_the_same_matches_on_the_corpus(rules):
    fast, plain = scan._compiled(rules), _reference(rules)
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((SHARED / "corpus" / "real").glob("*.txt"))[:20]
    for p in paths:
        text = p.read_text(encoding="utf-8", errors="replace")
        assert _matches(fast, text) == _matches(plain, text), p.name
