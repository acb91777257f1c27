"""Every unit, kind rule, rank rule and exclusion in rules/ has an example in rules/examples/.

Why: an entry without an example is knowledge nobody can check; when someone edits a pattern the
examples (run by tests/test_examples.py) are what tells them what they broke.  Kind and rank rule
ids count only when an expected row names them in `rule` (so the example exercises that rule);
an exclusion counts only when a negative example has a number candidate its pattern overlaps.
"""

import json
from pathlib import Path

import pytest
import yaml

from extractor.normalise import normalise
from extractor.scan import scan

RULES = Path(__file__).resolve().parent.parent / "rules"


def _examples() -> list[dict]:
    out = []
    for path in sorted((RULES / "examples").glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def _expected(key: str, xfail: bool = True) -> set[str]:
    """Values of `key` in expected rows (of passing examples only, unless xfail)."""
    skip = {"negative"} if xfail else {"negative", "xfail"}
    return {e[key] for ex in _examples() if ex.get("status") not in skip for e in ex["expect"] if key in e}


def _negatives() -> list[str]:
    return [ex["text"] for ex in _examples() if ex.get("status") == "negative"]


def _ids(rel: str, key: str) -> list[str]:
    return [e["id"] for e in yaml.safe_load((RULES / rel).read_text(encoding="utf-8"))[key]]


def test_every_unit_surface_has_an_example(rules):
    """Base surfaces of units.yaml (not every 万/亿 form): an expected row with that `unit`; time
    spans, which are never figures, a negative example in which the scan reads that unit."""
    units = yaml.safe_load((RULES / "units.yaml").read_text(encoding="utf-8"))["units"]
    shown = _expected("unit")
    negative_units = {c.unit for t in _negatives() for c in scan(normalise(t).text, rules)}
    missing = [u["surface"] for u in units
               if u["surface"] not in shown and not (u["family"] == "time" and u["surface"] in negative_units)]
    assert not missing, f"units without an example in rules/examples/units.jsonl: {missing}"


@pytest.mark.parametrize("rel,key", [("patterns/kinds.yaml", "rules"), ("patterns/ranks.yaml", "ranks")])
def test_every_kind_and_rank_rule_has_an_example(rel, key):
    shown = _expected("rule", xfail=False)
    missing = [i for i in _ids(rel, key) if i not in shown]
    assert not missing, f"{rel}: rule ids no example exercises (an expected row with \"rule\": id): {missing}"


def test_every_exclusion_has_a_negative_example(rules):
    hit: set[str] = set()
    for text in _negatives():
        t = normalise(text).text
        cands = scan(t, rules)
        for ex_id, _kind, pat in rules.exclusions:
            spans = [m.span() for m in pat.finditer(t) if m.end() > m.start()]
            if any(a < c.end and c.start < b for a, b in spans for c in cands):
                hit.add(ex_id)
    missing = [i for i in _ids("exclusions.yaml", "exclusions") if i not in hit]
    assert not missing, f"exclusions no negative example exercises (rules/examples/exclusions.jsonl): {missing}"


def test_every_qualifier_has_an_example():
    """A qualifier counts when an expected row carries its value and its surface stands in the
    quote (before, inside, after) or, for `lead` qualifiers, before the quote in the text."""
    entries = yaml.safe_load((RULES / "qualifiers.yaml").read_text(encoding="utf-8"))["qualifiers"]
    rows = [(ex["text"], e) for ex in _examples() if ex.get("status") not in ("negative", "xfail")
            for e in ex["expect"] if "qualifier" in e]

    def shown(q: dict) -> bool:
        s = str(q["surface"])
        if q["where"] == "lead":
            return any(e["qualifier"] == q["value"] and s in t and s not in e["quote"] for t, e in rows)
        return any(e["qualifier"] == q["value"] and s in e["quote"] for _, e in rows)

    missing = [f"{q['surface']} ({q['where']})" for q in entries if not shown(q)]
    assert not missing, f"qualifiers without an example in rules/examples/qualifiers.jsonl: {missing}"
