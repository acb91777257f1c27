"""Bytes -> text for plain-text reports, biased to the encodings of Chinese archives.

Why detection is biased to CJK: archived reports are GB18030/GBK, Big5 or UTF-8/16/32; a general
detector given free rein picks Latin-1 or Shift-JIS for short Chinese files.  We try BOMs, then
BOM-less UTF-32/16 (NUL patterns), then strict UTF-8, then UTF-8 with runs of a legacy encoding
pasted in (each run decoded on its own, the encoding reported as "utf-8+gb18030"), then
charset-normalizer restricted to the CJK encodings, then the strict decoders in order.
"""

from __future__ import annotations

import regex

from ..errors import SourceError

BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be", "utf-16-be"),
]
#: The legacy encodings a run inside UTF-8 (or a whole file) is tried with, most common first.
LEGACY = ["gb18030", "big5hkscs"]
#: A UTF-8 file may carry legacy runs when at least this share of its non-ASCII bytes is UTF-8.
_MIXED_MIN_UTF8 = 0.6
_ESCAPED_RUN = regex.compile(r"[\udc80-\udcff]+")


def decode_bytes(data: bytes, path: str = "<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes to text; returns (text, encoding).  The BOM is removed from the text."""
    if encoding and "+" in encoding:  # a recorded mixed decoding ("utf-8+gb18030"): the same again
        mixed = _decode_mixed(data)
        if mixed is not None:
            return mixed
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(path, f"cannot decode as {encoding} ({exc.__class__.__name__})") from None
    if not data:
        raise SourceError(path, "empty file (0 bytes)")
    for bom, name, codec in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), name
            except UnicodeDecodeError:
                raise SourceError(path, f"{name} byte-order mark but undecodable bytes") from None
    found = _try_decode(data, _looks_wide(data))
    if found:
        return found
    if b"\x00" in data[:4096]:
        raise SourceError(path, "binary file (NUL bytes), not a text report")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed
    return _try_decode(data, _utf16_without_nuls(data)) or _decode_legacy(data, path)


def _try_decode(data: bytes, codec: str | None) -> tuple[str, str] | None:
    """(text, codec) when a guessed codec decodes the bytes strictly, else None."""
    if not codec:
        return None
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError:
        return None


def _decode_legacy(data: bytes, path: str) -> tuple[str, str]:
    guess = _guess_cjk(data)
    for enc in ([guess] if guess else []) + LEGACY:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _plausible(text):
            return text, enc
    raise SourceError(path, "undecodable bytes: not UTF-8/16/32, GB18030 or Big5 (try --encoding)")


def _looks_wide(data: bytes) -> str | None:
    """UTF-32 or UTF-16 without BOM: CJK text in UTF-16 has NUL bytes only in ASCII characters'
    high half; UTF-32 has two NULs in every code unit."""
    sample = data[:4000]
    n = len(sample) - len(sample) % 4
    # a unit counted below has a NUL in its third (LE) or first (BE) byte: too few of those NULs
    # and the count cannot pass 90%, so the units are only looked at when it can (UTF-8 and
    # legacy files have no NULs: this used to cost more than decoding them)
    if n >= 8 and len(data) % 4 == 0 and max(sample[2:n:4].count(0), sample[0:n:4].count(0)) > 0.9 * (n // 4):
        units = [sample[i:i + 4] for i in range(0, n, 4)]
        if sum(1 for u in units if u[2:] == b"\x00\x00" and u[:2] != b"\x00\x00") > 0.9 * len(units):
            return "utf-32-le"
        if sum(1 for u in units if u[:2] == b"\x00\x00" and u[2:] != b"\x00\x00") > 0.9 * len(units):
            return "utf-32-be"
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4 or len(data) % 2:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    # NULs mostly on one side: the high half of ASCII characters (the other side: U+xx00 like 一)
    for enc, this, other in (("utf-16-le", odd_nul, even_nul), ("utf-16-be", even_nul, odd_nul)):
        if this >= 2 and other * 3 <= this:
            try:
                text = sample.decode(enc, errors="strict" if len(sample) == len(data) else "ignore")
            except UnicodeDecodeError:
                continue
            if _plausible(text):
                return enc
    return None


def _utf16_without_nuls(data: bytes) -> str | None:
    """CJK-only UTF-16 has no NUL bytes at all: taken when it decodes strictly to mostly common
    characters (tried only after UTF-8 failed; legacy bytes read as UTF-16 are rare characters)."""
    sample = data[:4000]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(data) % 2 or len(sample) < 8:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        if _han_share(text) > 0.5 and _common_share(text) > 0.8:
            return enc
    return None


def _han_share(text: str) -> float:
    if not text:
        return 0.0
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f") / len(text)


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """A UTF-8 file with runs of GBK or Big5 pasted in: decode each run with the legacy encoding
    that reads it as the most common CJK.  None when the file is not mostly UTF-8.

    Legacy bytes are not all invalid UTF-8: Big5 trail bytes can be ASCII, and a GBK pair like
    c8 ab ("全") is a valid two-byte UTF-8 sequence ("ȫ").  So runs of undecodable bytes are
    merged across short gaps on the same line and widened over such look-alike characters."""
    text = data.decode("utf-8", errors="surrogateescape")
    runs = _legacy_runs(text)
    bad = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    non_ascii = sum(1 for b in data if b >= 0x80)
    if not runs or not non_ascii or (non_ascii - bad) / non_ascii < _MIXED_MIN_UTF8:
        return None
    used: set[str] = set()
    pieces, pos = [], 0
    for a, b in runs:
        piece, enc, b = _decode_run(text, a, b)
        used.add(enc)
        pieces += [text[pos:a], piece]
        pos = b
    pieces.append(text[pos:])
    return "".join(pieces), "utf-8+" + "+".join(sorted(used))


_GAP = 6  # characters of apparent UTF-8 inside a legacy run (accidentally valid sequences)


def _legacy_runs(text: str) -> list[tuple[int, int]]:
    """Spans of `text` (surrogate-escaped) that hold legacy bytes."""
    spans: list[list[int]] = []
    for m in _ESCAPED_RUN.finditer(text):
        a, b = m.start(), m.end()
        if spans and a - spans[-1][1] <= _GAP and "\n" not in text[spans[-1][1]:a]:
            spans[-1][1] = b
        else:
            while a > 0 and "\u0080" <= text[a - 1] <= "\u07ff":  # a 2-byte look-alike (ȫ from 全)
                a -= 1
            spans.append([a, b])
    return [(a, b) for a, b in spans]


def _decode_run(text: str, a: int, b: int) -> tuple[str, str, int]:
    """Decode text[a:b] (and, if a lead byte ends it, the ASCII trail byte after it) with the
    legacy encoding giving the most common characters; U+FFFD (flagged downstream) when none does.
    Returns (piece, encoding, new end)."""
    best: tuple[float, str, str, int] | None = None
    for end in (b, b + 1):
        if end > len(text) or (end > b and not (" " < text[b] <= "~")):
            continue
        raw = text[a:end].encode("utf-8", errors="surrogateescape")
        for enc in LEGACY:
            try:
                piece = raw.decode(enc)
            except UnicodeDecodeError:
                continue
            score = _common_share(piece)
            if best is None or score > best[0]:
                best = (score, piece, enc, end)
    if best is None or best[0] < 0.5:
        return "\ufffd" * max(1, len(text[a:b].encode("utf-8", errors="surrogateescape")) // 2), "replacement", b
    return best[1], best[2], best[3]


def _common_share(piece: str) -> float:
    from ..normalise import _common

    han = [c for c in piece if "\u3000" <= c <= "\u9fff"]
    return sum(1 for c in han if _common(c) or "\u3000" <= c <= "\u303f") / len(han) if han else 0.0


def _guess_cjk(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        return None
    best = from_bytes(data[:200_000], cp_isolation=["gb18030", "big5", "big5hkscs", "utf_8"]).best()
    return best.encoding if best else None


def _plausible(text: str) -> bool:
    """Decoded CJK text has few control characters."""
    if not text:
        return False
    sample = text[:5000]
    ctrl = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return ctrl < len(sample) * 0.01
