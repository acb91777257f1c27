"""The batch runner: parallel equals serial row for row, streaming output, bad documents, options."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extractor import batch
from extractor.batch import run_extract
from extractor.cli import main
from extractor.table import DOCUMENT_SCHEMA, read_table

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "seed_2012_education_bureau.txt"
SENTENCES = [
    "年初预算安排教育经费{a}万元,比上年增加{b}万元,增长{c}%。",
    "全市共有普通高中{a}所,在校学生{b}人,比上年减少{c}个百分点。",
    "{y}年全市地区生产总值{a}亿元,同比增长{c}%,其中第三产业增加值{b}亿元。",
]


def make_corpus(folder: Path, n: int = 9, with_seed: bool = True) -> Path:
    """n small reports with varied figures (plus the committed seed report), in a sub-folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        lines = [s.format(a=1000 + 37 * i + k, b=200 + 11 * i + k, c=f"{1 + (i + k) % 9}.{k}", y=2010 + i)
                 for k, s in enumerate(SENTENCES)]
        (folder / f"report_{i:02d}.txt").write_text("\n".join(lines * (1 + i % 3)) + "\n", encoding="utf-8")
    if with_seed:
        (folder / "sub").mkdir(exist_ok=True)
        (folder / "sub" / "seed.txt").write_bytes(SEED.read_bytes())
    return folder


def run(corpus: Path, out: Path, rules, **kw):
    kw.setdefault("progress", False)
    return run_extract([str(corpus)], out, rules, log=open("/dev/null", "w"), **kw)


def test_two_workers_equal_one_row_for_row(tmp_path, rules):
    corpus = make_corpus(tmp_path / "c")
    s1 = run(corpus, tmp_path / "o1", rules, workers=1)
    s2 = run(corpus, tmp_path / "o2", rules, workers=2)
    assert s1.figures == s2.figures > 30
    assert "2 worker" in s2.engine and "1 worker" in s1.engine
    for name in ("indicators.csv", "documents.csv"):
        assert (tmp_path / "o1" / name).read_bytes() == (tmp_path / "o2" / name).read_bytes()
    a = pq.read_table(tmp_path / "o1" / "indicators.parquet")
    b = pq.read_table(tmp_path / "o2" / "indicators.parquet")
    assert a.equals(b)


def test_rows_follow_input_order_and_offsets_hold(tmp_path, rules):
    corpus = make_corpus(tmp_path / "c", n=5)
    run(corpus, tmp_path / "o", rules, workers=2, chunk_size=2)
    df = read_table(tmp_path / "o" / "indicators.csv")
    order = list(dict.fromkeys(df["doc_id"]))
    assert order == sorted(order, key=lambda d: ("/" in d, d))  # iter_sources order: files, then sub/
    for row in df.itertuples():
        text = (corpus / row.doc_id).read_text(encoding="utf-8")
        assert text[row.start:row.end] == row.quote


def test_bad_document_never_stops_the_batch(tmp_path, rules):
    corpus = make_corpus(tmp_path / "c", n=3, with_seed=False)
    (corpus / "broken.pdf").write_bytes(b"not a pdf at all" * 10)
    (corpus / "empty.txt").write_bytes(b"")
    s = run(corpus, tmp_path / "o", rules, workers=2)
    assert s.documents == 5 and s.failed == 2
    docs = read_table(tmp_path / "o" / "documents.csv", DOCUMENT_SCHEMA).set_index("doc_id")
    assert docs.loc["broken.pdf", "error"] and docs.loc["empty.txt", "error"]
    assert docs.loc["report_00.txt", "error"] == "" and docs.loc["report_00.txt", "figures"] > 0


def test_streamed_parquet_has_row_groups_and_no_temp_files_are_left(tmp_path, rules, monkeypatch):
    monkeypatch.setattr(batch, "ROW_GROUP", 16)
    corpus = make_corpus(tmp_path / "c", n=6)
    s = run(corpus, tmp_path / "o", rules, workers=1, chunk_size=2)
    meta = pq.ParquetFile(tmp_path / "o" / "indicators.parquet").metadata
    assert meta.num_rows == s.figures and meta.num_row_groups > 1
    assert not [p for p in (tmp_path / "o").iterdir() if p.name.endswith(".tmp")]
    assert len(read_table(tmp_path / "o" / "indicators.csv")) == s.figures


def test_stdin_text_comes_first(tmp_path, rules):
    corpus = make_corpus(tmp_path / "c", n=2, with_seed=False)
    s = run(corpus, tmp_path / "o", rules, stdin_text="教育经费247276万元,增长25.78%。")
    df = read_table(tmp_path / "o" / "indicators.csv")
    assert list(df["doc_id"][:2]) == ["-", "-"] and s.documents == 3


def test_doc_options_reach_process_path(tmp_path, rules, monkeypatch):
    import extractor.api as api

    seen = []
    real = api.process_path

    def spy(path, doc_id, rules, encoding=None, **kw):
        seen.append(kw)
        return real(path, doc_id, rules, encoding)

    monkeypatch.setattr(api, "process_path", spy)
    corpus = make_corpus(tmp_path / "c", n=2, with_seed=False)
    run(corpus, tmp_path / "o", rules, workers=1, doc_options={"timeout": 30})
    assert len(seen) == 2 and all(kw.get("timeout") == 30 for kw in seen)


def test_cli_flags(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", n=3, with_seed=False)
    out = tmp_path / "o"
    assert main(["extract", str(corpus), "--out", str(out), "--workers", "2", "--chunk-size", "1",
                 "--no-progress"]) == 0
    assert main(["extract", str(corpus), "--out", str(out), "--no-progress"]) == 0
    assert "3 document(s) unchanged" in capsys.readouterr().err
    assert main(["extract", str(corpus), "--out", str(out), "--no-progress", "--force"]) == 0
    assert "unchanged" not in capsys.readouterr().err


def test_unknown_engine_is_one_clear_error(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", n=1, with_seed=False)
    with pytest.raises(SystemExit):
        main(["extract", str(corpus), "--out", str(tmp_path / "o"), "--engine", "spark"])
    assert "invalid choice" in capsys.readouterr().err
