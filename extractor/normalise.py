"""Normalisation as a named, ordered pipeline of pure steps that keep an offset map.

Why: rules are written once, for Simplified, half-width, unbroken text; users check rows against
the text *as decoded from the file*.  Each step edits the text and composes the map, so that any
span of the normalised text maps back to the exact characters it came from:
``original[norm.orig_span(i, j)] `` is what a row quotes.

A step is a function ``text -> list[Edit]`` (non-overlapping, sorted); `apply_edits` builds the
new text and map.  Steps never insert text from nowhere: every output character has a source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import regex

Edit = tuple[int, int, str]  # replace text[a:b] by the string


@dataclass
class StepRecord:
    """What one step changed: for `explain` and for flags."""

    name: str
    changes: int
    examples: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Norm:
    """Normalised text with, for each character, the span of the original it came from."""

    original: str
    text: str
    starts: list[int]
    ends: list[int]
    steps: list[StepRecord] = field(default_factory=list)
    #: (start, end, flag) spans in *normalised* coordinates, e.g. mojibake runs
    flags: list[tuple[int, int, str]] = field(default_factory=list)

    @classmethod
    def identity(cls, text: str) -> Norm:
        idx = list(range(len(text)))
        return cls(text, text, idx, [i + 1 for i in idx])

    def orig_span(self, i: int, j: int) -> tuple[int, int]:
        """The original span covered by normalised text[i:j] (j > i)."""
        return self.starts[i], self.ends[j - 1]


def apply_edits(norm: Norm, edits: list[Edit], name: str) -> Norm:
    """Apply sorted, non-overlapping edits; compose the offset map; record the step."""
    rec = StepRecord(name, len(edits))
    if not edits:
        norm.steps.append(rec)
        return norm
    text, S, E = norm.text, norm.starts, norm.ends
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for a, b, rep in edits:
        if a < pos:  # overlapping edit: skip it rather than corrupt the map
            continue
        pieces.append(text[pos:a])
        starts.extend(S[pos:a])
        ends.extend(E[pos:a])
        if rep:
            if len(rep) == b - a:
                starts.extend(S[a:b])
                ends.extend(E[a:b])
            else:
                s0 = S[a] if a < len(S) else (E[-1] if E else 0)
                e0 = E[b - 1] if b > a else s0
                starts.extend([s0] * len(rep))
                ends.extend([e0] * len(rep))
            pieces.append(rep)
        if len(rec.examples) < 5:
            ctx_a, ctx_b = max(0, a - 4), min(len(text), b + 4)
            rec.examples.append((text[ctx_a:ctx_b], text[ctx_a:a] + rep + text[b:ctx_b]))
        pos = b
    pieces.append(text[pos:])
    starts.extend(S[pos:])
    ends.extend(E[pos:])
    new = Norm(norm.original, "".join(pieces), starts, ends, norm.steps, [])
    # flags are carried in normalised coordinates; re-map them through the edit
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


# --------------------------------------------------------------------------- the steps

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_NEUTRAL = "de|le|men|zi|me|ge|ba|ma|ne|zhe|guo|shang|xia|li|tou|lai|qu"
_PINYIN = regex.compile(
    r"(?<=\p{Han})[(（]((?:[a-zü]*[" + _TONED + r"][a-zü]*|" + _NEUTRAL + r"))[)）]"
)


def strip_pinyin(text: str) -> list[Edit]:
    """Drop pinyin annotations after a character: 報(bào) -> 報.  Real parentheses stay:
    their content is not a single lower-case syllable with a tone mark."""
    return [(m.start(), m.end(), "") for m in _PINYIN.finditer(text)]


_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0xFE59: 0x28, 0xFE5A: 0x29, 0xFE5B: 0x7B, 0xFE5C: 0x7D, 0xFE50: 0x2C,
               0xFE52: 0x2E, 0xFE55: 0x3A, 0xFE54: 0x3B, 0xFE6A: 0x25, 0xFE63: 0x2D, 0x2212: 0x2D,
               0x2014: 0x2014, 0xFF5E: 0x7E, 0x00A0: 0x20})
# keep the Chinese clause punctuation as it is: ，；：！？ separate clauses, not thousands
for _c in "，；：！？（）":
    _WIDTH.pop(ord(_c), None)
_WIDTH_RE = regex.compile("[" + "".join(regex.escape(chr(c)) for c in _WIDTH if chr(c) != chr(_WIDTH[c])) + "]+")


def fold_width(text: str) -> list[Edit]:
    """Full-width digits, letters and signs to ASCII (４７．２ -> 47.2, ﹙一﹚ -> (一)); one for one."""
    return [(m.start(), m.end(), m.group().translate(_WIDTH)) for m in _WIDTH_RE.finditer(text)]


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
    edits: list[Edit] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] != conv[i]:
            j = i
            while j < n and text[j] != conv[j]:
                j += 1
            edits.append((i, j, conv[i:j]))
            i = j
        else:
            i += 1
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


def drop_layout_lines(text: str) -> list[Edit]:
    """Remove lines that are only a footnote marker ([4]) or a page number between text lines,
    as PDF text layers leave them inside sentences ("186.8\\n 3\\n万吨")."""
    edits = [(m.start(), m.end(), "") for m in _FOOTNOTE_LINE.finditer(text)]
    edits += [(m.start(), m.end(), "") for m in _PAGE_LINE.finditer(text)]
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
_NUM_UNIT_GAP = regex.compile(r"(?<=[\d.])[ \t\u00a0]*\n?[ \t\u00a0]*(?=[\p{Han}%‰])")
_HAN_GAP = regex.compile(r"(?<=\p{Han})[ \t\u00a0]+(?=\p{Han})")
_WRAP = regex.compile(r"(?<=[^\s])[ \t]*\n(?![ \t]{2}|\u3000|\n|[ \t]*[一二三四五六七八九十]+、|[ \t]*[(（]|[ \t]*\d+[.．、](?!\d))[ \t]?(?=\S)")
_MIN_WRAPPED_LINE = 15


_TERMINAL = tuple("。！？：；”）)!?:;")


def is_hard_wrapped(text: str) -> bool:
    """True for text whose lines are a page's width, not paragraphs (PDF text layers): most
    long lines end mid-sentence.  Paragraph-per-line reports keep their line breaks."""
    long_lines = [ln.rstrip() for ln in text.split("\n") if len(ln.strip()) >= _MIN_WRAPPED_LINE]
    if len(long_lines) < 5:
        return False
    open_ended = sum(1 for ln in long_lines if not ln.endswith(_TERMINAL))
    return open_ended > 0.4 * len(long_lines)


UNIT_LINE = regex.compile(r"(?m)^[ \t]*单位[:：][ \t]*(?P<unit>[^\s、,，;；]+)[^\n]*$")
_CELLS = regex.compile(r"\S+")


def table_blocks(text: str) -> list[tuple[int, int]]:
    """Plain-text tables: a 单位 line, a header line, then rows with as many cells as the header.
    Their spaces and line breaks are structure, so join_splits leaves them alone."""
    blocks = []
    for m in UNIT_LINE.finditer(text):
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
    edits: list[Edit] = []
    for m in _HK_THOUSANDS.finditer(text):
        base = m.start()
        for k, ch in enumerate(m.group()):
            if not ch.isdigit():
                edits.append((base + k, base + k + 1, ""))
    for pat in (_SPACED_POINT, _SPACED_DIGITS):  # "8 ．8 ％", "1 6 5 5 亿美元" (typeset archives)
        for m in pat.finditer(text):
            base = m.start()
            edits.extend((base + k, base + k + 1, "") for k, ch in enumerate(m.group()) if ch in " \t")
    for m in _NUM_UNIT_GAP.finditer(text):
        if m.end() > m.start():
            edits.append((m.start(), m.end(), ""))
    for m in _HAN_GAP.finditer(text):
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
    return [(m.start(), m.end(), "mojibake") for m in _MOJIBAKE.finditer(text)]


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
