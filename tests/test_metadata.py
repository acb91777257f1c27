"""Document metadata: manifest and sidecar first, then the file name, then the title lines."""

from __future__ import annotations

import pytest

from extractor.api import process_path
from extractor.errors import SourceError
from extractor.metadata import document_meta, from_file_name, load_manifest, place_name, places_of
from extractor.periods import period_rules

GWR_HEAD = "2012政府工作报告\n\n——2012年3月5日在第十一届全国人民代表大会第五次会议上\n\n国务院总理 温家宝\n"


@pytest.mark.parametrize("name, year, place, kind", [
    ("gwr_2012.txt", 2012, None, "政府工作报告"),
    ("guangdong_gwr_2025.txt", 2025, "广东省", "政府工作报告"),
    ("caac_communique_2015.txt", 2015, "全国", "统计公报"),
    ("neimenggu_gwr_2025.docx", 2025, "内蒙古自治区", "政府工作报告"),
    ("hongkong_policyaddress_2025.txt", 2025, "香港特别行政区", "施政报告"),
    ("notes.txt", None, None, None),
])
def test_file_names(rules, name, year, place, kind):
    got = from_file_name(name, places_of(rules), period_rules(rules))
    assert got.get("year") == year
    assert got.get("place") == place
    assert got.get("kind") == kind


def test_title_lines_give_place_and_title(rules):
    meta = document_meta("gwr_2012.txt", GWR_HEAD + "各位代表：\n", rules=rules)
    assert meta.year == 2012
    assert meta.extra == {"place": "全国", "kind": "政府工作报告", "title": "2012政府工作报告"}
    prov = document_meta("report.txt", "2025年廣東省政府工作報告\n——2025年1月15日在广东省第十四届人民代表大会上\n",
                         rules=rules)
    assert (prov.year, prov.extra["place"], prov.extra["kind"]) == (2025, "广东省", "政府工作报告")
    assert prov.extra["title"] == "2025年广东省政府工作报告"


def test_a_sentence_is_not_a_title(rules):
    text = "各位代表：\n现在，我代表国务院，向大会作政府工作报告，请予审议，设立台湾光复纪念日。\n"
    meta = document_meta("gwr_2026_partial.txt", text, rules=rules)
    assert meta.extra["title"] == ""
    assert meta.extra["place"] == "全国"  # 我代表国务院, not 台湾 from a sentence


def test_manifest_wins_over_file_name(tmp_path, rules):
    (tmp_path / "MANIFEST.tsv").write_text(
        "file\tkind\tyear\tplace\nr1.txt\tprovincial_gwr\t2024\t安徽省 (Anhui)\n"
        "r2.txt\tsector_communique\t2019\tChina (Civil Aviation Administration of China, CAAC)\n", encoding="utf-8")
    manifest = load_manifest(tmp_path / "MANIFEST.tsv")
    m1 = document_meta(tmp_path / "r1.txt", "正文", manifest, rules)
    assert (m1.year, m1.extra["place"], m1.extra["kind"]) == (2024, "安徽省", "政府工作报告")
    m2 = document_meta(tmp_path / "r2.txt", "正文", manifest, rules)
    assert (m2.year, m2.extra["place"], m2.extra["kind"]) == (2019, "全国", "统计公报")


def test_sidecar_yaml(tmp_path, rules):
    doc = tmp_path / "gwr_2012.txt"
    doc.write_text(GWR_HEAD, encoding="utf-8")
    (tmp_path / "gwr_2012.txt.yaml").write_text("place: 苏州市\ntitle: 苏州市政府工作报告\n", encoding="utf-8")
    meta = document_meta(doc, GWR_HEAD, rules=rules)
    assert meta.extra["place"] == "苏州市"  # an unknown place is kept as given
    assert meta.extra["title"] == "苏州市政府工作报告"
    assert meta.year == 2012  # the file name fills what the sidecar leaves out


def test_bad_manifest_is_one_clear_error(tmp_path):
    bad = tmp_path / "m.tsv"
    bad.write_text("name\tyear\nx.txt\t2012\n", encoding="utf-8")
    with pytest.raises(SourceError, match="needs a 'file' column"):
        load_manifest(bad)
    with pytest.raises(SourceError, match="cannot be read"):
        load_manifest(tmp_path / "missing.tsv")


def test_place_names(rules):
    places = places_of(rules)
    assert place_name("China (State Council)", places) == "全国"
    assert place_name("宁夏 (Ningxia)", places) == "宁夏回族自治区"
    assert place_name("", places) == ""


def test_documents_table_gets_the_metadata(tmp_path, rules):
    doc = tmp_path / "caac_communique_2015.txt"
    doc.write_text("2015年民航行业发展统计公报\n2015年，全行业完成旅客运输量43618万人次，比上年增长11.3%。\n", encoding="utf-8")
    res = process_path(doc, doc.name, rules)
    row = res.document_row(rules.version)
    assert (row["year"], row["place"], row["kind"], row["title"]) == (2015, "全国", "统计公报", "2015年民航行业发展统计公报")
    assert {r["period"] for r in res.rows} == {"2015"}


def test_real_corpus_metadata_agrees_with_its_manifest(rules):
    """File-name and title inference give what the corpus manifest says, for every real text."""
    from conftest import shared_or_skip

    real = shared_or_skip("corpus", "real")
    manifest = load_manifest(real / "MANIFEST.tsv")
    checked = 0
    for path in sorted(real.glob("*.txt")):
        row = manifest.get(path.name)
        if row is None:
            continue
        head = path.read_text("utf-8")[:800]
        inferred = document_meta(path, head, None, rules)
        given = document_meta(path, head, manifest, rules)
        assert (inferred.year, inferred.extra["place"], inferred.extra["kind"]) == (
            given.year, given.extra["place"], given.extra["kind"]), path.name
        checked += 1
    assert checked >= 90


def test_extract_command_takes_a_manifest_and_fills_the_database(tmp_path, monkeypatch):
    import duckdb

    from extractor.cli import main
    from extractor.metadata import MANIFEST_ENV

    monkeypatch.setenv(MANIFEST_ENV, "")  # --manifest sets it for worker processes; restored after the test

    src = tmp_path / "src"
    src.mkdir()
    (src / "report_a.txt").write_text("全年地区生产总值增长5.2%。\n", encoding="utf-8")
    (src / "MANIFEST.tsv").write_text("file\tkind\tyear\tplace\ttitle\nreport_a.txt\tprovincial_gwr\t2025\t广东省\t广东报告\n",
                                      encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", str(src / "report_a.txt"), "--out", str(out), "--no-progress",
                 "--manifest", str(src / "MANIFEST.tsv")]) == 0
    con = duckdb.connect(str(out / "zhibiao.duckdb"), read_only=True)
    try:
        assert con.sql("select year, place, kind, title from documents").fetchall() == [
            (2025, "广东省", "政府工作报告", "广东报告")]
        assert con.sql("select period from indicators").fetchall() == [("2024",)]  # a GWR reviews the year before
    finally:
        con.close()
    assert main(["extract", str(src / "report_a.txt"), "--out", str(out), "--manifest", str(tmp_path / "no.tsv")]) == 2
