"""Readers for Word, PDF, HTML and XML: visible text as lines, offsets that index the saved text.

The small documents are built here at run time (python-docx, hand-written PDF bytes), so these
tests always run; the real originals under ../shared/corpus/real/raw/ are used where present.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from conftest import shared_or_skip

from extractor.api import process_path
from extractor.errors import SourceError
from extractor.sources import read_document, save_extracted_text

REPORT = "全市教育经费247276万元，比上年增长25.78%。"


# --------------------------------------------------------------------------- builders


def make_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, cell in enumerate(row):
                t.cell(i, j).text = cell
    d.add_paragraph("结束。")
    d.save(str(path))
    return path


def make_pdf(lines: list[str] | None, encrypt: bool = False) -> bytes:
    """A minimal one-page PDF; `lines` of ASCII text in Helvetica (None: a page without text).
    encrypt: a Standard security handler whose user password is not empty."""
    content = b""
    if lines:
        ops = ["BT /F1 12 Tf 72 720 Td 14 TL"] + [f"({ln}) Tj T*" for ln in lines] + ["ET"]
        content = "\n".join(ops).encode("latin-1")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if encrypt:
        objs.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objs) + 1)
    if encrypt:
        trailer += b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (len(objs), b"ab" * 16, b"ab" * 16)
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --------------------------------------------------------------------------- Word


def test_docx_paragraphs_and_table_cells_are_lines(tmp_path):
    p = make_docx(tmp_path / "报告 2012.docx", ["一、总体情况", REPORT],
                  table=[["指标", "数值"], ["学校数", "120所"]])
    doc = read_document(p, "报告 2012.docx")
    lines = doc.text.splitlines()
    assert doc.format == "docx" and doc.extracted
    assert lines[:2] == ["一、总体情况", REPORT]
    assert "学校数" in lines and "120所" in lines and "结束。" in lines


def test_docx_rows_index_the_saved_text(tmp_path, rules):
    p = make_docx(tmp_path / "r.docx", ["标题", REPORT], table=[["学校数", "新建学校12所"]])
    out = tmp_path / "out"
    res = process_path(p, "sub/r.docx", rules, out_dir=out)
    assert not res.error and res.rows
    assert res.text_path == "texts/sub/r.docx.txt"
    saved = (out / res.text_path).read_bytes()
    assert hashlib.sha256(saved).hexdigest() == res.text_sha256
    text = saved.decode("utf-8")
    for row in res.rows:
        assert text[row["start"]:row["end"]] == row["quote"]
    assert {r["quote"] for r in res.rows} >= {"247276万元", "25.78%", "12所"}
    row = res.document_row("v")
    assert row["text_path"] == res.text_path and row["text_sha256"] == res.text_sha256


def test_plain_text_is_not_saved_again(tmp_path, rules):
    p = tmp_path / "r.txt"
    p.write_text(REPORT, encoding="utf-8")
    res = process_path(p, "r.txt", rules, out_dir=tmp_path / "out")
    assert res.rows and res.text_path == "" and not (tmp_path / "out" / "texts").exists()


def test_saved_text_stays_inside_texts(tmp_path):
    doc = read_document(make_docx(tmp_path / "a.docx", [REPORT]), "../../escape.docx")
    rel, _ = save_extracted_text(doc, tmp_path / "out")
    assert rel == "texts/escape.docx.txt" and (tmp_path / "out" / rel).is_file()


# --------------------------------------------------------------------------- PDF


def test_pdf_text_layer(tmp_path):
    p = tmp_path / "c.pdf"
    p.write_bytes(make_pdf(["Passengers 1234.5", "growth 12.5%"]))
    doc = read_document(p)
    assert doc.format == "pdf"
    assert doc.text.splitlines() == ["Passengers 1234.5", "growth 12.5%"]


@pytest.mark.parametrize("data, problem", [
    (make_pdf(None), "PDF has no text layer"),
    (make_pdf(["secret 12%"], encrypt=True), "PDF is encrypted"),
    (b"%PDF-1.4\n1 0 obj << /Type /Catalog", "corrupt or unreadable PDF"),
    (b"<html>not a pdf</html>", "not a PDF"),
])
def test_pdf_problems_are_one_line(tmp_path, data, problem):
    p = tmp_path / "bad.pdf"
    p.write_bytes(data)
    with pytest.raises(SourceError) as exc:
        read_document(p)
    assert problem in exc.value.problem and "\n" not in str(exc.value)


# --------------------------------------------------------------------------- HTML / XML


def test_html_visible_text_only(tmp_path):
    html = ("<html><head><title>标题</title><style>p{color:red}</style></head><body>"
            "<script>var x = '99万元';</script><h1>一、概况</h1><p>全市教育经费<b>247276</b>万元，"
            "比上年增长25.78%。</p><table><tr><td>学校</td><td>120所</td></tr></table>"
            "<!-- 888万元 --><noscript>77万元</noscript></body></html>")
    p = tmp_path / "r.html"
    p.write_text(html, encoding="utf-8")
    doc = read_document(p)
    assert doc.text.splitlines() == ["一、概况", REPORT, "学校", "120所"]
    assert "99" not in doc.text and "888" not in doc.text and "77" not in doc.text


def test_docbook_xml_titles_and_paras(tmp_path):
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\r\n<article xmlns="http://docbook.org/ns/docbook">'
           "<title>施政報告</title><section><para>1. 香港經濟增長2.5%，\r\n  新增就業3萬個。</para>"
           "</section></article>")
    p = tmp_path / "pa.xml"
    p.write_bytes(xml.encode("utf-8"))
    assert read_document(p).text.splitlines() == ["施政報告", "1. 香港經濟增長2.5%， 新增就業3萬個。"]


def test_xml_entities_are_not_expanded(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><r><para>增长5%&c;</para></r>')
    p = tmp_path / "bomb.xml"
    p.write_text(bomb, encoding="utf-8")
    assert len(read_document(p).text) < 100


# --------------------------------------------------------------------------- the real originals


@pytest.mark.slow
def test_real_raw_files_extract(tmp_path, rules):
    raw = shared_or_skip("corpus", "real", "raw")
    picks = [raw / "guangdong_gwr_2025.docx", raw / "caac_communique_2011.pdf"]
    for p in picks:
        res = process_path(p, p.name, rules, out_dir=tmp_path)
        assert not res.error, res.error
        assert len(res.rows) > 100, p.name
        text = (tmp_path / res.text_path).read_text(encoding="utf-8")
        assert all(text[r["start"]:r["end"]] == r["quote"] for r in res.rows)


# --------------------------------------------------------------------------- PDF repair


@pytest.mark.parametrize("page_line", ["3", " 12 ", "- 3 -", "— 14 —", "第3页", "第 3 页 共 16 页"])
def test_page_number_lines_kept_out_of_figures(rules, page_line):
    from extractor.pipeline import extract_text

    text = f"全年完成货邮运输量186.8\n{page_line}\n万吨，比上年增长5.9%。\n"
    rows = extract_text(text, rules)
    first = rows[0]
    assert first["value_norm"] == pytest.approx(1868000) and first["unit_norm"] == "吨"
    assert text[first["start"]:first["end"]] == first["quote"]


def test_footnote_marker_lines_and_thousands_spaces(rules):
    from extractor.pipeline import extract_text

    text = "运输总周转量\n[4]\n235.0亿吨公里。另逾3\u202f300名导师完成培训，共4 000人。\n"
    got = {(r["value_norm"], r["unit_norm"]) for r in extract_text(text, rules)}
    assert (23500000000.0, "吨公里") in got and (3300.0, "名") in got and (4000.0, "人") in got
    assert not any(v == 4.0 for v, _ in got)


@pytest.mark.slow
@pytest.mark.parametrize("stem", ["caac_communique_2015", "guangdong_gwr_2025", "hongkong_policyaddress_2025"])
def test_original_and_provided_text_agree(rules, stem):
    """The figures read from the original agree with those from the provided .txt (bench/raw_vs_txt.py
    has the full table)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from raw_vs_txt import compare

    real = shared_or_skip("corpus", "real")
    raw = next((real / "raw").glob(stem + ".*"))
    res = compare(raw, real / (stem + ".txt"), rules)
    assert not res["error"] and res["agree"] >= 0.98, (res["only_raw"], res["only_txt"])
