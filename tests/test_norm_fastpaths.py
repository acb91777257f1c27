"""The fast paths of normalisation, sections, periods and rows give exactly the plain answers.

Why: each one skips work only where the skipped work provably changes nothing (a line that
cannot be a heading, an expansion already made, ...).  These tests compare them with the plain
computation on generated texts, dense in the characters the shortcut reasons about, so that a
change to a pattern the shortcut relies on (_HEADING, a template) fails here, not in the rows."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import periods
from extractor import pipeline as P

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HEADING_PIECES = [
    " ", "  ", "\t", "\u3000", "\n", "\n\n", "\r", "一", "十二", "、", "(", "（", ")", "）", "附件", "附", "件", "1", "23",
    "。", "；", "年", "计划", "回顾", "x" * 38, "y" * 40, "z" * 41, "2011年", "二、", "（三）", "附件 2", "附件\n", "附件\n\n",
    "\u2028", "\x0b",
]
HEADING_TEXT = st.lists(st.one_of(st.sampled_from(HEADING_PIECES), st.text(max_size=3)), max_size=40).map("".join)


@FAST
@given(HEADING_TEXT)
def test_heading_lines_are_the_non_empty_heading_matches(text):
    plain = [(m.start(), m.group()) for m in P._HEADING.finditer(text) if m.end() > m.start()]
    assert list(P._heading_lines(text)) == plain


def test_heading_lines_follow_a_match_across_lines():
    text = "附件\n  12 说明\n正文" + "很长" * 30 + "\n二、今后工作\n"
    assert list(P._heading_lines(text)) == [(m.start(), m.group()) for m in P._HEADING.finditer(text) if m.group()]
    assert list(P._heading_lines(text))[0] == (0, "附件\n  12 说明")


TEMPLATES = ["{y}", "{y-1}", "{r+1}", "{y-5}-{y-1}", "截至{r}年{1}月{2}", "{r}年{1}-{2}月", "{p-4}-{p}", "{b+1}-{p}",
             "{3}", "plain", ""]
YEARS = st.one_of(st.none(), st.integers(1990, 2030), st.sampled_from([2011.0, True]))
GROUPS = st.one_of(st.just(()), st.tuples(st.one_of(st.none(), st.text(max_size=2))),
                   st.tuples(st.one_of(st.none(), st.text(max_size=2)), st.one_of(st.none(), st.integers(1, 12))),
                   st.lists(st.text(max_size=2), max_size=2))


@FAST
@given(st.sampled_from(TEMPLATES), YEARS, YEARS, GROUPS, YEARS, YEARS)
def test_fill_kept_equals_fill_expanded(template, y, r, groups, p, b):
    """The kept expansion is the expansion, for equal-but-different arguments too (2011, 2011.0, True)."""
    try:
        want = periods._expand(template, y, r, groups, p, b)
    except TypeError:
        return
    for _ in range(2):  # the second time from the cache
        assert periods.fill(template, y, r, groups, p, b) == want


SENTENCE_PIECES = ["。", "！", "？", "!", "?", "\n", "，", "的", "a", " ", "\r", "\u2028", "．"]


@FAST
@given(st.lists(st.one_of(st.sampled_from(SENTENCE_PIECES), st.text(max_size=2)), max_size=30).map("".join),
       st.integers(0, 40))
def test_sentence_end_by_the_standard_engine_is_sentence_end(text, pos):
    plain = P.SENTENCE_END.search(text, pos)
    fast = P._sentence_end(text, pos)
    assert (fast.span() if fast else None) == (plain.span() if plain else None)


def test_only_a_class_of_literals_goes_to_the_standard_engine():
    import regex

    assert P._plain_class(regex.compile(r"[。！？!?\n]")) is not None
    for src in (r"[\p{Han}]", r"[a-z]", r"[^。]", r"[[a]--[b]]", r"[。]|x", r"(?i)[a]", r"[\w]", "[。]+"):
        assert P._plain_class(regex.compile(src)) is None, src
    assert P._plain_class(regex.compile(r"[ab]", regex.IGNORECASE)) is None


def test_rows_equal_the_plain_row_building(rules):
    """to_rows' inline offset lookups give what Norm.orig_span gives, on a text whose map has pieces."""
    from extractor.normalise import normalise

    text = "２０１１年，全市生產總值 4 000萬元，比上年增长 12.5 %。\n[4]\n 3\n工業增加值达到1 2 3亿元（bào）。"
    norm = normalise(text)
    meta = P.DocMeta(doc_id="d", source="s")
    rows = P.to_rows(P.find_figures(norm, rules, meta), norm, meta)
    assert rows
    for r in rows:
        assert text[r["start"]:r["end"]] == r["quote"]
        assert r["number_text"] in r["quote"]


WIDTH_PIECES = ["\u3000", "\u3000\u3000", "１９５６", "．", "％", "，", "；", "（", "）", "\u00a0", "\u2212", "\u2014", "﹙", "﹚",
                "\uff5e", "\uff5f", "\uff00", "\ufe50", "a", "1", "年", "\U00020000", "\ud800", "\udcff", "報", "说", "\n"]
WIDTH_TEXT = st.lists(st.one_of(st.sampled_from(WIDTH_PIECES), st.text(max_size=3)), max_size=40).map("".join)


def _plain_fold(text: str) -> list:
    from extractor import normalise as N

    return [(m.start(), m.end(), m.group().translate(N._WIDTH)) for m in N._WIDTH_RE.finditer(text)]


@FAST
@given(WIDTH_TEXT)
def test_fold_width_by_code_points_is_the_regex_scan(text):
    from unittest import mock

    from extractor import normalise as N

    with mock.patch.object(N, "_ARRAY_MIN", 0):
        assert N.fold_width(text) == _plain_fold(text)


@FAST
@given(WIDTH_TEXT, st.data())
def test_changed_runs_by_code_points_are_the_plain_runs(text, data):
    from unittest import mock

    from extractor import normalise as N

    conv = "".join(data.draw(st.sampled_from([ch, ch, "x", "\U00020001", "\udc80"])) for ch in text)
    plain = N._changed_runs(text, conv)
    with mock.patch.object(N, "_ARRAY_MIN", 0):
        assert N._changed_runs(text, conv) == plain
    with mock.patch.object(N, "_CHUNK", 1):  # the plain path itself, chunk by chunk: the same runs
        assert plain == N._changed_runs(text, conv)


def _period_patterns(rules) -> list:
    pr = periods.period_rules(rules)
    pats = [pr.basis_before, pr.year_not_period_after, pr.from_words, pr.to_words, pr.heading_words, pr.heading_not,
            pr.real_growth, pr.average_words, pr.basis_year]
    pats += [rw.pattern for rw in pr.relative + pr.basis_periods]
    import regex

    pats += [regex.compile(src) for src in ("从|由", "a|b|c", "(?:甲|乙|丙|丁|戊|己|庚|辛|壬)", "x+y", "年初(?!确定)", "")]
    return [p for p in pats if p is not None]


def test_period_literal_gates_answer_as_the_prefilter_gate(rules):
    import random

    from extractor import prefilter

    rnd = random.Random(5)
    for pat in _period_patterns(rules):
        gate, plain = periods.literal_gate(pat), prefilter.gate(pat)
        chars = sorted({c for c in pat.pattern if not c.isascii()} | set("abcxy12，。"))
        for _ in range(300):
            text = "".join(rnd.choice(chars) for _ in range(rnd.randint(0, 12)))
            assert gate(text) == (plain(text) if plain is not None else True), (pat.pattern, text)
            if not gate(text):
                assert pat.search(text) is None


def _plain_heading_years(text: str, pr) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """heading_years as it was: every line stripped and measured before looking for 年."""
    pos, years = [], []
    start = 0
    for raw in text.split("\n"):
        line = raw.strip(" \t\u3000")
        at, start = start, start + len(raw) + 1
        if not line or len(line) > pr.heading_max_chars or line.endswith(("。", "；", "，")):
            continue
        y = periods._YEAR.search(line) if "年" in line else None
        if y is None or not pr.heading_words.search(line) or pr.heading_not.search(line):
            continue
        pos.append(at)
        years.append(int(y.group(2)))
    return tuple(pos), tuple(years)


YEAR_LINES = ["2011年工作回顾", "一、2012年主要目标", "  2013年计划\u3000", "2014年报告", "年", "工作", "\n", "\n\n", " ",
              "。", "；", "，", "2015—2016年任务", "x" * 30, "\t"]


@FAST
@given(st.lists(st.one_of(st.sampled_from(YEAR_LINES), st.text(max_size=3)), max_size=25).map("".join))
def test_heading_years_equal_the_plain_line_scan(text):
    from extractor.rules import load_rules

    pr = periods.period_rules(load_rules())
    assert periods.heading_years.__wrapped__(text, pr) == _plain_heading_years(text, pr)


BASIS_PIECES = ["比", "较", "同", "与", "于", "相比", "对比", "超 过", "超过", "高\n于", "快于", " ", "\t", "\u3000", "\n", "上年", "今年",
                "2010年", "增长", "x"]


@FAST
@given(st.lists(st.one_of(st.sampled_from(BASIS_PIECES), st.text(max_size=2)), max_size=12).map("".join), st.data())
def test_is_basis_gate_keeps_the_answer(text, data):
    from extractor.rules import load_rules

    pr = periods.period_rules(load_rules())
    at = data.draw(st.integers(0, len(text)))
    periods._basis_memo.cache_clear()
    plain = bool(pr.basis_before.search(periods._SPACE.sub("", text[max(0, at - 8):at])))
    assert periods._is_basis(text, at, pr) is plain
