"""GDP growth series from the Government Work Reports: what zhibiao extracts, for checking by hand.

    zhibiao extract ../shared/corpus/real/gwr_*.txt --out /tmp/gwr
    python bench/gwr_series.py /tmp/gwr [--truth bench/gwr_gdp_truth.tsv]

For each report gwr_Y: the reported growth of the reviewed year (the first growth figure of
国内生产总值 / 国民生产总值 / 国民收入 in the report whose period is Y−1) and the growth target for Y (the
first target of that indicator or of 经济增长 with period Y).  With --truth (a TSV of hand-checked
values: year, outcome, target, note) it prints coverage and every year missed or wrong.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GDP = re.compile(r"国内生产总值|国民生产总值|生产总值|GDP|国民收入|经济增长|经济增速")
NOT_GDP = re.compile(r"单位|能耗|人均|比重|占|排放|强度|赤字|债|投资|支出|收入增长|财政")


def load(out: Path, corpus: Path) -> pd.DataFrame:
    """GDP growth rows: the indicator names GDP, or the words just before the figure do (经济增长速度
    的调控目标定为8%: attribution may name 调控目标), and nothing there names another indicator."""
    ind = pd.read_parquet(out / "indicators.parquet")
    ind = ind[ind["doc_id"].str.match(r"^gwr_\d{4}(?:_partial)?\.txt$") & (ind["unit_norm"] == "%")].copy()
    ind["year"] = ind["doc_id"].str.slice(4, 8).astype(int)
    texts = {d: (corpus / d).read_text("utf-8") for d in ind["doc_id"].unique()}
    lead = [_lead(texts[d], s) for d, s in zip(ind["doc_id"], ind["start"], strict=True)]
    ind["lead"] = lead
    named = ind["indicator"].str.contains(GDP) & ~ind["indicator"].str.contains(NOT_GDP)
    said = ind["lead"].str.contains(GDP) & ~ind["lead"].str.contains(NOT_GDP)
    return ind[(named | said) & ~ind["lead"].str.contains(NOT_GDP)]


def _lead(text: str, start: int) -> str:
    """The words of the figure's clause before it (at most 24 characters)."""
    before = text[max(0, start - 24):start]
    return re.split(r"[，。；：,;\n]", before)[-1]


def headline(ind: pd.DataFrame) -> pd.DataFrame:
    """Per report year: the first reviewed-year growth and the first target for the report's year."""
    rows = []
    for year, g in ind.sort_values("start").groupby("year"):
        out = g[(g["kind"] == "growth") & (g["period"] == str(year - 1))]
        tgt = g[(g["kind"] == "target") & (g["period"] == str(year))]
        o = out.iloc[0] if len(out) else None
        t = tgt.iloc[0] if len(tgt) else None
        rows.append({"report": year, "reviewed": year - 1,
                     "outcome": o["value"] if o is not None else None,
                     "outcome_quote": f"{o['indicator']}|{o['quote']}@{o['start']}" if o is not None else "",
                     "target": t["value"] if t is not None else None,
                     "target_high": t["value_high"] if t is not None else None,
                     "target_quote": f"{t['indicator']}|{t['quote']}@{t['start']}" if t is not None else ""})
    return pd.DataFrame(rows)


def compare(found: pd.DataFrame, truth_path: Path) -> None:
    truth = {int(r["report"]): r for r in csv.DictReader(open(truth_path, encoding="utf-8"), delimiter="\t")}
    got = {int(r.report): r for r in found.itertuples()}
    for what in ("outcome", "target"):
        stated = [y for y, r in truth.items() if r[what]]
        right, missed, wrong = [], [], []
        for y in stated:
            g = got.get(y)
            v = getattr(g, what) if g is not None else None
            if v is None or pd.isna(v):
                missed.append(y)
            elif abs(float(v) - float(truth[y][what])) < 1e-9:
                right.append(y)
            else:
                wrong.append((y, v, truth[y][what]))
        extra = [y for y, g in got.items() if not pd.isna(getattr(g, what)) and y in truth and y not in stated]
        print(f"{what}: {len(right)}/{len(stated)} years found right; missed {missed}; "
              f"wrong {[(y, f'got {v} not {t}') for y, v, t in wrong]}; found where none is stated {extra}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--truth", type=Path)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "real")
    args = ap.parse_args()
    found = headline(load(args.out, args.corpus))
    pd.set_option("display.width", 250)
    pd.set_option("display.max_rows", 200)
    print(found.to_string(index=False))
    if args.truth:
        compare(found, args.truth)
    return 0


if __name__ == "__main__":
    sys.exit(main())
