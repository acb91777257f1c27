"""Extract the dev-gold documents and score them with ../shared/tools/score.py.

    python bench/score_dev.py [--show]

Prints one JSON line per document and a pooled summary.  Reads ../shared/ (third-party texts,
never committed); exits with a message when it is absent.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def main(argv: list[str]) -> int:
    if not (SHARED / "gold" / "dev").is_dir():
        print(f"skip: {SHARED}/gold/dev not found (the shared folder holds the dev gold)")
        return 0
    sys.path.insert(0, str(SHARED / "tools"))
    import score as scorer  # the same scorer run on unseen documents

    from extractor import extract

    ranges = json.loads((SHARED / "gold/dev/ranges.json").read_text())
    show = "--show" in argv
    pooled = {"gold": 0, "pred": 0, "tp": 0, "core_gold": 0, "core_tp": 0, "extended_gold": 0, "extended_tp": 0,
              "value_ok": 0.0, "kind_ok": 0.0, "qualifier_ok": 0.0, "indicator_ok": 0.0, "quote_mismatch": 0}
    for doc, rng in ranges.items():
        stem = doc[:-4]
        src = SHARED / "corpus/real" / doc
        gold = scorer.load_gold([SHARED / "gold/dev" / f"{stem}.jsonl"])
        pred = extract(src)
        res = scorer.score(gold, pred, src.read_text(encoding="utf-8"), [tuple(r) for r in rng])
        misses = res.pop("_misses")
        print(json.dumps({"doc": doc, **{k: round(v, 3) if isinstance(v, float) else v for k, v in res.items()}},
                         ensure_ascii=False))
        if show:
            for k, v in misses.items():
                if v:
                    print(f"  ## {k} ({len(v)})")
                    for x in v[:60]:
                        print("    ", x)
        tp = res["precision"] * res["pred"]
        pooled["gold"] += res["gold"]
        pooled["pred"] += res["pred"]
        pooled["tp"] += tp
        for tier in ("core", "extended"):
            pooled[f"{tier}_gold"] += res[f"{tier}_gold"]
            pooled[f"{tier}_tp"] += res[f"{tier}_recall"] * res[f"{tier}_gold"]
        for key in ("value", "kind", "qualifier", "indicator"):
            pooled[f"{key}_ok"] += res[f"{key}_acc"] * tp
        pooled["quote_mismatch"] += res.get("quote_mismatch", 0)
    tp = pooled["tp"] or 1
    summary = {
        "precision": pooled["tp"] / (pooled["pred"] or 1),
        "recall": pooled["tp"] / (pooled["gold"] or 1),
        "core_recall": pooled["core_tp"] / (pooled["core_gold"] or 1),
        "extended_recall": pooled["extended_tp"] / (pooled["extended_gold"] or 1),
        **{f"{k}_acc": pooled[f"{k}_ok"] / tp for k in ("value", "kind", "qualifier", "indicator")},
        "quote_mismatch": pooled["quote_mismatch"],
    }
    print(json.dumps({"doc": "ALL", **{k: round(v, 3) if isinstance(v, float) else v for k, v in summary.items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
