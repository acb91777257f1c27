"""Build the whole site: index.html and docs/<name>.html, each file written atomically.

One document that cannot be shown (source gone, undecodable) gets its reason on the index and
in its page; it never stops the site.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError, ZhibiaoError
from ..table import _atomic
from ..verify import load_text
from .charts import quick_bars
from .data import load_output
from .index import render_index
from .page import render_document


@dataclass
class SiteSummary:
    pages: int = 0
    bytes: int = 0
    index: Path | None = None


def page_name(doc_id: str) -> str:
    """A safe, unique ASCII file name for a document's page."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", doc_id).strip("._") or "doc"
    if safe != doc_id:
        safe = f"{safe[:80]}-{hashlib.sha1(doc_id.encode('utf-8')).hexdigest()[:8]}"
    return safe + ".html"


def _write_readable(tmp: Path, data: bytes) -> None:
    """A site is read by others (a file share, a web server): 0644, not mkstemp's 0600."""
    tmp.write_bytes(data)
    os.chmod(tmp, 0o644)


def write_page(path: Path, html_text: str) -> int:
    data = html_text.encode("utf-8")
    try:
        _atomic(path, lambda tmp: _write_readable(Path(tmp), data))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return len(data)


def build_site(out_dir: Path, site_dir: Path, corpus: Path | None = None) -> SiteSummary:
    """Read out_dir's tables (and audit.csv when present); write the site into site_dir."""
    out = load_output(Path(out_dir))
    site_dir = Path(site_dir)
    summary = SiteSummary()
    pages: dict[str, str] = {}
    errors: dict[str, str] = {}
    for doc in out.docs:
        doc_id = str(doc["doc_id"])
        if doc.get("error"):
            continue
        rows = out.rows.get(doc_id, [])
        try:
            st = load_text(doc, Path(out_dir), corpus)
            text, problems = st.text, st.problems
        except ZhibiaoError as exc:
            text, problems = None, [str(exc)]
        if problems:
            errors[doc_id] = "; ".join(problems)
        kinds = Counter(str(r.get("kind") or "") for r in rows)
        chart = f"<figure>{quick_bars(dict(kinds))}</figure>" if kinds else ""
        html_text = render_document(doc, rows, text, out.checks.get(doc_id, []), chart, problems)
        name = page_name(doc_id)
        summary.bytes += write_page(site_dir / "docs" / name, html_text)
        pages[doc_id] = f"docs/{name}"
        summary.pages += 1
    summary.index = site_dir / "index.html"
    summary.bytes += write_page(summary.index, render_index(out, pages, errors))
    return summary
