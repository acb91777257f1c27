"""Read a source file into a Document: bytes -> text, with its format, encoding and digest.

Plain text (.txt, .md) is decoded (sources/decode.py); Word, PDF and HTML/XML are read by
sources/formats.py.  For those, the text users check rows against is the *extracted* text, so
`save_extracted_text` writes it once as <out>/texts/<doc_id>.txt and start/end index that file.
Every failure is a SourceError with one line naming the file and the problem; size limits keep
memory bounded on hostile inputs (a 200 MB "report" is refused, not read).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError
from .decode import decode_bytes
from .formats import HTML_SUFFIXES, check_supported, read_docx, read_markup, read_pdf

__all__ = ["Document", "read_document", "decode_bytes", "document_from_text", "iter_sources", "sha256_bytes",
           "save_extracted_text", "max_bytes", "TEXT_SUFFIXES"]

TEXT_SUFFIXES = {".txt", ".md", ".text", ""}
#: Default size limit of one input file (MB); ZHIBIAO_MAX_MB overrides it.
DEFAULT_MAX_MB = 64


@dataclass
class Document:
    doc_id: str
    path: str
    sha256: str
    encoding: str
    format: str
    text: str
    size: int = 0

    @property
    def extracted(self) -> bool:
        """True when the text was extracted from a container (Word, PDF, HTML), so the text
        users check offsets against is the saved copy, not the source file."""
        return self.format in ("docx", "pdf", "html", "htm", "xhtml", "xml", "shtml")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def max_bytes() -> int:
    """The per-file size limit in bytes (ZHIBIAO_MAX_MB, default 64 MB)."""
    try:
        mb = float(os.environ.get("ZHIBIAO_MAX_MB", DEFAULT_MAX_MB))
    except ValueError:
        mb = DEFAULT_MAX_MB
    return int(mb * 1024 * 1024)


def _read_bytes(path: Path, name: str, limit: int) -> bytes:
    """The file's bytes, refusing folders, special files and anything over the limit before reading."""
    try:
        st = path.stat()
        if path.is_dir():
            raise SourceError(name, "is a folder, not a file")
        if not path.is_file():
            raise SourceError(name, "not a regular file (device, pipe or socket)")
        if st.st_size > limit:
            raise SourceError(name, f"file too large ({st.st_size / 2**20:.0f} MB > {limit / 2**20:.0f} MB limit; "
                                    "split it or set ZHIBIAO_MAX_MB)")
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except SourceError:
        raise
    except FileNotFoundError:
        raise SourceError(name, "file not found (or a broken symbolic link)") from None
    except PermissionError:
        raise SourceError(name, "permission denied") from None
    except OSError as exc:
        raise SourceError(name, f"cannot read ({exc.strerror or exc.__class__.__name__})") from None
    if len(data) > limit:
        raise SourceError(name, f"file too large (> {limit / 2**20:.0f} MB limit)")
    return data


def read_document(path: Path | str, doc_id: str | None = None, encoding: str | None = None) -> Document:
    """Read one file of any supported format.  Raises SourceError with the file and the problem."""
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    check_supported(name, suffix)
    data = _read_bytes(path, name, max_bytes())
    fmt = suffix.lstrip(".") or "txt"
    if not data:
        raise SourceError(name, "empty file (0 bytes)")
    if suffix == ".docx":
        text, enc = read_docx(data, name), ""
    elif suffix == ".pdf":
        text, enc = read_pdf(data, name), ""
    elif suffix in HTML_SUFFIXES:
        text, enc = read_markup(data, name, suffix), ""
    else:
        text, enc = decode_bytes(data, name, encoding)
        fmt = "txt" if suffix in TEXT_SUFFIXES else fmt
    return Document(doc_id or path.name, name, sha256_bytes(data), enc, fmt, text, len(data))


def document_from_text(text: str, doc_id: str = "<text>") -> Document:
    data = text.encode("utf-8", errors="surrogatepass")
    return Document(doc_id, doc_id, sha256_bytes(data), "utf-8", "txt", text, len(data))


def _safe_rel(doc_id: str) -> Path:
    """doc_id as a relative path that stays inside texts/ (no '..', no absolute parts)."""
    parts = [p for p in Path(doc_id).parts if p not in ("", ".", "..", "/") and not p.endswith(":\\")]
    return Path(*parts) if parts else Path("document")


def save_extracted_text(doc: Document, out_dir: Path | str) -> tuple[str, str]:
    """Write the extracted text once as <out_dir>/texts/<doc_id>.txt (UTF-8, atomically) and return
    (text_path relative to out_dir, sha256 of the UTF-8 bytes).  The offsets of the document's rows
    index this file's text: open(..., encoding="utf-8", newline="").read()[start:end] == quote."""
    from ..table import _atomic

    rel = Path("texts") / _safe_rel(doc.doc_id + ".txt")
    data = doc.text.encode("utf-8", errors="surrogatepass")
    target = Path(out_dir) / rel
    try:
        _atomic(target, lambda tmp: Path(tmp).write_bytes(data))
    except OSError as exc:
        raise SourceError(doc.path, f"cannot save extracted text to {target} ({exc.strerror or exc})") from None
    return rel.as_posix(), sha256_bytes(data)


def iter_sources(root: Path | str, suffixes: set[str] | None = None) -> Iterator[tuple[Path, str]]:
    """Files under a folder (or the file itself), with doc_id = path relative to the folder.
    Symlink loops and unreadable folders are skipped, not fatal."""
    root = Path(root)
    if root.is_file() or not root.exists() or not root.is_dir():
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
