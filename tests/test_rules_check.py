"""`zhibiao rules check`: a broken rules folder with one problem of each kind; all are reported."""

import json
import shutil
from pathlib import Path

import pytest
import yaml

from extractor.cli import main
from extractor.errors import RulesError
from extractor.rules import load_rules_uncached
from extractor.rules_cli import check_all

ROOT = Path(__file__).resolve().parent.parent


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture()
def broken(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", d)
    _edit(d / "units.yaml", lambda u: u["units"].extend([
        {"surface": "斤", "base": "斤", "scale": "", "family": "measure"},             # unit without scale
        {"surface": "亩", "base": "亩", "scale": 1, "family": "measure", "colour": "x"},  # unknown key
    ]))
    _edit(d / "patterns" / "kinds.yaml", lambda k: k["rules"].extend([
        dict(k["rules"][0]),                                                            # duplicate id
        {"id": "growth.broken", "kind": "growth", "before": "(增长"},                   # does not compile
        {"id": "growth.backtrack", "kind": "growth", "before": "(增+)+$"},               # catastrophic
        {"id": "level.odd", "kind": "levels"},                                          # unknown kind
    ]))
    _edit(d / "exclusions.yaml", lambda e: e["exclusions"].append(
        {"id": "name.typo", "kind": "name", "patern": "三好"}))                          # misspelt key
    _edit(d / "patterns" / "ranks.yaml", lambda r: r["ranks"].append(
        {"id": "rank.nogroup", "pattern": "第[一二三]名"}))                              # no group n
    _edit(d / "qualifiers.yaml", lambda q: q.update({"qualifers": []}))                 # unknown top key
    _edit(d / "indicators.yaml", lambda i: i["indicators"].extend([
        {"id": "gdp_copy", "name": "国内生产总值", "unit": ["money"], "domain": "economy"},  # collides
        dict(i["indicators"][0]),                                                       # duplicate id
    ]))
    with open(d / "examples" / "core.jsonl", "a", encoding="utf-8") as fh:
        fh.write("{not json\n")
        fh.write(json.dumps({"id": "x1", "text": "建成5所", "expect": [{"quote": "6所"}]}) + "\n")
    return d


EXPECTED = [
    ("units.yaml", "斤", "unit without scale"),
    ("units.yaml", "亩", "unknown key(s) colour"),
    ("patterns/kinds.yaml", "", "duplicate id"),
    ("patterns/kinds.yaml", "growth.broken", "bad pattern"),
    ("patterns/kinds.yaml", "growth.backtrack", "catastrophic backtracking"),
    ("patterns/kinds.yaml", "level.odd", "unknown kind"),
    ("exclusions.yaml", "name.typo", "unknown key(s) patern"),
    ("exclusions.yaml", "name.typo", "missing key(s) pattern"),
    ("patterns/ranks.yaml", "rank.nogroup", "group named n"),
    ("qualifiers.yaml", "", "unknown top-level key 'qualifers'"),
    ("indicators.yaml", "gdp_copy", "collides"),
    ("indicators.yaml", "", "duplicate id"),
    ("examples/core.jsonl", "", "not valid JSON"),
    ("examples/core.jsonl", "x1", "not in the text"),
]


def test_shipped_rules_are_valid():
    assert check_all(ROOT / "rules") == []


def test_every_problem_is_reported_at_once(broken):
    problems = check_all(broken)
    for fname, entry, reason in EXPECTED:
        hits = [p for p in problems if p.startswith(fname) and entry in p and reason in p]
        assert hits, f"not reported: {fname} {entry} {reason}\n" + "\n".join(problems)


def test_extract_refuses_the_same_rules(broken):
    with pytest.raises(RulesError) as exc:
        load_rules_uncached(broken)
    assert any("unit without scale" in p for p in exc.value.problems)
    assert any("growth.backtrack" in p for p in exc.value.problems)


def test_cli_exit_status(broken, capsys):
    assert main(["rules", "check", str(broken)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert all(line.startswith("zhibiao: rules: ") for line in err[:-1])
    assert err[-1].endswith(f"problem(s) in {broken}")
    assert len(err) - 1 >= len(EXPECTED)
    assert main(["rules", "check", str(ROOT / "rules")]) == 0
    assert "OK" in capsys.readouterr().out


def test_missing_folder(tmp_path, capsys):
    assert main(["rules", "check", str(tmp_path / "nope")]) == 1
    assert "rules folder missing" in capsys.readouterr().err
