"""The report this project was created from must come out right."""

from pathlib import Path

import pytest

from extractor import extract

SEED = Path(__file__).resolve().parent.parent / "corpus" / "seed_2012_education_bureau.txt"


@pytest.fixture(scope="module")
def seed_df():
    return extract(SEED)


def test_every_quote_is_the_source_text(seed_df):
    text = SEED.read_text(encoding="utf-8")
    assert len(seed_df) > 100
    bad = [(r.start, r.end, r.quote) for r in seed_df.itertuples() if text[r.start:r.end] != r.quote]
    assert bad == []


def test_budget_sentence_three_rows(seed_df):
    text = SEED.read_text(encoding="utf-8")
    at = text.index("年初預(yù)算安排教育經(jīng)費(fèi)247276")
    rows = seed_df[(seed_df.start >= at) & (seed_df.start < at + 60)].sort_values("start")
    got = [(r.quote, r.value_norm, r.unit_norm, r.kind, r.basis) for r in rows.itertuples()][:3]
    assert got == [
        ("247276萬元", 2472760000.0, "元", "level", ""),
        ("50676 萬元", 506760000.0, "元", "change", "上年"),
        ("25.78%", 25.78, "%", "growth", "上年"),
    ]
    assert set(rows.head(3).indicator) == {"教育经费"}


@pytest.mark.parametrize(
    "quote, value_norm, unit_norm, qualifier",
    [
        ("40 余項", 40, "项", "over"),
        ("1450余個", 1450, "个", "over"),
        ("近20個(gè)百分點", 20, "pp", "under"),
        ("10.7萬名", 107000, "名", "exact"),
        ("全省第一", 1, "", "exact"),
    ],
)
def test_seed_figures(seed_df, quote, value_norm, unit_norm, qualifier):
    rows = seed_df[seed_df.quote == quote]
    assert len(rows) >= 1, f"{quote} not extracted"
    r = rows.iloc[0]
    assert r.value_norm == pytest.approx(value_norm)
    assert r.unit_norm == unit_norm
    assert r.qualifier == qualifier


def test_mojibake_is_flagged_not_silent(seed_df):
    text = SEED.read_text(encoding="utf-8")
    at = text.index("??钣糜")  # a byte-shifted GBK run right after "收益10%的教育資金,"
    near = seed_df[(seed_df.end > at - 12) & (seed_df.start < at + 12)]
    assert len(near) >= 1
    assert all("mojibake" in f or "repaired" in f for f in near["flags"])


def test_no_years_or_numbering_in_table(seed_df):
    assert not seed_df.quote.str.fullmatch(r"\d{4}年?").any()
    assert not seed_df.quote.str.contains("年底|月底").any()
