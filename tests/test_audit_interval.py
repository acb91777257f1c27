"""Interval arithmetic and printed precision: the audit's tolerance (statcheck style)."""

from decimal import Decimal as D

import pytest

from extractor.audit.config import AuditConfig
from extractor.audit.figures import figure_interval, half_unit
from extractor.audit.interval import INF, Interval


def iv(lo, hi, point=None):
    return Interval(D(lo), D(hi), D(point if point is not None else lo))


@pytest.mark.parametrize("text,half", [
    ("25.78", "0.005"), ("247276", "0.5"), ("1409.40", "0.005"), ("10.7万", "500"),
    ("４７．２", "0.05"), ("1,234.5", "0.05"), ("兩", "0.5"), ("百分之四点九", "0.05"),
    ("九百八十三亿", "50000000"), ("二千零五十亿", "500000000"), ("八百二十七亿一千万", "5000000"), ("十七", "0.5"),
])
def test_half_unit_of_last_printed_digit(text, half):
    assert half_unit(text) == D(half)


def test_growth_interval_contains_the_rounded_truth():
    level, change = iv("247275.5", "247276.5", "247276"), iv("50675.5", "50676.5", "50676")
    g = change / (level - change) * Interval.exact(D(100))
    assert g.lo < D("25.7762") < g.hi
    assert g.overlaps(iv("25.775", "25.785"))
    assert not g.overlaps(iv("25.785", "25.795"))


def test_division_by_a_possible_zero_is_refused():
    assert iv("1", "2") / iv("-0.5", "0.5") is None
    assert iv("1", "2") / iv("0", "3") is None


def test_unbounded_side_survives_arithmetic():
    over = Interval(D(40), INF, D(40))
    total = over + iv("20", "21")
    assert total.hi == INF and total.lo == D(60) and not total.bounded


def test_zero_times_unbounded_is_zero():
    assert (Interval(D(0), INF, D(0)) * iv("0", "2")).lo == 0


@pytest.mark.parametrize("qualifier,lo,hi", [
    ("exact", "39.5", "40.5"), ("over", "39.5", "Infinity"), ("at_least", "39.5", "Infinity"),
    ("approx", "32", "48"), ("under", "28", "40.5"),
])
def test_qualifiers_widen(qualifier, lo, hi):
    row = {"value": 40.0, "multiplier": 1.0, "number_text": "40", "qualifier": qualifier}
    got = figure_interval(row, AuditConfig())
    assert (got.lo, got.hi) == (D(lo), D(hi))


def test_interval_is_in_the_normalised_unit():
    row = {"value": 851.65, "multiplier": 1e8, "number_text": "851.65", "qualifier": "exact"}
    got = figure_interval(row, AuditConfig())
    assert got.point == D("85165000000") and got.lo == D("85164500000") and got.hi == D("85165500000")


def test_range_figure_spans_low_to_high():
    row = {"value": 6.0, "value_high": 6.5, "multiplier": 1.0, "number_text": "6", "qualifier": "exact"}
    got = figure_interval(row, AuditConfig())
    assert got.lo == D("5.5") and got.hi == D("7.0")
