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
