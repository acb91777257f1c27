"""Read a source file into a Document: bytes -> decoded text, with its encoding and digest.

Why detection is biased to CJK: archived reports are GB18030/GBK, Big5 or UTF-8/16; a general
detector given free rein picks Latin-1 or Shift-JIS for short Chinese files.  We try BOMs, then
strict UTF-8, then charset-normalizer restricted to the CJK encodings, then the strict decoders
in order of how common they are in Chinese archives.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError

TEXT_SUFFIXES = {".txt", ".md", ".text", ""}
CJK_ENCODINGS = ["gb18030", "big5hkscs", "big5", "utf_16", "utf_32"]
BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
]


@dataclass
class Document:
    doc_id: str
    path: str
    sha256: str
    encoding: str
    format: str
    text: str
    size: int = 0


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_bytes(data: bytes, path: str = "<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes to text; returns (text, encoding).  The BOM is removed from the text."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(path, f"cannot decode as {encoding} ({exc.__class__.__name__})") from None
    if not data:
        raise SourceError(path, "empty file")
    for bom, enc in BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(enc.replace("-sig", "").replace("-le", "-le").replace("-be", "-be"))
            except UnicodeDecodeError:
                raise SourceError(path, f"{enc} byte-order mark but undecodable bytes") from None
            return text, enc
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise SourceError(path, "binary file (NUL bytes), not a text report")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = _guess_cjk(data)
    for enc in ([guess] if guess else []) + ["gb18030", "big5hkscs"]:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _plausible(text):
            return text, enc
    raise SourceError(path, "undecodable bytes: not UTF-8, GB18030 or Big5 (try --encoding)")


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: for CJK text, NULs are rare but ASCII chars have a NUL half."""
    sample = data[:4000]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nul > half * 0.3 and even_nul < half * 0.05:
        return "utf-16-le"
    if even_nul > half * 0.3 and odd_nul < half * 0.05:
        return "utf-16-be"
    return None


def _guess_cjk(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        return None
    best = from_bytes(data[:200_000], cp_isolation=["gb18030", "big5", "big5hkscs", "utf_8"]).best()
    return best.encoding if best else None


def _plausible(text: str) -> bool:
    """Decoded CJK text has many common Han characters and few control characters."""
    if not text:
        return False
    sample = text[:5000]
    ctrl = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return ctrl < len(sample) * 0.01


def read_document(path: Path | str, doc_id: str | None = None, encoding: str | None = None) -> Document:
    """Read one file.  Raises SourceError with the file and the problem on any failure."""
    path = Path(path)
    name = str(path)
    try:
        if path.is_dir():
            raise SourceError(name, "is a folder, not a file")
        data = path.read_bytes()
    except SourceError:
        raise
    except FileNotFoundError:
        raise SourceError(name, "file not found") from None
    except PermissionError:
        raise SourceError(name, "permission denied") from None
    except OSError as exc:
        raise SourceError(name, f"cannot read ({exc.strerror or exc.__class__.__name__})") from None
    fmt = path.suffix.lower().lstrip(".") or "txt"
    text, enc = decode_bytes(data, name, encoding)
    return Document(doc_id or path.name, name, sha256_bytes(data), enc, fmt, text, len(data))


def document_from_text(text: str, doc_id: str = "<text>") -> Document:
    data = text.encode("utf-8")
    return Document(doc_id, doc_id, sha256_bytes(data), "utf-8", "txt", text, len(data))


def iter_sources(root: Path | str, suffixes: set[str] | None = None) -> Iterator[tuple[Path, str]]:
    """Files under a folder (or the file itself), with doc_id = path relative to the folder.
    Symlink loops and unreadable folders are skipped, not fatal."""
    root = Path(root)
    if root.is_file() or not root.exists():
        yield root, root.name
        return
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=lambda e: None):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            dirnames[:] = []
            continue
        seen.add(key)
        dirnames.sort()
        for fn in sorted(filenames):
            if fn.startswith("."):
                continue
            p = Path(dirpath) / fn
            if suffixes is not None and p.suffix.lower() not in suffixes:
                continue
            yield p, str(p.relative_to(root))
