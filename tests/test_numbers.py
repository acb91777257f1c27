from decimal import Decimal

import pytest

from extractor.numbers import decimals_of, parse_number


@pytest.mark.parametrize(
    "text, value",
    [
        ("247276", "247276"), ("25.78", "25.78"), ("1,234", "1234"), ("4 000", "4000"),
        ("十一", "11"), ("两", "2"), ("千", "1000"), ("万", "10000"), ("三千五百万", "35000000"),
        ("一点五", "1.5"), ("百分之三十", "30"), ("百分百", "100"), ("10.7万", "107000"),
        ("二〇一二", "2012"), ("十", "10"), ("一百零五", "105"), ("两亿三千万", "230000000"),
    ],
)
def test_parse_number_exact(text, value):
    assert parse_number(text) == Decimal(value)


def test_fraction():
    assert parse_number("1/7") == Decimal(1) / Decimal(7)


@pytest.mark.parametrize("text, n", [("25.78", 2), ("247276", 0), ("9.20", 2), ("1,234.5", 1)])
def test_printed_precision(text, n):
    assert decimals_of(text) == n
