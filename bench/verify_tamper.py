"""Does `zhibiao verify` catch tampering, without false alarms?  Extract a corpus, verify it
(expect zero mismatches), then tamper with a copy — changed values (CSV), shifted offsets
(Parquet), digits edited in source files — and check that every tampering is reported and
nothing else is.

    python bench/verify_tamper.py                   # ../shared/corpus/real/*.txt
    python bench/verify_tamper.py --n 50 --seed 7
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.cli import main as zhibiao  # noqa: E402
from extractor.rules import load_rules  # noqa: E402
from extractor.table import INDICATOR_SCHEMA, to_arrow, write_table  # noqa: E402
from extractor.verify import read_any, verify_output  # noqa: E402


def _write(out: Path, df, fmt: str) -> None:
    write_table(to_arrow(df.to_dict("records"), INDICATOR_SCHEMA), out, "indicators", (fmt,))


def tamper(out: Path, corpus: Path, n: int, rng: random.Random) -> dict[str, set]:
    """Apply the tamperings; return what must be reported: (file, row) pairs and edited doc_ids."""
    csv = read_any(out / "indicators.csv", INDICATOR_SCHEMA)
    rows = rng.sample(range(len(csv)), 2 * n)
    for i in rows[:n]:
        csv.loc[i, "value"] = float(csv.loc[i, "value"]) * 1.1 + 1
    _write(out, csv, "csv")
    pq = read_any(out / "indicators.parquet", INDICATOR_SCHEMA)
    for i in rows[n:]:
        pq.loc[i, "start"] += 1
        pq.loc[i, "end"] += 1
    _write(out, pq, "parquet")
    edited_docs, edited_rows = set(), set()
    digits = csv[csv["quote"].str.contains(r"[1-8]")]
    for doc_id in rng.sample(sorted(set(digits["doc_id"])), max(1, n // 10)):
        i = int(rng.choice(list(digits.index[digits["doc_id"] == doc_id])))
        path = corpus / doc_id
        text = path.read_text(encoding="utf-8")
        s, e = int(csv.loc[i, "start"]), int(csv.loc[i, "end"])
        k = next(j for j in range(s, e) if text[j] in "12345678")
        path.write_text(text[:k] + str(int(text[k]) + 1) + text[k + 1:], encoding="utf-8")
        edited_docs.add(doc_id)
        edited_rows.add(i + 1)
    return {"value": {("indicators.csv", i + 1) for i in rows[:n]},
            "offset": {("indicators.parquet", i + 1) for i in rows[n:]},
            "source": edited_docs, "source_rows": edited_rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "real"))
    ap.add_argument("--glob", default="*.txt")
    ap.add_argument("--n", type=int, default=30, help="rows per tampering kind (sources: n/10)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="zhibiao-tamper-"))
    corpus = tmp / "corpus"
    corpus.mkdir()
    for f in sorted(Path(a.corpus).glob(a.glob)):
        shutil.copy(f, corpus / f.name)
    out = tmp / "out"
    if zhibiao(["extract", str(corpus), "--out", str(out), "--no-progress"]) != 0:
        raise SystemExit("extract failed")
    rules = load_rules()
    t = time.perf_counter()
    clean = verify_output(out, rules=rules)
    clean_s = time.perf_counter() - t
    print(f"clean: {clean.documents} documents, {clean.rows} rows ({', '.join(clean.tables)}): "
          f"{len(clean.mismatches)} mismatches in {clean_s:.1f} s")
    for m in clean.mismatches[:10]:
        print("  ", m.line())
    want = tamper(out, corpus, a.n, random.Random(a.seed))
    res = verify_output(out, rules=rules)
    got = {(m.file, m.row) for m in res.mismatches}
    sha = {m.doc_id for m in res.mismatches if m.file.startswith("documents") and "changed since" in m.what}
    found = {k: len(want[k] & got) for k in ("value", "offset")}
    found["source"] = len(want["source"] & sha)
    expected_rows = want["value"] | want["offset"]
    other = [m for m in res.mismatches if (m.file, m.row) not in expected_rows
             and m.doc_id not in want["source"]]
    print(f"tampered: {a.n} values (csv), {a.n} offsets (parquet), {len(want['source'])} source files edited")
    print(f"reported: {found['value']}/{a.n} values, {found['offset']}/{a.n} offsets, "
          f"{found['source']}/{len(want['source'])} edited sources (sha256); "
          f"{len(res.mismatches)} mismatch lines; unexplained: {len(other)}")
    for m in other[:10]:
        print("   unexplained:", m.line())
    ok = (not clean.mismatches and found["value"] == a.n and found["offset"] == a.n
          and found["source"] == len(want["source"]) and not other)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
