"""Measure the audit on the real corpus: the CAAC communiqués 2011–2019 and the dev gold relations.

    python bench/audit_dev.py            # extracts into a temporary folder, audits, compares
    python bench/audit_dev.py --show     # also lists every gold relation found / missed

Prints: sum and growth checks per communiqué (found, consistent), every inconsistent check with
its quotes, and how many of ../shared/gold/dev/*_relations.jsonl the audit finds (a gold relation
counts as found when one check involves all of its figures).  Needs ../shared beside the project.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REAL = SHARED / "corpus" / "real"
GOLD = SHARED / "gold" / "dev"
CAAC = [f"caac_communique_{y}.txt" for y in range(2011, 2020)]


def extract(names: list[str], out: Path) -> None:
    from extractor.batch import run_extract
    from extractor.rules import load_rules

    src = out / "in"
    src.mkdir(parents=True, exist_ok=True)
    for n in names:
        (src / n).write_bytes((REAL / n).read_bytes())
    run_extract([str(src)], out, load_rules(), progress=False)


def covers(check_spans: list[tuple[int, int]], start: int) -> bool:
    return any(a <= start < b or a == start for a, b in check_spans)


def gold_found(res, show: bool) -> tuple[int, int]:
    found = total = 0
    for path in sorted(GOLD.glob("*_relations.jsonl")):
        doc = path.name.replace("_relations.jsonl", ".txt")
        checks = [c for c in res.checks if c.doc_id == doc]
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rel = json.loads(line)
            total += 1
            hit = next((c for c in checks if all(covers([(f.start, f.end) for f in c.figures], s)
                                                 for s in rel["figures"])), None)
            found += hit is not None
            if show:
                mark = f"FOUND as {hit.check} {hit.status}" if hit else "missed"
                print(f"  {doc} {rel['type']:14} {rel['expression'][:60]:60} {mark}")
    return found, total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()
    if not REAL.is_dir():
        print(f"{REAL} not found: this benchmark needs ../shared beside the project", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from extractor.audit import run_audit

    gold_docs = sorted(p.name.replace("_relations.jsonl", ".txt") for p in GOLD.glob("*_relations.jsonl"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        extract(sorted(set(CAAC + gold_docs)), out)
        res = run_audit(out, formats=("csv",))
        texts = {n: (REAL / n).read_text(encoding="utf-8") for n in CAAC}
    print("CAAC communiqués 2011-2019: checks by kind")
    for name in ("sum", "growth", "sum_growth", "share", "progress", "from_to", "range", "duplicate"):
        cs = [c for c in res.checks if c.check == name and c.doc_id in CAAC]
        n = Counter(c.status for c in cs)
        partial = sum("≤" in c.expression for c in cs)
        print(f"  {name}: {len(cs)} found, {n['consistent']} consistent, {n['inconsistent']} inconsistent, "
              f"{n['unverifiable']} unverifiable" + (f" ({partial} of them only parts <= whole)" if partial else ""))
    for c in res.checks:
        if c.doc_id in CAAC and c.status == "inconsistent":
            quotes = " | ".join(repr(texts[c.doc_id][f.start:f.end]) for f in c.figures)
            print(f"  INCONSISTENT {c.doc_id} {c.check}: {c.expression}  quotes: {quotes}")
    found, total = gold_found(res, args.show)
    print(f"gold relations (dev): {found}/{total} found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
