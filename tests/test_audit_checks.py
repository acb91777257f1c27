"""Each audit check by example (tests/data/audit_cases.jsonl: a sentence, the check, the statuses
expected), plus derived figures, duplicates and the validation of rules/audit.yaml."""

import json
from pathlib import Path

import pandas as pd
import pytest

from extractor.audit import audit_frame, audit_text
from extractor.audit.config import load_config, parse_config
from extractor.errors import RulesError

DATA = Path(__file__).resolve().parent / "data"


def cases():
    for line in (DATA / "audit_cases.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            c = json.loads(line)
            yield pytest.param(c, id=c["id"])


@pytest.mark.parametrize("case", list(cases()))
def test_case(case, rules):
    res = audit_text(case["text"], rules, only={case["check"]})
    assert res.statuses() == case["expect"], [c.expression + " | " + c.message for c in res.checks]


def test_every_check_has_a_case():
    names = {c.values[0]["check"] for c in cases()}
    assert names >= {"growth", "sum", "share", "progress", "range"}


def test_growth_row_names_its_figures_and_numbers(rules):
    text = "年初预算安排教育经费247276万元，比上年增加50676万元，增长25.78%。"
    (check,) = audit_text(text, rules, only={"growth"}).checks
    spans = [tuple(map(int, s.split("-"))) for s in check.spans.split()]
    assert [text[a:b] for a, b in spans] == ["247276万元", "50676万元", "25.78%"]
    assert "247276" in check.expression and "25.78%" in check.expression
    assert abs(float(check.computed) - 25.7762) < 1e-3 and float(check.stated) == pytest.approx(25.78)
    assert 0 < float(check.tolerance) < 0.01


def test_derived_previous_levels(rules):
    text = ("年初预算安排教育经费247276万元，比上年增加50676万元。"
            "2015年，全行业完成运输总周转量851.65亿吨公里，比上年增长13.8%。")
    derived = audit_text(text, rules).derived
    by_quote = {d["quote"]: d for d in derived}
    exact = by_quote["247276万元"]
    assert exact["kind"] == "derived_previous" and exact["value_norm"] == pytest.approx(1966000000)
    assert exact["qualifier"] == "exact" and "247276万元 − 50676万元" in exact["expression"]
    implied = by_quote["851.65亿吨公里"]
    assert implied["value"] == pytest.approx(851.65 / 1.138) and implied["period"] == "2014"
    assert text[implied["start"]:implied["end"]] == implied["quote"]


def test_no_previous_level_against_another_basis(rules):
    text = "学前三年入园率88%，高于全省平均水平30个百分点。全市资金4000万元，比全省平均水平高出500万元。"
    assert audit_text(text, rules).derived == []


def test_derived_plan_from_completion_rate(rules):
    derived = audit_text("累计完成投入2486.5万元，完成计划投入的88.49%。", rules).derived
    (plan,) = [d for d in derived if d["kind"] == "derived_plan"]
    assert plan["value"] == pytest.approx(2486.5 / 0.8849, rel=1e-6)


def _row(start, quote, value, **kw):
    base = {"doc_id": "d.txt", "start": start, "end": start + len(quote), "quote": quote, "number_text": str(value),
            "value": float(value), "multiplier": 1.0, "unit_norm": "%", "kind": "rate", "indicator": "入学率",
            "subject": "全市", "period": "2012", "qualifier": "exact", "sentence": ""}
    base.update(kw)
    return base


def test_duplicates_differ_and_agree():
    text = "全市小学入学率97%。另有说明。全市小学入学率99%。全市小学入学率97%。"
    rows = [_row(text.find("97%"), "97%", 97), _row(text.find("99%"), "99%", 99),
            _row(text.rfind("97%"), "97%", 97)]
    res = audit_frame(pd.DataFrame(rows), texts={"d.txt": text}, only={"duplicate"})
    (check,) = res.checks
    assert check.status == "inconsistent" and len(check.figures) == 3


def test_duplicates_need_a_known_subject():
    text = "国内航线完成旅客运输量39411万人次。国际航线完成旅客运输量4207万人次。"
    rows = [_row(text.find("39411"), "39411万人次", 39411, subject="", unit_norm="人次", kind="level"),
            _row(text.find("4207"), "4207万人次", 4207, subject="", unit_norm="人次", kind="level")]
    assert audit_frame(pd.DataFrame(rows), texts={"d.txt": text}, only={"duplicate"}).checks == []


def test_rules_file_loads():
    cfg = load_config()
    assert any(p.exhaustive and "国内" in p.parts for p in cfg.partitions)
    assert any(r.exempt is not None and r.exempt.search("高中阶段毛入学率") for r in cfg.ranges)


def test_rules_problems_are_all_listed():
    bad = {"ranges": [{"id": "x", "kinds": ["share"], "max": "lots", "colour": 1}, {"id": "y", "kinds": ["rate"]}],
           "partitions": [{"id": "p", "parts": ["国内"]}], "window": {"whole_before": -1}, "extra": 1,
           "non_additive": "(a+)+"}
    with pytest.raises(RulesError) as err:
        parse_config(bad)
    text = "\n".join(err.value.problems)
    for needle in ("unknown key(s) colour", "ranges[1] (y): needs min or max", "parts must be a list of at least two",
                   "whole_before must be a positive integer", "unknown top-level key 'extra'", "catastrophic"):
        assert needle in text, text


def test_without_the_document_the_text_is_rebuilt_from_sentences(rules):
    """stdin or a moved source: the sentences of the table stand at their offsets, and the checks
    read the same words."""
    from extractor.audit.texts import rebuild_text
    from extractor.pipeline import DocMeta, extract_text
    from extractor.table import to_frame

    text = ("前言。年初预算安排教育经费247276万元，比上年增加50676万元，增长25.78%。\n\n"
            "今年计划建设城区幼儿园18所（其中完成13所，启动5所）。")
    df = to_frame(extract_text(text, rules, DocMeta(doc_id="-", source="-")))
    rebuilt = rebuild_text(df)
    assert all(rebuilt[s:e] == q for s, e, q in zip(df.start, df.end, df.quote, strict=True))
    assert audit_frame(df).statuses() == audit_frame(df, texts={"-": text}).statuses() == ["consistent"] * 2
