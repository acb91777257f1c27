"""The notebook API: `extract(text_or_path) -> DataFrame`, and the batch runner the CLI uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import SourceError, ZhibiaoError
from .metadata import default_manifest, doc_meta_columns, document_meta, manifest_table
from .pipeline import DocMeta, extract_text
from .rules import Rules, load_rules
from .sources import Document, document_from_text, read_document, save_extracted_text
from .sources.limits import DocumentTimeout, default_timeout, time_limit
from .table import to_frame


@dataclass
class DocResult:
    """What one document produced: its rows, or the one-line error that stopped it."""

    doc: Document | None
    doc_id: str
    source: str
    rows: list[dict] = field(default_factory=list)
    error: str = ""
    #: where the extracted text of a Word/PDF/HTML source was saved (relative to the output folder)
    text_path: str = ""
    text_sha256: str = ""
    #: year, place, kind and title (metadata.document_meta), for the documents table
    meta: DocMeta | None = None

    def document_row(self, rules_version: str) -> dict:
        d = self.doc
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "sha256": d.sha256 if d else "",
            "encoding": d.encoding if d else "",
            "format": d.format if d else "",
            "text_path": self.text_path,
            "text_sha256": self.text_sha256,
            "chars": len(d.text) if d else 0,
            "figures": len(self.rows),
            "error": self.error,
            "rules_version": rules_version,
            **doc_meta_columns(self.meta),
        }


def process_document(doc: Document, rules: Rules, meta: DocMeta | None = None,
                     manifest: dict[str, dict] | None = None) -> DocResult:
    """Extract one read document; its year, place, kind and title come from metadata.document_meta
    unless `meta` already carries them (a manifest row wins over the file name and title lines)."""
    meta = meta or DocMeta()
    meta.doc_id = meta.doc_id or doc.doc_id
    meta.source = meta.source or doc.path
    if meta.year is None and not meta.extra:
        found = document_meta(doc.path, doc.text, manifest, rules, meta.doc_id)
        meta.year, meta.extra = found.year, found.extra
    rows = extract_text(doc.text, rules, meta)
    return DocResult(doc, meta.doc_id, meta.source, rows, meta=meta)


def process_path(path: Path, doc_id: str, rules: Rules, encoding: str | None = None, *,
                 out_dir: Path | str | None = None, timeout: float | None = None,
                 manifest: str | None = None) -> DocResult:
    """Read and extract one file; any failure becomes the result's error, never an exception.

    out_dir: the output folder; a Word/PDF/HTML source's extracted text is saved there once as
    texts/<doc_id>.txt (its path and sha256 go to documents), and the rows' offsets index it.
    timeout: seconds for this document (None: ZHIBIAO_TIMEOUT or 300 s; 0: no limit); when it runs
    out the document becomes an error row.
    manifest: the path of a manifest (TSV/CSV with a `file` column; None: $ZHIBIAO_MANIFEST if set),
    read once per process: a path, not a table, so batch engines can hash it and send it to workers."""
    limit = default_timeout() if timeout is None else timeout
    try:
        with time_limit(limit):
            doc = read_document(path, doc_id, encoding)
            table = manifest_table(manifest) if manifest else default_manifest()
            res = process_document(doc, rules, DocMeta(doc_id=doc_id, source=str(path)), table)
            if out_dir is not None and doc.extracted:
                res.text_path, res.text_sha256 = save_extracted_text(doc, out_dir)
            return res
    except DocumentTimeout as exc:
        return DocResult(None, doc_id, str(path), error=str(exc))
    except SourceError as exc:
        return DocResult(None, doc_id, str(path), error=exc.problem)
    except ZhibiaoError as exc:
        return DocResult(None, doc_id, str(path), error=str(exc))
    except (RecursionError, MemoryError) as exc:
        return DocResult(None, doc_id, str(path), error=f"document too complex to process ({exc.__class__.__name__})")


def _names_a_file(source: str) -> bool:
    """A short one-line string that is the path of an existing file (else it is report text)."""
    if len(source) >= 1024 or "\n" in source or not Path(source).suffix:
        return False
    try:
        return Path(source).is_file()
    except (OSError, ValueError):  # a sentence with a "." is not a path: name too long, NUL byte
        return False


def extract(source: str | Path, *, rules_dir: str | Path | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Extract the indicator table from a text (a str containing the report) or a file path.

    >>> df = extract("年初预算安排教育经费247276万元,比上年增加50676万元,增长25.78%")
    >>> list(df["kind"])
    ['level', 'change', 'growth']
    """
    rules = load_rules(rules_dir)
    if isinstance(source, Path) or _names_a_file(source):
        path = Path(source)
        doc = read_document(path, path.name, encoding)
    else:
        doc = document_from_text(str(source))
    return to_frame(process_document(doc, rules).rows)
