"""What the report shows, read from an output folder: documents, rows per document, audit checks,
and the indicators that recur across documents (for the small charts of the index)."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ZhibiaoError
from ..table import INDICATOR_SCHEMA
from ..verify import read_any, read_documents, table_paths

AUDIT_COLUMNS = ["doc_id", "check", "status", "figures", "expression", "message"]
_SPAN = re.compile(r"(\d+)-(\d+)")
_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass
class Output:
    """An output folder, loaded: rows grouped by document, audit checks grouped by document."""

    docs: list[dict]
    rows: dict[str, list[dict]]
    checks: dict[str, list[dict]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _clean(rec: dict) -> dict:
    """NaN -> None, so templates and comparisons see one kind of empty."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}


def load_output(out_dir: Path) -> Output:
    docs_df, _ = read_documents(out_dir)
    paths = table_paths(out_dir, "indicators")
    if not paths:
        raise ZhibiaoError(f"{out_dir}: no indicators.parquet or indicators.csv")
    path = paths[-1]  # Parquet when both exist: typed and faster; verify checks that both agree
    try:
        rows_df = read_any(path, INDICATOR_SCHEMA)
    except Exception as exc:  # noqa: BLE001 - one line naming the file
        raise ZhibiaoError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from None
    rows: dict[str, list[dict]] = defaultdict(list)
    for rec in rows_df.to_dict("records"):
        rows[str(rec["doc_id"])].append(_clean(rec))
    for doc_rows in rows.values():
        doc_rows.sort(key=lambda r: (r["start"], r["end"]))
    out = Output([_clean(d) for d in docs_df.to_dict("records")], dict(rows))
    out.checks, note = load_audit(out_dir / "audit.csv")
    if note:
        out.notes.append(note)
    return out


def load_audit(path: Path) -> tuple[dict[str, list[dict]], str]:
    """audit.csv (written by the audit command) grouped by doc_id; ({}, why) when unusable."""
    if not path.is_file():
        return {}, ""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001
        return {}, f"{path.name}: cannot read ({exc.__class__.__name__}); audit results not shown"
    missing = [c for c in AUDIT_COLUMNS if c not in df.columns]
    if missing:
        return {}, f"{path.name}: missing column(s) {', '.join(missing)}; audit results not shown"
    checks: dict[str, list[dict]] = defaultdict(list)
    for rec in df.to_dict("records"):
        rec["spans"] = [(int(a), int(b)) for a, b in _SPAN.findall(rec["figures"])]
        checks[rec["doc_id"]].append(rec)
    return dict(checks), ""


def audit_counts(checks: list[dict]) -> Counter:
    return Counter(c["status"] or "unknown" for c in checks)


def doc_year(doc: dict) -> int | None:
    y = doc.get("year")
    if y is not None and not (isinstance(y, float) and math.isnan(y)):
        return int(y)
    m = _YEAR.search(str(doc.get("doc_id") or ""))
    return int(m.group()) if m else None


@dataclass
class Series:
    indicator: str
    unit: str
    points: list[tuple[float, float, str]]  # (x, value_norm, doc_id)
    by_year: bool  # x is the year (else the document's position)
    connect: bool  # one point per x: draw a line (several documents of one year: points only)


def recurring(out: Output, min_docs: int = 3, limit: int = 12) -> list[Series]:
    """Indicators found in at least min_docs documents with one unit: their first level value per
    document, along the documents' years when every one has a year, else document order."""
    years = {str(d["doc_id"]): doc_year(d) for d in out.docs}
    seen: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for doc_id, rows in out.rows.items():
        for r in rows:
            ind, unit, v = r.get("indicator") or "", r.get("unit_norm") or "", r.get("value_norm")
            if not ind or v is None or r.get("kind") != "level":
                continue
            seen[(ind, unit)].setdefault(doc_id, float(v))
    ranked = sorted(((k, v) for k, v in seen.items() if len(v) >= min_docs), key=lambda kv: (-len(kv[1]), kv[0]))
    order = {str(d["doc_id"]): i for i, d in enumerate(out.docs)}
    series = []
    for (ind, unit), per_doc in ranked[:limit]:
        by_year = all(years.get(d) is not None for d in per_doc)
        pts = [(float(years[d]) if by_year else float(order.get(d, 0)), v, d) for d, v in per_doc.items()]
        connect = len({x for x, _, _ in pts}) == len(pts)
        series.append(Series(ind, unit, sorted(pts), by_year, connect))
    return series
