"""Hostile and broken inputs: each gives one clear line and an error row; the rest of the batch
is extracted.  README "Formats, encodings and damaged files" lists these kinds with their
behaviour; HOSTILE below is that table, built as files, so the table and the tests cannot drift.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from test_sources import make_docx, make_pdf, make_zip

from extractor.api import process_path
from extractor.cli import main
from extractor.errors import SourceError
from extractor.sources import iter_sources, read_document
from extractor.table import DOCUMENT_SCHEMA, read_table

GOOD = "全市教育经费247276万元，比上年增长25.78%。\n"


def _bomb() -> bytes:
    """A .docx-shaped zip whose document.xml inflates 11 MB from a few kB (ratio > 200:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(11):
                fh.write(chunk)
    return buf.getvalue()


#: kind -> (file name, bytes or a builder taking the folder, the problem the error row states)
HOSTILE = {
    "zero-byte file": ("empty.txt", b"", "empty file"),
    "binary file": ("image.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 4, "binary file"),
    "undecodable bytes": ("latin.txt", bytes(range(0x80, 0x100)) * 40, "undecodable bytes"),
    "docx that is not a zip": ("fake.docx", "这不是Word文件".encode(), "not a zip archive"),
    "zip that is not a docx": ("other.docx", make_zip({"a.txt": b"hello"}), "without word/document.xml"),
    "docx zip bomb": ("bomb.docx", _bomb(), "zip bomb"),
    "encrypted PDF": ("locked.pdf", make_pdf(["secret 12%"], encrypt=True), "PDF is encrypted"),
    "corrupt PDF": ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R", "corrupt or unreadable PDF"),
    "PDF without text layer": ("scan.pdf", make_pdf(None), "PDF has no text layer"),
    "renamed file as PDF": ("notes.pdf", GOOD.encode(), "not a PDF"),
    "legacy Word .doc": ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "unsupported format .doc"),
    "WPS file": ("old.wps", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "unsupported format .wps"),
    "HTML with only scripts": ("empty.html", b"<html><script>var a='99%';</script></html>", "no visible text"),
}


def _write_all(folder: Path) -> None:
    for name, data, _ in HOSTILE.values():
        (folder / name).write_bytes(data)


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_each_kind_is_one_clear_error(tmp_path, rules, kind):
    name, data, problem = HOSTILE[kind]
    p = tmp_path / name
    p.write_bytes(data)
    res = process_path(p, name, rules, out_dir=tmp_path / "out")
    assert problem in res.error, (kind, res.error)
    assert "\n" not in res.error and not res.rows


def test_huge_text_file_is_refused_without_reading(tmp_path, rules, monkeypatch):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as fh:  # 200 MB, sparse: nothing is written or read
        fh.truncate(200 * 1024 * 1024)
    read = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda f, *a, **k: read.append(f) or real_open(f, *a, **k))
    res = process_path(p, "huge.txt", rules)
    assert "file too large (200 MB > 64 MB limit" in res.error
    assert str(p) not in map(str, read)


def test_size_limit_is_configurable(tmp_path, rules, monkeypatch):
    p = tmp_path / "r.txt"
    p.write_text(GOOD * 2000, encoding="utf-8")
    monkeypatch.setenv("ZHIBIAO_MAX_MB", "0.01")
    assert "file too large" in process_path(p, "r.txt", rules).error


def test_extremely_long_line_normalises(tmp_path):
    from extractor.normalise import normalise

    text = "全市教育经费247276万元，比上年增长25.78%，" * 20000  # 540 k characters, no line break
    norm = normalise(text)
    i = norm.text.index("25.78%")
    a, b = norm.orig_span(i, i + 6)
    assert text[a:b] == "25.78%" and len(norm.starts) == len(norm.text)


def test_extremely_long_line_extracts(tmp_path, rules):
    line = ("全市教育经费247276万元，比上年增长25.78%。" * 300).encode()  # one line, 300 sentences
    p = tmp_path / "long.txt"
    p.write_bytes(line)
    res = process_path(p, "long.txt", rules)
    text = line.decode()
    assert not res.error and len(res.rows) == 600
    assert all(text[r["start"]:r["end"]] == r["quote"] for r in res.rows)


def test_one_endless_sentence_is_bounded_by_the_timeout(tmp_path, rules):
    """A 100 kB "sentence" (commas only) is slow for per-sentence attribution; the time limit
    turns it into an error row instead of a hang (or it finishes with valid offsets)."""
    text = "全市教育经费247276万元，比上年增长25.78%，" * 4000
    p = tmp_path / "endless.txt"
    p.write_text(text, encoding="utf-8")
    t0 = time.monotonic()
    res = process_path(p, "endless.txt", rules, timeout=3)
    assert time.monotonic() - t0 < 30
    if res.error:
        assert "took longer than the 3 s limit" in res.error and not res.rows
    else:
        assert all(text[r["start"]:r["end"]] == r["quote"] for r in res.rows)


def test_a_broad_except_does_not_swallow_the_time_limit():
    """The alarm may fire inside any `except Exception` (ours or a library's): the limit still holds."""
    from extractor.sources.limits import DocumentTimeout, time_limit

    t0 = time.monotonic()
    with pytest.raises(DocumentTimeout):
        with time_limit(0.2):
            while time.monotonic() - t0 < 10:
                try:
                    sum(range(10_000))
                except Exception:  # noqa: BLE001 - the handler under test
                    pass
    assert time.monotonic() - t0 < 5


def test_names_with_spaces_and_chinese(tmp_path, rules):
    folder = tmp_path / "年度 报告"
    folder.mkdir()
    (folder / "2012年 教育局 总结.txt").write_text(GOOD, encoding="utf-8")
    make_docx(folder / "工作 报告.docx", [GOOD.strip()])
    found = dict((doc_id, p) for p, doc_id in iter_sources(folder))
    assert set(found) == {"2012年 教育局 总结.txt", "工作 报告.docx"}
    out = tmp_path / "输出 目录"
    for doc_id, p in found.items():
        res = process_path(p, doc_id, rules, out_dir=out)
        assert not res.error and len(res.rows) == 2
    assert (out / "texts" / "工作 报告.docx.txt").is_file()


def test_unreadable_file(tmp_path, rules, monkeypatch):
    p = tmp_path / "secret.txt"
    p.write_text(GOOD, encoding="utf-8")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", denied)  # tests run as root, where chmod 000 is readable
    assert process_path(p, "secret.txt", rules).error == "permission denied"


def test_unreadable_file_chmod(tmp_path, rules):
    p = tmp_path / "secret.txt"
    p.write_text(GOOD, encoding="utf-8")
    p.chmod(0)
    try:
        if os.access(p, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reading (see test_unreadable_file)")
        assert process_path(p, "secret.txt", rules).error == "permission denied"
    finally:
        p.chmod(0o644)


def test_symlink_loops(tmp_path, rules):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "r.txt").write_text(GOOD, encoding="utf-8")
    (folder / "sub" / "up").symlink_to(folder, target_is_directory=True)  # a folder loop
    (folder / "a.txt").symlink_to(folder / "b.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")  # a file loop
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    found = dict((doc_id, p) for p, doc_id in iter_sources(folder))
    assert "sub/r.txt" in found and len(found) < 10
    errors = {doc_id: process_path(p, doc_id, rules).error for doc_id, p in found.items()}
    assert "symbolic links" in errors["a.txt"]
    assert "broken symbolic link" in errors["dangling.txt"]
    assert errors["sub/r.txt"] == ""


def test_fifo_is_not_read(tmp_path, rules):
    p = tmp_path / "pipe.txt"
    os.mkfifo(p)
    assert "not a regular file" in process_path(p, "pipe.txt", rules).error


def test_folder_named_like_a_file(tmp_path):
    (tmp_path / "x.txt").mkdir()
    with pytest.raises(SourceError, match="is a folder"):
        read_document(tmp_path / "x.txt")


def test_timeout_turns_a_slow_document_into_an_error_row(tmp_path, rules, monkeypatch):
    import extractor.api as api

    p = tmp_path / "slow.txt"
    p.write_text(GOOD, encoding="utf-8")

    def stuck(*args, **kwargs):
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(api, "extract_text", stuck)
    res = process_path(p, "slow.txt", rules, timeout=0.3)
    assert "took longer than the 0.3 s limit" in res.error
    monkeypatch.setenv("ZHIBIAO_TIMEOUT", "0.2")
    assert "0.2 s limit" in process_path(p, "slow.txt", rules).error


def test_output_folder_not_writable(tmp_path, capsys):
    src = tmp_path / "r.txt"
    src.write_text(GOOD, encoding="utf-8")
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    code = main(["extract", str(src), "--out", str(blocker / "sub"), "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("zhibiao: ") and "Traceback" not in err[0]


def test_batch_of_hostile_files_keeps_the_good_ones(tmp_path, capsys):
    folder = tmp_path / "archive"
    folder.mkdir()
    _write_all(folder)
    (folder / "empty dir").mkdir()
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "good report.txt").write_text(GOOD, encoding="utf-8")
    make_docx(folder / "好 报告.docx", [GOOD.strip()])
    out = tmp_path / "out"
    code = main(["extract", str(folder), "--out", str(out), "--no-progress", "--timeout", "120"])
    err = capsys.readouterr().err
    assert code == 0 and "Traceback" not in err
    docs = read_table(out / "documents.csv", DOCUMENT_SCHEMA).set_index("doc_id")
    for name, _, problem in HOSTILE.values():
        assert problem in docs.loc[name, "error"], name
        assert f"{name}: " in err  # one line on stderr names the file
    assert docs.loc["good report.txt", "figures"] == 2 and docs.loc["good report.txt", "error"] == ""
    assert docs.loc["好 报告.docx", "text_path"] == "texts/好 报告.docx.txt"
    rows = read_table(out / "indicators.csv")
    assert set(rows["doc_id"]) == {"good report.txt", "好 报告.docx"}


# --------------------------------------------------------------------------- user-written rules


@pytest.mark.parametrize("pattern, why", [
    (r"(\d+)+万元", "nests quantifiers"),
    (r"(?:\s*\d)*%", "nests quantifiers"),
    (r"(a|a)+b", "backtracks catastrophically"),
    (r"(?:\d|\d\d)+(?:\d|\d\d)+[a-z]", "backtracks catastrophically"),
    (r"(?:增长|增|长)+率", None),  # alternatives that do not overlap: fine
    (r"全省第(?P<n>[一二三四五六七八九十]+|\d+)", None),
])
def test_rule_patterns_that_can_hang_are_refused(pattern, why):
    from extractor.rules import compile_pattern

    problems: list[str] = []
    compiled = compile_pattern(pattern, "exclusions.yaml: exclusions[3] (x)", problems)
    if why is None:
        assert compiled is not None and not problems
    else:
        assert compiled is None and len(problems) == 1
        assert why in problems[0] and problems[0].startswith("exclusions.yaml: exclusions[3] (x)")


def test_a_hanging_rule_file_stops_the_run_with_the_file_and_entry(tmp_path, capsys):
    import shutil

    from conftest import ROOT

    rules_dir = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules_dir)
    with open(rules_dir / "exclusions.yaml", "a", encoding="utf-8") as fh:
        fh.write("  - {id: user.bad, kind: name, pattern: '(x|x)+y'}\n")
    src = tmp_path / "r.txt"
    src.write_text(GOOD, encoding="utf-8")
    code = main(["extract", str(src), "--out", str(tmp_path / "out"), "--rules", str(rules_dir), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "user.bad" in err and "exclusions.yaml" in err and "catastrophic" in err


def test_a_slow_pattern_that_slips_through_is_stopped_by_the_document_time_limit(tmp_path, rules, monkeypatch):
    import dataclasses

    import regex

    slow = regex.compile(r"(?:\d|\d\d)+(?:\d|\d\d)+[a-z]")  # compile_pattern would refuse it
    patched = dataclasses.replace(rules, ranks=rules.ranks + [("user.slow", slow)])
    p = tmp_path / "digits.txt"
    p.write_text("1" * 200 + "。增长5%", encoding="utf-8")
    t0 = time.monotonic()
    res = process_path(p, "digits.txt", patched, timeout=1)
    assert "took longer than the 1 s limit" in res.error and time.monotonic() - t0 < 20
