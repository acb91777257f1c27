"""`zhibiao plot OUTPUT SERIES`: one indicator's series from the panel, targets against outcomes.

Why: the first thing a researcher does with a panel is look at it.  Outcomes are a line, targets
hollow markers (a range as a bar), conflicts red crosses with every value shown, derived points
open squares, a report's several values for one cell grey dots — so a revision or a derived year
is never mistaken for a plain statement.
SERIES is `<indicator>_<kind>` (gdp_growth, fiscal_revenue_level) where the indicator is a
lexicon id or a name (国内生产总值_growth); --match takes a regex on the indicator text instead.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

from .errors import ZhibiaoError
from .table import _atomic

KINDS = ("growth", "level", "rate", "share", "change", "target")
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")


def parse_series(series: str) -> tuple[str, str]:
    """'gdp_growth' -> ('gdp', 'growth'); a series without a kind suffix is a level."""
    head, _, tail = series.rpartition("_")
    return (head, tail) if head and tail in KINDS else (series, "level")


def select(panel: pd.DataFrame, indicator: str, kind: str, place: str | None = None,
           match: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Outcome rows (the kind asked) and target rows of one indicator at one place, by year."""
    if match:
        mask = panel["indicator"].str.contains(match, regex=True)
    else:
        mask = (panel["indicator_id"] == indicator) | (panel["indicator"] == indicator)
    rows = panel[mask & panel["period"].str.match(_YEAR)]
    if place is None and len(rows):
        place = rows["place"].value_counts().index[0]
    rows = rows[rows["place"] == (place or "")]
    outcomes = rows[rows["kind"] == kind]
    unit = outcomes["unit_norm"].mode().iloc[0] if len(outcomes) else ("%" if kind == "growth" else "")
    outcomes = outcomes[outcomes["unit_norm"] == unit]
    targets = rows[(rows["kind"] == "target") & (rows["unit_norm"] == unit)] if kind != "target" else rows[:0]
    return outcomes.assign(year=outcomes["period"].astype(int)), targets.assign(year=targets["period"].astype(int)), \
        place or ""


def cjk_font() -> str:
    """An installed font that has Chinese characters, or '' (then titles fall back to ASCII)."""
    from matplotlib import font_manager

    for f in font_manager.fontManager.ttflist:
        if any(k in f.name for k in ("CJK", "Hei", "Song", "WenQuanYi", "Ming", "Kai", "Fang")):
            return f.name
    return ""


def draw(outcomes: pd.DataFrame, targets: pd.DataFrame, title: str, path: Path, ascii_title: str = "") -> Path:
    """Draw and save (PNG or SVG by suffix) atomically; without a Chinese font the title is `ascii_title`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cjk = cjk_font()
    if cjk:
        plt.rcParams["font.sans-serif"] = [cjk, "DejaVu Sans"]
    elif not title.isascii():
        title = ascii_title or title.encode("ascii", "replace").decode()
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(10, 4.5))
    plain = outcomes[outcomes["status"].isin(["stated", "confirmed"])]
    line = plain.groupby("year")["value_norm"].first().sort_index()
    ax.plot(line.index, line.values, "-o", color="tab:blue", ms=4, label="outcome")
    amb = outcomes[outcomes["status"] == "ambiguous"]
    ax.plot(amb["year"], amb["value_norm"], ".", color="tab:gray", label="ambiguous (one report, several values)")
    der = outcomes[outcomes["status"] == "derived"]
    ax.plot(der["year"], der["value_norm"], "s", mfc="none", color="tab:green", label="derived")
    con = outcomes[outcomes["status"] == "conflict"]
    ax.plot(con["year"], con["value_norm"], "x", color="tab:red", ms=8, label="conflict")
    if len(targets):
        hi = targets["value_high"].fillna(targets["value_norm"])
        ax.vlines(targets["year"], targets["value_norm"], hi, color="tab:orange", lw=3, alpha=0.6)
        ax.plot(targets["year"], targets["value_norm"], "D", mfc="none", color="tab:orange", label="target")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in ("png", "svg", "pdf"):
        raise ZhibiaoError(f"{path}: unknown image format (use .png or .svg)")
    _atomic(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=120, bbox_inches="tight"))
    plt.close(fig)
    return path


def _pinyin(place: str) -> str:
    """The place's file-name spelling from rules/places.yaml (全国 -> china), for ASCII titles."""
    from .metadata import places_of
    from .rules import load_rules

    for p in places_of(load_rules()):
        if p.name == place and p.pinyin:
            return p.pinyin[0]
    return place if place.isascii() else ""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="plot one indicator's series from the panel (targets vs outcomes)",
                       description="Plot SERIES (gdp_growth, <lexicon id or name>_<kind>) from OUTPUT's panel.")
    p.add_argument("output", help="the output folder (its panel is built when missing)")
    p.add_argument("series", help="<indicator>_<kind>, e.g. gdp_growth")
    p.add_argument("--out", help="image file, .png or .svg (default: OUTPUT/<series>.png)")
    p.add_argument("--place", help="the place (default: the one with most points)")
    p.add_argument("--match", help="regex on the indicator text instead of the id or name")
    p.set_defaults(func=cmd_plot)


def cmd_plot(args: argparse.Namespace) -> int:
    from .panel import run_panel

    out_dir = Path(args.output)
    path = out_dir / "panel.parquet"
    panel = pd.read_parquet(path) if path.is_file() else run_panel(out_dir)
    indicator, kind = parse_series(args.series)
    outcomes, targets, place = select(panel, indicator, kind, args.place, args.match)
    if outcomes.empty and targets.empty:
        raise ZhibiaoError(f"{args.series}: no {kind} of {indicator!r} in {path} (try --match or another place)")
    target = Path(args.out) if args.out else out_dir / f"{args.series}.png"
    draw(outcomes, targets, f"{place} {indicator} {kind}", target, f"{_pinyin(place)} {args.series}")
    print(f"plot: {len(outcomes)} outcome(s), {len(targets)} target(s) -> {target}", file=sys.stderr)
    return 0
