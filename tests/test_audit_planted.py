"""Planted errors: real-style sentences (paraphrased from the seed report and the CAAC
communiqués), each with one digit of one figure changed (tests/data/planted_errors.jsonl).

The original must audit without any inconsistency and with at least one check; the planted copy
must be flagged, unless the case says the arithmetic cannot show it (a 其中 part made smaller).
The detection rate over all cases is asserted, so a regression shows as a number.
"""

import json
from pathlib import Path

import pytest

from extractor.audit import audit_text

CASES = [json.loads(line) for line in
         (Path(__file__).resolve().parent / "data" / "planted_errors.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]


def _one_digit_apart(a: str, b: str) -> bool:
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(diff) == 1 and diff[0][0].isdigit() and diff[0][1].isdigit()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_planted_error(case, rules):
    assert _one_digit_apart(case["text"], case["planted"])
    original = audit_text(case["text"], rules).statuses()
    assert original and "inconsistent" not in original
    planted = audit_text(case["planted"], rules).statuses()
    assert ("inconsistent" in planted) == case["detectable"], (case["note"], planted)


def test_detection_rate(rules):
    flagged = sum("inconsistent" in audit_text(c["planted"], rules).statuses() for c in CASES)
    assert len(CASES) >= 30 and flagged / len(CASES) >= 0.9, f"{flagged}/{len(CASES)}"
