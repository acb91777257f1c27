"""The DuckDB store: tables from the output files, upserted by doc_id, so runs accumulate."""

from __future__ import annotations

import duckdb
import pytest

from extractor.api import process_path
from extractor.errors import OutputError
from extractor.store import db_path, read_db_table, update_database
from extractor.table import DOCUMENT_SCHEMA, INDICATOR_SCHEMA, to_arrow, write_table


def extract_into(out, folder, names, rules):
    """What `zhibiao extract` writes, for these files only (kept independent of the batch runner)."""
    results = [process_path(folder / n, n, rules) for n in names]
    write_table(to_arrow([r for res in results for r in res.rows], INDICATOR_SCHEMA), out, "indicators")
    write_table(to_arrow([res.document_row(rules.version) for res in results], DOCUMENT_SCHEMA), out, "documents")


@pytest.fixture
def reports(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "caac_communique_2014.txt").write_text(
        "2014年民航行业发展统计公报\n2014年，全行业完成旅客运输量39195万人次，比上年增长10.7%。\n", encoding="utf-8")
    (src / "caac_communique_2015.txt").write_text(
        "2015年民航行业发展统计公报\n2015年，全行业完成旅客运输量43618万人次，比上年增长11.3%。\n", encoding="utf-8")
    return src


def test_database_accumulates_runs(tmp_path, reports, rules):
    out = tmp_path / "out"
    extract_into(out, reports, ["caac_communique_2014.txt"], rules)
    assert update_database(out) == {"documents": 1, "indicators": 2}
    extract_into(out, reports, ["caac_communique_2015.txt"], rules)  # a later run with one new report
    update_database(out)
    con = duckdb.connect(str(db_path(out)), read_only=True)
    try:
        docs = con.sql("select doc_id, year, place, kind from documents order by doc_id").fetchall()
        assert docs == [("caac_communique_2014.txt", 2014, "全国", "统计公报"),
                        ("caac_communique_2015.txt", 2015, "全国", "统计公报")]
        assert con.sql("select count(*) from indicators").fetchall()[0][0] == 4
    finally:
        con.close()
    # the same report again replaces its rows, never duplicates them
    extract_into(out, reports, ["caac_communique_2015.txt"], rules)
    update_database(out)
    assert read_db_table(out, "indicators").num_rows == 4


def test_schema_change_keeps_old_rows(tmp_path, reports, rules):
    out = tmp_path / "out"
    extract_into(out, reports, ["caac_communique_2014.txt"], rules)
    update_database(out)
    extract_into(out, reports, ["caac_communique_2015.txt"], rules)
    import pyarrow.parquet as pq

    t = pq.read_table(out / "indicators.parquet")
    t = t.append_column("new_col", t.column("quote"))
    pq.write_table(t, out / "indicators.parquet")
    update_database(out)
    got = read_db_table(out, "indicators").to_pandas()
    assert len(got) == 4 and "new_col" in got
    assert set(got[got["doc_id"] == "caac_communique_2014.txt"]["new_col"].isna()) == {True}


def test_nothing_to_load_and_unreadable(tmp_path):
    assert update_database(tmp_path) == {}
    assert read_db_table(tmp_path, "indicators") is None
    (tmp_path / "indicators.parquet").write_bytes(b"not parquet")
    with pytest.raises(OutputError, match="indicators.parquet: cannot read the table"):
        update_database(tmp_path)
