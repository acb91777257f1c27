"""Small HTML helpers: every piece of document text goes through `esc` (a report that contains
`<script>` shows it as text), numbers through `num`."""

from __future__ import annotations

import html
import math
import re

from .assets import CSS, JS, KIND_COLOURS, kind_css


def esc(value) -> str:
    """Text -> HTML text or attribute value (quotes escaped too)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def num(value) -> str:
    """A float as people read it: 2472760000, not 2.47276e+09; 25.78, not 25.780000000000001."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.12g}"


def kind_class(kind) -> str:
    k = re.sub(r"[^a-z_]", "", str(kind or "").lower())
    return "k-" + (k if k in KIND_COLOURS else "other")


def legend(counts: dict[str, int]) -> str:
    items = "".join(f'<span class="{kind_class(k)}">{esc(k)} {n}</span>'
                    for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f'<div class="legend">{items}</div>'


def page(title: str, body: str) -> str:
    """A whole page: CSS and JS inline, nothing fetched."""
    return (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}{kind_css()}</style></head>\n"
        f"<body>\n{body}\n<script>{JS}</script>\n</body></html>\n"
    )


def table(cls: str, tid: str, heads: list[tuple[str, str]], rows_html: str) -> str:
    """A sortable table: heads are (key, label); rows_html the <tr> elements."""
    th = "".join(f'<th data-k="{esc(k)}">{esc(label)}</th>' for k, label in heads)
    return f'<table class="{cls}" id="{tid}"><thead><tr>{th}</tr></thead><tbody>\n{rows_html}</tbody></table>'
