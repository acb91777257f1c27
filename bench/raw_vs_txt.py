"""Figures from each original (.docx, .pdf, .xml) vs from the provided .txt of the same report.

    python bench/raw_vs_txt.py                 # the table, one row per raw file
    python bench/raw_vs_txt.py --show 5        # and up to 5 (value_norm, unit_norm) pairs found only in one

Why (value_norm, unit_norm) pairs: they do not depend on where the text was cut into lines, so two
texts of one report should give the same multiset; a difference points at reading (a table cell,
a page number, a footnote marker, a split number) rather than at wording.  Overlap is the multiset
intersection; agree = 2·overlap / (raw + txt).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.errors import SourceError  # noqa: E402
from extractor.pipeline import extract_text  # noqa: E402
from extractor.rules import load_rules  # noqa: E402
from extractor.sources import read_document  # noqa: E402

REAL = ROOT.parent / "shared" / "corpus" / "real"


def pairs(text: str, rules) -> Counter:
    return Counter((round(r["value_norm"], 6), r["unit_norm"]) for r in extract_text(text, rules))


def compare(raw: Path, txt: Path, rules) -> dict:
    try:
        doc = read_document(raw)
    except SourceError as exc:
        return {"file": raw.name, "error": exc.problem}
    a = pairs(doc.text, rules)
    b = pairs(txt.read_text(encoding="utf-8"), rules)
    both = a & b
    n_a, n_b, n_both = sum(a.values()), sum(b.values()), sum(both.values())
    return {"file": raw.name, "raw": n_a, "txt": n_b, "overlap": n_both,
            "agree": 2 * n_both / (n_a + n_b) if n_a + n_b else 1.0,
            "only_raw": a - b, "only_txt": b - a, "error": ""}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--real", default=str(REAL), help="the corpus folder with *.txt and raw/ (default ../shared/...)")
    ap.add_argument("--show", type=int, default=0, help="pairs found only in one text, per file")
    args = ap.parse_args(argv)
    real = Path(args.real)
    raws = sorted(p for p in (real / "raw").glob("*") if p.suffix in (".docx", ".pdf", ".xml"))
    if not raws:
        print(f"no raw files under {real / 'raw'}", file=sys.stderr)
        return 1
    rules = load_rules(ROOT / "rules")
    print(f"{'file':<34} {'raw':>5} {'txt':>5} {'overlap':>7} {'agree':>6}")
    tot = Counter()
    for raw in raws:
        res = compare(raw, real / (raw.stem + ".txt"), rules)
        if res["error"]:
            print(f"{res['file']:<34} ERROR {res['error']}")
            tot["errors"] += 1
            continue
        print(f"{res['file']:<34} {res['raw']:>5} {res['txt']:>5} {res['overlap']:>7} {res['agree']:>6.1%}")
        tot.update({k: res[k] for k in ("raw", "txt", "overlap")})
        kind = raw.suffix
        tot.update({f"{kind}:raw": res["raw"], f"{kind}:txt": res["txt"], f"{kind}:overlap": res["overlap"]})
        if args.show:
            for side in ("only_raw", "only_txt"):
                items = ", ".join(f"{v:g} {u}×{n}" for (v, u), n in res[side].most_common(args.show))
                if items:
                    print(f"    {side}: {items}")
    for kind in (".docx", ".pdf", ".xml", ""):
        key = f"{kind}:" if kind else ""
        r, t, o = tot[key + "raw"], tot[key + "txt"], tot[key + "overlap"]
        if r + t:
            print(f"{'ALL ' + (kind or 'files'):<34} {r:>5} {t:>5} {o:>7} {2 * o / (r + t):>6.1%}")
    print(f"{len(raws)} raw file(s), {tot['errors']} failed to extract")
    return 1 if tot["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
