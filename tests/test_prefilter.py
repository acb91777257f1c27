"""The speed-ups of the candidate and kind stages must give exactly the answers of the plain code.

prefilter.gate may only say "cannot match" when the search finds nothing; classify must return what
trying every rule in order returns; the plan-section sentence starts must be those of a scan of
the whole text.  Each is checked against the plain computation on the rules' own patterns and
on random texts made of the characters those patterns name.
"""

from __future__ import annotations

import bisect
import random

import pytest
import regex

from extractor import kinds, pipeline
from extractor.kinds import Context, _holds, classify
from extractor.prefilter import gate, required_literals


@pytest.mark.parametrize("pattern,expected", [
    ("增长|增加", {"增"}),  # the parser factors out the common 增
    ("(?:增|涨)幅", {"幅"}),
    ("(?:从|由)[^，]{0,20}$", {"从", "由"}),
    ("ab(?=cd)", {"ab"}),
    ("(?:ab)?c", {"c"}),
    ("(?:ab)+c", {"ab"}),
    ("(a)?(?(1)xy|z)", {"xy", "z"}),
    ("x{,3}yz", {"yz"}),
    ("已|已累计", {"已"}),  # containing 已累计 implies containing 已
])
def test_required_literals(pattern, expected):
    assert required_literals(pattern) == frozenset(expected)


@pytest.mark.parametrize("pattern", [
    r"\p{Han}增长",  # regex-only syntax the stdlib cannot read
    r"(?:增长){e<=1}",  # fuzzy: may match without the literal
    r"(?i)abc", r"(?x) a b", r"[[:alpha:]]x", r"\L<w>", r"(?<name>a)",
    r"a|", r"x*", r"\d+", r"(?:ab)?", r"(?!ab)c?",
])
def test_no_literal_is_claimed_when_unsure(pattern):
    assert required_literals(pattern) is None


def _rule_patterns(rules) -> list[regex.Pattern]:
    pats = [p for r in rules.kind_rules for p in (r.before, r.after, r.clause) if p is not None]
    pats += [p for _id, _kind, p in rules.exclusions] + [p for _id, p in rules.ranks]
    pats += [p for ps in rules.sections.values() for p in ps]
    return pats


def _texts_for(pattern: regex.Pattern, rnd: random.Random, n: int) -> list[str]:
    chars = sorted({c for c in pattern.pattern if not c.isascii()} | set("12 ，。的了\n"))
    return ["".join(rnd.choice(chars) for _ in range(rnd.randint(0, 14))) for _ in range(n)]


def test_a_gate_never_hides_a_match(rules):
    rnd = random.Random(7)
    for pat in _rule_patterns(rules):
        may_match = gate(pat)
        if may_match is None:
            continue
        for text in _texts_for(pat, rnd, 400):
            if not may_match(text):
                assert pat.search(text) is None, (pat.pattern, text)


def test_classify_is_the_first_rule_that_holds(rules):
    rnd = random.Random(11)
    words = sorted({c for p in _rule_patterns(rules) for c in p.pattern if not c.isascii()})
    families = ["percent", "pp", "money", "count", "people", "measure", "none", "ratio"]

    def text(k: int) -> str:
        return "".join(rnd.choice(words) for _ in range(rnd.randint(0, k)))

    for _ in range(3000):
        ctx = Context(before=text(8), after=text(6), clause="", sentence_before=text(20),
                      section=rnd.choice(["plan", "review", ""]))
        fam = rnd.choice(families)
        plain = next((r for r in rules.kind_rules if _holds(r, fam, ctx)), None)
        assert classify(rules, fam, ctx) is plain


def test_classify_follows_a_changed_rule_list(rules):
    import dataclasses

    ctx = Context(before="比上年增长", after="", clause="", sentence_before="比上年增长", section="review")
    assert classify(rules, "percent", ctx).id == "growth.up"
    only_default = dataclasses.replace(rules, kind_rules=[r for r in rules.kind_rules if r.id == "level.default"])
    assert classify(only_default, "percent", ctx).id == "level.default"
    assert kinds._index(only_default).rules != kinds._index(rules).rules


def _plain_plan_starts(text: str, pos: list[int], state: list[str]) -> list[int]:
    return [m.end() for m in pipeline._SENTENCE_START.finditer(text)
            if state[bisect.bisect_right(pos, m.end()) - 1] == "plan"]


def test_plan_sentence_starts_are_those_of_a_whole_scan():
    rnd = random.Random(3)
    alphabet = "。！？\n \t\u3000ab"
    for _ in range(20000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        pos = sorted([0] + [rnd.randint(0, len(text)) for _ in range(rnd.randint(0, 4))])
        state = [rnd.choice(["plan", "review"]) for _ in pos]
        assert list(pipeline._plan_sentence_starts(text, pos, state)) == _plain_plan_starts(text, pos, state)


def test_doc_gates_skip_only_patterns_that_cannot_match(rules):
    text = "全市教育经费247276万元，比上年增长25.78%。第一批试点。\n"
    for _id, _kind, pat in rules.exclusions:
        may_match = pipeline._doc_gate(rules, pat)
        if may_match is not None and not may_match(text):
            assert pat.search(text) is None


def test_every_sentence_end_is_a_clause_end():
    # _figure_spans skips the sentence search where no clause end lies; both patterns are one class
    every = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    assert set(pipeline.SENTENCE_END.findall(every)) <= set(pipeline.CLAUSE_END.findall(every))


def test_figure_spans_are_those_of_the_boundary_lists():
    from extractor.scan import Candidate

    rnd = random.Random(5)
    alphabet = "。！？!?\n，,；;：:ab一"
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        spans = sorted((a, min(len(text), a + rnd.randint(0, 3))) for a in
                       (rnd.randint(0, len(text)) for _ in range(rnd.randint(0, 6))))
        cands = [Candidate(a, b, "1", 1, None, "", None, "exact", False) for a, b in spans]
        sent_b = [m.start() for m in pipeline.SENTENCE_END.finditer(text)]
        clause_b = [m.start() for m in pipeline.CLAUSE_END.finditer(text)]
        plain = [(pipeline._span_start(sent_b, a), pipeline._span_start(clause_b, a),
                  pipeline._span_end(clause_b, b, len(text))) for a, b in spans]
        assert list(pipeline._figure_spans(text, cands)) == plain, (text, spans)


def test_lead_starts_are_the_sentence_starts_where_a_lead_matches(rules):
    leads = rules.sections["review_lead"] + [regex.compile("去年[^。]{0,3}")]
    rnd = random.Random(9)
    pieces = ["。", "\n", " ", "\u3000", "去年", "过去一年", "一年来", "年", "去", "a", "，"]
    for _ in range(5000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        pos = sorted([0] + [rnd.randint(0, len(text)) for _ in range(rnd.randint(0, 3))])
        state = [rnd.choice(["plan", "review"]) for _ in pos]
        plain = [at for at in _plain_plan_starts(text, pos, state) if any(p.match(text, at) for p in leads)]
        assert list(pipeline._lead_starts(text, pos, state, leads)) == plain, (text, pos, state)
