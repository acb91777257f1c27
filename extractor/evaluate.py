"""`zhibiao eval`: score extraction against hand-checked gold figures.

Why here and not only in the shared scorer: users who grow `rules/` need to measure their change
on their own gold, with the tool they have installed.  The semantics are those of the gold's
README (and of the scorer run on unseen documents), reimplemented here:

- a prediction matches a gold figure when their spans overlap, one to one, greedy by overlap;
- gold tiers: core and extended are figures (recall by tier); a prediction overlapping only a
  `none` span is a false positive; one on an `ignore` span is neither right nor wrong;
- only predictions that start inside the annotated ranges (ranges.json) count;
- on matched figures: value and unit (value_norm within 1e-6 relative, unit_norm in one class),
  qualifier, kind, indicator (at least half of the gold name's distinct characters present).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import ZhibiaoError

#: unit_norm values that count as the same unit (as in the gold README).
UNIT_CLASSES = [{"人", "名", "位"}, {"pp", "个百分点", "百分点"}, {"元", "港元"}, {"%"}]
FIGURE_TIERS = ("core", "extended")
ACCURACIES = ("value", "qualifier", "kind", "indicator")


@lru_cache(maxsize=4096)
def t2s(s: str) -> str:
    """Simplified form, for comparing names and units written either way."""
    from .normalise import _opencc

    return _opencc().convert(s) if s else s


def unit_same(a: str, b: str) -> bool:
    """Same unit_norm, up to the classes above and a leading 个 (个工作日 = 工作日)."""
    a, b = (a or "").strip(), (b or "").strip()
    if a == b:
        return True
    a, b = t2s(a), t2s(b)
    if any(a in c and b in c for c in UNIT_CLASSES):
        return True

    def strip(u: str) -> str:
        return u[1:] if len(u) > 1 and u[0] == "个" and u != "个百分点" else u

    return strip(a) == strip(b)


def value_same(a: Any, b: Any) -> bool:
    """Equal within 1e-6 relative (absolute below 1); missing values never match."""
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def indicator_ok(pred: Any, gold: Any) -> bool:
    """At least half of the gold name's distinct characters appear in the predicted name."""
    pred, gold = t2s(str(pred or "")), t2s(str(gold or ""))
    chars = {c for c in gold if not c.isspace()}
    if not chars or not pred:
        return False
    return sum(1 for c in chars if c in pred) / len(chars) >= 0.5


def _overlap(p: dict, g: dict) -> int:
    return min(int(p["end"]), int(g["end"])) - max(int(p["start"]), int(g["start"]))


@dataclass
class DocScore:
    """Counts for one document; rates are derived so that pooling is exact."""

    doc: str
    gold: int = 0
    pred: int = 0
    tp: int = 0
    fp_on_nonindicators: int = 0
    tier_gold: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURE_TIERS, 0))
    tier_tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURE_TIERS, 0))
    ok: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACCURACIES, 0))
    quote_mismatch: int = 0
    misses: dict[str, list] = field(default_factory=dict)
    error: str = ""

    def add(self, other: DocScore) -> None:
        for k in ("gold", "pred", "tp", "fp_on_nonindicators", "quote_mismatch"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        for d in ("tier_gold", "tier_tp", "ok"):
            for k, v in getattr(other, d).items():
                getattr(self, d)[k] += v

    def summary(self) -> dict[str, Any]:
        """The figures a user reads: precision, recall (all and by tier), accuracies on matches."""
        n = self.tp or 1
        out: dict[str, Any] = {"doc": self.doc, "gold": self.gold, "pred": self.pred, "fp": self.pred - self.tp,
                               "fp_on_nonindicators": self.fp_on_nonindicators}
        for t in FIGURE_TIERS:
            out[f"{t}_gold"] = self.tier_gold[t]
            out[f"{t}_recall"] = self.tier_tp[t] / self.tier_gold[t] if self.tier_gold[t] else 1.0
        out["precision"] = self.tp / self.pred if self.pred else 0.0
        out["recall"] = self.tp / self.gold if self.gold else 1.0
        p, r = out["precision"], out["recall"]
        out["f1"] = 2 * p * r / (p + r) if p + r else 0.0
        for k in ACCURACIES:
            out[f"{k}_acc"] = self.ok[k] / n
        out["quote_mismatch"] = self.quote_mismatch
        if self.error:
            out["error"] = self.error
        return out


def in_ranges(start: int, ranges: list[tuple[int, int]] | None) -> bool:
    return not ranges or any(a <= start < b for a, b in ranges)


def _match(figs: list[dict], preds: list[dict]) -> dict[int, int]:
    """gold index -> prediction index: one to one, largest overlap first."""
    pairs = [(ov, gi, pi) for gi, g in enumerate(figs) for pi, p in enumerate(preds) if (ov := _overlap(p, g)) > 0]
    pairs.sort(reverse=True)
    gm: dict[int, int] = {}
    taken: set[int] = set()
    for _ov, gi, pi in pairs:
        if gi not in gm and pi not in taken:
            gm[gi] = pi
            taken.add(pi)
    return gm


def _judge(s: DocScore, g: dict, p: dict) -> None:
    """Score the fields of one matched pair; record what was wrong."""
    checks = {
        "value": value_same(p.get("value_norm"), g["value_norm"])
        and unit_same(str(p.get("unit_norm", "")), g["unit_norm"]),
        "qualifier": str(p.get("qualifier", "")) == g["qualifier"],
        "kind": str(p.get("kind", "")) == g["kind"],
        "indicator": indicator_ok(p.get("indicator", ""), g["indicator"]),
    }
    got = {"value": (p.get("value_norm"), p.get("unit_norm")), "qualifier": p.get("qualifier"),
           "kind": p.get("kind"), "indicator": p.get("indicator")}
    want = {"value": (g["value_norm"], g["unit_norm"]), "qualifier": g["qualifier"], "kind": g["kind"],
            "indicator": g["indicator"]}
    for k, ok in checks.items():
        s.ok[k] += ok
        if not ok:
            s.misses[k].append({"start": g["start"], "text": g["text"], "gold": want[k], "pred": got[k]})


def score_document(doc: str, gold: list[dict], pred: list[dict], text: str | None = None,
                   ranges: list[tuple[int, int]] | None = None) -> DocScore:
    """Score one document's predicted rows against its gold figures."""
    figs = [g for g in gold if g.get("tier") in FIGURE_TIERS]
    nonind = [g for g in gold if g.get("tier") == "none"]
    ignored = [g for g in gold if g.get("tier") == "ignore"]
    preds = [p for p in pred if in_ranges(int(p["start"]), ranges)]
    preds = [p for p in preds
             if not any(_overlap(p, g) > 0 for g in ignored) or any(_overlap(p, g) > 0 for g in figs)]
    gm = _match(figs, preds)
    s = DocScore(doc, gold=len(figs), pred=len(preds), tp=len(gm))
    s.misses = {k: [] for k in ("missed", "spurious", *ACCURACIES)}
    for gi, g in enumerate(figs):
        s.tier_gold[g["tier"]] += 1
        s.tier_tp[g["tier"]] += gi in gm
        if gi in gm:
            _judge(s, g, preds[gm[gi]])
        else:
            s.misses["missed"].append({"start": g["start"], "text": g["text"], "tier": g["tier"], "kind": g["kind"]})
    matched = set(gm.values())
    for pi, p in enumerate(preds):
        if pi not in matched:
            on_none = any(_overlap(p, n) > 0 for n in nonind)
            s.fp_on_nonindicators += on_none
            s.misses["spurious"].append({"start": int(p["start"]), "quote": p.get("quote"),
                                         "on_nonindicator": on_none})
    if text is not None:
        s.quote_mismatch = sum(1 for p in preds if text[int(p["start"]):int(p["end"])] != str(p.get("quote", "")))
    return s


# --------------------------------------------------------------------------- gold folders


@dataclass
class GoldDoc:
    stem: str
    figures: list[dict]
    ranges: list[tuple[int, int]] | None


def load_gold(gold_dir: Path) -> list[GoldDoc]:
    """Every `<stem>.jsonl` (not `*_relations.jsonl`) with its ranges from ranges.json, if any."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise ZhibiaoError(f"{gold_dir}: gold folder not found")
    ranges_file = gold_dir / "ranges.json"
    ranges: dict[str, Any] = {}
    if ranges_file.exists():
        try:
            ranges = json.loads(ranges_file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ZhibiaoError(f"{ranges_file}: not valid JSON ({exc})") from None
    docs = []
    for path in sorted(gold_dir.glob("*.jsonl")):
        if path.stem.endswith("_relations"):
            continue
        figures = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    figures.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ZhibiaoError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        rng = ranges.get(f"{path.stem}.txt", ranges.get(path.stem))
        docs.append(GoldDoc(path.stem, figures, [tuple(r) for r in rng] if rng else None))
    if not docs:
        raise ZhibiaoError(f"{gold_dir}: no gold .jsonl files")
    return docs


def find_source(corpus: Path, stem: str) -> Path | None:
    """The document a gold file describes: `<stem>.txt` in the corpus, else another `<stem>.*`."""
    txt = corpus / f"{stem}.txt"
    if txt.is_file():
        return txt
    return next((p for p in sorted(corpus.glob(f"{stem}.*")) if p.is_file()), None)


def _rows_for(table: pd.DataFrame, stem: str) -> list[dict]:
    """Rows of a multi-document table whose doc_id names this document."""
    ids = table["doc_id"].astype(str)
    keep = ids.map(lambda d: Path(d).stem == stem or Path(d).name == stem)
    return table[keep].to_dict("records")


def evaluate(gold_dir: Path, corpus: Path | None = None, pred: Path | None = None,
             rules_dir: Path | None = None) -> tuple[list[DocScore], DocScore]:
    """Score every gold document; predictions from a table, or extracted from the corpus now."""
    from .api import extract
    from .sources import read_document
    from .table import read_table

    gold_dir = Path(gold_dir)
    corpus = Path(corpus) if corpus else gold_dir / ".." / ".." / "corpus" / "real"
    if pred and not Path(pred).is_file():
        raise ZhibiaoError(f"{pred}: prediction table not found")
    table = read_table(Path(pred)) if pred else None
    scores, pooled = [], DocScore("ALL")
    for g in load_gold(gold_dir):
        src = find_source(corpus, g.stem)
        text = None
        try:
            if src is not None:
                text = read_document(src, src.name).text
            if table is not None:
                rows = _rows_for(table, g.stem)
            elif src is None:
                raise ZhibiaoError(f"{corpus}/{g.stem}.txt: source document not found")
            else:
                rows = extract(src, rules_dir=rules_dir).to_dict("records")
        except ZhibiaoError as exc:
            s = DocScore(g.stem, error=str(exc))
            scores.append(s)
            continue
        s = score_document(g.stem, g.figures, rows, text, g.ranges)
        scores.append(s)
        pooled.add(s)
    return scores, pooled


# --------------------------------------------------------------------------- the command


def _fmt(v: Any) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)


COLUMNS = ("precision", "recall", "core_recall", "extended_recall", "value_acc", "qualifier_acc", "kind_acc",
           "indicator_acc", "gold", "pred", "fp")


def print_report(scores: list[DocScore], pooled: DocScore, show: int, as_json: bool, out=None) -> None:
    out = out or sys.stdout
    if as_json:
        for s in [*scores, pooled]:
            print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in s.summary().items()},
                             ensure_ascii=False), file=out)
    else:
        width = max(len(s.doc) for s in [*scores, pooled])
        print(f"{'document':<{width}}  " + "  ".join(f"{c:>{max(len(c), 5)}}" for c in COLUMNS), file=out)
        for s in [*scores, pooled]:
            summ = s.summary()
            if s.error:
                print(f"{s.doc:<{width}}  error: {s.error}", file=out)
                continue
            print(f"{s.doc:<{width}}  " + "  ".join(f"{_fmt(summ[c]):>{max(len(c), 5)}}" for c in COLUMNS), file=out)
    if show:
        for s in scores:
            for kind, items in s.misses.items():
                if items:
                    print(f"## {s.doc}: {kind} ({len(items)})", file=out)
                    for item in items[:show]:
                        print("   " + json.dumps(item, ensure_ascii=False), file=out)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="score extraction against gold JSONL files",
                       description="Score extraction against hand-checked gold figures (one <stem>.jsonl per "
                                   "document, ranges.json optional): precision, recall by tier, value/unit, "
                                   "qualifier, kind and indicator accuracy, per document and pooled.")
    p.add_argument("--gold", required=True, help="folder of gold <stem>.jsonl files")
    p.add_argument("--corpus", help="folder of the documents (default: GOLD/../../corpus/real)")
    p.add_argument("--pred", help="an indicators.csv/.parquet to score instead of extracting now")
    p.add_argument("--rules", help="rules folder for extraction (default: rules/ of this installation)")
    p.add_argument("--show", nargs="?", type=int, const=40, default=0,
                   help="list misses (missed, spurious, wrong value/qualifier/kind/indicator), N per list")
    p.add_argument("--json", action="store_true", help="one JSON object per document and for ALL")
    p.set_defaults(func=cmd_eval)


def cmd_eval(args: argparse.Namespace) -> int:
    scores, pooled = evaluate(Path(args.gold), Path(args.corpus) if args.corpus else None,
                              Path(args.pred) if args.pred else None, Path(args.rules) if args.rules else None)
    print_report(scores, pooled, args.show, args.json)
    for s in scores:
        if s.error:
            print(f"zhibiao: {s.doc}: {s.error}", file=sys.stderr)
    return 1 if all(s.error for s in scores) else 0
