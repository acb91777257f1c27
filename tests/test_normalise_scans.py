"""normalise's fast paths give exactly what the plain scans and the per-character map gave.

Why: the steps find where a pattern can match with literal searches and try it only there, and the
offset map is stored as pieces; both are only allowed because the result is provably the same.
These tests keep it so when a pattern or a step changes (e.g. a new page-number form that
_PAGE_LINE_AT does not announce)."""

from contextlib import contextmanager
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import normalise as N

PIECES = [
    "1", "23", "456", "7890", "2012", ".", "．", ",", " ", "  ", "\t", "\u00a0", "\u2009", "\u202f", "\u3000",
    "\n", "\n\n", " \n", "\n ", "万元", "亿美元", "%", "‰", "上", "海", "報", "學", "(bào)", "（xué）", "(de)", "(",
    ")", "（", "）", "?", "?!", "！", "\ufffd", "翱鞓返掠苯", "单位", "单位：万元", ":", "：", "第", "页", "共", "-", "—",
    "–", "[4]", "\n第3页\n", "\n第 3 页 共 16 页\n", "\n- 3 -\n", "\n— 12 —\n", "\n 12 \n", "\n\t7\n", "一、", "二", "٣", "۴", "a", "Z", "x", "。", "，", "4 000", "1 6 5 5 亿", "8 ．8 ％", "50676 萬元",
]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=60).map("".join)
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


@contextmanager
def _sparse(on: bool):
    """Short test texts are dense in the literals, where the fast paths fall back to the plain
    scan; with `on` they never do, so the literal-led paths themselves are checked."""
    if on:
        with mock.patch.object(N, "_DENSE", 10**9):
            yield
    else:
        yield


@FAST
@given(TEXT, st.booleans())
def test_led_scans_equal_plain_scans(text, sparse):
    with _sparse(sparse):
        _check_led_scans(text)


def _check_led_scans(text):
    assert _spans(N._finditer_at(N._PINYIN, text, N._positions(text, "(（"))) == _spans(N._PINYIN.finditer(text))
    assert _spans(N._finditer_at(N._MOJIBAKE, text, N._positions(text, "?\ufffd"))) == _spans(N._MOJIBAKE.finditer(text))
    page_at = [m.end() for m in N._PAGE_LINE_AT.finditer(text)]
    assert _spans(N._finditer_at(N._PAGE_LINE, text, page_at)) == _spans(N._PAGE_LINE.finditer(text))
    gap_at = N._led_positions(text, N._AFTER_NUMBER)
    assert _spans(N._finditer_at(N._NUM_UNIT_GAP, text, gap_at)) == _spans(N._NUM_UNIT_GAP.finditer(text))
    han_at = N._led_positions(text, N._HAN_GAP_AT)
    assert _spans(N._finditer_at(N._HAN_GAP, text, han_at)) == _spans(N._HAN_GAP.finditer(text))
    assert _spans(N._unit_lines(text)) == _spans(N.UNIT_LINE.finditer(text))


@FAST
@given(TEXT, st.booleans())
def test_line_scans_equal_plain_scans(text, sparse):
    with _sparse(sparse):
        after_number = N._led_positions(text, N._AFTER_NUMBER)
        spaced = None if after_number is None else [p for p in after_number if text[p] != "\n"]
        for pat in (N._HK_THOUSANDS, N._SPACED_POINT, N._SPACED_DIGITS):
            assert _spans(N._finditer_lines(pat, text, spaced)) == _spans(pat.finditer(text))


@FAST
@given(TEXT)
def test_hard_wrapped_as_before(text):
    long_lines = [ln.rstrip() for ln in text.split("\n") if len(ln.strip()) >= N._MIN_WRAPPED_LINE]
    before = len(long_lines) >= 5 and sum(1 for ln in long_lines if not ln.endswith(N._TERMINAL)) > 0.4 * len(long_lines)
    assert N.is_hard_wrapped(text) == before


def test_num_unit_gap_finds_the_non_empty_gaps_of_the_old_pattern():
    import regex

    old = regex.compile(r"(?<=[\d.])[ \t\u00a0]*\n?[ \t\u00a0]*(?=[\p{Han}%‰])")
    text = "增长 13.8 %，12\n 万元，3 \n 亿，4\n\n元，5  万，6.\t人"
    assert [m.span() for m in old.finditer(text) if m.end() > m.start()] == _spans(N._NUM_UNIT_GAP.finditer(text))


def _reference_map(text: str, skip: frozenset[str]) -> tuple[str, list[int], list[int]]:
    """The map as it was built before pieces: one start and one end per character."""
    starts, ends = list(range(len(text))), list(range(1, len(text) + 1))
    for name, step in N.PIPELINE:
        if name in skip:
            continue
        edits = step(text)
        pieces, s2, e2, pos = [], [], [], 0
        for a, b, rep in edits:
            if a < pos:
                continue
            pieces.append(text[pos:a])
            s2 += starts[pos:a]
            e2 += ends[pos:a]
            if rep:
                if len(rep) == b - a:
                    s2 += starts[a:b]
                    e2 += ends[a:b]
                else:
                    s0 = starts[a] if a < len(starts) else (ends[-1] if ends else 0)
                    e0 = ends[b - 1] if b > a else s0
                    s2 += [s0] * len(rep)
                    e2 += [e0] * len(rep)
                pieces.append(rep)
            pos = b
        pieces.append(text[pos:])
        text, starts, ends = "".join(pieces), s2 + starts[pos:], e2 + ends[pos:]
    return text, starts, ends


@FAST
@given(TEXT, st.booleans(), st.booleans())
def test_piece_map_equals_per_character_map(text, repair, sparse):
    skip = frozenset() if repair else frozenset({"repair_mojibake"})
    with _sparse(sparse):
        norm = N.normalise(text, skip)
    ref_text, ref_starts, ref_ends = _reference_map(text, skip)
    assert (norm.text, norm.starts, norm.ends) == (ref_text, ref_starts, ref_ends)
    for i in range(len(norm.text)):
        for j in (i + 1, len(norm.text)):
            assert norm.orig_span(i, j) == (ref_starts[i], ref_ends[j - 1])


def test_repaired_run_maps_to_its_whole_span():
    text = "全年完成?!翱鞓返掠苯?工作"
    norm = N.normalise(text, frozenset())
    ref_text, ref_starts, ref_ends = _reference_map(text, frozenset())
    assert norm.text == ref_text and norm.starts == ref_starts and norm.ends == ref_ends


@FAST
@given(TEXT, st.booleans())
def test_normalise_text_is_normalise_text(text, repair):
    skip = frozenset() if repair else frozenset({"repair_mojibake"})
    assert N.normalise_text(text, skip) == N.normalise(text, skip).text
