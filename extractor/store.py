"""The embedded database: output/zhibiao.duckdb with tables documents, indicators, audit, derived, panel.

Why DuckDB: researchers query the outputs with SQL (`duckdb output/zhibiao.duckdb "select …"`)
without loading every Parquet file by hand.  Why upsert by doc_id: archives grow a few reports at a
time; `zhibiao extract new/ --out output/` replaces only those documents' rows and keeps the rest,
so the database is the union of every run into that folder.  Parquet stays the interchange format:
the database is rebuilt from the files written by extract, audit and panel, never the other way.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import OutputError
from .table import DOCUMENT_SCHEMA, INDICATOR_SCHEMA, read_table

DB_NAME = "zhibiao.duckdb"
#: Tables upserted by doc_id (a later run replaces those documents' rows).
PER_DOCUMENT = ("documents", "indicators", "audit", "derived")
#: Tables replaced whole (built from everything).
WHOLE = ("panel",)
_SCHEMAS = {"documents": DOCUMENT_SCHEMA, "indicators": INDICATOR_SCHEMA}


def db_path(out_dir: Path | str) -> Path:
    return Path(out_dir) / DB_NAME


def _find(out_dir: Path, stem: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        p = out_dir / f"{stem}{suffix}"
        if p.is_file():
            return p
    return None


def read_output(out_dir: Path, stem: str) -> pa.Table | None:
    """An output table of out_dir as Arrow (Parquet preferred, else CSV), or None if absent."""
    p = _find(Path(out_dir), stem)
    if p is None:
        return None
    try:
        if p.suffix == ".parquet":
            return pq.read_table(p)
        schema = _SCHEMAS.get(stem)
        if schema is not None:
            return pa.Table.from_pandas(read_table(p, schema), preserve_index=False)
        import pyarrow.csv as pacsv

        return pacsv.read_csv(p)
    except (OSError, pa.ArrowException) as exc:
        raise OutputError(f"{p}: cannot read the table ({' '.join(str(exc).split())[:200]})") from None


def connect(path: Path | str, read_only: bool = False):
    """Open the database; a lock held by another process becomes one clear error."""
    import duckdb

    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise OutputError(f"{path}: cannot open the database ({' '.join(str(exc).split())[:200]})") from None


def _columns(con, name: str) -> list[str] | None:
    rows = con.execute(
        "select column_name from information_schema.columns where table_name = ? order by ordinal_position", [name]
    ).fetchall()
    return [r[0] for r in rows] or None


def _upsert(con, name: str, table: pa.Table) -> int:
    """Replace the rows of the documents in `table` (by doc_id); add the table if it is new."""
    con.register("_new", table)
    try:
        old = _columns(con, name)
        if old is None:
            con.execute(f'create table "{name}" as select * from _new')
        elif "doc_id" not in table.column_names:
            con.execute(f'create or replace table "{name}" as select * from _new')
        elif old == table.column_names:
            con.execute(f'delete from "{name}" where doc_id in (select distinct doc_id from _new)')
            con.execute(f'insert into "{name}" select * from _new')
        else:  # the schema changed (a column added): keep old rows, by name
            con.execute(f'create or replace table "{name}" as select * from "{name}" '
                        f'where doc_id not in (select distinct doc_id from _new) union all by name select * from _new')
    finally:
        con.unregister("_new")
    return table.num_rows


def _replace(con, name: str, table: pa.Table) -> int:
    con.register("_new", table)
    try:
        con.execute(f'create or replace table "{name}" as select * from _new')
    finally:
        con.unregister("_new")
    return table.num_rows


def update_database(out_dir: Path | str, tables: dict[str, pa.Table] | None = None,
                    path: Path | str | None = None) -> dict[str, int]:
    """Load out_dir's tables (whatever exists) into out_dir/zhibiao.duckdb in one transaction.

    `tables`: tables to use instead of reading the files (panel passes the panel it built).
    Returns rows loaded per table.
    """
    out_dir = Path(out_dir)
    found: dict[str, pa.Table] = {}
    for name in PER_DOCUMENT + WHOLE:
        t = (tables or {}).get(name)
        if t is None:
            t = read_output(out_dir, name)
        if t is not None:
            found[name] = t
    if not found:
        return {}
    import duckdb

    con = connect(path or db_path(out_dir))
    loaded: dict[str, int] = {}
    try:
        con.execute("begin transaction")
        for name, t in found.items():
            loaded[name] = (_upsert if name in PER_DOCUMENT else _replace)(con, name, t)
        con.execute("commit")
    except duckdb.Error as exc:
        con.execute("rollback")
        raise OutputError(f"{path or db_path(out_dir)}: database update failed "
                          f"({' '.join(str(exc).split())[:200]})") from None
    finally:
        con.close()
    return loaded


def read_db_table(out_dir: Path | str, name: str) -> pa.Table | None:
    """A table of the database, or None when there is no database or no such table."""
    p = db_path(out_dir)
    if not p.is_file():
        return None
    con = connect(p, read_only=True)
    try:
        if _columns(con, name) is None:
            return None
        return con.sql(f'select * from "{name}"').to_arrow_table()
    finally:
        con.close()
