"""The panel: one row per cell, agreement by rounding interval, conflicts side by side, derived years."""

from __future__ import annotations

import pandas as pd
import pytest

from extractor.cli import main
from extractor.panel import build_panel, interval, previous_period, targets_vs_outcomes, wide
from extractor.table import to_frame

DOCS = pd.DataFrame([
    {"doc_id": "c2014.txt", "year": 2014, "place": "全国", "kind": "统计公报", "title": ""},
    {"doc_id": "c2015.txt", "year": 2015, "place": "全国", "kind": "统计公报", "title": ""},
    {"doc_id": "c2015.docx", "year": 2015, "place": "全国", "kind": "统计公报", "title": ""},
    {"doc_id": "g2016.txt", "year": 2016, "place": "全国", "kind": "政府工作报告", "title": ""},
])


def row(doc, start, period, kind, value, number_text, unit="人次", multiplier=1.0, indicator="旅客运输量",
        qualifier="exact", sentence="s", value_high=None, indicator_id="", basis="上年"):
    return {"doc_id": doc, "start": start, "end": start + 5, "period": period, "kind": kind,
            "value": value / multiplier, "value_norm": value, "number_text": number_text, "unit_norm": unit,
            "multiplier": multiplier, "indicator": indicator, "indicator_id": indicator_id,
            "qualifier": qualifier, "sentence": sentence, "value_high": value_high,
            "basis": basis if kind in ("change", "growth") else "", "direction": "up" if kind == "growth" else ""}


def panel_of(rows, **kw):
    return build_panel(to_frame(rows), DOCS, None, **kw)


def test_intervals_follow_the_written_digits():
    assert interval(472000000000000.0, "47.2", 1e13, "exact")[:2] == pytest.approx((4.715e14, 4.725e14))
    lo, hi, _ = interval(9.2, "９．２", 1.0, "exact")
    assert (lo, hi) == pytest.approx((9.15, 9.25))
    assert interval(100.0, "100", 1.0, "over")[1] == pytest.approx(120.0)
    assert previous_period("截至2015年底") == "截至2014年底"
    assert previous_period("2013-2017") == ""


def test_agreeing_reports_are_one_row_and_a_revision_is_a_conflict():
    p = panel_of([
        row("c2015.txt", 10, "2015", "level", 436180000.0, "43618", multiplier=1e4),
        row("g2016.txt", 50, "2015", "level", 436000000.0, "4.36", multiplier=1e8),  # rounded: agrees
        row("c2014.txt", 10, "2014", "level", 391950000.0, "39195", multiplier=1e4),
        row("g2016.txt", 90, "2014", "level", 390000000.0, "3.90", multiplier=1e8),  # revised: conflicts
    ], use_derived=False)
    agree = p[p["period"] == "2015"]
    assert len(agree) == 1
    assert agree.iloc[0]["status"] == "stated" and agree.iloc[0]["n_sources"] == 2
    assert agree.iloc[0]["value_norm"] == 436180000.0  # the most precise statement
    assert agree.iloc[0]["sources"] == "c2015.txt:10-15 g2016.txt:50-55"
    conflict = p[p["period"] == "2014"].sort_values("value_norm")
    assert list(conflict["status"]) == ["conflict", "conflict"]
    assert list(conflict["value_norm"]) == [390000000.0, 391950000.0]  # side by side, not averaged
    assert list(conflict["sources"]) == ["g2016.txt:90-95", "c2014.txt:10-15"]


def test_one_report_in_two_files_is_one_witness():
    p = panel_of([row("c2015.txt", 10, "2015", "level", 5.0, "5", unit="个", indicator="机场"),
                  row("c2015.docx", 10, "2015", "level", 8.0, "8", unit="个", indicator="机场")], use_derived=False)
    assert set(p["status"]) == {"ambiguous"}


def test_derived_previous_year_fills_and_checks():
    p = panel_of([
        row("c2015.txt", 10, "2015", "level", 436180000.0, "43618", multiplier=1e4, sentence="a"),
        row("c2015.txt", 20, "2015", "growth", 11.3, "11.3", unit="%", sentence="a"),
        row("c2014.txt", 10, "2014", "level", 391950000.0, "39195", multiplier=1e4, sentence="b"),
        row("c2014.txt", 20, "2014", "change", 40000000.0, "4000", multiplier=1e4, sentence="b"),
    ])
    levels = p[(p["kind"] == "level")].set_index("period")
    assert levels.loc["2014", "status"] == "confirmed"  # 43618 / 1.113 = 39189.6, within rounding of 39195
    assert "derived:c2015.txt" in levels.loc["2014", "sources"]
    assert levels.loc["2013", "status"] == "derived"  # 39195 − 4000, a year no report states
    assert levels.loc["2013", "value_norm"] == pytest.approx(351950000.0)
    assert "391950000 - 40000000" in levels.loc["2013", "expression"]


def test_derived_disagreeing_with_a_statement_is_a_conflict():
    p = panel_of([
        row("c2015.txt", 10, "2015", "level", 436180000.0, "43618", multiplier=1e4, sentence="a"),
        row("c2015.txt", 20, "2015", "growth", 12.9, "12.9", unit="%", sentence="a"),
        row("c2014.txt", 10, "2014", "level", 391950000.0, "39195", multiplier=1e4, sentence="b"),
    ])
    assert set(p[(p["period"] == "2014") & (p["kind"] == "level")]["status"]) == {"conflict"}


def test_real_growth_is_not_used_to_derive_a_nominal_level():
    import re

    p = panel_of([
        row("g2016.txt", 10, "2015", "level", 6.77e13, "67.7", unit="元", multiplier=1e12, indicator="国内生产总值"),
        row("g2016.txt", 20, "2015", "growth", 6.9, "6.9", unit="%", indicator="国内生产总值"),
    ], real_growth=re.compile("国内生产总值"))
    assert "derived" not in set(p["status"])


def test_targets_apart_from_outcomes_and_side_by_side():
    p = panel_of([
        row("g2016.txt", 10, "2016", "target", 6.5, "6.5", unit="%", indicator="国内生产总值", value_high=7.0,
            indicator_id="gdp"),
        row("g2016.txt", 30, "2015", "target", 7.0, "7", unit="%", indicator="国内生产总值", indicator_id="gdp"),
        row("c2015.txt", 10, "2015", "growth", 6.9, "6.9", unit="%", indicator="国内生产总值", indicator_id="gdp"),
    ], use_derived=False)
    assert set(p["kind"]) == {"target", "growth"}
    tvo = targets_vs_outcomes(p).set_index("period")
    assert tvo.loc["2015", "outcome"] == 6.9 and tvo.loc["2015", "gap"] == pytest.approx(-0.1)
    assert not tvo.loc["2015", "met"]
    assert pd.isna(tvo.loc["2016", "outcome"]) and tvo.loc["2016", "target_high"] == 7.0


def test_wide_has_one_column_per_period_and_shows_conflicts():
    p = panel_of([
        row("c2014.txt", 10, "2014", "level", 391950000.0, "39195", multiplier=1e4),
        row("g2016.txt", 90, "2014", "level", 390000000.0, "3.90", multiplier=1e8),
        row("c2015.txt", 10, "2015", "level", 436180000.0, "43618", multiplier=1e4),
    ], use_derived=False)
    w = wide(p)
    assert list(w.columns[-2:]) == ["2014", "2015"]
    assert w.iloc[0]["2014"] == "390000000 | 391950000"
    assert w.iloc[0]["2015"] == 436180000  # a column without conflicts stays numeric


def test_panel_command_writes_files_and_database(tmp_path, rules):
    from test_store import extract_into

    src = tmp_path / "src"
    src.mkdir()
    for year, n, g in ((2014, "39195", "10.7"), (2015, "43618", "11.3")):
        (src / f"caac_communique_{year}.txt").write_text(
            f"{year}年民航行业发展统计公报\n{year}年，全行业完成旅客运输量{n}万人次，比上年增长{g}%。\n", encoding="utf-8")
    out = tmp_path / "out"
    extract_into(out, src, ["caac_communique_2014.txt", "caac_communique_2015.txt"], rules)
    assert main(["panel", str(out)]) == 0
    panel = pd.read_parquet(out / "panel.parquet")
    people = panel[(panel["unit_norm"] == "人次") & (panel["kind"] == "level")].set_index("period")
    assert people.loc["2014", "status"] == "confirmed" and people.loc["2013", "status"] == "derived"
    import duckdb

    con = duckdb.connect(str(out / "zhibiao.duckdb"), read_only=True)
    try:
        assert con.sql("select count(*) from panel").fetchall()[0][0] == len(panel)
    finally:
        con.close()
    assert main(["panel", str(out), "--wide", "--out", str(tmp_path / "w.xlsx")]) == 0
    assert pd.read_excel(tmp_path / "w.xlsx").shape[0] >= 1
    assert main(["panel", str(out), "--targets-vs-outcomes", "--out", str(tmp_path / "t.csv")]) == 0
    assert main(["panel", str(out), "--out", str(tmp_path / "x.json")]) == 2  # unknown format: one line


def test_panel_of_a_missing_folder_is_one_line(tmp_path, capsys):
    assert main(["panel", str(tmp_path / "nope")]) == 2
    assert "no such output folder" in capsys.readouterr().err


def test_plot_marks_targets_conflicts_and_derived(tmp_path):
    from extractor.plot import parse_series, select

    rows = [row("g2016.txt", 10, "2016", "target", 6.5, "6.5", unit="%", indicator="国内生产总值", value_high=7.0,
                indicator_id="gdp"),
            row("c2015.txt", 10, "2015", "growth", 6.9, "6.9", unit="%", indicator="国内生产总值", indicator_id="gdp"),
            row("g2016.txt", 40, "2015", "growth", 7.1, "7.1", unit="%", indicator="国内生产总值", indicator_id="gdp")]
    p = panel_of(rows, use_derived=False)
    assert parse_series("gdp_growth") == ("gdp", "growth")
    assert parse_series("国内生产总值") == ("国内生产总值", "level")
    outcomes, targets, place = select(p, "gdp", "growth")
    assert place == "全国" and list(targets["year"]) == [2016]
    assert sorted(outcomes["status"]) == ["conflict", "conflict"]
    out = tmp_path / "o"
    out.mkdir()
    p.to_parquet(out / "panel.parquet")
    assert main(["plot", str(out), "gdp_growth", "--out", str(tmp_path / "g.svg")]) == 0
    svg = (tmp_path / "g.svg").read_text()
    assert svg.startswith("<?xml") and "conflict" in svg and "target" in svg
    assert main(["plot", str(out), "nothing_growth"]) == 2
