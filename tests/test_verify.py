"""`zhibiao verify`: a clean output verifies; every kind of tampering is reported with file and row."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import shared_or_skip

from extractor.cli import main
from extractor.table import DOCUMENT_SCHEMA, INDICATOR_SCHEMA, read_table, to_arrow, write_table
from extractor.verify import verify_output

REPORT = (
    "2012年，全市教育經費247276萬元，比上年增加50676萬元，增長25.78%。\n"
    "全市共有學校1,234所，在校學生約35.6万人。\n"
    "財政收入完成４７．２亿元，增长6%－6.5%。\n"
)


@pytest.fixture()
def extracted(tmp_path: Path) -> Path:
    """A small corpus (UTF-8, GB18030, UTF-16 with BOM) extracted into tmp_path/out."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(REPORT, encoding="utf-8")
    (corpus / "b.txt").write_bytes(REPORT.replace("經費", "经费").encode("gb18030"))
    (corpus / "c.txt").write_bytes(b"\xff\xfe" + ("前言\n" + REPORT).encode("utf-16-le"))
    assert main(["extract", str(corpus), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    return tmp_path / "out"


def _rows(out: Path, fmt: str) -> pd.DataFrame:
    return read_table(out / f"indicators.{fmt}", INDICATOR_SCHEMA)


def _write_rows(out: Path, df: pd.DataFrame, fmt: str) -> None:
    write_table(to_arrow(df.to_dict("records"), INDICATOR_SCHEMA), out, "indicators", (fmt,))


def test_clean_output_verifies(extracted: Path, rules) -> None:
    result = verify_output(extracted, rules=rules)
    assert result.ok, [m.line() for m in result.mismatches]
    assert result.documents == 3
    assert result.rows == 2 * len(_rows(extracted, "csv")) > 20
    assert main(["verify", str(extracted)]) == 0


def test_changed_value_is_reported(extracted: Path, rules) -> None:
    df = _rows(extracted, "csv")
    i = int(df.index[df["quote"].str.contains("247276")][0])
    df.loc[i, "value"] = 247277.0
    _write_rows(extracted, df, "csv")
    mism = verify_output(extracted, rules=rules).mismatches
    assert len(mism) == 1
    m = mism[0]
    assert (m.file, m.row) == ("indicators.csv", i + 1)
    assert "value 247277 in the table, the quote gives 247276" in m.what


def test_changed_unit_and_value_norm_are_reported(extracted: Path, rules) -> None:
    df = _rows(extracted, "parquet")
    i = int(df.index[df["quote"].str.contains("35.6")][0])
    df.loc[i, "unit"] = "人"
    df.loc[i, "value_norm"] = 35.6
    _write_rows(extracted, df, "parquet")
    whats = [m.what for m in verify_output(extracted, rules=rules).mismatches]
    assert any("unit '人' in the table" in w and "value_norm 35.6 in the table" in w for w in whats) or (
        any("unit '人'" in w for w in whats) and any("value_norm 35.6" in w for w in whats)), whats


def test_shifted_offset_is_reported(extracted: Path, rules) -> None:
    df = _rows(extracted, "parquet")
    df.loc[3, "start"] += 1
    df.loc[3, "end"] += 1
    _write_rows(extracted, df, "parquet")
    mism = verify_output(extracted, rules=rules).mismatches
    assert [(m.file, m.row) for m in mism] == [("indicators.parquet", 4)]
    assert "but the text at" in mism[0].what


def test_span_outside_text_is_reported(extracted: Path, rules) -> None:
    df = _rows(extracted, "csv")
    df.loc[0, "start"], df.loc[0, "end"] = 10**6, 10**6 + 3
    _write_rows(extracted, df, "csv")
    whats = [m.what for m in verify_output(extracted, rules=rules).mismatches]
    assert any("outside the text" in w for w in whats)


def test_edited_source_is_reported(extracted: Path, tmp_path: Path, rules) -> None:
    src = tmp_path / "corpus" / "a.txt"
    src.write_text(REPORT.replace("247276", "247376"), encoding="utf-8")
    mism = verify_output(extracted, rules=rules).mismatches
    assert any(m.file == "documents.csv" and "changed since extraction" in m.what and m.doc_id == "a.txt"
               for m in mism)
    assert any(m.file.startswith("indicators") and "247276" in m.what for m in mism)
    assert main(["verify", str(extracted)]) == 1


def test_missing_source_and_unknown_doc(extracted: Path, tmp_path: Path, rules) -> None:
    (tmp_path / "corpus" / "b.txt").unlink()
    df = _rows(extracted, "csv")
    df.loc[0, "doc_id"] = "nowhere.txt"
    _write_rows(extracted, df, "csv")
    whats = [m.line() for m in verify_output(extracted, rules=rules).mismatches]
    assert any("b.txt not found" in w for w in whats)
    assert any("nowhere.txt" in w and "not listed" in w for w in whats)


def test_corpus_reroots_moved_sources(extracted: Path, tmp_path: Path, rules) -> None:
    moved = tmp_path / "elsewhere"
    shutil.move(str(tmp_path / "corpus"), moved)
    assert not verify_output(extracted, rules=rules).ok
    result = verify_output(extracted, moved, rules=rules)
    assert result.ok, [m.line() for m in result.mismatches]


def test_saved_text_is_used_when_text_path_is_set(tmp_path: Path, rules) -> None:
    """Non-text sources (docx, pdf, html): offsets index output/texts/, checked by text_sha256."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "r.txt").write_text(REPORT, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", str(corpus), "--out", str(out), "--no-progress"]) == 0
    (out / "texts").mkdir()
    saved = out / "texts" / "r.txt"
    saved.write_text(REPORT, encoding="utf-8")
    docs = read_table(out / "documents.csv", DOCUMENT_SCHEMA)
    docs.loc[0, "text_path"] = "texts/r.txt"
    docs.loc[0, "text_sha256"] = hashlib.sha256(saved.read_bytes()).hexdigest()
    docs.to_csv(out / "documents.csv", index=False)
    assert verify_output(out, rules=rules).ok
    saved.write_text(REPORT.replace("1,234", "1,834"), encoding="utf-8")
    whats = [m.what for m in verify_output(out, rules=rules).mismatches]
    assert any("saved text" in w and "changed since extraction" in w for w in whats)
    assert any("1,234" in w for w in whats)


def test_not_an_output_folder_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["verify", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zhibiao: ") and "documents.csv" in err[0]


@pytest.mark.slow
def test_real_corpus_verifies(tmp_path: Path, rules) -> None:
    """A few real reports extract and verify with zero mismatches."""
    real = sorted(shared_or_skip("corpus", "real").glob("*.txt"))[:4]
    out = tmp_path / "out"
    assert main(["extract", *map(str, real), "--out", str(out), "--no-progress"]) == 0
    result = verify_output(out, rules=rules)
    assert result.ok and result.rows > 100, [m.line() for m in result.mismatches[:5]]


def test_csv_cells_spanning_lines_are_read(extracted: Path, rules) -> None:
    """A sentence from a Word table holds a newline; the CSV is still checked, not rejected."""
    df = _rows(extracted, "csv")
    df["sentence"] = df["sentence"] + "\n续行"
    _write_rows(extracted, df, "csv")
    result = verify_output(extracted, rules=rules)
    assert result.ok and "indicators.csv" in result.tables, [m.line() for m in result.mismatches]


def test_stdin_document_cannot_be_verified(tmp_path: Path, rules, monkeypatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(REPORT))
    assert main(["extract", "-", "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    whats = [m.what for m in verify_output(tmp_path / "out", rules=rules).mismatches]
    assert whats == ["read from standard input: no source to re-read, its rows cannot be checked"]
