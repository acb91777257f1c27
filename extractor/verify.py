"""`zhibiao verify output/`: check the written tables against their sources, row by row.

Why: a table is trusted only when anyone can re-derive every row from the source.  Tables get
edited by hand, sources change after extraction, runs get merged; this re-reads each source
(or the saved text of a non-text source), checks its sha256, checks `text[start:end] == quote`,
and re-parses each quote to compare value, value_high, unit, value_norm and unit_norm.

The re-parse reuses the extractor's own normalise + scan on the whole document (so a figure is
read in the same context as at extraction), and falls back to the quote alone when the span is
not a candidate there.  Kinds and attribution are judgement, not arithmetic: they are not checked.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import SourceError, ZhibiaoError
from .normalise import normalise
from .pipeline import extract_text
from .rules import Rules, load_rules
from .scan import Candidate, scan, scan_ranks
from .sources import decode_bytes, sha256_bytes
from .table import DOCUMENT_SCHEMA, INDICATOR_SCHEMA, read_table

#: Encodings whose BOM the reader strips by hand (Python's codecs keep it as U+FEFF).
_BOM_KEPT = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
#: Values compared after parsing: table column -> how to get it from a candidate.
_COMPARED = ("value", "value_high", "unit", "value_norm", "unit_norm")


@dataclass
class Mismatch:
    """One difference between the table and its source: which file, which row, what differs."""

    file: str
    row: int | None
    doc_id: str
    what: str

    def line(self) -> str:
        where = f"{self.file}" + (f": row {self.row}" if self.row is not None else "")
        return f"{where} ({self.doc_id}): {self.what}" if self.doc_id else f"{where}: {self.what}"


@dataclass
class VerifyResult:
    documents: int = 0
    rows: int = 0
    tables: list[str] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


@dataclass
class SourceText:
    """A document's text as the offsets index it, or why it could not be had."""

    text: str | None
    path: str
    problems: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- finding files


def table_paths(out_dir: Path, stem: str) -> list[Path]:
    """Every written form of a table (CSV and Parquet are both checked: either may be edited)."""
    return [p for p in (out_dir / f"{stem}.csv", out_dir / f"{stem}.parquet") if p.is_file()]


def read_any(path: Path, schema) -> pd.DataFrame:
    """table.read_table, but CSV cells may span lines (a quote or sentence from a Word table or a
    PDF line break holds a newline; pyarrow's default parser rejects those files)."""
    if path.suffix != ".csv":
        return read_table(path, schema)
    import pyarrow.csv as pacsv

    convert = pacsv.ConvertOptions(column_types={f.name: f.type for f in schema if f.name},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    return pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                          convert_options=convert).to_pandas()


def read_documents(out_dir: Path) -> tuple[pd.DataFrame, str]:
    """documents.csv (what users edit and what the issue names), else documents.parquet."""
    paths = table_paths(out_dir, "documents")
    if not paths:
        raise ZhibiaoError(f"{out_dir}: no documents.csv or documents.parquet (not an output folder?)")
    try:
        return read_any(paths[0], DOCUMENT_SCHEMA), paths[0].name
    except Exception as exc:  # noqa: BLE001 - any parse failure is one line about that file
        raise ZhibiaoError(f"{paths[0]}: cannot read ({exc.__class__.__name__}: {exc})") from None


def _candidates(path: str, out_dir: Path, corpus: Path | None, doc_id: str = "") -> list[Path]:
    """Where a recorded path may be now: re-rooted under --corpus, as written, beside the output."""
    p = Path(path)
    found: list[Path] = []
    if corpus is not None:
        if not p.is_absolute():
            found.append(corpus / p)
        if doc_id and doc_id != "-":
            found.append(corpus / doc_id)
        found.append(corpus / p.name)
    found += [p, out_dir / p] if not p.is_absolute() else [p]
    return found


def locate(path: str, out_dir: Path, corpus: Path | None, doc_id: str = "") -> Path | None:
    for cand in _candidates(path, out_dir, corpus, doc_id):
        if cand.is_file():
            return cand
    return None


def _saved_text(text_path: str, out_dir: Path) -> Path | None:
    """Saved texts are recorded relative to the output folder (which may have moved with them)."""
    p = Path(text_path)
    for cand in ([p] if p.is_absolute() else [out_dir / p, p]):
        if cand.is_file():
            return cand
    return None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read ({exc.strerror or exc.__class__.__name__})") from None


def decode_recorded(data: bytes, path: str, encoding: str) -> str:
    """Decode with the encoding recorded at extraction, removing a BOM as the reader did."""
    text, _ = decode_bytes(data, path, encoding or None)
    if text.startswith("\ufeff") and (encoding or "").lower() in _BOM_KEPT:
        text = text[1:]
    return text


def load_text(doc: dict, out_dir: Path, corpus: Path | None = None) -> SourceText:
    """The text a document's offsets index: its saved text (text_path) when set, else the
    source decoded with the recorded encoding; sha256 checked for each file read."""
    problems: list[str] = []
    source, doc_id = str(doc.get("source") or ""), str(doc.get("doc_id") or "")
    src = locate(source, out_dir, corpus, doc_id) if source and source != "-" else None
    src_data: bytes | None = None
    if source == "-":
        problems.append("read from standard input: no source to re-read, its rows cannot be checked")
    elif src is None:
        problems.append(f"source {source} not found" + ("" if corpus else " (use --corpus DIR if it moved)"))
    else:
        src_data = _read(src)
        if doc.get("sha256") and sha256_bytes(src_data) != doc["sha256"]:
            problems.append(f"source {src} changed since extraction: sha256 {sha256_bytes(src_data)[:12]}… "
                            f"!= recorded {str(doc['sha256'])[:12]}…")
    text_path = str(doc.get("text_path") or "")
    if text_path:
        tp = _saved_text(text_path, out_dir)
        if tp is None:
            problems.append(f"saved text {text_path} not found")
            return SourceText(None, text_path, problems)
        data = _read(tp)
        if doc.get("text_sha256") and sha256_bytes(data) != doc["text_sha256"]:
            problems.append(f"saved text {tp} changed since extraction: sha256 {sha256_bytes(data)[:12]}… "
                            f"!= recorded {str(doc['text_sha256'])[:12]}…")
        return SourceText(decode_recorded(data, str(tp), "utf-8"), str(tp), problems)
    if src_data is None:
        return SourceText(None, source, problems)
    return SourceText(decode_recorded(src_data, str(src), str(doc.get("encoding") or "")), str(src), problems)


# --------------------------------------------------------------------------- re-parsing


def _expected(c: Candidate) -> dict:
    """What the table's number columns must say for this candidate (as pipeline.to_rows writes)."""
    scale = c.unit_obj.scale if c.unit_obj else 1
    return {
        "value": float(c.value),
        "value_high": float(c.value_high) if c.value_high is not None else None,
        "unit": c.unit,
        "value_norm": float(c.value * scale),
        "unit_norm": c.unit_obj.base if c.unit_obj else "",
    }


def figure_index(text: str, rules: Rules) -> dict[tuple[int, int], list[dict]]:
    """Every candidate of the document (number scan and ranks), keyed by its ORIGINAL span."""
    norm = normalise(text)
    index: dict[tuple[int, int], list[dict]] = {}
    for c in scan(norm.text, rules) + scan_ranks(norm.text, rules):
        if c.end > c.start:
            index.setdefault(norm.orig_span(c.start, c.end), []).append(_expected(c))
    return index


class DocIndex:
    """How a document's figures read, by original span: first the bare scan (fast, covers the
    figures that carry their own unit), then, only if a row disagrees, the whole pipeline (which
    also knows context-given units, e.g. table cells whose unit is on a 单位 line)."""

    def __init__(self, text: str, rules: Rules):
        self.text, self.rules = text, rules
        self._scan: dict | None = None
        self._full: dict | None = None

    def scanned(self, span: tuple[int, int]) -> list[dict]:
        if self._scan is None:
            self._scan = figure_index(self.text, self.rules)
        return self._scan.get(span, [])

    def extracted(self, span: tuple[int, int]) -> list[dict]:
        if self._full is None:
            self._full = {}
            for r in extract_text(self.text, self.rules):
                self._full.setdefault((r["start"], r["end"]), []).append({k: r.get(k) for k in _COMPARED})
        return self._full.get(span, [])


def parse_quote(quote: str, rules: Rules) -> list[dict]:
    """The quote read on its own: candidates covering all of its normalised text, else all."""
    if not quote:
        return []
    norm = normalise(quote)
    cands = [c for c in scan(norm.text, rules) + scan_ranks(norm.text, rules) if c.end > c.start]
    whole = [c for c in cands if norm.orig_span(c.start, c.end) == (0, len(quote))]
    return [_expected(c) for c in (whole or cands)]


def _same(a, b) -> bool:
    a_null = a is None or (isinstance(a, float) and math.isnan(a))
    b_null = b is None or (isinstance(b, float) and math.isnan(b))
    if a_null or b_null:
        return a_null and b_null
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return str(a) == str(b)


def _show(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "empty"
    if isinstance(v, float):
        return f"{v:g}" if abs(v) < 1e15 else repr(v)
    return repr(v)


def differences(row: dict, options: list[dict]) -> list[str]:
    """[] when some parse of the quote agrees with the row, else what differs from the closest."""
    best: list[str] | None = None
    for exp in options:
        diff = [f"{col} {_show(row.get(col))} in the table, the quote gives {_show(exp[col])}"
                for col in _COMPARED if not _same(row.get(col), exp[col])]
        if not diff:
            return []
        if best is None or len(diff) < len(best):
            best = diff
    return best or []


def check_row(row: dict, text: str, index: DocIndex, rules: Rules) -> list[str]:
    """Problems with one row: span outside the text, quote not at the span, value not the quote's."""
    problems: list[str] = []
    quote = str(row.get("quote") or "")
    try:
        start, end = int(row["start"]), int(row["end"])
    except (TypeError, ValueError, KeyError):
        return [f"start/end not integers ({row.get('start')!r}, {row.get('end')!r})"]
    at_span = text[start:end] if 0 <= start <= end <= len(text) else None
    if at_span is None:
        problems.append(f"span {start}-{end} outside the text ({len(text)} characters)")
    elif at_span != quote:
        problems.append(f"quote {quote!r} but the text at {start}-{end} says {at_span!r}")
    if at_span == quote:
        found: list[str] | None = None
        for lookup in (index.scanned, index.extracted):
            options = lookup((start, end))
            if options:
                found = differences(row, options)
                if not found:
                    return problems
        if found is not None:  # read in context: report against the pipeline's own reading
            return problems + found
    alone = parse_quote(quote, rules)
    if not alone:
        return problems + [f"quote {quote!r} does not parse as a figure"]
    return problems + differences(row, alone)


# --------------------------------------------------------------------------- the whole folder


def _records(df: pd.DataFrame) -> Iterator[tuple[int, dict]]:
    yield from enumerate(df.to_dict("records"), start=1)


def verify_output(out_dir: Path | str, corpus: Path | str | None = None, rules: Rules | None = None) -> VerifyResult:
    """Check every indicators table in out_dir against the sources listed in its documents table."""
    out_dir = Path(out_dir)
    corpus = Path(corpus) if corpus is not None else None
    if corpus is not None and not corpus.is_dir():
        raise ZhibiaoError(f"{corpus}: --corpus is not a folder")
    rules = rules or load_rules()
    docs, docs_name = read_documents(out_dir)
    result = VerifyResult(documents=len(docs))
    texts: dict[str, SourceText] = {}
    for i, doc in _records(docs):
        if doc.get("error"):
            continue
        try:
            st = load_text(doc, out_dir, corpus)
        except SourceError as exc:  # unreadable or undecodable now: one line, the batch goes on
            st = SourceText(None, exc.path, [exc.problem + f" ({exc.path})"])
        texts[str(doc["doc_id"])] = st
        result.mismatches += [Mismatch(docs_name, i, str(doc["doc_id"]), p) for p in st.problems]
    for path in table_paths(out_dir, "indicators"):
        result.tables.append(path.name)
        _verify_table(path, texts, rules, result)
    if not result.tables:
        raise ZhibiaoError(f"{out_dir}: no indicators.csv or indicators.parquet")
    return result


def _verify_table(path: Path, texts: dict[str, SourceText], rules: Rules, result: VerifyResult) -> None:
    try:
        rows = read_any(path, INDICATOR_SCHEMA)
    except Exception as exc:  # noqa: BLE001 - a broken table is one mismatch line, not a traceback
        result.mismatches.append(Mismatch(path.name, None, "", f"cannot read ({exc.__class__.__name__}: {exc})"))
        return
    indexes: dict[str, DocIndex] = {}
    for i, row in _records(rows):
        result.rows += 1
        doc_id = str(row.get("doc_id") or "")
        st = texts.get(doc_id)
        if st is None:
            result.mismatches.append(Mismatch(path.name, i, doc_id, "doc_id not listed (or failed) in documents"))
            continue
        if st.text is None:
            continue  # the document's own problem is already reported once
        if doc_id not in indexes:
            indexes[doc_id] = DocIndex(st.text, rules)
        for what in check_row(row, st.text, indexes[doc_id], rules):
            result.mismatches.append(Mismatch(path.name, i, doc_id, what))


# --------------------------------------------------------------------------- command line


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="check the output tables against their sources",
                       description="Re-read every source listed in OUTPUT/documents.*, check sha256, "
                                   "text[start:end] == quote and the parsed value of every row.")
    p.add_argument("output", help="output folder written by `zhibiao extract`")
    p.add_argument("--corpus", help="folder the sources are in now (re-roots recorded source paths)")
    p.add_argument("--rules", help="rules folder (default: rules/ of this installation)")
    p.add_argument("--max-lines", type=int, default=200, help="print at most this many mismatches (default 200)")
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    result = verify_output(Path(args.output), args.corpus, load_rules(args.rules))
    for m in result.mismatches[: args.max_lines]:
        print(f"zhibiao: verify: {m.line()}")
    more = len(result.mismatches) - args.max_lines
    if more > 0:
        print(f"zhibiao: verify: … and {more} more")
    print(f"{result.documents} document(s), {result.rows} row(s) in {', '.join(result.tables)}: "
          f"{len(result.mismatches)} mismatch(es)", file=sys.stderr)
    return 1 if result.mismatches else 0
