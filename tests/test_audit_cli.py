"""`zhibiao audit` and `zhibiao extract --audit` as a user meets them, on the seed report; and the
audit on the real CAAC communiqué against the dev gold relations (skipped without ../shared)."""

import json
from pathlib import Path

import pandas as pd
import pytest

from extractor.audit import AUDIT_SCHEMA, DERIVED_SCHEMA, run_audit
from extractor.batch import run_extract
from extractor.cli import main
from tests.conftest import shared_or_skip

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "seed_2012_education_bureau.txt"


class Ran:
    def __init__(self, returncode: int, stderr: str):
        self.returncode, self.stderr = returncode, stderr


@pytest.fixture
def zhibiao(capsys):
    """The CLI in-process (a subprocess costs seconds of imports per call)."""
    def run(*args):
        capsys.readouterr()
        code = main(list(args))
        return Ran(code, capsys.readouterr().err)
    return run


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory, rules):
    out = tmp_path_factory.mktemp("seed")
    run_extract([str(SEED)], out, rules, progress=False)
    return out


def _quotes(text: str, spans: str) -> list[str]:
    return [text[int(a):int(b)] for a, b in (s.split("-") for s in spans.split())]


def test_seed_report_audit(seed_out):
    """The closing-note figures: three consistent growth checks (budget paragraph), the part/whole
    checks of the kindergarten and school paragraphs, and no inconsistency."""
    res = run_audit(seed_out)
    text = SEED.read_text(encoding="utf-8")
    growth = [c for c in res.checks if c.check == "growth"]
    assert [c.status for c in growth] == ["consistent"] * 3
    assert [_quotes(text, c.spans)[2] for c in growth] == ["25.78%", "17.49%", "13.2%"]
    sums = {tuple(_quotes(text, c.spans)): c.status for c in res.checks if c.check == "sum"}
    assert sums[("13所", "5所", "18所")] == "consistent"
    assert sums[("7所", "6所", "13所")] == "consistent"
    assert not res.inconsistent, [c.expression for c in res.inconsistent]


def test_audit_tables_written_atomically_with_schema(seed_out):
    run_audit(seed_out)
    audit = pd.read_parquet(seed_out / "audit.parquet")
    assert list(audit.columns) == AUDIT_SCHEMA.names
    assert set(audit.status) <= {"consistent", "inconsistent", "unverifiable"}
    derived = pd.read_csv(seed_out / "derived.csv", keep_default_na=False)
    assert list(derived.columns) == DERIVED_SCHEMA.names
    assert set(derived.kind) <= {"derived_previous", "derived_plan"} and len(derived) >= 3
    assert not list(seed_out.glob(".*.tmp"))


def test_cli_audit_and_fail_on(seed_out, tmp_path, zhibiao):
    r = zhibiao("audit", str(seed_out))
    assert r.returncode == 0, r.stderr
    assert "check(s)" in r.stderr and "seed_2012_education_bureau.txt" in r.stderr
    # plant an inconsistency in a copy of the table: the growth rate of the budget paragraph
    ind = pd.read_parquet(seed_out / "indicators.parquet")
    ind.loc[ind.quote == "25.78%", "value"] = 28.78
    ind.loc[ind.quote == "25.78%", "number_text"] = "28.78"
    ind.to_parquet(tmp_path / "indicators.parquet")
    assert zhibiao("audit", str(tmp_path)).returncode == 0
    r = zhibiao("audit", str(tmp_path), "--fail-on", "inconsistent")
    assert r.returncode == 1 and "INCONSISTENT" in r.stderr


def test_cli_audit_missing_table_is_one_line(tmp_path, zhibiao):
    r = zhibiao("audit", str(tmp_path / "nowhere"))
    assert r.returncode == 2 and r.stderr.startswith("zhibiao: ") and "Traceback" not in r.stderr
    assert "indicators" in r.stderr


def test_extract_with_audit(tmp_path, zhibiao):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("年初预算安排教育经费247276万元，比上年增加50676万元，增长28.78%。", encoding="utf-8")
    r = zhibiao("extract", str(src), "--out", str(tmp_path / "out"), "--no-progress", "--audit")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "audit.csv").exists() and "1 inconsistent" in r.stderr
    r = zhibiao("extract", str(src), "--out", str(tmp_path / "out"), "--no-progress", "--fail-on", "inconsistent")
    assert r.returncode == 1


@pytest.mark.slow
def test_caac_2015_gold_relations(tmp_path, rules):
    """Every sum relation of the dev gold that the text states in prose is found and holds."""
    src = shared_or_skip("corpus", "real", "caac_communique_2015.txt")
    gold = shared_or_skip("gold", "dev", "caac_communique_2015_relations.jsonl")
    run_extract([str(src)], tmp_path, rules, progress=False)
    res = run_audit(tmp_path, formats=("csv",))
    found = 0
    relations = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    sums = [r for r in relations if r["type"] == "sum_check" or r["note"].startswith("part<=whole: ")]
    for rel in sums:
        for c in res.checks:
            if all(any(f.start <= s < f.end for f in c.figures) for s in rel["figures"]):
                assert c.status == "consistent", c.expression
                found += 1
                break
    assert found >= len(sums) - 1  # 26 + 44 = 70 adds table cells the extraction does not read yet
    assert not [c for c in res.checks if c.check in ("sum", "growth") and c.status == "inconsistent"]
