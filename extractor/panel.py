"""The historical panel: one row per (place, indicator, subject, period, kind) from years of reports.

Why these rules (issue 7):
- A cell stated alike by several reports is one row listing every source.  Values agree when their
  rounding intervals overlap (47.2万亿 and 47.16万亿 agree; 9.2% and 9.3% do not).
- A cell reported differently (a first estimate, then a revision) keeps one row per value, each
  with status `conflict` and its own sources: never averaged, never silently chosen.  Different
  values inside one document (usually an attribution that is too coarse) are `ambiguous`.
- Previous-year levels implied by a level and its change or growth (the audit's derived.*, else
  computed here) fill years no report states (`derived`) and check those it does (`confirmed`,
  or `conflict`).
- Targets (kind target) are cells of their own; `targets_vs_outcomes` puts them beside the result.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .errors import OutputError, ZhibiaoError
from .store import read_db_table, read_output, update_database
from .table import _atomic, write_csv, write_parquet

PANEL_COLUMNS = ["place", "indicator_id", "indicator", "subject", "period", "kind", "value_norm", "unit_norm",
                 "qualifier", "n_sources", "sources", "status", "value_high", "expression"]
PANEL_SCHEMA = pa.schema([(c, pa.float64() if c in ("value_norm", "value_high") else
                           pa.int64() if c == "n_sources" else pa.string()) for c in PANEL_COLUMNS])
KEY = ["place", "key", "subject", "period", "kind", "unit_norm"]
#: Relative widths for values that are not exact: 约 ±3%, 超过 up to +20%, 近 down to −10%.
_QUALIFIER_WIDTH = {"approx": (0.97, 1.03), "over": (1.0, 1.2), "at_least": (1.0, 1.2), "under": (0.9, 1.0)}
_BASES = {"", "上年", "上年底", "上年末", "同比", "去年", "去年同期", "上年同期"}
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


@dataclass
class Obs:
    """One value for a cell: a stated figure or a derived one, with its rounding interval."""

    value: float
    lo: float
    hi: float
    source: str
    report: str  # the report it comes from (one report may be read from several files)
    derived: bool
    qualifier: str
    ulp: float
    value_high: float | None = None
    expression: str = ""


# --------------------------------------------------------------------------- intervals


def _ulp(number_text: str, value: float, multiplier: float) -> float:
    """One unit of the last written digit, in base units (47.2万亿 -> 1e11)."""
    t = unicodedata.normalize("NFKC", str(number_text or "")).replace(",", "").replace(" ", "")
    m = re.search(r"\d+(?:\.(\d+))?", t)
    if not m:
        return abs(multiplier or 1.0)
    decimals = len(m.group(1) or "")
    return (10.0 ** -decimals) * abs(multiplier or 1.0)


def interval(value: float, number_text: str, multiplier: float, qualifier: str,
             value_high: float | None = None) -> tuple[float, float, float]:
    """(lo, hi, ulp) of a stated value: half a unit of its last digit, widened by its qualifier."""
    ulp = _ulp(number_text, value, multiplier)
    lo, hi = value - ulp / 2, (value_high if value_high and value_high == value_high else value) + ulp / 2
    if qualifier in _QUALIFIER_WIDTH:
        a, b = _QUALIFIER_WIDTH[qualifier]
        lo, hi = min(lo, value * a), max(hi, value * b)
    return lo, hi, ulp


def previous_period(period: str) -> str:
    """'2015' -> '2014', '截至2015年底' -> '截至2014年底'; '' when the period names no single year."""
    years = _YEAR.findall(period or "")
    if len(years) != 1:
        return ""
    m = _YEAR.search(period)
    return period[:m.start()] + str(int(m.group(1)) - 1) + period[m.end():]


# --------------------------------------------------------------------------- inputs


def _frame(t: pa.Table | None) -> pd.DataFrame | None:
    return None if t is None else t.to_pandas()


def load_inputs(out_dir: Path, use_db: bool = True) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Indicators, documents and derived rows: from the database (every run into out_dir) when
    there is one and `use_db`, else from the files (the last run only)."""
    use = use_db and (out_dir / "zhibiao.duckdb").is_file()
    ind = _frame(read_db_table(out_dir, "indicators")) if use else None
    docs = _frame(read_db_table(out_dir, "documents")) if ind is not None else None
    derived = _frame(read_db_table(out_dir, "derived")) if ind is not None else None
    if ind is None:
        ind, docs, derived = (_frame(read_output(out_dir, n)) for n in ("indicators", "documents", "derived"))
    if ind is None:
        raise ZhibiaoError(f"{out_dir}: no indicators.parquet or indicators.csv (run `zhibiao extract` first)")
    if docs is None:
        docs = pd.DataFrame(columns=["doc_id", "place", "year", "kind"])
    return ind, docs, derived


def _report_ids(docs: pd.DataFrame) -> pd.DataFrame:
    """doc_id -> place and report: one report read from two files (a .docx and its .txt) is one
    witness, so its values never conflict with themselves."""
    d = docs.drop_duplicates("doc_id").copy()
    for col in ("place", "kind", "title"):
        d[col] = d[col].fillna("").astype(str) if col in d else ""
    year = d["year"].astype("Int64").astype(str).replace("<NA>", "") if "year" in d else ""
    known = (d["place"] != "") & (d["kind"] != "") & (year != "")
    d["report"] = (d["place"] + "|" + d["kind"] + "|" + year).where(known, d["doc_id"])
    return d[["doc_id", "place", "report"]]


def _with_place(rows: pd.DataFrame, docs: pd.DataFrame) -> pd.DataFrame:
    out = rows.merge(_report_ids(docs), on="doc_id", how="left")
    out["place"] = out["place"].fillna("")
    out["report"] = out["report"].fillna(out["doc_id"])
    for col in ("indicator_id", "indicator", "subject", "period", "unit_norm", "qualifier", "number_text"):
        if col not in out:
            out[col] = ""
        out[col] = out[col].fillna("").astype(str)
    out["key"] = out["indicator_id"].where(out["indicator_id"] != "", out["indicator"])
    return out


def compute_derived(ind: pd.DataFrame, real_growth: re.Pattern | None = None) -> pd.DataFrame:
    """Previous-year levels from a level and the change or growth that follows it in its sentence:
    L − C exactly, or L / (1 + g/100) (not for real growth at constant prices, e.g. GDP)."""
    out = []
    cols = ["doc_id", "start", "end", "kind", "value_norm", "unit_norm", "number_text", "multiplier", "qualifier",
            "direction", "basis", "sentence", "indicator", "indicator_id", "subject", "period", "value_high"]
    df = ind[[c for c in cols if c in ind]].sort_values(["doc_id", "start"])
    level = None
    last: tuple = ()
    for r in _records(df):  # one pass: pandas per-group overhead is too slow here
        if (r.doc_id, r.sentence) != last:
            level, last = None, (r.doc_id, r.sentence)
        if r.kind == "level":
            level = r
            continue
        if level is None or r.kind not in ("change", "growth") or r.basis not in _BASES:
            continue
        d = _derive_one(level, r, real_growth)
        if d is not None:
            out.append(d)
    return pd.DataFrame(out)


def _records(df: pd.DataFrame) -> list:
    """Rows as named tuples, column by column (iterating Arrow-backed strings row by row is ~50x slower)."""
    from collections import namedtuple

    Row = namedtuple("Row", list(df.columns), rename=True)
    return [Row(*vals) for vals in zip(*(df[c].tolist() for c in df.columns), strict=True)]


def _derive_one(level, r, real_growth) -> dict | None:
    period = previous_period(level.period)
    if not period or level.qualifier != "exact" or r.qualifier != "exact":
        return None
    sign = -1.0 if r.direction == "down" else 1.0
    l_lo, l_hi, l_ulp = interval(level.value_norm, level.number_text, level.multiplier, "exact")
    c_lo, c_hi, _ = interval(r.value_norm, r.number_text, r.multiplier, "exact")
    if r.kind == "change":
        if r.unit_norm != level.unit_norm:
            return None
        value = level.value_norm - sign * r.value_norm
        lo, hi = (l_lo - c_hi, l_hi - c_lo) if sign > 0 else (l_lo + c_lo, l_hi + c_hi)
        expr = f"{level.value_norm:.10g} {'-' if sign > 0 else '+'} {r.value_norm:.10g}"
    else:
        if r.unit_norm != "%" or (real_growth is not None and real_growth.search(level.indicator or "")):
            return None
        g, g_lo, g_hi = sign * r.value_norm, sign * (c_lo if sign > 0 else c_hi), sign * (c_hi if sign > 0 else c_lo)
        if g <= -100:
            return None
        value = level.value_norm / (1 + g / 100)
        lo, hi = l_lo / (1 + g_hi / 100), l_hi / (1 + g_lo / 100)
        expr = f"{level.value_norm:.10g} / (1 {'+' if sign > 0 else '-'} {abs(g):.10g}%)"
    return {"doc_id": level.doc_id, "start": int(level.start), "end": int(r.end), "kind": "level",
            "value_norm": value, "lo": lo, "hi": hi, "ulp": l_ulp, "unit_norm": level.unit_norm,
            "indicator": level.indicator, "indicator_id": level.indicator_id, "subject": level.subject,
            "period": period, "qualifier": "derived", "expression": expr, "number_text": "", "multiplier": 1.0}


def derived_from_audit(derived: pd.DataFrame) -> pd.DataFrame:
    """The audit's derived.* rows of kind derived_previous, as panel inputs of kind level."""
    d = derived[derived["kind"] == "derived_previous"].copy()
    if d.empty:
        return pd.DataFrame()
    rng = d["expression"].fillna("").str.extract(r"\(in ([-\d.e+]+) \.\. ([-\d.e+]+)\)")
    mult = d["multiplier"].fillna(1.0).astype(float)
    d["lo"] = pd.to_numeric(rng[0], errors="coerce") * mult
    d["hi"] = pd.to_numeric(rng[1], errors="coerce") * mult
    d["lo"] = d["lo"].fillna(d["value_norm"])
    d["hi"] = d["hi"].fillna(d["value_norm"])
    d["ulp"] = (d["hi"] - d["lo"]).abs()
    d["kind"] = "level"
    d["qualifier"] = "derived"
    return d


# --------------------------------------------------------------------------- cells


def _observations(stated: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    s = stated.copy()
    bounds = [interval(v, t, m, q, h) for v, t, m, q, h in zip(
        s["value_norm"].tolist(), s["number_text"].tolist(), s["multiplier"].fillna(1.0).tolist(),
        s["qualifier"].tolist(), s["value_high"].tolist(), strict=True)]
    s["lo"] = [b[0] for b in bounds]
    s["hi"] = [b[1] for b in bounds]
    s["ulp"] = [b[2] for b in bounds]
    s["is_derived"] = False
    s["expression"] = ""
    if derived is not None and not derived.empty:
        d = derived.copy()
        d["is_derived"] = True
        d["value_high"] = None
        s = pd.concat([s, d[[c for c in s.columns if c in d.columns]]], ignore_index=True)
    s["source"] = (s["doc_id"].astype(str) + ":" + s["start"].astype("int64").astype(str) + "-"
                   + s["end"].astype("int64").astype(str))
    s.loc[s["is_derived"], "source"] = "derived:" + s.loc[s["is_derived"], "source"]
    return s


def _clusters(obs: list[Obs]) -> list[list[Obs]]:
    """Group values whose intervals all overlap (sorted sweep; a cluster keeps the intersection)."""
    groups: list[list[Obs]] = []
    lo = hi = 0.0
    for o in sorted(obs, key=lambda o: (o.value, o.derived)):
        if groups and o.lo <= hi and o.hi >= lo:
            groups[-1].append(o)
            lo, hi = max(lo, o.lo), min(hi, o.hi)
        else:
            groups.append([o])
            lo, hi = o.lo, o.hi
    return groups


def _status(cluster: list[Obs], n_clusters: int, witnesses: list[set[str]]) -> str:
    """stated, confirmed (a derived value agrees), derived (no report states it), conflict (two
    witnesses differ), ambiguous (one report gives several values: usually a coarse attribution)."""
    if n_clusters > 1:
        return "conflict" if len(set().union(*witnesses)) > 1 else "ambiguous"
    if all(o.derived for o in cluster):
        return "derived"
    return "confirmed" if any(o.derived for o in cluster) else "stated"


def _cell_rows(key: tuple, names: dict, obs: list[Obs]) -> list[dict]:
    place, k, subject, period, kind, unit = key
    groups = _clusters(obs)
    docs = [{("derived:" if o.derived else "") + o.report for o in g} for g in groups]
    rows = []
    for g in groups:
        stated = [o for o in g if not o.derived]
        best = min(stated or g, key=lambda o: (o.ulp, o.qualifier != "exact"))
        sources = list(dict.fromkeys(o.source for o in sorted(g, key=lambda o: (o.derived, o.source))))
        rows.append({
            "place": place, "indicator_id": names["indicator_id"], "indicator": names["indicator"],
            "subject": subject, "period": period, "kind": kind, "value_norm": best.value, "unit_norm": unit,
            "qualifier": best.qualifier, "n_sources": len(sources), "sources": " ".join(sources),
            "status": _status(g, len(groups), docs), "value_high": best.value_high,
            "expression": "; ".join(dict.fromkeys(o.expression for o in g if o.expression)),
        })
    return rows


def build_panel(ind: pd.DataFrame, docs: pd.DataFrame, derived: pd.DataFrame | None = None, *,
                use_derived: bool = True, real_growth: re.Pattern | None = None) -> pd.DataFrame:
    """The long panel from indicator rows, their documents and derived rows (see the module doc)."""
    stated = _with_place(ind, docs)
    stated = stated[(stated["key"] != "") & (stated["period"] != "") & stated["value_norm"].notna()]
    der = None
    if use_derived:
        if derived is not None and not derived.empty and "expression" in derived:
            der = derived_from_audit(derived)
        else:
            der = compute_derived(ind, real_growth)
        if der is not None and not der.empty:
            der = _with_place(der, docs)
            der = der[(der["key"] != "") & (der["period"] != "")]
    obs = _observations(stated, der)
    cells: dict[tuple, list] = {}
    for r in _records(obs):
        cells.setdefault(tuple(getattr(r, k) for k in KEY), []).append(r)
    rows: list[dict] = []
    for key in sorted(cells):
        group = cells[key]
        rows.extend(_cell_rows(key, _names(group), [
            Obs(float(r.value_norm), float(r.lo), float(r.hi), r.source, r.report, bool(r.is_derived), r.qualifier,
                float(r.ulp), None if pd.isna(r.value_high) else float(r.value_high), r.expression or "")
            for r in group]))
    return pd.DataFrame(rows, columns=PANEL_COLUMNS)


def _names(group: list) -> dict:
    """The cell's indicator id and its most common stated name."""
    ids = Counter(r.indicator_id for r in group if r.indicator_id)
    names = Counter(r.indicator for r in group if not r.is_derived) or Counter(r.indicator for r in group)
    return {"indicator_id": ids.most_common(1)[0][0] if ids else "", "indicator": names.most_common(1)[0][0]}


# --------------------------------------------------------------------------- views


def targets_vs_outcomes(panel: pd.DataFrame) -> pd.DataFrame:
    """Each target beside the outcome of the same place, indicator, subject, period and unit."""
    t = panel[panel["kind"] == "target"]
    o = panel[(panel["kind"] != "target") & panel["status"].isin(["stated", "confirmed", "conflict", "derived"])]
    keys = ["place", "indicator_id", "indicator", "subject", "period", "unit_norm"]
    t = t.rename(columns={"value_norm": "target", "value_high": "target_high", "qualifier": "target_qualifier",
                          "sources": "target_sources", "status": "target_status"})
    o = o.rename(columns={"value_norm": "outcome", "kind": "outcome_kind", "sources": "outcome_sources",
                          "status": "outcome_status"})
    # an outcome in % is a growth or a rate; prefer growth for a target in %
    order = {"growth": 0, "rate": 1, "level": 2, "share": 3, "change": 4}
    o = o.assign(_o=o["outcome_kind"].map(order).fillna(9)).sort_values("_o")
    o = o.drop_duplicates(keys + ["outcome"])
    out = t[keys + ["target", "target_high", "target_qualifier", "target_status", "target_sources"]].merge(
        o[keys + ["outcome", "outcome_kind", "outcome_status", "outcome_sources", "_o"]], on=keys, how="left")
    out = out.sort_values(keys + ["_o"]).drop(columns="_o")
    hi = out["target_high"].fillna(out["target"])
    out["gap"] = out["outcome"] - out["target"]
    out["met"] = (out["outcome"] >= out["target"]).where(out["outcome"].notna())
    out["within_range"] = ((out["outcome"] >= out["target"]) & (out["outcome"] <= hi)).where(out["outcome"].notna())
    return out.reset_index(drop=True)


def wide(panel: pd.DataFrame) -> pd.DataFrame:
    """One column per period; a cell with several values (conflict) shows them all, 'a | b'."""
    idx = ["place", "indicator_id", "indicator", "subject", "kind", "unit_norm"]
    text = panel.assign(v=panel["value_norm"].map(lambda v: f"{v:.10g}"))
    cells = text.groupby(idx + ["period"], sort=True)["v"].agg(lambda s: " | ".join(dict.fromkeys(s)))
    w = cells.unstack("period").reset_index()
    for col in w.columns[len(idx):]:
        num = pd.to_numeric(w[col], errors="coerce")
        if num.notna().sum() == w[col].notna().sum():
            w[col] = num
    w.columns = [str(c) for c in w.columns]
    return w


# --------------------------------------------------------------------------- writing


def write_any(df: pd.DataFrame, path: Path) -> Path:
    """Write atomically by suffix: .parquet, .csv or .xlsx (Excel, openpyxl)."""
    path = Path(path)
    table = pa.Table.from_pandas(df, preserve_index=False)
    if path.suffix == ".parquet":
        write_parquet(table, path)
    elif path.suffix == ".csv":
        write_csv(table, path)
    elif path.suffix in (".xlsx", ".xlsm"):
        import io

        buf = io.BytesIO()
        df.to_excel(buf, index=False, engine="openpyxl")
        _atomic(path, lambda tmp: Path(tmp).write_bytes(buf.getvalue()))
    else:
        raise ZhibiaoError(f"{path}: unknown output format (use .parquet, .csv or .xlsx)")
    return path


def run_panel(out_dir: Path | str, *, use_derived: bool = True, database: bool = True,
              rules_dir: str | None = None) -> pd.DataFrame:
    """Build the panel of out_dir (after loading its files into the database) and store it there."""
    from .periods import _load_direct
    from .rules import default_rules_dir

    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ZhibiaoError(f"{out_dir}: no such output folder (run `zhibiao extract ... --out {out_dir}` first)")
    if database:
        update_database(out_dir)
    ind, docs, derived = load_inputs(out_dir, use_db=database)
    real = _load_direct(str(rules_dir or default_rules_dir())).real_growth  # periods.yaml only: fast
    panel = build_panel(ind, docs, derived, use_derived=use_derived, real_growth=real)
    if database:
        update_database(out_dir, {"panel": pa.Table.from_pandas(panel, schema=PANEL_SCHEMA, preserve_index=False)})
    return panel


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("panel", help="build the historical panel (place × indicator × period) from extract output",
                       description="One row per place, indicator, subject, period and kind, from every report "
                                   "extracted into OUTPUT; conflicts kept side by side, derived years marked.")
    p.add_argument("output", help="the output folder of `zhibiao extract`")
    p.add_argument("--out", help="file to write: .parquet, .csv or .xlsx (default: OUTPUT/panel.parquet)")
    p.add_argument("--wide", action="store_true", help="one column per period")
    p.add_argument("--targets-vs-outcomes", action="store_true", help="each target beside its outcome")
    p.add_argument("--indicator", help="keep indicators whose id or name matches this regex")
    p.add_argument("--place", help="keep this place only (全国, 广东省 …)")
    p.add_argument("--no-derived", action="store_true", help="leave out values derived from change and growth")
    p.add_argument("--no-db", action="store_true", help="do not update OUTPUT/zhibiao.duckdb")
    p.add_argument("--rules", help="rules folder (default: rules/ of this installation)")
    p.set_defaults(func=cmd_panel)
    _extend_extract(sub)


def _extend_extract(sub: argparse._SubParsersAction) -> None:
    """`extract --manifest FILE` and the database update after every extract (--no-db skips it).

    The manifest travels as $ZHIBIAO_MANIFEST (metadata.MANIFEST_ENV), which worker processes
    inherit, so any batch engine applies it; this must come after extractor.audit.cli in
    COMMAND_MODULES so the database also gets the audit written by `extract --audit`.
    """
    extract = sub.choices.get("extract")
    if extract is None:
        return
    extract.add_argument("--manifest", help="TSV/CSV with columns file, year, place, kind[, title]: document "
                                            "metadata that wins over file names and title lines")
    extract.add_argument("--no-db", action="store_true", help="do not update OUTPUT/zhibiao.duckdb")
    inner = extract.get_default("func")
    extract.set_defaults(func=lambda args: cmd_extract_db(args, inner))


def cmd_extract_db(args: argparse.Namespace, inner) -> int:
    import os

    from .metadata import MANIFEST_ENV, load_manifest

    if getattr(args, "manifest", None):
        load_manifest(args.manifest)  # a bad manifest stops the run before any work, with one line
        os.environ[MANIFEST_ENV] = str(Path(args.manifest).resolve())
    rc = inner(args)
    if not getattr(args, "no_db", False) and Path(args.out).is_dir():
        try:
            loaded = update_database(Path(args.out))
        except OutputError as exc:  # the tables are written; say why the database is behind them
            print(f"zhibiao: {exc} (the tables are written; run `zhibiao panel {args.out}` to retry)",
                  file=sys.stderr)
            return rc or 1
        if loaded:
            print(f"database: {', '.join(f'{k} {v}' for k, v in loaded.items())} row(s) -> "
                  f"{Path(args.out) / 'zhibiao.duckdb'}", file=sys.stderr)
    return rc


def cmd_panel(args: argparse.Namespace) -> int:
    out_dir = Path(args.output)
    panel = run_panel(out_dir, use_derived=not args.no_derived, database=not args.no_db, rules_dir=args.rules)
    if args.indicator:
        try:
            pat = re.compile(args.indicator)
        except re.error as exc:
            raise ZhibiaoError(f"--indicator: not a valid regex ({exc})") from None
        panel = panel[panel["indicator_id"].str.contains(pat) | panel["indicator"].str.contains(pat)]
    if args.place:
        panel = panel[panel["place"] == args.place]
    view = targets_vs_outcomes(panel) if args.targets_vs_outcomes else wide(panel) if args.wide else panel
    target = Path(args.out) if args.out else out_dir / "panel.parquet"
    write_any(view, target)
    counts = panel["status"].value_counts()
    print(f"panel: {len(panel)} row(s) ({', '.join(f'{k} {v}' for k, v in counts.items())}) -> {target}",
          file=sys.stderr)
    return 0
