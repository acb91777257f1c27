"""The speed-ups of attribution must give exactly the answers of the plain code.

Literal gates (prefilter) skip a lexicon pattern, a modifier removal or a comparison removal only
where the pattern cannot match; each fast path is compared with the plain search or substitution
on the shipped rules and on user patterns (with and without a gate), over random texts made of
the characters the patterns name.
"""

from __future__ import annotations

import copy
import random

import pytest
import regex

from extractor import attribute
from extractor.lexicon import Indicator, Lexicon


def _texts(patterns: list[str], rnd: random.Random, n: int, extra: str = "12 ，。的了年月每\n") -> list[str]:
    """Random texts of the patterns' literal runs (散居, 孤儿 …), their characters and a few others."""
    runs = sorted({r for p in patterns for r in regex.findall(r"[^\x00-\x7f]+", p)})
    pieces = runs + sorted({c for r in runs for c in r} | set(extra) | set("0A（）“”《》"))
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 10))) for _ in range(n)]


def _plain_hits(lex: Lexicon, text: str, subjects: bool) -> list:
    """What indicators_in / subjects_in found before the gates: every pattern searched."""
    plain = copy.copy(lex)
    plain._memos = {}
    if subjects:
        plain._subject_gated = tuple((p, None) for p, _ in lex._subject_gated)
        return plain._subjects_in(text)
    plain._patterns = tuple((i, p, None) for i, p, _ in lex._patterns)
    plain._patterns_gate = None  # nor the union of the gates
    return plain._indicators_in(text)


def _user_lexicon() -> Lexicon:
    pats = [r"(?:散居|集中供养)孤儿", r"\p{Han}{2}补贴", r"[^，。]{0,3}(?:经费|资金)", r"x*"]
    ind = Indicator("a", "孤儿数", ("孤儿",), tuple(regex.compile(p, regex.V0) for p in pats),
                    frozenset({"count"}), "d")
    mods = (regex.compile(r"\d+岁"), regex.compile(r"\p{Han}?每年"), regex.compile(r"(?:平均)?每[人户]"))
    return Lexicon(indicators=[ind], modifiers=mods, subject_words=("全国", "城镇"),
                   subject_patterns=(regex.compile(r"(?:东部|西部)(?=完成)"), regex.compile(r"\p{Han}区")))


@pytest.fixture(params=["shipped", "user"])
def lex(request, rules) -> Lexicon:
    return rules.extra["lexicon"] if request.param == "shipped" else _user_lexicon()


def _lexicon_patterns(lex: Lexicon) -> list[str]:
    return ([p.pattern for _i, p, _g in lex._patterns] + [p.pattern for p in lex.modifiers]
            + [p.pattern for p in lex.subject_patterns] + list(lex.subject_words))


def test_gated_lexicon_searches_find_what_every_pattern_finds(lex):
    rnd = random.Random(3)
    for text in _texts(_lexicon_patterns(lex), rnd, 3000):
        assert lex._indicators_in(text) == _plain_hits(lex, text, subjects=False), text
        assert lex._subjects_in(text) == _plain_hits(lex, text, subjects=True), text


def test_a_gateless_pattern_is_always_searched():
    lex = _user_lexicon()
    gates = {p.pattern: g for _i, p, g in lex._patterns}
    assert gates[r"\p{Han}{2}补贴"] is None and gates[r"x*"] is None  # regex-only syntax; no literal needed
    assert gates[r"(?:散居|集中供养)孤儿"] is not None
    assert [h.surface for h in lex._indicators_in("困难补贴")] == ["困难补贴"]
    assert lex.modifiers_gate is None  # \p{Han}?每年 | … : the analysis cannot vouch for \p{…}
    assert lex.strip_modifiers("甲每年3岁") == lex.modifiers_re.sub("", "甲每年3岁") == ""


def test_strip_modifiers_is_the_plain_substitution(lex):
    rnd = random.Random(5)
    for text in _texts(_lexicon_patterns(lex), rnd, 3000):
        assert lex.strip_modifiers(text) == lex.modifiers_re.sub("", text), text


def test_no_modifiers_leaves_the_text():
    assert Lexicon().strip_modifiers("3岁以上每年") == "3岁以上每年"


def _span(m: regex.Match | None) -> tuple[int, int] | None:
    return m.span() if m is not None else None


def test_attribution_gates_keep_the_plain_answers():
    rnd = random.Random(2)
    pats = [attribute._COMPARISON.pattern, attribute._PART_OF.pattern]
    for text in _texts(pats, rnd, 6000, extra="12 ，。的了上年全省平均水平占比较高低于"):
        assert attribute._drop_comparison(text) == attribute._COMPARISON.sub("", text), text
        assert _span(attribute._part_of(text)) == _span(attribute._PART_OF.search(text)), text


def test_basis_of_is_the_plain_scan():
    def plain(before: str) -> str:
        found = ""
        for m in attribute._BASIS.finditer(before):
            if m.group(2):
                found = m.group(2)
            elif m.group(0).startswith("同比"):
                found = "上年"
            elif m.group(1):
                g = m.group(1)
                found = "上年" if g in ("去年", "上一年") else g.replace("去年", "上年")
        return found

    rnd = random.Random(9)
    for text in _texts([attribute._BASIS.pattern], rnd, 4000, extra="12 ，。比较同上年去全省平均水"):
        assert attribute.basis_of(text) == plain(text), text


def test_clean_is_the_plain_removal(lex):
    rnd = random.Random(13)
    texts = _texts(_lexicon_patterns(lex) + [attribute._QUOTES.pattern], rnd, 3000, extra="12 ，。的\u3000\t\xa0（）()")
    for text in texts:
        plain = lex.modifiers_re.sub("", attribute._QUOTES.sub("", text)) if lex.modifiers_re else text
        assert attribute.clean.__wrapped__(text, lex) == plain, text


# --------------------------------------------------------------------------- anchored words, quotes, memo


def test_quote_gate_covers_every_character_the_removal_starts_with():
    """_QUOTES_MAY (standard engine) must say "may" for every code point `regex` starts a match with:
    its \\s is read by both engines, so every code point is tried."""
    starts = regex.compile(r"[（(]|[" + attribute._QUOTE_CHARS + "]")
    missed = [c for c in map(chr, range(0x110000)) if starts.match(c) and attribute._QUOTES_MAY(c) is None]
    assert missed == []
    assert attribute._QUOTES.pattern.startswith("[（(]") and attribute._QUOTES.pattern.endswith(
        "|[" + attribute._QUOTE_CHARS + "]")  # what the gate's reasoning assumes


def _word_texts(words: tuple[str, ...], rnd: random.Random, n: int) -> list[str]:
    pieces = list(words) + sorted({c for w in words for c in w}) + list("城镇A1 \n，的达到")
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 8))) for _ in range(n)]


def test_trim_head_and_tail_are_the_plain_substitutions():
    rnd = random.Random(17)
    for text in _word_texts(attribute._HEAD_WORDS + attribute._TAIL_WORDS, rnd, 6000):
        assert attribute._trim_head(text) == attribute._TRIM_HEAD.sub("", text), text
        assert attribute._trim_tail(text) == attribute._TRIM_TAIL.sub("", text), text
    assert attribute._trim_tail("城镇达到\n") == "城镇\n"  # $ holds before a final newline too


def test_coord_end_is_the_plain_search():
    rnd = random.Random(19)
    for text in _word_texts(attribute._COORD_WORDS, rnd, 4000):
        assert attribute._coord_end(text) == (attribute._COORD_END.search(text) is not None), text
    assert attribute._coord_end("城镇和\n")


@pytest.mark.parametrize("words,pattern,flags", [
    (("的", "为"), "(?:的|为)+$", 0),
    (("a.b", "c"), r"(?:a\.b|c)+$", 0),  # escaped words
    (("的", "为"), "(?:的|为)+$", regex.MULTILINE),  # $ at every line end: no gate
    (("的",), "(?:的|为)+$", 0),  # the words do not spell the pattern: no gate
    (("的", ""), "(?:的|)+$", 0),  # an empty word: no gate
])
def test_end_gate_on_other_shapes(words, pattern, flags):
    pat = regex.compile(pattern, flags)
    may = attribute._end_gate(pat, words)
    rnd = random.Random(23)
    for text in _word_texts(tuple(w for w in words if w) + ("为", "x"), rnd, 1500):
        if pat.search(text):
            assert may(text), text
    if flags or words == ("的",) or "" in words:
        assert may("城镇") and may("")  # no shortcut: always searched


@pytest.mark.parametrize("words,pattern,flags", [
    (("的", "其中"), "^(?:的|其中)+", 0),
    (("的", "其中"), "^(?:的|其中)+", regex.MULTILINE),
    (("的",), "^(?:的|其中)+", 0),
])
def test_head_remover_on_other_shapes(words, pattern, flags):
    pat = regex.compile(pattern, flags)
    remove = attribute._head_remover(pat, words)
    rnd = random.Random(29)
    for text in _word_texts(("的", "其中", "\n"), rnd, 1500):
        assert remove(text) == pat.sub("", text), text


def test_memo_answers_as_the_function_and_starts_afresh_when_full(monkeypatch):
    calls: list[str] = []

    @attribute._memo
    def upper(text: str, lex: Lexicon | None) -> str:
        calls.append(text)
        return text.upper()

    lex = Lexicon()
    monkeypatch.setattr(attribute, "_MEMO_LIMIT", 3)
    for t in ["a", "b", "a", "c", "d", "e", "a"]:
        assert upper(t, lex) == t.upper()
    assert upper("x", None) == "X" and calls.count("x") == 1
    assert calls == ["a", "b", "c", "d", "e", "a", "x"]  # "a" asked again is a hit, until the cache is replaced
    assert lex._memos[upper.__qualname__] == {"e": "E", "a": "A"}  # bounded: a full cache starts afresh


def test_memo_full_cache_still_answers_what_it_holds(monkeypatch):
    calls: list[str] = []

    @attribute._memo
    def lower(text: str, lex: Lexicon | None) -> str:
        calls.append(text)
        return text.lower()

    lex = Lexicon()
    monkeypatch.setattr(attribute, "_MEMO_LIMIT", 2)
    for t in ["A", "B", "C", "C", "A", "D"]:
        assert lower(t, lex) == t.lower()
    assert calls == ["A", "B", "C", "D"]  # C and A answered by the over-full cache; D's miss starts afresh
    assert lex._memos[lower.__qualname__] == {"D": "d"}


def test_nominal_table_answers_as_the_plain_test():
    tags = sorted(attribute.NOMINAL | attribute.STOP_TAGS | attribute._SKIP_TRAILING) + [
        "N", "NZ", "nrfg", "nx", "ns", "V", "vn", "Vn", "a", "ad", "f", "", "n1", "z", "zg", "e", "o", "h", "k"]
    for tag in tags * 2:  # asked twice: computed, then from the table
        assert attribute._nominal(tag) is attribute._nominal_plain(tag), tag


def test_union_gate_rules_out_only_texts_no_pattern_can_match():
    from extractor.lexicon import _union_gate

    lex = _user_lexicon()
    assert lex._patterns_gate is None  # \p{Han}{2}补贴 has no gate: every pattern keeps its own
    pats = [regex.compile(p) for p in (r"(?:散居|集中供养)孤儿", r"三农.?支出", r"(?:研发|R&D)经费")]
    union = _union_gate(pats)
    rnd = random.Random(7)
    for text in _texts([p.pattern for p in pats], rnd, 3000):
        if not union(text):
            assert not any(p.search(text) for p in pats), text
    assert _union_gate([]) is None and _union_gate([regex.compile(r"\d+")]) is None


def test_shipped_lexicon_with_union_gate_finds_what_every_pattern_finds(rules):
    lex = rules.extra["lexicon"]
    rnd = random.Random(11)
    for text in _texts(_lexicon_patterns(lex), rnd, 3000):
        assert lex._indicators_in(text) == _plain_hits(lex, text, subjects=False), text


def test_word_alternations_searched_first_find_what_finditer_finds(rules):
    lex = rules.extra["lexicon"]
    words = sorted(lex._by_surface)[:300] + list(lex.subject_words)
    rnd = random.Random(5)
    for text in ["".join(rnd.choice(words + list("的和12，。")) for _ in range(rnd.randint(0, 6))) for _ in range(3000)]:
        plain = copy.copy(lex)
        plain._patterns, plain._patterns_gate, plain._subject_gated = (), None, ()
        ind = [(m.span(), m.group()) for m in lex._surface_re.finditer(text)]
        sub = [(m.span(), m.group()) for m in lex._subject_re.finditer(text)]
        assert [((h.start, h.end), h.surface) for h in plain._indicators_in(text)] == ind, text
        assert [((h.start, h.end), h.surface) for h in plain._subjects_in(text)] == sub, text
