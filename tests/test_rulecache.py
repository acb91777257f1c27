"""The rules cache (rulecache) must give exactly what a fresh load gives, and never stand in the way.

A process that finds its rules in the cache skips YAML, validation and pattern compiling; the
rows it extracts must be those of rules built from the files.  A rule file edited, a cache file
cut short or unwritable, or the cache turned off: each falls back to building the rules.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extractor import pipeline, rulecache
from extractor.api import process_path
from extractor.prefilter import literal_test
from extractor.rules import Rules, load_rules_uncached

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "seed_2012_education_bureau.txt"
COLUMNS = ("start", "end", "value", "unit", "kind", "qualifier", "indicator", "subject", "period", "rule")


def _rows(rules: Rules) -> list[tuple]:
    res = process_path(SEED, "seed", rules)
    return [tuple(r[c] for c in COLUMNS) for r in res.rows]


def _load(folder: Path, calls: list[int]) -> Rules:
    def build() -> Rules:
        calls.append(1)
        return pipeline.prepare(load_rules_uncached(folder))

    version = load_rules_uncached(folder).version
    return rulecache.cached(version, ["lexicon", "periods", "places"], build,
                            lambda got: isinstance(got, Rules) and got.version == version)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(rulecache.ENV, str(folder))
    return folder


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    return Path(shutil.copytree(ROOT / "rules", tmp_path / "rules"))


def test_cached_rules_extract_the_rows_of_built_ones(cache, rules_copy):
    calls: list[int] = []
    built = _load(rules_copy, calls)
    again = _load(rules_copy, calls)
    assert calls == [1], "the second load must come from the cache"
    assert again is not built and len(list(cache.glob("rules-*.pickle"))) == 1
    expected = _rows(load_rules_uncached(rules_copy))
    assert len(expected) > 100
    assert _rows(again) == expected
    # what prepare built came with it: no pattern is compiled again on first use
    assert {"scan.pattern", "kinds.index", "pipeline.local_plan", "pipeline.doc_gates"} <= set(again.derived)


def test_an_edited_rule_file_is_a_miss(cache, rules_copy):
    calls: list[int] = []
    _load(rules_copy, calls)
    units = rules_copy / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    _load(rules_copy, calls)
    assert calls == [1, 1]
    assert len(list(cache.glob("rules-*.pickle"))) == 2


@pytest.mark.parametrize("damage", [b"", b"not a pickle", None])
def test_a_damaged_entry_is_rebuilt_not_an_error(cache, rules_copy, damage):
    calls: list[int] = []
    _load(rules_copy, calls)
    (entry,) = cache.glob("rules-*.pickle")
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2] if damage is None else damage)
    rules = _load(rules_copy, calls)
    assert calls == [1, 1] and isinstance(rules, Rules)
    assert pickle.loads(entry.read_bytes()).version == rules.version  # written again, whole


def test_an_entry_that_fails_the_check_is_rebuilt(cache, rules_copy):
    calls: list[int] = []
    _load(rules_copy, calls)
    (entry,) = cache.glob("rules-*.pickle")
    entry.write_bytes(pickle.dumps({"not": "rules"}))
    assert isinstance(_load(rules_copy, calls), Rules) and calls == [1, 1]


def test_an_unwritable_cache_is_ignored(tmp_path, monkeypatch, rules_copy):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv(rulecache.ENV, str(blocker / "cache"))
    calls: list[int] = []
    assert isinstance(_load(rules_copy, calls), Rules)
    assert isinstance(_load(rules_copy, calls), Rules)
    assert calls == [1, 1]


def test_off_writes_nothing(tmp_path, monkeypatch, rules_copy):
    monkeypatch.setenv(rulecache.ENV, "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert rulecache.cache_dir() is None
    calls: list[int] = []
    _load(rules_copy, calls)
    _load(rules_copy, calls)
    assert calls == [1, 1]
    assert not any(tmp_path.rglob("*.pickle"))


def test_the_folder_keeps_the_newest_entries(cache, monkeypatch):
    monkeypatch.setattr(rulecache, "KEEP", 3)
    for i in range(6):
        rulecache.cached(f"v{i}", [], lambda i=i: {"i": i}, lambda got: True)
        os.utime(next(p for p in cache.glob("rules-*.pickle") if pickle.loads(p.read_bytes())["i"] == i),
                 (1_000_000 + i, 1_000_000 + i))
    kept = sorted(pickle.loads(p.read_bytes())["i"] for p in cache.glob("rules-*.pickle"))
    assert kept == [3, 4, 5]


@pytest.mark.parametrize("literals", [frozenset({"增"}), frozenset({"增长", "下降", "a.b"})])
def test_a_literal_gate_pickles_as_the_call_that_makes_it(literals):
    gate = literal_test(literals)
    back = pickle.loads(rulecache.dumps(gate))
    for text in ("", "增", "全年增长", "下降了", "a.b", "axb", "无关"):
        assert back(text) == gate(text) == any(lit in text for lit in literals)


def test_a_closure_without_rebuild_is_not_cached(cache):
    rules = {"gate": lambda text: True}
    got = rulecache.cached("closure", [], lambda: rules, lambda got: True)
    assert got is rules and not list(cache.glob("rules-*.pickle"))


FRESH = """
import json, sys
from extractor import extract
df = extract(open(sys.argv[1], encoding="utf-8").read())
print(json.dumps({"yaml": "yaml" in sys.modules,
                  "rows": df[["start", "end", "value", "unit", "kind", "indicator", "period"]].values.tolist()}))
"""


def test_a_fresh_process_takes_its_rules_from_the_cache(tmp_path):
    """The first process builds and stores the rules; the second never imports yaml (it parses no
    rule file) and extracts the same rows; with the cache off, the same rows again."""
    env = dict(os.environ, ZHIBIAO_CACHE_DIR=str(tmp_path / "cache"), ZHIBIAO_RULES=str(ROOT / "rules"))
    runs = []
    for cache_dir in (str(tmp_path / "cache"), str(tmp_path / "cache"), "off"):
        env["ZHIBIAO_CACHE_DIR"] = cache_dir
        out = subprocess.run([sys.executable, "-c", FRESH, str(SEED)], cwd=tmp_path, env=env,
                             capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    first, cached, off = runs
    assert first["yaml"] and not cached["yaml"] and off["yaml"]
    assert len(first["rows"]) > 100
    assert cached["rows"] == first["rows"] == off["rows"]


@pytest.mark.parametrize("pattern,flags", [
    ("增长|下降|持平", 0),
    (r"(?P<n>\d+)(万|亿)?元", 0),
    (r"(?m)^\s*[一二三四五六七八九十]+、", 0),
    ("gdp|cpi", re.IGNORECASE),
    ("(a)(b)?(?(2)c|d)", 0),
])
def test_a_standard_pattern_pickles_with_its_compiled_code(pattern, flags):
    pat = re.compile(pattern, flags)
    assert rulecache._sre_args(pat) is not None, "this Python's re internals are not the ones read"
    back = pickle.loads(rulecache.dumps(pat))
    assert back == pat and back.groupindex == pat.groupindex and back.groups == pat.groups
    for text in ("全年增长12%", "一、2012年\n 二、工作", "GDP增长", "abc", "ad", "3亿元", ""):
        assert [m.span() for m in back.finditer(text)] == [m.span() for m in pat.finditer(text)]
        assert [m.groups() for m in back.finditer(text)] == [m.groups() for m in pat.finditer(text)]


def test_a_pattern_the_internals_do_not_rebuild_pickles_the_plain_way(monkeypatch):
    monkeypatch.setattr(rulecache, "_sre_args", lambda pat: None)
    pat = re.compile("增长|下降")
    assert pickle.loads(rulecache.dumps(pat)) == pat


def test_the_same_rules_in_another_folder_share_an_entry_and_keep_their_folder(tmp_path, monkeypatch):
    """Dask workers load the rules from a folder of their own: one entry, each with its folder."""
    monkeypatch.setenv(rulecache.ENV, str(tmp_path / "cache"))
    from extractor.rules import _load_cached

    a = Path(shutil.copytree(ROOT / "rules", tmp_path / "a"))
    b = Path(shutil.copytree(ROOT / "rules", tmp_path / "b"))
    version = load_rules_uncached(a).version
    ra, rb = _load_cached(str(a), version), _load_cached(str(b), version)
    assert ra.directory == a and rb.directory == b and ra is not rb
    assert len(list((tmp_path / "cache").glob("rules-*.pickle"))) == 1
