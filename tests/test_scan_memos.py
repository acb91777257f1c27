"""The scan's memos across documents must give what parsing afresh gives."""

from __future__ import annotations

import dataclasses
import decimal

from extractor import scan


def test_scan_memos_follow_the_decimal_context_and_the_rules(rules):
    text = "增加1/3吨，共12345678901234567890123456789.5万元"
    plain = [(c.value, c.unit_obj) for c in scan.scan(text, rules)]
    with decimal.localcontext() as ctx:
        ctx.prec = 5  # a parse under another context must not reuse the values of the first
        short = [c.value for c in scan.scan(text, rules)]
        assert short == [scan._parsed(c.number_text) for c in scan.scan(text, rules)]
    assert short != [v for v, _u in plain]
    assert [(c.value, c.unit_obj) for c in scan.scan(text, rules)] == plain
    other = dataclasses.replace(rules, not_before={}, units={})  # another Rules object: its own memo
    assert scan._memos(other)[1] is not scan._memos(rules)[1]
    assert [c.unit_obj.family for c in scan.scan(text, other)] == ["count", "count"]
