"""CAAC communiqués 2011-2019: passenger, cargo and turnover series with derived previous years.

    zhibiao extract ../shared/corpus/real/caac_communique_*.txt --out /tmp/caac
    zhibiao panel /tmp/caac && python bench/caac_series.py /tmp/caac

For each series (whole industry, subject 全行业): the stated level of every year, and for every
year a later communiqué implies (level / (1 + growth), level − change), whether the derived value
agrees with the year's own communiqué (`confirmed`) or not (`conflict`: a revision).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

SERIES = {"passengers": "旅客运输量", "cargo": "货邮运输量", "turnover": "运输总周转量"}


def series(panel: pd.DataFrame, name: str) -> pd.DataFrame:
    rows = panel[(panel["indicator"] == name) & (panel["kind"] == "level") & (panel["subject"] == "全行业")
                 & panel["sources"].str.contains("caac_communique")]
    return rows.sort_values(["period", "value_norm"])


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "output")
    panel = pd.read_parquet(out / "panel.parquet")
    pd.set_option("display.width", 250)
    pd.set_option("display.max_colwidth", 120)
    for key, name in SERIES.items():
        s = series(panel, name)
        checked = s[s["sources"].str.contains("derived:") & s["sources"].str.contains(r"caac_communique_\d+\.txt:\d",
                                                                                      regex=True)]
        cells = s.groupby("period")["status"].first()
        agree = int((cells == "confirmed").sum())
        conflict = sorted(set(s[s["status"] == "conflict"]["period"]))
        derived_only = sorted(set(s[s["status"] == "derived"]["period"]))
        print(f"{key} ({name}): {len(cells)} year(s); derived previous years checked against the previous "
              f"communiqué: {agree} agree, {len(conflict)} conflict {conflict}; derived only {derived_only}; "
              f"{len(checked)} row(s) with both")
        print(s[["period", "value_norm", "unit_norm", "status", "sources"]].to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
