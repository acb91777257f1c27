"""`zhibiao report`: the static site is complete, escaped, linked both ways, offline, and marks
figures named by inconsistent audit checks."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from extractor.cli import main
from extractor.report.page import highlighted, render_document
from extractor.report.site import build_site, page_name
from extractor.table import INDICATOR_SCHEMA, read_table

REPORT = (
    "<script>window.__pwned = 1</script> 2012年工作报告 & 总结\n"
    "全市教育经费247276万元，比上年增加50676万元，增长25.78%。\n"
    "全市共有学校1,234所，在校学生约35.6万人。\n"
)


@pytest.fixture()
def output(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(REPORT, encoding="utf-8")
    (corpus / "子目录 b.txt").write_bytes(REPORT.replace("经费", "經費").encode("big5hkscs", "replace"))
    (corpus / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    out = tmp_path / "out"
    assert main(["extract", str(corpus), "--out", str(out), "--no-progress"]) == 0
    return out


def _audit(out: Path) -> None:
    """An audit.csv in the audit command's format: one inconsistent growth check on a.txt."""
    rows = read_table(out / "indicators.parquet", INDICATOR_SCHEMA)
    a = rows[rows["doc_id"] == "a.txt"].sort_values("start")
    spans = " ".join(f"{s}-{e}" for s, e in zip(a["start"][:3], a["end"][:3], strict=True))
    pd.DataFrame([
        {"doc_id": "a.txt", "check": "growth", "status": "inconsistent", "figures": spans,
         "expression": "50676 / (247276 - 50676) = 25.78% <b>", "message": "the inputs allow 25.7%"},
        {"doc_id": "a.txt", "check": "sum", "status": "consistent", "figures": spans.split()[0],
         "expression": "x = x", "message": ""},
    ]).to_csv(out / "audit.csv", index=False)


def _html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_site_pages_and_index(output: Path, tmp_path: Path) -> None:
    _audit(output)
    site = tmp_path / "site"
    summary = build_site(output, site)
    assert summary.pages == 2 and summary.bytes > 0
    index = _html(site / "index.html")
    for doc_id in ("a.txt", "子目录 b.txt", "bad.txt"):
        assert doc_id in index
    assert "binary file" in index  # the failed document's error is listed
    assert f'href="docs/{page_name("子目录 b.txt")}"' in index
    assert "1 inconsistent" in index
    assert index.count("<svg") >= 2  # figures per kind and per document
    assert (site / "docs" / page_name("a.txt")).is_file()


def test_page_escapes_text_and_links_both_ways(output: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(output, site)
    page = _html(site / "docs" / "a.txt.html")
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "<script>window.__pwned" not in page
    assert page.count("<script>") == 1  # ours only
    rows = read_table(output / "indicators.parquet", INDICATOR_SCHEMA)
    n = int((rows["doc_id"] == "a.txt").sum())
    figs = re.findall(r'<a class="fig k-(\w+)[^"]*" id="f(\d+)" href="#r(\d+)"', page)
    assert len(figs) == n >= 5
    assert all(f == r for _, f, r in figs)
    for i in range(1, n + 1):
        assert f'<tr id="r{i}">' in page and f'<a href="#f{i}">{i}</a>' in page
    assert {k for k, _, _ in figs} >= {"level", "change", "growth"}


def test_inconsistent_audit_figures_are_marked(output: Path, tmp_path: Path) -> None:
    _audit(output)
    build_site(output, tmp_path / "site")
    page = _html(tmp_path / "site" / "docs" / "a.txt.html")
    bad = re.findall(r'<a class="fig k-\w+ bad" id="f(\d+)"[^>]*title="([^"]*)"', page)
    assert [i for i, _ in bad] == ["1", "2", "3"]
    assert "growth: 50676 / (247276 - 50676) = 25.78% &lt;b&gt;" in bad[0][1]
    assert "Audit checks" in page and "the inputs allow 25.7%" in page


def test_offline_nothing_fetched(output: Path, tmp_path: Path) -> None:
    build_site(output, tmp_path / "site")
    for path in (tmp_path / "site").rglob("*.html"):
        html = _html(path)
        assert not re.search(r'(?:src|href)\s*=\s*"(?:https?:)?//', html), path
        assert "<link" not in html and "@import" not in html


def test_rows_not_at_their_offsets_are_listed_not_highlighted() -> None:
    text = "收入100万元，支出90万元。"
    rows = [{"start": 2, "end": 7, "quote": "100万元", "kind": "level"},
            {"start": 3, "end": 7, "quote": "00万元", "kind": "level"},  # overlaps the first
            {"start": 10, "end": 14, "quote": "80万元", "kind": "level"}]  # wrong quote
    html, missed = highlighted(text, rows, {})
    assert missed == {2, 3}
    assert html.count('class="fig') == 1
    page = render_document({"doc_id": "x"}, rows, text, [])
    assert "2 figure(s) not highlighted" in page and "(not in text)" in page


def test_large_document_is_one_pass(tmp_path: Path) -> None:
    """A 100k-character report with thousands of figures: every figure becomes one highlight."""
    sentence = "今年投资增长12.5%，完成产值3,456万元。\n"
    text = sentence * (100_000 // len(sentence) + 1)
    rows = []
    for m in re.finditer(r"12\.5%|3,456万元", text):
        rows.append({"start": m.start(), "end": m.end(), "quote": m.group(), "kind": "growth"})
    page = render_document({"doc_id": "big"}, rows, text, [])
    assert page.count('<a class="fig') == len(rows) > 8000
    assert len(text) >= 100_000
    body, missed = highlighted(text, rows, {})
    assert not missed
    assert body.count('<div class="t">') >= 100_000 // 4000  # blocks the browser may skip off screen
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == text  # blocks and highlights lose nothing


def test_blocks_split_at_line_ends_and_keep_the_text() -> None:
    text = ("一二三四五六七八九十" * 50 + "\n") * 30 + "<末尾>&"
    rows = [{"start": 5, "end": 8, "quote": text[5:8], "kind": "level"}]
    body, _ = highlighted(text, rows, {})
    blocks = re.findall(r'<div class="t">(.*?)</div>', body, flags=re.S)
    assert len(blocks) > 1
    assert all(html.unescape(re.sub(r"<[^>]+>", "", b)).endswith("\n") for b in blocks[:-1])
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == text


def test_cli_report_and_missing_source(output: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "corpus" / "a.txt").unlink()
    assert main(["report", str(output), "--out", str(tmp_path / "site")]) == 0
    page = _html(tmp_path / "site" / "docs" / "a.txt.html")
    assert "not found" in page and '<tr id="r1">' in page  # the table is still shown
    assert "a.txt" in _html(tmp_path / "site" / "index.html")
    assert main(["report", str(tmp_path / "nothing"), "--out", str(tmp_path / "s2")]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("zhibiao: ")


def test_recurring_indicators_follow_the_years() -> None:
    from extractor.report.data import Output, recurring

    docs = [{"doc_id": f"r_{y}.txt", "year": None} for y in (2019, 2020, 2021)] + [{"doc_id": "x.txt", "year": 2021}]
    rows = {d["doc_id"]: [{"indicator": "地区生产总值", "unit_norm": "元", "value_norm": 1e9 * (i + 1), "kind": "level"},
                          {"indicator": "地区生产总值", "unit_norm": "%", "value_norm": 6.0, "kind": "growth"}]
            for i, d in enumerate(docs[:3])}
    rows["x.txt"] = [{"indicator": "粮食产量", "unit_norm": "吨", "value_norm": 5.0, "kind": "level"}]
    (s,) = recurring(Output(docs, rows))
    assert (s.indicator, s.unit, s.by_year, s.connect) == ("地区生产总值", "元", True, True)
    assert [(x, v) for x, v, _ in s.points] == [(2019.0, 1e9), (2020.0, 2e9), (2021.0, 3e9)]
