"""The command line as a user meets it: extract a folder, stdin, python -m, bad input."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def run(*args, stdin=None, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "extractor", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_extract_folder_writes_tables(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("年初预算安排教育经费247276万元,比上年增加50676万元,增长25.78%。", encoding="utf-8")
    (src / "b.txt").write_bytes("國內生產總值47.2萬億元".encode("big5", errors="ignore") or b"")
    (src / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    r = run("extract", str(src), "--out", str(out), "--no-progress")
    assert r.returncode == 0, r.stderr
    for name in ("indicators.csv", "indicators.parquet", "documents.csv"):
        assert (out / name).exists()
    ind = pd.read_parquet(out / "indicators.parquet")
    docs = pd.read_csv(out / "documents.csv", keep_default_na=False)
    assert set(docs.doc_id) == {"a.txt", "b.txt", "empty.txt"}
    assert docs.set_index("doc_id").loc["empty.txt", "error"] != ""
    assert "empty.txt" in r.stderr and "Traceback" not in r.stderr
    assert list(ind[ind.doc_id == "a.txt"].kind) == ["level", "change", "growth"]
    assert docs.set_index("doc_id").loc["b.txt", "encoding"] in ("big5", "big5hkscs", "cp950")


def test_stdin(tmp_path):
    r = run("extract", "-", "--out", str(tmp_path), stdin="国内生产总值47．2万亿元，比上年增长9．2%")
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(tmp_path / "indicators.csv", keep_default_na=False)
    assert list(df.quote) == ["47．2万亿元", "9．2%"]
    assert list(df.doc_id) == ["-", "-"]


def test_nothing_processed_is_an_error(tmp_path):
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    r = run("extract", str(bad), "--out", str(tmp_path / "o"))
    assert r.returncode != 0
    assert "binary" in r.stderr and "Traceback" not in r.stderr


def test_invalid_rules_named_with_file(tmp_path):
    rules = tmp_path / "rules"
    import shutil

    shutil.copytree(ROOT / "rules", rules)
    units = (rules / "units.yaml").read_text(encoding="utf-8")
    units = units.replace("units:\n", "units:\n  - {surface: 斤斤, base: 斤, scale: 1, family: measure, colour: red}\n", 1)
    (rules / "units.yaml").write_text(units, encoding="utf-8")
    r = run("extract", "-", "--out", str(tmp_path / "o"), "--rules", str(rules), stdin="增长5%")
    assert r.returncode == 2
    assert "units.yaml" in r.stderr and "colour" in r.stderr and "Traceback" not in r.stderr
