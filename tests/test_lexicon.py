"""The indicator lexicon and subject words: validation on load, matching, and the shipped files."""

import shutil
from pathlib import Path

import pytest
import yaml

from extractor.lexicon import Lexicon, load_lexicon
from extractor.rules import check_rules, load_rules

ROOT = Path(__file__).resolve().parent.parent


def _rules_with(tmp_path: Path, indicators=None, subjects=None) -> Path:
    """A copy of rules/ with indicators.yaml / subjects.yaml replaced."""
    d = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", d)
    if indicators is not None:
        (d / "indicators.yaml").write_text(yaml.safe_dump(indicators, allow_unicode=True), encoding="utf-8")
    if subjects is not None:
        (d / "subjects.yaml").write_text(yaml.safe_dump(subjects, allow_unicode=True), encoding="utf-8")
    return d


def _entry(**kw):
    e = {"id": "gdp", "name": "国内生产总值", "unit": ["money"], "domain": "economy"}
    e.update(kw)
    return e


def test_shipped_lexicon_loads_and_is_well_formed():
    lex = load_rules(ROOT / "rules").extra["lexicon"]
    ids = {i.id for i in lex.indicators}
    for want in ("gdp", "fiscal_revenue", "grain_output", "new_urban_jobs", "cpi", "disposable_income",
                 "fixed_asset_investment", "retail_sales", "foreign_trade", "passenger_traffic",
                 "cargo_mail_traffic", "total_turnover", "airport_passenger_throughput", "education_spending",
                 "enrolment_rate", "schools_built"):
        assert want in ids
    for ind in lex.indicators:
        assert 2 <= len(ind.name) <= 12, ind.id
    assert "国内航线" in lex.subject_words and "市本级财政" in lex.subject_words


@pytest.mark.parametrize(
    "entries, reason",
    [
        ([_entry(colour="red")], "unknown key(s) colour"),
        ([_entry(), _entry(name="地区生产总值")], "duplicate id 'gdp'"),
        ([_entry(), _entry(id="gdp2", name="经济总量", synonyms=["国内生产总值"])], "collides with 'gdp'"),
        ([_entry(patterns=["(生产"])], "bad pattern"),
        ([_entry(patterns=["(a+)+b"])], "catastrophic backtracking"),
        ([_entry(id="GDP-1")], "must be lower-case ASCII"),
        ([_entry(unit=["money", "apples"])], "unknown unit famil(ies) apples"),
        ([_entry(name="國內生產總值")], "must be Simplified"),
        ([_entry(name="国")], "must be 2-12 characters"),
        ([{"id": "gdp", "name": "国内生产总值"}], "missing key(s) domain, unit"),
    ],
)
def test_bad_indicator_entries_are_reported_with_file_entry_reason(tmp_path, entries, reason):
    problems = check_rules(_rules_with(tmp_path, indicators={"indicators": entries}))
    hits = [p for p in problems if reason in p]
    assert hits, problems
    assert all(p.startswith("indicators.yaml: indicators") for p in hits)


def test_unknown_top_level_key_and_all_problems_at_once(tmp_path):
    data = {"indicators": [_entry(colour="red"), _entry(id="x", name="国", patterns=["("])], "synonym": []}
    problems = check_rules(_rules_with(tmp_path, indicators=data))
    assert any("unknown top-level key 'synonym'" in p for p in problems)
    assert len(problems) >= 4, problems


def test_subject_word_colliding_with_indicator_is_reported(tmp_path):
    problems = check_rules(_rules_with(tmp_path, subjects={"words": ["全国", "经济总量", "全国"], "patterns": ["(x"]}))
    assert any("subjects.yaml: words (经济总量)" in p and "indicator surface (gdp)" in p for p in problems)
    assert any("duplicate word '全国'" in p for p in problems)
    assert any(p.startswith("subjects.yaml: patterns[0]") for p in problems)


def test_longest_surface_wins_and_patterns_match(tmp_path):
    problems: list[str] = []
    d = _rules_with(tmp_path, indicators={"indicators": [
        _entry(synonyms=["生产总值"]),
        _entry(id="gdp_per_capita", name="人均国内生产总值", synonyms=[]),
        _entry(id="farm", name="三农支出", patterns=["三农.?支出"]),
    ]}, subjects={"words": ["全国", "全国民航"]})
    lex = load_lexicon(d, problems)
    assert problems == []
    hits = lex.indicators_in("人均国内生产总值和三农”支出")
    assert [(h.surface, h.indicator.id) for h in hits] == [("人均国内生产总值", "gdp_per_capita"), ("三农”支出", "farm")]
    assert [h.surface for h in lex.subjects_in("全国民航运输")] == ["全国民航"]


def test_empty_lexicon_finds_nothing():
    lex = Lexicon()
    assert lex.indicators_in("国内生产总值") == [] and lex.subjects_in("全国") == []


def _check_rows(df, lex):
    names = {i.id: i.name for i in lex.indicators}
    for r in df.itertuples():
        assert r.indicator == "" or 2 <= len(r.indicator) <= 12, r.indicator
        if r.indicator_id:
            assert r.indicator_id in names, r.indicator_id
            assert r.indicator == names[r.indicator_id], (r.quote, r.indicator, r.indicator_id)


def test_seed_rows_keep_the_name_contract():
    from extractor import extract

    lex = load_rules(ROOT / "rules").extra["lexicon"]
    df = extract(ROOT / "corpus" / "seed_2012_education_bureau.txt")
    _check_rows(df, lex)
    budget = df[df["quote"].str.startswith("247276")].iloc[0]
    assert (budget.indicator, budget.indicator_id) == ("教育经费", "education_spending")


def test_real_communique_routes_are_subjects():
    from conftest import shared_or_skip

    from extractor import extract

    src = shared_or_skip("corpus", "real", "caac_communique_2013.txt")
    lex = load_rules(ROOT / "rules").extra["lexicon"]
    df = extract(src)
    _check_rows(df, lex)
    routes = df[df["subject"].isin(["国内航线", "国际航线", "港澳台航线"])]
    assert len(routes) >= 12
    assert (routes["indicator_id"] != "").mean() > 0.9
