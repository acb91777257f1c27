"""Batch extraction: a folder (or files, or stdin) in, the output tables written atomically.

One bad document never stops the batch: its error becomes a row of documents.csv and one line
on stderr.  Output files are replaced atomically, so a crash leaves the previous good table.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .api import DocResult, process_document, process_path
from .errors import OutputError
from .pipeline import DocMeta
from .rules import Rules
from .sources import document_from_text, iter_sources
from .table import DOCUMENT_SCHEMA, INDICATOR_SCHEMA, to_arrow, write_table


@dataclass
class BatchSummary:
    documents: int = 0
    failed: int = 0
    figures: int = 0
    outputs: list[Path] = field(default_factory=list)


def collect_inputs(inputs: Iterable[str]) -> list[tuple[Path, str]]:
    """(path, doc_id) for every file named or found under a named folder."""
    out: list[tuple[Path, str]] = []
    for item in inputs:
        out.extend(iter_sources(Path(item)))
    return out


def check_writable(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".zhibiao-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"{out_dir}: output folder not writable ({exc.strerror or exc})") from None


def run_extract(
    inputs: list[str],
    out_dir: Path,
    rules: Rules,
    *,
    encoding: str | None = None,
    progress: bool | None = None,
    formats: tuple[str, ...] = ("csv", "parquet"),
    stdin_text: str | None = None,
    log=sys.stderr,
) -> BatchSummary:
    """Extract every input document and write indicators.* and documents.* into out_dir."""
    check_writable(out_dir)
    results: list[DocResult] = []
    if stdin_text is not None:
        results.append(process_document(document_from_text(stdin_text, "-"), rules, DocMeta(doc_id="-", source="-")))
    paths = collect_inputs([i for i in inputs if i != "-"])
    bar = None
    if paths:
        from tqdm import tqdm

        bar = tqdm(total=len(paths), unit="doc", disable=(not progress) if progress is not None else None,
                   file=sys.stderr, dynamic_ncols=True)
    for path, doc_id in paths:
        res = process_path(path, doc_id, rules, encoding)
        if res.error:
            print(f"zhibiao: {path}: {res.error}", file=log)
        results.append(res)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(figures=sum(len(r.rows) for r in results), refresh=False)
    if bar is not None:
        bar.close()
    rows = [row for r in results for row in r.rows]
    docs = [r.document_row(rules.version) for r in results]
    summary = BatchSummary(len(results), sum(1 for r in results if r.error), len(rows))
    summary.outputs += write_table(to_arrow(rows, INDICATOR_SCHEMA), out_dir, "indicators", formats)
    summary.outputs += write_table(to_arrow(docs, DOCUMENT_SCHEMA), out_dir, "documents", formats)
    return summary
