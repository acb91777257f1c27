"""The table's schema and round trips: what users load from many runs must keep its dtypes."""

from extractor.table import INDICATOR_COLUMNS, INDICATOR_SCHEMA, read_table, to_arrow, write_table


def test_round_trip_with_newlines_in_cells(tmp_path):
    rows = [{"doc_id": "a.pdf", "start": 3, "end": 12, "quote": "186.8\n 3\n万吨", "sentence": "x\ny",
             "value": 186.8, "value_norm": 1868000.0, "unit_norm": "吨", "kind": "level"}]
    write_table(to_arrow(rows), tmp_path, "indicators")
    for name in ("indicators.csv", "indicators.parquet"):
        df = read_table(tmp_path / name)
        assert list(df.columns) == INDICATOR_COLUMNS
        assert df.loc[0, "quote"] == "186.8\n 3\n万吨"
        assert df.loc[0, "start"] == 3 and df.loc[0, "value_norm"] == 1868000.0
        assert df.loc[0, "indicator"] == ""


def test_empty_table_keeps_schema(tmp_path):
    write_table(to_arrow([]), tmp_path, "indicators")
    import pyarrow.parquet as pq

    assert pq.read_schema(tmp_path / "indicators.parquet").names == INDICATOR_SCHEMA.names
    assert list(read_table(tmp_path / "indicators.csv").columns) == INDICATOR_COLUMNS


def test_extract_long_text_with_a_dot_is_text_not_a_path():
    from extractor import extract

    text = "年初预算安排教育经费247276万元,比上年增加50676万元,增长25.78%。" * 30
    assert len(extract(text)) == 90
