"""Does a change leave every row the same?  Dump or compare all rows of the real corpus and the seed.

    python bench/same_rows.py --save /tmp/before.tsv      # before a speed change
    python bench/same_rows.py --compare /tmp/before.tsv   # after it: differences per column

Why: a speed-up must not move a figure.  The dev gold checks 184 figures; this checks every row
(16k+) of every column on ../shared/corpus/real/*.txt (third-party, never committed) and
corpus/, so a change in attribution, periods or offsets anywhere shows up with an example.
Exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "corpus" / "real"
KEY = ("doc_id", "start", "end")


def paths() -> list[Path]:
    return sorted(REAL.glob("*.txt")) + sorted((ROOT / "corpus").glob("*.txt"))


def rows() -> tuple[list[dict], float]:
    from extractor.api import process_path
    from extractor.engines.work import warm
    from extractor.rules import load_rules

    rules = load_rules()
    warm(rules)
    out: list[dict] = []
    t0 = time.perf_counter()
    for p in paths():
        res = process_path(p, p.name, rules, timeout=0)
        if res.error:
            out.append({"doc_id": p.name, "start": -1, "end": -1, "error": res.error})
        out += [{**r, "source": _relative(r.get("source", ""))} for r in res.rows]
    return out, time.perf_counter() - t0


def _relative(source: str) -> str:
    """corpus/ files are named by absolute path: compare them wherever the checkout lies."""
    return source.replace(str(ROOT) + "/", "")


def _key(r: dict) -> tuple:
    return tuple(str(r.get(k, "")) for k in KEY)


def save(path: Path, data: list[dict]) -> None:
    cols = list(dict.fromkeys(k for r in data for k in r))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, cols, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows({k: str(v) if v is not None else "" for k, v in r.items()} for r in data)


def load(path: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def compare(old: list[dict], new: list[dict], show: int) -> int:
    a = {_key(r): r for r in old}
    b = {_key(r): {k: str(v) if v is not None else "" for k, v in r.items()} for r in new}
    only_a, only_b = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
    diffs: Counter = Counter()
    examples: dict[str, list] = {}
    for k in sorted(a.keys() & b.keys()):
        for col in a[k].keys() | b[k].keys():
            if a[k].get(col, "") != b[k].get(col, ""):
                diffs[col] += 1
                examples.setdefault(col, []).append((k, a[k].get(col, ""), b[k].get(col, "")))
    print(f"rows before {len(a)}, after {len(b)}; only before {len(only_a)}, only after {len(only_b)}")
    for k in only_a[:show]:
        print("  - only before:", k, a[k].get("quote"))
    for k in only_b[:show]:
        print("  + only after: ", k, b[k].get("quote"))
    for col, n in diffs.most_common():
        print(f"  {col}: {n} rows differ")
        for k, x, y in examples[col][:show]:
            print(f"    {k}: {x!r} -> {y!r}")
    return 1 if only_a or only_b or diffs else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--save", type=Path, help="write every row to this TSV")
    g.add_argument("--compare", type=Path, help="compare every row with this TSV")
    ap.add_argument("--show", type=int, default=5, help="examples shown per difference")
    args = ap.parse_args(argv)
    if not REAL.is_dir():
        print(f"skip: no texts under {REAL} (the shared corpus sits beside the project)")
        return 0
    data, secs = rows()
    print(f"{len(data)} rows from {len(paths())} files in {secs:.2f} s")
    if args.save:
        save(args.save, data)
        return 0
    return compare(load(args.compare), data, args.show)


if __name__ == "__main__":
    sys.exit(main())
