"""Searching only the pieces of text around the candidates must give exactly the whole-text answers.

locality.Local may only return matches the whole-text search finds, and must return every one
lying in its pieces; the exclusion decision of every candidate must be that of the whole span
list (the 40-span look-back of _overlapping_id included); literal_twin must match what `regex`
matches.  Checked on the rules' patterns and on patterns built to stress the borders (assertions,
lookbehinds, multiline anchors, patterns searched whole), over random texts of their characters.
"""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest
import regex

from extractor import pipeline
from extractor.locality import Local, Runs, alphabet, literal_twin
from extractor.rules import Rules

#: shapes that qualify, chosen to touch a piece's border in every way the argument allows
_TRICKY = [
    r"(?<=甲)乙+", r"(?<![甲1])\d+乙?", r"\b\d+", r"\B乙\d", r"(?m)^\s*甲+、", r"(?m)\d+$", r"\A甲\d*",
    r"\d+\Z", r"甲(?=乙丙)", r"[甲乙]+(?!\w)", r"(?:甲|乙丙)+?\d", r"丙{2,3}", r"\d+(?![\d甲])",
    r"[a-c]+\d", r"甲\s*\d", r"\d+(?=乙丙)", r"甲(?!\d\d)", r"(?<=乙丙)\d",
]
_REFUSED = [
    r".乙", r"[^甲]乙", r"\D+", r"\S", r"\W乙", r"(?i)ab", r"甲$", r"x*", r"甲|", r"\p{Han}+",
    r"(?:甲乙){e<=1}", r"(甲)\1", r"(a)?(?(1)b|c)", r"(?=.*乙)甲", r"(?x) 甲", r"[[:alpha:]]",
]
_CHARS = "甲乙丙12３ab、\n ，x"


def _text(rnd: random.Random, n: int) -> str:
    return "".join(rnd.choice(_CHARS) for _ in range(rnd.randint(0, n)))


def _intervals(rnd: random.Random, n: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(rnd.randint(0, 8)):
        a = rnd.randint(0, max(0, n - 1))
        out.append((a, min(n, a + rnd.randint(1, 3))))
    return sorted(out)


@pytest.mark.parametrize("pattern", _TRICKY)
def test_tricky_shapes_qualify(pattern):
    assert alphabet(regex.compile(pattern, regex.V0)) is not None


@pytest.mark.parametrize("pattern", _REFUSED)
def test_unknown_shapes_are_refused(pattern):
    assert alphabet(regex.compile(pattern, regex.V0)) is None


def test_rule_exclusions_qualify(rules):
    # not a requirement of correctness, but of the speed-up: all of today's exclusions qualify
    assert all(alphabet(pat) is not None for _id, _kind, pat in rules.exclusions)


def _check_pieces(pats: list[regex.Pattern], rnd: random.Random, rounds: int) -> None:
    union = "".join(alphabet(p) for p in pats)
    runs = Runs(union)
    for _ in range(rounds):
        text = _text(rnd, 40)
        near = _intervals(rnd, len(text))
        local = Local(text, near, runs)
        pieces = _pieces(local)
        assert all(any(lo <= a and b <= hi for lo, hi in pieces) for a, b in near)
        for pat in pats:
            whole = [m.span() for m in pat.finditer(text)]
            inside = [(s, e) for s, e in whole if any(lo <= s and e <= hi for lo, hi in pieces)]
            assert local.spans(pat, 1.0) == inside, (pat.pattern, text, pieces)


def _pieces(local: Local) -> list[tuple[int, int]]:
    """[lo, hi) in the text of each piece."""
    ends = local.at[1:] + [len(local.joined)] if local.at else []
    return [(s, s + b - a) for s, a, b in zip(local.starts, local.at, ends, strict=True)]


@pytest.mark.parametrize("gap", [0, Local.GAP])
def test_pieces_hold_the_whole_text_matches_of_tricky_shapes(gap, monkeypatch):
    monkeypatch.setattr(Local, "GAP", gap)  # 0: many pieces, each bordered by its own characters
    pats = [regex.compile(p, regex.V0) for p in _TRICKY]
    _check_pieces(pats, random.Random(1), 4000)
    for p in pats:  # each alone: its own alphabet gives the smallest pieces
        _check_pieces([p], random.Random(2), 300)


def test_pieces_hold_the_whole_text_matches_of_the_exclusions(rules):
    pats = [pat for _id, _kind, pat in rules.exclusions]
    chars = sorted({c for p in pats for c in p.pattern if not c.isascii()} | set("12 a\n(.、-"))
    union = "".join(alphabet(p) for p in pats)
    rnd = random.Random(3)
    for _ in range(1500):
        text = "".join(rnd.choice(chars) for _ in range(rnd.randint(0, 30)))
        local = Local(text, _intervals(rnd, len(text)), Runs(union))
        pieces = _pieces(local)
        for pat in pats:
            whole = [m.span() for m in pat.finditer(text)]
            inside = [(s, e) for s, e in whole if any(lo <= s and e <= hi for lo, hi in pieces)]
            assert local.spans(pat, 1.0) == inside, (pat.pattern, text)


def _answers(text: str, rules, near: list[tuple[int, int]], spans) -> list[str]:
    starts = [s for s, _e, _id in spans]
    reach = pipeline._reach(spans)
    return [pipeline._overlapping_id(spans, starts, a, b, reach) for a, b in near]


def _fake_rules(patterns: list[str]):
    fake = SimpleNamespace(exclusions=[(f"x{i}", "name", regex.compile(p, regex.V0)) for i, p in enumerate(patterns)],
                           derived={})
    fake.derive = lambda name, build: Rules.derive(fake, name, build)
    return fake


@pytest.mark.parametrize("gap", [0, Local.GAP])
def test_near_spans_decide_like_the_whole_list_with_crowds_and_whole_searched_patterns(gap, monkeypatch):
    monkeypatch.setattr(Local, "GAP", gap)
    # many short spans (the 40-span look-back of _overlapping_id), long spans (look-back from far),
    # and patterns that must be searched whole (. and [^…]) whose spans widen the pieces
    fake = _fake_rules([r"乙", r"[12]", r"甲[乙丙12 ]*丁", r".{3}丁", r"[^甲\n]{2}x", r"(?m)^\s*\d", r"丙+"])
    assert pipeline._local_plan(fake)[0] == {pat for _id, _k, pat in fake.exclusions} - {
        fake.exclusions[3][2], fake.exclusions[4][2]}
    rnd = random.Random(4)
    chars = "甲乙丙丁12 x\n"
    for _ in range(3000):
        text = "".join(rnd.choice(chars) for _ in range(rnd.randint(0, 120)))
        near = _intervals(rnd, len(text))
        whole = pipeline._exclusion_spans(text, fake)
        assert _answers(text, fake, near, pipeline._exclusion_spans(text, fake, near)) == \
            _answers(text, fake, near, whole), (text, near)


def test_candidate_decisions_are_those_of_the_whole_span_list(rules):
    rnd = random.Random(6)
    words = ["增长", "5.2%", "2023年", "12月", "一带一路", "第一", "三期工程", "十四五", "全省", "1.", "（二）",
             "每万人", "A380", "表3", "亿元", "万人", "，", "。", "\n", " ", "２", "3", "个", "二是", "-", "至"]
    for _ in range(400):
        text = "".join(rnd.choice(words) for _ in range(rnd.randint(0, 60)))
        got = pipeline.candidate_decisions(text, rules)
        spans = pipeline._exclusion_spans(text, rules)
        # the candidates that passed reject_reason (ranks are not checked against exclusions)
        asked = [(c, reason) for c, reason in got if c.kind_hint != "rank"
                 and (not reason or reason.startswith(("exclusion ", "inside rank ")))]
        plain = _answers(text, rules, [(c.start, c.end) for c, _r in asked], spans)
        for (c, reason), ex_id in zip(asked, plain, strict=True):
            assert reason.startswith("exclusion ") == bool(ex_id), (text, c, reason, ex_id)
            if ex_id:
                assert reason == f"exclusion {ex_id}"


@pytest.mark.parametrize("pattern", [r"一带一路|三农|两会|一国两制|三大攻坚战", r"[一二三]五(?:规划|时期)", r"甲乙|甲|乙丙"])
def test_literal_twin_matches_what_regex_matches(pattern):
    pat = regex.compile(pattern, regex.V0)
    twin = literal_twin(pat)
    assert twin is not None
    rnd = random.Random(8)
    chars = sorted(set(pattern) - set("|()?:[]") | set("x\n"))
    for _ in range(2000):
        text = "".join(rnd.choice(chars) for _ in range(rnd.randint(0, 20)))
        assert [m.span() for m in twin.finditer(text)] == [m.span() for m in pat.finditer(text)]


@pytest.mark.parametrize("pattern", [r"甲+", r"\d乙", r"\b甲", r"甲(?=乙)", r"[^甲]乙", r"(?i)ab", r"甲|", r"甲?", r"甲{1,2}"])
def test_literal_twin_refuses_what_is_not_a_word_list(pattern):
    assert literal_twin(regex.compile(pattern, regex.V0)) is None


def test_a_long_span_searched_whole_widens_the_pieces_to_its_start():
    # the whole-searched span 甲…丁 overlaps the x near the end, but 45 spans of 乙 start after it:
    # _overlapping_id's 40-span look-back does not reach it, so the answer is "" -- and stays ""
    # only if the pieces hold those 45 spans too
    fake = _fake_rules([r"乙", r"甲[^丁]*丁"])
    text = "甲" + "乙x" * 45 + "丁"
    near = [(len(text) - 2, len(text) - 1)]
    assert _answers(text, fake, near, pipeline._exclusion_spans(text, fake)) == [""]
    assert _answers(text, fake, near, pipeline._exclusion_spans(text, fake, near)) == [""]
