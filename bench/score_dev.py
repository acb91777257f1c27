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
    pooled: dict[str, float] = {}
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
        for k, v in res.items():
            pooled.setdefault(k, 0)
        for key in ("gold", "pred", "fp"):
            pooled[key] += res[key]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
