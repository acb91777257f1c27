"""Normalisation as a named, ordered pipeline of pure steps that keep an offset map.

Why: rules are written once, for Simplified, half-width, unbroken text; users check rows against
the text *as decoded from the file*.  Each step edits the text and composes the map, so that any
span of the normalised text maps back to the exact characters it came from:
``original[norm.orig_span(i, j)] `` is what a row quotes.

A step is a function ``text -> list[Edit]`` (non-overlapping, sorted); `apply_edits` builds the
new text and map.  Steps never insert text from nowhere: every output character has a source.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import regex

Edit = tuple[int, int, str]  # replace text[a:b] by the string


@dataclass
class StepRecord:
    """What one step changed: for `explain` and for flags."""

    name: str
    changes: int
    examples: list[tuple[str, str]] = field(default_factory=list)


#: One piece of an offset map: (a, b, slope).  Normalised character i of the piece came from
#: original[a + slope*i : b + slope*i]: slope 1 for characters copied one for one (a shifted run),
#: slope 0 for characters that all came from one span (a replacement of another length).
Piece = tuple[int, int, int]


@dataclass
class Norm:
    """Normalised text with, for each character, the span of the original it came from.

    The map is stored as pieces (`marks[k]` is the normalised index where `pieces[k]` begins), not
    as two lists of one int per character: building those cost more than the steps themselves,
    and a document's edits are few, so its map is a few hundred pieces.  `starts` and `ends`
    are still there, as lists built on first use (explain's bisect, tests, the fuzzer)."""

    original: str
    text: str
    marks: list[int]
    pieces: list[Piece]
    steps: list[StepRecord] = field(default_factory=list)
    #: (start, end, flag) spans in *normalised* coordinates, e.g. mojibake runs
    flags: list[tuple[int, int, str]] = field(default_factory=list)

    @classmethod
    def identity(cls, text: str) -> Norm:
        return cls(text, text, [0], [(0, 1, 1)])

    def _locate(self, i: int) -> tuple[Piece, int]:
        """The piece holding normalised index i, and i itself (negative i counts from the end,
        as in a list; out of range is an IndexError, as it was)."""
        n = len(self.text)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("normalised index out of range")
        return self.pieces[bisect_right(self.marks, i) - 1], i

    def start_of(self, i: int) -> int:
        """Where normalised character i starts in the original (`starts[i]`)."""
        if 0 <= i < len(self.text):
            a, _, slope = self.pieces[bisect_right(self.marks, i) - 1]
            return a + slope * i
        (a, _, slope), i = self._locate(i)
        return a + slope * i

    def end_of(self, i: int) -> int:
        """Where normalised character i ends in the original (`ends[i]`)."""
        if 0 <= i < len(self.text):
            _, b, slope = self.pieces[bisect_right(self.marks, i) - 1]
            return b + slope * i
        (_, b, slope), i = self._locate(i)
        return b + slope * i

    def orig_span(self, i: int, j: int) -> tuple[int, int]:
        """The original span covered by normalised text[i:j] (j > i)."""
        if 0 <= i < j <= len(self.text):  # every row asks this: one bisect per end, inline
            marks, pieces = self.marks, self.pieces
            a, _, sa = pieces[bisect_right(marks, i) - 1]
            _, b, sb = pieces[bisect_right(marks, j - 1) - 1]
            return a + sa * i, b + sb * (j - 1)
        return self.start_of(i), self.end_of(j - 1)

    @cached_property
    def starts(self) -> list[int]:
        """For each normalised character, where it starts in the original (built once, on use)."""
        return self._expand(0)

    @cached_property
    def ends(self) -> list[int]:
        """For each normalised character, where it ends in the original (built once, on use)."""
        return self._expand(1)

    def _expand(self, which: int) -> list[int]:
        out: list[int] = []
        bounds = self.marks[1:] + [len(self.text)]
        for m0, m1, piece in zip(self.marks, bounds, self.pieces, strict=True):
            base, slope = piece[which], piece[2]
            out.extend(range(base + m0, base + m1) if slope else [base] * (m1 - m0))
        return out


class _MapBuilder:
    """Builds the map of an edited text from the map before the edit.  Edits come in order, so
    the old piece holding the next copied character is found by walking on from the last one
    (not a bisect per edit).  A piece equal to the one before is merged: it is the same function."""

    def __init__(self, norm: Norm) -> None:
        self.old_marks, self.old_pieces = norm.marks, norm.pieces
        self.n = len(norm.marks)
        self.k = 0  # the old piece holding the last character copied (or the first piece)
        self.marks: list[int] = []
        self.pieces: list[Piece] = []

    def copy(self, x: int, y: int, at: int) -> None:
        """The old characters [x, y), the first one landing at new index `at`."""
        if x >= y:
            return
        old_marks, pieces, n, k = self.old_marks, self.pieces, self.n, self.k
        while k + 1 < n and old_marks[k + 1] <= x:
            k += 1
        shift = at - x
        while True:
            a, b, slope = self.old_pieces[k]
            piece = (a - shift, b - shift, 1) if slope else (a, b, 0)
            if not pieces or pieces[-1] != piece:
                m = old_marks[k]
                self.marks.append((m if m > x else x) + shift)
                pieces.append(piece)
            if k + 1 >= n or old_marks[k + 1] >= y:
                self.k = k
                return
            k += 1

    def span(self, at: int, s0: int, e0: int) -> None:
        """A run of new characters from new index `at` that all map to original[s0:e0]."""
        piece = (s0, e0, 0)
        if not self.pieces or self.pieces[-1] != piece:
            self.marks.append(at)
            self.pieces.append(piece)


def apply_edits(norm: Norm, edits: list[Edit], name: str) -> Norm:
    """Apply sorted, non-overlapping edits; compose the offset map; record the step."""
    rec = StepRecord(name, len(edits))
    if not edits:
        norm.steps.append(rec)
        return norm
    text = norm.text
    n = len(text)
    if all(len(rep) == b - a for a, b, rep in edits):
        return _apply_one_for_one(norm, edits, rec)
    pieces: list[str] = []
    new_map = _MapBuilder(norm)
    out = 0  # length of the new text so far
    pos = 0
    for a, b, rep in edits:
        if a < pos:  # overlapping edit: skip it rather than corrupt the map
            continue
        pieces.append(text[pos:a])
        new_map.copy(pos, a, out)
        out += a - pos
        if rep:
            if len(rep) == b - a:
                new_map.copy(a, b, out)
            else:
                s0 = norm.start_of(a) if a < n else (norm.end_of(n - 1) if n else 0)
                e0 = norm.end_of(b - 1) if b > a else s0
                new_map.span(out, s0, e0)
            out += len(rep)
            pieces.append(rep)
        if len(rec.examples) < 5:
            ctx_a, ctx_b = max(0, a - 4), min(n, b + 4)
            rec.examples.append((text[ctx_a:ctx_b], text[ctx_a:a] + rep + text[b:ctx_b]))
        pos = b
    pieces.append(text[pos:])
    new_map.copy(pos, n, out)
    marks, new_pieces = new_map.marks, new_map.pieces
    if not marks:  # the edits removed every character
        marks, new_pieces = [0], [(0, 1, 1)]
    new = Norm(norm.original, "".join(pieces), marks, new_pieces, norm.steps, [])
    # flags are carried in normalised coordinates; re-map them through the edit
    new.flags = _remap_flags(norm.flags, edits)
    new.steps.append(rec)
    return new


def _apply_one_for_one(norm: Norm, edits: list[Edit], rec: StepRecord) -> Norm:
    """apply_edits when every edit keeps its length (fold_width, to_simplified): each character
    still comes from where it came from, so the map is the old one and only the text is built."""
    text = norm.text
    pieces: list[str] = []
    pos = 0
    for a, b, rep in edits:
        if a < pos:  # overlapping edit: skipped, as apply_edits does
            continue
        pieces += (text[pos:a], rep)
        if len(rec.examples) < 5:
            ctx_a, ctx_b = max(0, a - 4), min(len(text), b + 4)
            rec.examples.append((text[ctx_a:ctx_b], text[ctx_a:a] + rep + text[b:ctx_b]))
        pos = b
    pieces.append(text[pos:])
    new = Norm(norm.original, "".join(pieces), norm.marks, norm.pieces, norm.steps, [])
    new.flags = _remap_flags(norm.flags, edits)
    new.steps.append(rec)
    return new


def _remap_flags(flags: list[tuple[int, int, str]], edits: list[Edit]) -> list[tuple[int, int, str]]:
    if not flags:
        return []
    out = []
    for fa, fb, f in flags:
        shift_a = shift_b = 0
        for a, b, rep in edits:
            delta = len(rep) - (b - a)
            if b <= fa:
                shift_a += delta
            if b <= fb:
                shift_b += delta
        out.append((max(0, fa + shift_a), max(0, fb + shift_b), f))
    return out


# --------------------------------------------------------------------------- fast scans
# A regex scan costs ~15 ns a character unless the pattern starts with a literal, which both
# engines find at memchr speed; a report is ~20k characters and normalise ran a dozen scans.  So the
# steps find where a match can start with literal searches (or a literal-led pattern) and run the
# full pattern only there.  Each use says why that gives exactly pattern.finditer(text);
# tests/test_normalise_scans.py checks each against the plain scan.  Where the literals are dense
# (a flood of "?" or spaces) trying each would cost more than the scan: then None, "scan it all".

#: Candidates above one in this many characters: the plain scan is cheaper.
_DENSE = 8


def _positions(text: str, needles: Iterable[str]) -> list[int] | None:
    """Sorted positions where any of the literal `needles` occurs (None: too many)."""
    limit = len(text) // _DENSE
    out: list[int] = []
    for needle in needles:
        i = text.find(needle)
        while i >= 0:
            out.append(i)
            if len(out) > limit:
                return None
            i = text.find(needle, i + 1)
    out.sort()
    return out


def _led_positions(text: str, leads: dict[str, regex.Pattern]) -> list[int] | None:
    """Sorted starts of the matches of literal-led patterns (one per literal, tried only when the
    literal occurs in the text): where a step's pattern can start (None: too many)."""
    limit = len(text) // _DENSE
    out: list[int] = []
    for lit, pat in leads.items():
        if lit in text:
            for m in pat.finditer(text):
                out.append(m.start())
                if len(out) > limit:
                    return None
    out.sort()
    return out


def _finditer_at(pattern: regex.Pattern, text: str, starts: list[int] | None) -> list[regex.Match]:
    """pattern.finditer(text) for a pattern that never matches empty, given sorted positions that
    include every position where a match can start: the scan finds the first position at or
    after where it resumes whose match attempt succeeds, and resumes at that match's end.
    starts None, or too many: the plain scan."""
    if starts is None or len(starts) * _DENSE > len(text):
        return list(pattern.finditer(text))
    out = []
    resume = 0
    for p in starts:
        if p >= resume:
            m = pattern.match(text, p)
            if m:
                out.append(m)
                resume = m.end()
    return out


def _finditer_lines(pattern: regex.Pattern, text: str, at: list[int] | None) -> list[regex.Match]:
    """pattern.finditer(text) for a pattern that cannot match a line break and whose lookarounds
    read a line break as they read the end of the text, given positions that include one in
    each line holding a match: each such line is scanned on its own (pos/endpos: lookbehinds still
    see the line break before it, and endpos stands where the line break was).  at None: the
    plain scan."""
    if at is None:
        return list(pattern.finditer(text))
    out: list[regex.Match] = []
    line_end = -1
    for p in at:
        if p <= line_end:
            continue  # that line was scanned
        start = text.rfind("\n", 0, p) + 1
        line_end = text.find("\n", p)
        if line_end < 0:
            line_end = len(text)
        out.extend(pattern.finditer(text, start, line_end))
    return out


# --------------------------------------------------------------------------- the steps

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_NEUTRAL = "de|le|men|zi|me|ge|ba|ma|ne|zhe|guo|shang|xia|li|tou|lai|qu"
_PINYIN = regex.compile(
    r"(?<=\p{Han})[(（]((?:[a-zü]*[" + _TONED + r"][a-zü]*|" + _NEUTRAL + r"))[)）]"
)


def strip_pinyin(text: str) -> list[Edit]:
    """Drop pinyin annotations after a character: 報(bào) -> 報.  Real parentheses stay:
    their content is not a single lower-case syllable with a tone mark."""
    # every match starts with its opening parenthesis
    return [(m.start(), m.end(), "") for m in _finditer_at(_PINYIN, text, _positions(text, "(（"))]


_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0xFE59: 0x28, 0xFE5A: 0x29, 0xFE5B: 0x7B, 0xFE5C: 0x7D, 0xFE50: 0x2C,
               0xFE52: 0x2E, 0xFE55: 0x3A, 0xFE54: 0x3B, 0xFE6A: 0x25, 0xFE63: 0x2D, 0x2212: 0x2D,
               0x2014: 0x2014, 0xFF5E: 0x7E, 0x00A0: 0x20})
# keep the Chinese clause punctuation as it is: ，；：！？ separate clauses, not thousands
for _c in "，；：！？（）":
    _WIDTH.pop(ord(_c), None)
#: the characters fold_width changes
_WIDTH_CHARS = "".join(chr(c) for c in _WIDTH if chr(c) != chr(_WIDTH[c]))
# A class of literal characters means the same in both engines; the standard library's scans
# 2 MB of text ~4x faster than `regex` for it (a fifth of normalise's time was this one scan).
_WIDTH_RE = re.compile("[" + "".join(map(re.escape, _WIDTH_CHARS)) + "]+")


def fold_width(text: str) -> list[Edit]:
    """Full-width digits, letters and signs to ASCII (４７．２ -> 47.2, ﹙一﹚ -> (一)); one for one.

    The edits are the maximal runs of _WIDTH_CHARS: found by a table look-up over the text's code
    points where numpy is there and the text is long (a third of the regex scan's cost)."""
    cps = _code_points(text)
    if cps is None:
        return [(m.start(), m.end(), m.group().translate(_WIDTH)) for m in _WIDTH_RE.finditer(text)]
    table = _width_table()
    hits = table[cps.clip(0, len(table) - 1)].nonzero()[0]
    return [(a, b, text[a:b].translate(_WIDTH)) for a, b in _runs(hits)]


# --------------------------------------------------------------------------- arrays of code points
# A text as an array of its code points (UTF-32, lone surrogates passed through, so index i is
# character i): a per-character test or comparison then runs in numpy, not a regex or a loop.
# numpy comes with pandas; without it, or for short texts (a title line, a cell), the plain scans.

#: Texts shorter than this are scanned plainly (the array costs more than it saves).
_ARRAY_MIN = 2048


@lru_cache(maxsize=1)
def _numpy():
    try:
        import numpy
    except ImportError:  # pragma: no cover - pandas brings it
        return None
    return numpy


def _code_points(text: str):
    """The text's code points as a numpy array, or None (short text, or no numpy)."""
    if len(text) < _ARRAY_MIN:
        return None
    np = _numpy()
    if np is None:
        return None
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


@lru_cache(maxsize=1)
def _width_table():
    """A bool per code point up to the highest of _WIDTH_CHARS, plus one False that every higher
    code point is clipped to: True where fold_width edits."""
    np = _numpy()
    table = np.zeros(max(map(ord, _WIDTH_CHARS)) + 2, dtype=bool)
    table[[ord(c) for c in _WIDTH_CHARS]] = True
    return table


def _runs(positions) -> list[tuple[int, int]]:
    """Maximal runs [a, b) of consecutive positions (a sorted numpy array of distinct ints)."""
    if not len(positions):
        return []
    np = _numpy()
    breaks = (np.diff(positions) != 1).nonzero()[0]
    starts = np.concatenate((positions[:1], positions[breaks + 1]))
    ends = np.concatenate((positions[breaks], positions[-1:])) + 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> list[Edit]:
    """Traditional -> Simplified with OpenCC.  One edit per changed run, so the map stays exact;
    a line whose conversion changes its length is converted character by character."""
    if not text:
        return []
    cc = _opencc()
    conv = cc.convert(text)
    if len(conv) != len(text):
        conv = "".join(_line_t2s(line, cc) for line in text.splitlines(keepends=True))
    if conv == text:
        return []
    return _changed_runs(text, conv)


_CHUNK = 64


def _changed_runs(text: str, conv: str) -> list[Edit]:
    """One edit per maximal run of positions where `conv` (as long as `text`) differs.  Chunks
    that are equal are skipped with one slice comparison: most of a converted text is unchanged.
    A long text is compared as two arrays of code points (`_code_points`)."""
    a, b = _code_points(text), _code_points(conv)
    if a is not None and b is not None and len(a) == len(b):
        return [(i, j, conv[i:j]) for i, j in _runs((a != b).nonzero()[0])]
    diff: list[int] = []
    n = len(text)
    for c in range(0, n, _CHUNK):
        d = c + _CHUNK
        if text[c:d] != conv[c:d]:
            diff += [k for k in range(c, min(d, n)) if text[k] != conv[k]]
    edits: list[Edit] = []
    i = 0
    while i < len(diff):
        j = i
        while j + 1 < len(diff) and diff[j + 1] == diff[j] + 1:
            j += 1
        a, b = diff[i], diff[j] + 1
        edits.append((a, b, conv[a:b]))
        i = j + 1
    return edits


def _line_t2s(line: str, cc) -> str:
    out = cc.convert(line)
    if len(out) == len(line):
        return out
    chars = []
    for ch in line:
        c = cc.convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


_FOOTNOTE_LINE = regex.compile(r"(?m)^[ \t]*\[\d{1,3}\][ \t]*\n")
# a page number alone on a line: "3", "- 3 -", "— 3 —", "第3页", "第 3 页 共 16 页"
_PAGE_LINE = regex.compile(r"(?m)(?<=\S[ \t]*\n)[ \t]*(?:\d{1,3}|[-–—][ \t]*\d{1,3}[ \t]*[-–—]|第[ \t]*\d{1,3}[ \t]*页(?:[ \t]*共[ \t]*\d{1,3}[ \t]*页)?)[ \t]*\n(?=[ \t]*\S)")
# where a _PAGE_LINE match can start: after a line break, at what its three forms begin with
# (keep the two in step when a form is added)
_PAGE_LINE_AT = regex.compile(r"\n(?=[ \t]*(?:\d|[-–—]|第))")


def drop_layout_lines(text: str) -> list[Edit]:
    """Remove lines that are only a footnote marker ([4]) or a page number between text lines,
    as PDF text layers leave them inside sentences ("186.8\\n 3\\n万吨")."""
    if "\n" not in text:  # both kinds of line end with one (a title line, a cell: no work)
        return []
    edits = [(m.start(), m.end(), "") for m in _FOOTNOTE_LINE.finditer(text)]
    starts = [m.end() for m in _PAGE_LINE_AT.finditer(text)]
    edits += [(m.start(), m.end(), "") for m in _finditer_at(_PAGE_LINE, text, starts)]
    edits.sort()
    return _drop_overlaps(edits)


def _drop_overlaps(edits: list[Edit]) -> list[Edit]:
    out: list[Edit] = []
    end = -1
    for e in edits:
        if e[0] >= end:
            out.append(e)
            end = e[1]
    return out


_HK_THOUSANDS = regex.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?![\d.])")
_SPACED_POINT = regex.compile(r"(?<![\d.])\d+[ \t]+\.[ \t]*\d+(?![\d.])")
_SPACED_DIGITS = regex.compile(r"(?<![\d.])\d(?:[ \t]\d){2,}(?![\d.])(?=[ \t]*[\p{Han}%])")
# The gap between a number and its unit: only non-empty gaps are edits.  Written so it cannot match
# empty (it used to be `[ \t\u00a0]*\n?[ \t\u00a0]*`, matching empty at every digit-Han boundary
# and tried with backtracking at each; the non-empty matches are the same, in the same order,
# and 10x cheaper to find).
_NUM_UNIT_GAP = regex.compile(r"(?<=[\d.])(?:[ \t\u00a0]+\n?[ \t\u00a0]*|\n[ \t\u00a0]*)(?=[\p{Han}%‰])")
_HAN_GAP = regex.compile(r"(?<=\p{Han})[ \t\u00a0]+(?=\p{Han})")
# Where the gap patterns can be: every match of the three digit patterns holds a digit followed by
# a space (of one of the first five kinds), and none can match a line break (their lookaheads
# fail, or succeed, alike at a line break and at the end); _NUM_UNIT_GAP starts right after a
# digit or a point with a space or a line break, _HAN_GAP right after a Han character with a space.
# One scan per character finds both the digit patterns' lines and _NUM_UNIT_GAP's starts (each
# use takes more positions than it needs, which only costs a failed attempt).
_AFTER_NUMBER = {c: regex.compile(r"(?<=[\d.])" + regex.escape(c)) for c in " \t\u00a0\u2009\u202f\n"}
_HAN_GAP_AT = {c: regex.compile(r"(?<=\p{Han})" + regex.escape(c)) for c in " \t\u00a0"}
#: every split join_splits undoes holds one of these (a space of one kind or a line break)
_SPLITS = " \t\n\u00a0\u2009\u202f"
_WRAP = regex.compile(r"(?<=[^\s])[ \t]*\n(?![ \t]{2}|\u3000|\n|[ \t]*[一二三四五六七八九十]+、|[ \t]*[(（]|[ \t]*\d+[.．、](?!\d))[ \t]?(?=\S)")
_MIN_WRAPPED_LINE = 15


_TERMINAL = tuple("。！？：；”）)!?:;")


def is_hard_wrapped(text: str) -> bool:
    """True for text whose lines are a page's width, not paragraphs (PDF text layers): most
    long lines end mid-sentence.  Paragraph-per-line reports keep their line breaks."""
    n = _MIN_WRAPPED_LINE
    long_lines = [ln for ln in map(str.rstrip, text.split("\n")) if len(ln) >= n and len(ln.lstrip()) >= n]
    if len(long_lines) < 5:
        return False
    open_ended = sum(not ln.endswith(_TERMINAL) for ln in long_lines)
    return open_ended > 0.4 * len(long_lines)


UNIT_LINE = regex.compile(r"(?m)^[ \t]*单位[:：][ \t]*(?P<unit>[^\s、,，;；]+)[^\n]*$")
_CELLS = regex.compile(r"\S+")


def _unit_lines(text: str) -> list[regex.Match]:
    """UNIT_LINE.finditer(text): a match is a whole line holding 单位, so only the starts of
    those lines are tried."""
    found = _positions(text, ("单位",))
    if found is None:
        return list(UNIT_LINE.finditer(text))
    starts: list[int] = []
    line_end = -1
    for q in found:
        if q > line_end:  # a line not seen yet: its start (each line is looked at once)
            starts.append(text.rfind("\n", 0, q) + 1)
            line_end = text.find("\n", q)
            if line_end < 0:
                line_end = len(text)
    return _finditer_at(UNIT_LINE, text, starts)


def table_blocks(text: str) -> list[tuple[int, int]]:
    """Plain-text tables: a 单位 line, a header line, then rows with as many cells as the header.
    Their spaces and line breaks are structure, so join_splits leaves them alone."""
    blocks = []
    for m in _unit_lines(text):
        head_end = text.find("\n", m.end() + 1)
        if head_end < 0:
            continue
        ncols = len(_CELLS.findall(text, m.end() + 1, head_end))
        if ncols < 2:
            continue
        pos = end = head_end + 1
        while pos < len(text):
            line_end = text.find("\n", pos)
            line_end = len(text) if line_end < 0 else line_end
            if len(_CELLS.findall(text, pos, line_end)) != ncols:
                break
            end = pos = line_end + 1
        blocks.append((max(0, m.start() - 1), end))
    return blocks


def join_splits(text: str) -> list[Edit]:
    """Undo spaces and line breaks that split a figure, its unit or its sentence:
    "4 000張", "50676 萬元", "上 海", "比上年增\\n长13.8%"."""
    if not any(c in text for c in _SPLITS):
        return []
    edits: list[Edit] = []
    after_number = _led_positions(text, _AFTER_NUMBER)
    spaced = None if after_number is None else [p for p in after_number if text[p] != "\n"]
    for m in _finditer_lines(_HK_THOUSANDS, text, spaced):
        base = m.start()
        for k, ch in enumerate(m.group()):
            if not ch.isdigit():
                edits.append((base + k, base + k + 1, ""))
    for pat in (_SPACED_POINT, _SPACED_DIGITS):  # "8 ．8 ％", "1 6 5 5 亿美元" (typeset archives)
        for m in _finditer_lines(pat, text, spaced):
            base = m.start()
            edits.extend((base + k, base + k + 1, "") for k, ch in enumerate(m.group()) if ch in " \t")
    gaps = _finditer_at(_NUM_UNIT_GAP, text, after_number)
    edits += [(m.start(), m.end(), "") for m in gaps]
    for m in _finditer_at(_HAN_GAP, text, _led_positions(text, _HAN_GAP_AT)):
        edits.append((m.start(), m.end(), ""))
    if is_hard_wrapped(text):
        for m in _WRAP.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            if m.start() - line_start >= _MIN_WRAPPED_LINE:
                edits.append((m.start(), m.end(), ""))
    blocks = table_blocks(text) if "单位" in text else []
    if blocks:
        edits = [e for e in edits if not any(a <= e[0] < b for a, b in blocks)]
    edits.sort()
    return _drop_overlaps(edits)


_MOJIBAKE = regex.compile(r"(?<=[\p{Han}\p{P}])\?[!！]?[\p{Han}]{2,}|\ufffd+")


def find_mojibake(text: str) -> list[tuple[int, int, str]]:
    """Runs that look like byte-shifted GBK ("?!翱鞓返掠苯") or replacement characters."""
    # every match starts with its "?" or its first U+FFFD
    return [(m.start(), m.end(), "mojibake") for m in _finditer_at(_MOJIBAKE, text, _positions(text, "?\ufffd"))]


# A run of byte-shifted GBK: a lost byte ("?"), the shifted punctuation ("！" from 。“), then Han
# (and CJK brackets) read from pairs that straddle the original characters; an ASCII letter or a
# "?" ends it where the decoder fell back into step.
_SHIFTED_RUN = regex.compile(r"(?<=[\p{Han}\p{P}])\?[!！]?[\p{Han}\u3008-\u3011]{2,}(?:\?|[@-Z^-z](?![a-z]))?")
_LOST_LEAD_PUNCT = "。，、；：“”‘’《》（）！？"


def unshift_gbk(run: str) -> str | None:
    """Undo a one-byte shift of GBK text: re-encode the run, drop the byte that belonged to the lost
    character, decode the pairs again.  None unless the result is plausible: at least two
    characters, every one a common character (GB2312 level 1, its Traditional form, or CJK
    punctuation), and more common than the run was."""
    raw = bytearray()
    for k, ch in enumerate(run[1:].rstrip("?")):
        if ch in "!！" and k == 0:
            raw += b"\xa3\xa1"  # the width-folded "！" made of 。's tail and “'s head
        elif "@" <= ch <= "~":
            raw.append(ord(ch))  # a single trail byte the decoder emitted on its own
        else:
            try:
                raw += ch.encode("gbk")
            except UnicodeEncodeError:
                return None
    if len(raw) < 3:
        return None
    out = []
    head = _gbk_char(bytes([0xA1, raw[0]]))
    if head and head in _LOST_LEAD_PUNCT:
        out.append(head)  # the lost character's lead byte, when CJK punctuation is the only reading
    for i in range(1, len(raw) - 1, 2):
        ch = _gbk_char(bytes(raw[i:i + 2]))
        if ch is None:
            break
        out.append(ch)
    fixed = "".join(out)
    body = [c for c in run if "\u4e00" <= c <= "\u9fff"]
    if len(fixed) < 2 or not all(_common(c) for c in fixed):
        return None
    if body and sum(map(_common, body)) / len(body) >= 1.0 and len(fixed) <= len(body) // 2:
        return None
    return fixed


def _gbk_char(pair: bytes) -> str | None:
    try:
        ch = pair.decode("gbk")
    except UnicodeDecodeError:
        return None
    return ch if len(ch) == 1 else None


@lru_cache(maxsize=8192)
def _common(ch: str) -> bool:
    """GB2312 level-1 Han (the 3755 most used), its Traditional spelling, or CJK punctuation."""
    if ch in _LOST_LEAD_PUNCT:
        return True
    for c in (ch, _opencc().convert(ch)):
        try:
            b = c.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if len(b) == 2 and 0xB0 <= b[0] <= 0xD7:
            return True
    return False


def repair_mojibake(text: str) -> list[Edit]:
    """Replace byte-shifted GBK runs ("?!翱鞓返掠苯?" -> "。“快樂德...") by their re-decoding when that
    is plausible; the repaired span is flagged "repaired" (see STEP_FLAGS).  Switch it off with
    skip={"repair_mojibake"}, ZHIBIAO_SKIP_STEPS=repair_mojibake or `zhibiao extract --no-repair`."""
    edits: list[Edit] = []
    for m in _SHIFTED_RUN.finditer(text):
        fixed = unshift_gbk(m.group())
        if fixed:
            edits.append((m.start(), m.end(), fixed))
    return edits


#: Steps whose edited spans are flagged on the figures around them (flag name per step).
STEP_FLAGS = {"repair_mojibake": "repaired"}


def default_skip() -> frozenset[str]:
    """Steps switched off for this process: ZHIBIAO_SKIP_STEPS, comma separated (what --no-repair sets)."""
    import os

    return frozenset(s.strip() for s in os.environ.get("ZHIBIAO_SKIP_STEPS", "").split(",") if s.strip())


def _edited_spans(edits: list[Edit], flag: str) -> list[tuple[int, int, str]]:
    """The edits' replacement spans in the coordinates of the text after the edit."""
    out, delta = [], 0
    for a, b, rep in edits:
        out.append((a + delta, a + delta + len(rep), flag))
        delta += len(rep) - (b - a)
    return out


Step = Callable[[str], list[Edit]]

#: The pipeline, in order.  Names are what `explain` prints and what users can switch off.
PIPELINE: list[tuple[str, Step]] = [
    ("repair_mojibake", repair_mojibake),
    ("strip_pinyin", strip_pinyin),
    ("fold_width", fold_width),
    ("to_simplified", to_simplified),
    ("drop_layout_lines", drop_layout_lines),
    ("join_splits", join_splits),
]


def normalise_text(text: str, skip: frozenset[str] | None = None) -> str:
    """normalise(text, skip).text, without building the offset map and the step records: for
    callers that only read the text (a document's title lines)."""
    skip = default_skip() if skip is None else skip
    for name, step in PIPELINE:
        if name not in skip:
            edits = step(text)
            if edits:
                text = _edited_text(text, edits)
    return text


def _edited_text(text: str, edits: list[Edit]) -> str:
    """The text apply_edits builds: overlapping edits skipped, the others replaced."""
    pieces: list[str] = []
    pos = 0
    for a, b, rep in edits:
        if a >= pos:
            pieces += (text[pos:a], rep)
            pos = b
    pieces.append(text[pos:])
    return "".join(pieces)


def normalise(text: str, skip: frozenset[str] | None = None) -> Norm:
    """Run the pipeline; mojibake is flagged (not used as text) after the edits.
    skip: step names to leave out (None: default_skip(), from ZHIBIAO_SKIP_STEPS)."""
    skip = default_skip() if skip is None else skip
    norm = Norm.identity(text)
    for name, step in PIPELINE:
        if name in skip:
            continue
        edits = step(norm.text)
        norm = apply_edits(norm, edits, name)
        if name in STEP_FLAGS and edits:
            norm.flags.extend(_edited_spans(edits, STEP_FLAGS[name]))
    flags = find_mojibake(norm.text)
    norm.flags.extend(flags)
    norm.steps.append(StepRecord("flag_mojibake", len(flags), [(norm.text[a:b], "(flagged)") for a, b, _ in flags[:5]]))
    return norm
