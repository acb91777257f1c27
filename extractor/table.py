"""The indicator table: one documented schema, fixed dtypes, atomic writes.

Why fixed dtypes: users load indicators.parquet from many runs and concatenate them; a column
that is int in one run and string in another breaks that.  Why atomic: a crash must never leave
a half-written table where a good one stood.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa

#: The indicator table, in order (README "Schema" documents each column).
INDICATOR_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("quote", pa.string()),
        ("sentence", pa.string()),
        ("number_text", pa.string()),
        ("value", pa.float64()),
        ("value_high", pa.float64()),
        ("unit", pa.string()),
        ("multiplier", pa.float64()),
        ("value_norm", pa.float64()),
        ("unit_norm", pa.string()),
        ("qualifier", pa.string()),
        ("kind", pa.string()),
        ("direction", pa.string()),
        ("indicator", pa.string()),
        ("indicator_raw", pa.string()),
        ("subject", pa.string()),
        ("period", pa.string()),
        ("basis", pa.string()),
        ("rule", pa.string()),
        ("flags", pa.string()),
        ("indicator_id", pa.string()),
    ]
)

#: One row per document read.
DOCUMENT_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source", pa.string()),
        ("sha256", pa.string()),
        ("encoding", pa.string()),
        ("format", pa.string()),
        ("text_path", pa.string()),
        ("text_sha256", pa.string()),
        ("chars", pa.int64()),
        ("figures", pa.int64()),
        ("error", pa.string()),
        ("rules_version", pa.string()),
        ("year", pa.int64()),
        ("place", pa.string()),
        ("kind", pa.string()),
        ("title", pa.string()),
    ]
)

INDICATOR_COLUMNS = INDICATOR_SCHEMA.names
DOCUMENT_COLUMNS = DOCUMENT_SCHEMA.names


def to_arrow(rows: Iterable[dict], schema: pa.Schema = INDICATOR_SCHEMA) -> pa.Table:
    """Rows (dicts) -> an Arrow table with exactly this schema (missing keys become null/empty)."""
    rows = list(rows)
    cols = {}
    for field in schema:
        vals = [r.get(field.name) for r in rows]
        if pa.types.is_string(field.type):
            vals = ["" if v is None else str(v) for v in vals]
        cols[field.name] = pa.array(vals, type=field.type)
    return pa.table(cols, schema=schema)


def to_frame(rows: Iterable[dict], schema: pa.Schema = INDICATOR_SCHEMA) -> pd.DataFrame:
    """Rows -> a DataFrame with the table's columns and stable dtypes."""
    return to_arrow(rows, schema).to_pandas()


def frame_to_arrow(df: pd.DataFrame, schema: pa.Schema = INDICATOR_SCHEMA) -> pa.Table:
    return to_arrow(df.to_dict("records"), schema)


def _atomic(path: Path, write) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_csv(table: pa.Table, path: Path) -> None:
    """UTF-8 CSV with a header, every string quoted where needed (pyarrow: ~15x pandas)."""
    import pyarrow.csv as pacsv  # here, not at import: ~25 ms of a cold start that writes nothing

    _atomic(Path(path), lambda tmp: pacsv.write_csv(table, tmp))


def write_parquet(table: pa.Table, path: Path) -> None:
    import pyarrow.parquet as pq

    _atomic(Path(path), lambda tmp: pq.write_table(table, tmp))


def write_table(table: pa.Table, out_dir: Path, stem: str, formats: Iterable[str] = ("csv", "parquet")) -> list[Path]:
    written = []
    for fmt in formats:
        p = Path(out_dir) / f"{stem}.{fmt}"
        (write_csv if fmt == "csv" else write_parquet)(table, p)
        written.append(p)
    return written


def read_table(path: Path, schema: pa.Schema = INDICATOR_SCHEMA) -> pd.DataFrame:
    """Read indicators/documents from CSV or Parquet with the schema's dtypes."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = Path(path)
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pandas()
    convert = pacsv.ConvertOptions(
        column_types={f.name: f.type for f in schema}, strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    # quotes and sentences from Word and PDF texts carry line breaks inside quoted cells
    parse = pacsv.ParseOptions(newlines_in_values=True)
    return pacsv.read_csv(path, parse_options=parse, convert_options=convert).to_pandas()
