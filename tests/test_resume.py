"""Resumable, idempotent runs: skip what is done, redo what changed, survive Ctrl-C and SIGKILL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_batch import make_corpus, run

from extractor.engines import local
from extractor.engines.state import STATE_DIR
from extractor.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent


def parses(line: str) -> bool:
    try:
        return bool(json.loads(line))
    except ValueError:
        return False


def outputs(out: Path) -> tuple[bytes, bytes]:
    return (out / "indicators.csv").read_bytes(), (out / "documents.csv").read_bytes()


@pytest.fixture
def frozen(tmp_path):
    """A private copy of rules/: other work may edit the shared one while these tests run."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return load_rules(tmp_path / "rules")


@pytest.fixture
def corpus(tmp_path):
    return make_corpus(tmp_path / "c", n=8)


def test_second_run_skips_everything_and_writes_the_same(tmp_path, rules, corpus):
    s1 = run(corpus, tmp_path / "o", rules, workers=2)
    first = outputs(tmp_path / "o")
    s2 = run(corpus, tmp_path / "o", rules, workers=2)
    assert (s1.processed, s1.skipped) == (9, 0)
    assert (s2.processed, s2.skipped) == (0, 9) and s2.figures == s1.figures
    assert outputs(tmp_path / "o") == first


def test_a_changed_file_is_redone_alone(tmp_path, rules, corpus):
    run(corpus, tmp_path / "o", rules, workers=1)
    doc = corpus / "report_03.txt"
    doc.write_text(doc.read_text(encoding="utf-8").replace("万元", "亿元"), encoding="utf-8")
    s = run(corpus, tmp_path / "o", rules, workers=1)
    assert (s.processed, s.skipped) == (1, 8)
    run(corpus, tmp_path / "fresh", rules, workers=1)
    assert outputs(tmp_path / "o") == outputs(tmp_path / "fresh")


def test_changed_rules_redo_everything_and_force_too(tmp_path, frozen, corpus):
    rules = frozen
    run(corpus, tmp_path / "o", rules, workers=1)
    other = tmp_path / "rules2"
    shutil.copytree(rules.directory, other)
    with open(other / "units.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the rules version\n")
    changed = load_rules(other)
    assert changed.version != rules.version
    assert run(corpus, tmp_path / "o", changed, workers=1).processed == 9
    assert run(corpus, tmp_path / "o", changed, workers=1).processed == 0
    assert run(corpus, tmp_path / "o", changed, workers=1, force=True).processed == 9


def test_ctrl_c_keeps_finished_work(tmp_path, rules, corpus, monkeypatch):
    calls = {"n": 0}
    real = local.run_task

    def interrupting(task, rules=None):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(task, rules)

    monkeypatch.setattr(local, "run_task", interrupting)
    with pytest.raises(KeyboardInterrupt):
        run(corpus, tmp_path / "o", rules, workers=1, chunk_size=100)
    monkeypatch.setattr(local, "run_task", real)
    s = run(corpus, tmp_path / "o", rules, workers=1)
    assert (s.skipped, s.processed) == (4, 5)  # the 4 finished were saved though the chunk was not full
    run(corpus, tmp_path / "fresh", rules, workers=1)
    assert outputs(tmp_path / "o") == outputs(tmp_path / "fresh")


KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from extractor.batch import run_extract
    from extractor.engines import local
    from extractor.rules import load_rules
    real, n = local.run_task, [0]
    def dying(task, rules=None):
        n[0] += 1
        if n[0] == int(sys.argv[3]):
            os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no flush: a power cut
        return real(task, rules)
    local.run_task = dying
    run_extract([sys.argv[1]], Path(sys.argv[2]), load_rules(), workers=1, chunk_size=2, progress=False)
""")


def test_sigkill_loses_at_most_the_unfinished_chunk(tmp_path, frozen, corpus):
    rules, out = frozen, tmp_path / "o"
    env = dict(os.environ, ZHIBIAO_RULES=str(frozen.directory))
    proc = subprocess.run([sys.executable, "-c", KILLER, str(corpus), str(out), "6"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert not (out / "indicators.csv").exists()
    s = run(corpus, out, rules, workers=1)
    assert s.skipped == 4 and s.processed == 5  # 2 chunks of 2 committed; the 5th doc was in flight
    run(corpus, tmp_path / "fresh", rules, workers=1)
    assert outputs(out) == outputs(tmp_path / "fresh")


def test_torn_journal_line_and_lost_part_are_survived(tmp_path, rules, corpus):
    out = tmp_path / "o"
    run(corpus, out, rules, workers=1, chunk_size=3)
    state = out / STATE_DIR
    journal = state / "journal.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    journal.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2], encoding="utf-8")
    lost = json.loads(lines[0])["part"]
    (state / "parts" / lost).unlink()
    s = run(corpus, out, rules, workers=1, chunk_size=3)
    assert s.processed == 4  # the torn entry, plus the three whose part is gone
    after = journal.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(lines) + 4  # the new entries start on a fresh line after the torn one
    assert [parses(x) for x in after] == [True] * (len(lines) - 1) + [False] + [True] * 4
    run(corpus, tmp_path / "fresh", rules, workers=1)
    assert outputs(out) == outputs(tmp_path / "fresh")


def test_the_same_output_folder_spelled_otherwise_still_resumes(tmp_path, rules, corpus, monkeypatch):
    run(corpus, tmp_path / "o", rules, workers=1)
    monkeypatch.chdir(tmp_path)
    assert run(corpus, Path("o"), rules, workers=1).skipped == 9


def test_a_journal_line_reads_back_as_written(tmp_path):
    """Entries keep the document row as JSON text (memory: one per document in the parent); the
    journal line is still one object with the row as an object, as earlier runs wrote it."""
    from extractor.engines.state import Entry

    doc = {"doc_id": "a/b.txt", "source": "/x/a/b.txt", "sha256": "ab" * 32, "encoding": "gb18030",
           "chars": 12, "figures": 3, "error": "", "year": 2012, "place": "深圳市", "title": "工作報告"}
    e = Entry.make("a/b.txt", "/x/a/b.txt", "ab" * 32, "0123456789abcdef", "cfg", "part-1.parquet", 7, 3, doc)
    line = e.line()
    assert json.loads(line) == {"doc_id": "a/b.txt", "source": "/x/a/b.txt", "sha256": "ab" * 32,
                                "rules_version": "0123456789abcdef", "config": "cfg", "part": "part-1.parquet",
                                "offset": 7, "rows": 3, "doc": doc}
    back = Entry.make(**json.loads(line))
    assert back == e and back.doc == doc and back.error == ""
    failed = Entry.make("c", "/x/c", "", "v", "cfg", None, 0, 0, {"doc_id": "c", "error": "empty file (0 bytes)"})
    assert failed.error == "empty file (0 bytes)" and Entry.make(**json.loads(failed.line())) == failed
