"""One parametrised test over every example file in rules/examples/ (positive, negative, xfail)."""

import json
from pathlib import Path

import pytest

from extractor import extract

EXAMPLES = Path(__file__).resolve().parent.parent / "rules" / "examples"
FIELDS_NUM = {"value", "value_high", "value_norm"}


def load_examples():
    params = []
    for path in sorted(EXAMPLES.glob("*.jsonl")):
        for _n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            ex = json.loads(line)
            marks = [pytest.mark.xfail(strict=True, reason=ex.get("note", "known failure"))] if ex.get("status") == "xfail" else []
            params.append(pytest.param(ex, id=f"{path.stem}:{ex['id']}", marks=marks))
    return params


@pytest.mark.parametrize("ex", load_examples())
def test_example(ex):
    df = extract(ex["text"])
    text = ex["text"]
    for row in df.itertuples():
        assert text[row.start:row.end] == row.quote
    if ex.get("status") == "negative" or (ex.get("status") == "xfail" and not ex["expect"]):
        # a known false positive is an xfail line with nothing expected
        assert list(df["quote"]) == [], f"must not extract: {list(df['quote'])}"
        return
    got = {r["quote"]: r for r in df.to_dict("records")}
    for exp in ex["expect"]:
        assert exp["quote"] in got, f"missing {exp['quote']!r}; got {list(got)}"
        row = got[exp["quote"]]
        assert text[row["start"]:row["end"]] == exp["quote"]
        for key, want in exp.items():
            if key == "quote":
                continue
            if key in FIELDS_NUM:
                assert row[key] == pytest.approx(want, rel=1e-9), key
            else:
                assert row[key] == want, f"{exp['quote']}: {key} is {row[key]!r}, expected {want!r}"
