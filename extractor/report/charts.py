"""Charts as inline SVG, drawn with matplotlib (nothing loaded from a CDN).

Why SVG with text kept as text (svg.fonttype none): small files, and the browser draws Chinese
indicator names with its own fonts; matplotlib needs no CJK font installed.
"""

from __future__ import annotations

import html
import io
import logging
import warnings
from collections.abc import Sequence

from .assets import KIND_COLOURS

_READY = False


def _plt():
    """pyplot, configured once for small deterministic SVGs."""
    global _READY
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if not _READY:
        matplotlib.rcParams.update({
            "svg.fonttype": "none",
            "svg.hashsalt": "zhibiao",
            "font.size": 8,
            "axes.spines.top": False,
            "axes.spines.right": False,
        })
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        _READY = True
    return plt


def _svg(fig) -> str:
    """The figure as an <svg> element (XML prolog and DOCTYPE dropped: it is inlined)."""
    plt = _plt()
    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Glyph missing" for CJK labels: the browser draws them
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    s = buf.getvalue()
    return s[s.index("<svg"):]


def bar_chart(labels: Sequence[str], values: Sequence[float], *, colours: Sequence[str] | None = None,
              title: str = "", width: float = 4.0) -> str:
    """Horizontal bars, one per label, largest first as given; height grows with the labels."""
    plt = _plt()
    n = max(len(labels), 1)
    fig, ax = plt.subplots(figsize=(width, 0.4 + 0.17 * n))
    ys = list(range(n))[::-1][: len(labels)]
    ax.barh(ys, list(values), color=list(colours) if colours else "#6a8fc7", height=0.75)
    ax.set_yticks(ys, [str(x) for x in labels], fontsize=7 if n > 20 else 8)
    ax.set_ylim(-0.6, n - 0.4)
    ax.tick_params(axis="y", length=0)
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    return _svg(fig)


def kind_chart(counts: dict[str, int], title: str = "figures per kind") -> str:
    kinds = sorted(counts, key=lambda k: -counts[k])
    colours = [KIND_COLOURS.get(k, KIND_COLOURS["other"]) for k in kinds]
    return bar_chart(kinds, [counts[k] for k in kinds], colours=colours, title=title, width=3.2)


def quick_bars(counts: dict[str, int], title: str = "figures per kind") -> str:
    """The per-document kind chart as hand-written SVG: matplotlib costs ~0.3 s a chart, which
    for a corpus of hundreds of documents dominated the whole build; this costs microseconds."""
    kinds = sorted(counts, key=lambda k: (-counts[k], k))
    top = max(counts.values(), default=0) or 1
    bar_w, row_h, label_w = 180, 16, 70
    parts = [f'<text x="0" y="12" font-size="11">{html.escape(title)}</text>']
    for n, k in enumerate(kinds):
        y = 20 + n * row_h
        w = max(1, round(bar_w * counts[k] / top))
        colour = KIND_COLOURS.get(k, KIND_COLOURS["other"])
        parts.append(f'<text x="{label_w - 4}" y="{y + 11}" font-size="10" text-anchor="end">{html.escape(k)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w}" height="{row_h - 3}" fill="{colour}" stroke="#888"/>'
                     f'<text x="{label_w + w + 4}" y="{y + 11}" font-size="10">{counts[k]}</text>')
    height = 24 + len(kinds) * row_h
    width = label_w + bar_w + 50
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="quick" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif">{"".join(parts)}</svg>')


def series_chart(xs: Sequence[float], ys: Sequence[float], title: str, unit: str, connect: bool = True) -> str:
    """A small chart of one indicator across documents or years: a line when there is one value
    per x, points when several documents share a year (provinces of one year)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(2.6, 1.5))
    ax.plot(list(xs), list(ys), marker="o", markersize=3, linewidth=1 if connect else 0, color="#2d5fa8",
            alpha=1 if connect else 0.6)
    ax.set_title(title, fontsize=8, loc="left")
    if unit:
        ax.set_ylabel(unit, fontsize=7)
    ax.tick_params(labelsize=6)
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 5), useOffset=False)
    if xs and min(xs) == max(xs):  # one year only (provinces of 2025): a narrow axis, not 1920-2100
        ax.set_xlim(min(xs) - 1, max(xs) + 1)
    if all(float(x).is_integer() for x in xs):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    return _svg(fig)
