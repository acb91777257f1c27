"""Readers for the non-text formats archives hold: Word (.docx), PDF text layers, HTML/XML.

Why each reader returns plain text with one block per line: the pipeline's sentence and clause
boundaries, the heading detection and the PDF repair steps all work on lines, and users check
rows against the saved text (output/texts/<doc_id>.txt), which must read like the document.
Every reader turns any failure of the underlying library into a SourceError naming the problem;
hostile files (zip bombs, encrypted or corrupt PDFs) are refused before the library sees them
where a cheap check exists.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import SourceError

#: Decompressed size limit for one .docx part, and the largest believable compression ratio.
MAX_DOCX_PART = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200
#: Legacy binary formats no registry package reads reliably: refused with a conversion hint.
UNSUPPORTED = {".doc", ".wps", ".xls", ".ppt", ".rtf", ".et", ".dps"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".xml", ".shtml"}


def check_supported(path: str, suffix: str) -> None:
    if suffix in UNSUPPORTED:
        target = "xlsx" if suffix in (".xls", ".et") else "pptx" if suffix in (".ppt", ".dps") else "docx"
        raise SourceError(path, f"unsupported format {suffix}: convert to .{target} "
                                f"(e.g. libreoffice --headless --convert-to {target})")


# --------------------------------------------------------------------------- Word


def read_docx(data: bytes, path: str) -> str:
    """Paragraphs and tables in document order; each table cell is a line of its own."""
    _check_zip(data, path)
    try:
        import docx
        from docx.oxml.ns import qn

        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception as exc:  # python-docx raises many kinds on damaged packages
        raise SourceError(path, f"not a readable .docx ({exc.__class__.__name__}: {_short(exc)})") from None
    lines: list[str] = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(_para_text(child))
        elif child.tag == qn("w:tbl"):
            lines.extend(_table_lines(child))
    return "\n".join(lines).strip("\n") + "\n"


def _para_text(p) -> str:
    from docx.oxml.ns import qn

    out = []
    for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
        out.append(node.text or "" if node.tag == qn("w:t") else ("\t" if node.tag == qn("w:tab") else "\n"))
    return "".join(out)


def _table_lines(tbl) -> list[str]:
    from docx.oxml.ns import qn

    lines = []
    for tc in tbl.iter(qn("w:tc")):
        text = "".join(_para_text(p) for p in tc.iterchildren(qn("w:p"))).strip()
        if text:
            lines.append(text)
    return lines


def _check_zip(data: bytes, path: str) -> None:
    """Refuse what is not a zip, or whose parts would inflate past the limit (a zip bomb)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SourceError(path, "not a .docx (not a zip archive; a renamed or damaged file?)") from None
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise SourceError(path, "not a .docx (zip archive without word/document.xml)")
    for info in infos:
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > MAX_DOCX_PART or (info.file_size > 10_000_000 and ratio > MAX_ZIP_RATIO):
            raise SourceError(path, f"refused: zip part {info.filename} inflates to {info.file_size:,} bytes "
                                    f"(ratio {ratio:.0f}:1, a zip bomb?)")


# --------------------------------------------------------------------------- PDF


def read_pdf(data: bytes, path: str) -> str:
    """The text layer, page by page (pages separated by a form feed line).  Table cells come out
    as lines because pdfplumber's layout keeps each text line; no OCR, no guessing."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise SourceError(path, "not a PDF (no %PDF header; a renamed or damaged file?)")
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect

        pages = []
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                pages.append((page.extract_text() or "").strip("\n"))
    except SourceError:
        raise
    except PDFPasswordIncorrect:
        raise SourceError(path, "PDF is encrypted (password required)") from None
    except Exception as exc:  # pdfminer raises PSEOF, PDFSyntaxError, KeyError, ... on damage
        inner = _root_cause(exc)
        name = inner.__class__.__name__
        if "Encrypt" in name or "Password" in name:
            raise SourceError(path, "PDF is encrypted (password required)") from None
        raise SourceError(path, f"corrupt or unreadable PDF ({name}: {_short(inner)})") from None
    text = "\n".join(p for p in pages if p)
    if sum(1 for ch in text if not ch.isspace()) < 20:
        raise SourceError(path, f"PDF has no text layer ({len(pages)} page(s); scanned? OCR it first)")
    return text + "\n"


# --------------------------------------------------------------------------- HTML / XML

_DROP = {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object"}
_BLOCK = {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "title", "para",
          "section", "article", "table", "ul", "ol", "dt", "dd", "blockquote", "pre", "caption", "header",
          "footer", "nav", "aside", "main", "figcaption", "hr", "address", "entry", "row", "item"}


def read_markup(data: bytes, path: str, suffix: str) -> str:
    """Visible text only: scripts, styles and comments dropped; block elements become lines.
    XML (DocBook and the like) is read the same way: every element's text, titles and paragraphs
    as lines."""
    try:
        from lxml import etree, html

        if suffix == ".xml":
            parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
            root = etree.fromstring(data, parser)
        else:
            root = html.document_fromstring(_html_text(data, path))
    except Exception as exc:
        raise SourceError(path, f"not readable {suffix} ({exc.__class__.__name__}: {_short(exc)})") from None
    if root is None:
        raise SourceError(path, f"not readable {suffix} (no elements)")
    lines: list[str] = []
    buf: list[str] = []
    _walk(root, buf, lines)
    _flush(buf, lines)
    text = "\n".join(lines)
    if not text.strip():
        raise SourceError(path, f"no visible text in {suffix}")
    return text + "\n"


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_-]{2,20})""", re.I)


def _html_text(data: bytes, path: str) -> str:
    """HTML bytes to text: the declared <meta charset> when it decodes, else our CJK detection
    (lxml alone would read undeclared pages as Latin-1)."""
    m = _META_CHARSET.search(data[:4096])
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    from .decode import decode_bytes

    return decode_bytes(data, path)[0]


def _local(tag) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _walk(node, buf: list[str], lines: list[str]) -> None:
    tag = _local(node.tag)
    if not isinstance(node.tag, str) or tag in _DROP:
        if node.tail:
            buf.append(node.tail)
        return
    block = tag in _BLOCK
    if block:
        _flush(buf, lines)
    if node.text:
        buf.append(node.text)
    for child in node:
        _walk(child, buf, lines)
    if block:
        _flush(buf, lines)
    if node.tail:
        buf.append(node.tail)


_MARKUP_SPACE = re.compile(r"[ \t\r\n]+")


def _flush(buf: list[str], lines: list[str]) -> None:
    """Markup line breaks and indentation are layout, not text: collapse ASCII white space only,
    keep what the author typed (U+202F in "3 300名", U+3000)."""
    line = _MARKUP_SPACE.sub(" ", "".join(buf)).strip(" ")
    buf.clear()
    if line:
        lines.append(line)


def _root_cause(exc: BaseException) -> BaseException:
    """pdfplumber wraps pdfminer's exception (PdfminerException(inner)); name the inner one."""
    seen = 0
    while seen < 10:
        seen += 1
        nxt = exc.__cause__ or exc.__context__
        if nxt is None and exc.args and isinstance(exc.args[0], BaseException):
            nxt = exc.args[0]
        if nxt is None:
            return exc
        exc = nxt
    return exc


def _short(exc: BaseException) -> str:
    msg = str(exc).replace("\n", " ").strip()
    return (msg[:80] + "…") if len(msg) > 80 else (msg or "no detail")
