"""The audit: recompute the arithmetic a report states several ways and flag what does not add up.

`audit_frame(indicators)` -> AuditResult (checks + derived figures); `run_audit(out_dir)` reads
the tables written by `zhibiao extract`, writes audit.{csv,parquet} and derived.{csv,parquet}.
Checks live in extractor/audit/checks/, one module each; knowledge in rules/audit.yaml.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ..errors import ZhibiaoError
from ..table import DOCUMENT_SCHEMA, INDICATOR_SCHEMA, read_table, to_arrow, write_table
from .checks import CHECKS
from .config import AuditConfig, load_config
from .derive import DERIVED_SCHEMA
from .figures import DocView, build_figures
from .result import INCONSISTENT, Check
from .texts import document_text

AUDIT_SCHEMA = pa.schema([
    ("doc_id", pa.string()),
    ("check", pa.string()),
    ("status", pa.string()),
    ("figures", pa.string()),
    ("expression", pa.string()),
    ("computed", pa.float64()),
    ("stated", pa.float64()),
    ("tolerance", pa.float64()),
    ("message", pa.string()),
])

__all__ = ["AUDIT_SCHEMA", "DERIVED_SCHEMA", "AuditResult", "audit_frame", "audit_text", "run_audit", "summary_lines"]


@dataclass
class AuditResult:
    checks: list[Check] = field(default_factory=list)
    derived: list[dict] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        return to_arrow([c.row() for c in self.checks], AUDIT_SCHEMA).to_pandas()

    def statuses(self, check: str | None = None) -> list[str]:
        return [c.status for c in self.checks if check is None or c.check == check]

    @property
    def inconsistent(self) -> list[Check]:
        return [c for c in self.checks if c.status == INCONSISTENT]


def audit_document(doc_id: str, rows: pd.DataFrame, text: str, cfg: AuditConfig,
                   only: set[str] | None = None) -> AuditResult:
    view = DocView(doc_id, text, build_figures(rows, text, cfg), cfg)
    res = AuditResult()
    for name, run in CHECKS.items():
        if only and name not in only:
            continue
        for c in run(view):
            c.doc_id = doc_id
            res.checks.append(c)
    res.derived = view.derived
    return res


def audit_frame(indicators: pd.DataFrame, *, texts: dict[str, str] | None = None, documents: pd.DataFrame | None = None,
                out_dir: Path | None = None, cfg: AuditConfig | None = None, only: set[str] | None = None) -> AuditResult:
    """Audit every document of an indicator table.  Texts come from `texts`, else from documents.csv
    rows (re-read), else are rebuilt from the table's sentences."""
    cfg = cfg or load_config()
    docs = {} if documents is None else {d["doc_id"]: d for d in documents.to_dict("records")}
    res = AuditResult()
    for doc_id, rows in indicators.groupby("doc_id", sort=True):
        rows = rows.sort_values("start")
        text = (texts or {}).get(doc_id) or document_text(out_dir, docs.get(doc_id), rows)
        one = audit_document(str(doc_id), rows, text, cfg, only)
        res.checks += one.checks
        res.derived += one.derived
    return res


def audit_text(text: str, rules=None, *, doc_id: str = "<text>", only: set[str] | None = None,
               cfg: AuditConfig | None = None) -> AuditResult:
    """Extract one text with the real pipeline and audit it (notebooks, tests)."""
    from ..pipeline import DocMeta, extract_text
    from ..rules import load_rules
    from ..table import to_frame

    rows = extract_text(text, rules or load_rules(), DocMeta(doc_id=doc_id, source=doc_id))
    if not rows:
        return AuditResult()
    return audit_frame(to_frame(rows), texts={doc_id: text}, cfg=cfg, only=only)


def _find(out_dir: Path, stem: str) -> Path | None:
    for ext in ("parquet", "csv"):
        p = out_dir / f"{stem}.{ext}"
        if p.exists():
            return p
    return None


def run_audit(out_dir: Path | str, *, rules_dir: Path | str | None = None,
              formats: tuple[str, ...] = ("csv", "parquet")) -> AuditResult:
    """Read out_dir/indicators.*, audit, write out_dir/audit.* and out_dir/derived.*."""
    out_dir = Path(out_dir)
    ind = _find(out_dir, "indicators")
    if ind is None:
        raise ZhibiaoError(f"{out_dir}: no indicators.parquet or indicators.csv (run `zhibiao extract` first)")
    try:
        indicators = read_table(ind, INDICATOR_SCHEMA)
        docs_path = _find(out_dir, "documents")
        documents = read_table(docs_path, DOCUMENT_SCHEMA) if docs_path else None
    except (OSError, pa.ArrowException) as exc:
        raise ZhibiaoError(f"{ind}: cannot read the table ({' '.join(str(exc).split())})") from None
    missing = {"doc_id", "start", "end", "quote", "kind", "unit_norm"} - set(indicators.columns)
    if missing:
        raise ZhibiaoError(f"{ind}: not an indicator table (missing {', '.join(sorted(missing))})")
    res = audit_frame(indicators, documents=documents, out_dir=out_dir, cfg=load_config(rules_dir))
    write_table(to_arrow([c.row() for c in res.checks], AUDIT_SCHEMA), out_dir, "audit", formats)
    write_table(to_arrow(res.derived, DERIVED_SCHEMA), out_dir, "derived", formats)
    return res


def summary_lines(res: AuditResult, limit: int = 30) -> list[str]:
    """The printed summary: totals, per check, per document, and the inconsistent checks."""
    by_status = Counter(c.status for c in res.checks)
    lines = [f"audit: {len(res.checks)} check(s): {by_status['consistent']} consistent, "
             f"{by_status['inconsistent']} inconsistent, {by_status['unverifiable']} unverifiable; "
             f"{len(res.derived)} derived figure(s)"]
    for name in CHECKS:
        cs = [c for c in res.checks if c.check == name]
        if cs:
            n = Counter(c.status for c in cs)
            lines.append(f"  {name}: {len(cs)} ({n['consistent']} consistent, {n['inconsistent']} inconsistent)")
    docs: dict[str, Counter] = {}
    for c in res.checks:
        docs.setdefault(c.doc_id, Counter())[c.status] += 1
    for doc_id, n in sorted(docs.items()):
        lines.append(f"  {doc_id}: {sum(n.values())} check(s), {n['consistent']} consistent, "
                     f"{n['inconsistent']} inconsistent")
    for c in res.inconsistent[:limit]:
        lines.append(f"  INCONSISTENT {c.doc_id} {c.check} [{c.spans}]: {c.expression} ({c.message})")
    if len(res.inconsistent) > limit:
        lines.append(f"  ... {len(res.inconsistent) - limit} more in audit.csv")
    return lines
