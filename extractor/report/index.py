"""The index page: every document with its figure count, audit results, encoding and error
(sortable), the charts of the whole output, and a small chart per recurring indicator."""

from __future__ import annotations

from collections import Counter

from .charts import bar_chart, kind_chart, series_chart
from .data import Output, audit_counts, recurring
from .html import esc, legend, num, page, table

DOC_COLUMNS = [("doc_id", "document"), ("format", "format"), ("encoding", "encoding"), ("chars", "characters"),
               ("figures", "figures"), ("consistent", "audit ✓"), ("inconsistent", "audit ✗"), ("unverifiable", "audit ?"),
               ("error", "error")]


def _doc_row(doc: dict, href: str | None, n_rows: int, audit: Counter, error: str) -> str:
    name = esc(doc.get("doc_id"))
    link = f'<a href="{esc(href)}">{name}</a>' if href else name
    bad = ' class="n bad"' if audit.get("inconsistent") else ' class="n"'
    return (f"<tr><td>{link}</td><td>{esc(doc.get('format'))}</td><td>{esc(doc.get('encoding'))}</td>"
            f'<td class="n">{num(doc.get("chars"))}</td><td class="n">{n_rows}</td>'
            f'<td class="n">{audit.get("consistent", 0)}</td><td{bad}>{audit.get("inconsistent", 0)}</td>'
            f'<td class="n">{audit.get("unverifiable", 0)}</td>'
            f'<td class="bad">{esc(error)}</td></tr>\n')


def _charts(out: Output) -> tuple[str, Counter]:
    kinds = Counter(str(r.get("kind") or "") for rows in out.rows.values() for r in rows)
    per_doc = sorted(((d, len(r)) for d, r in out.rows.items() if r), key=lambda kv: -kv[1])
    parts = []
    if kinds:
        parts.append(f"<figure>{kind_chart(dict(kinds))}</figure>")
    if per_doc:
        parts.append(f"<figure>{bar_chart([d for d, _ in per_doc], [n for _, n in per_doc], title='figures per document', width=5)}</figure>")
    return f'<div class="charts">{"".join(parts)}</div>', kinds


def _recurring(out: Output) -> str:
    series = recurring(out)
    if not series:
        return ""
    figs = []
    for s in series:
        xs = [x for x, _, _ in s.points]
        svg = series_chart(xs, [v for _, v, _ in s.points], s.indicator, s.unit, s.connect)
        along = f"{int(min(xs))}–{int(max(xs))}" if s.by_year else "in document order"
        docs = ", ".join(d for _, _, d in s.points)
        figs.append(f'<figure class="small" title="{esc(docs)}">{svg}<figcaption>{esc(s.indicator)} '
                    f'({esc(s.unit) or "—"}), {len(s.points)} documents, {along}</figcaption></figure>')
    return (f'<section><h2>Recurring indicators</h2><p class="meta">first level figure per document, '
            f'value_norm</p><div class="charts">{"".join(figs)}</div></section>')


def render_index(out: Output, pages: dict[str, str], errors: dict[str, str]) -> str:
    """pages: doc_id -> relative href of its page; errors: doc_id -> why it has none."""
    rows_html = "".join(
        _doc_row(d, pages.get(str(d["doc_id"])), len(out.rows.get(str(d["doc_id"]), [])),
                 audit_counts(out.checks.get(str(d["doc_id"]), [])),
                 str(d.get("error") or "") or errors.get(str(d["doc_id"]), ""))
        for d in out.docs
    )
    charts, kinds = _charts(out)
    total = sum(len(r) for r in out.rows.values())
    audit = audit_counts([c for cs in out.checks.values() for c in cs])
    audit_line = (f" · audit: {audit.get('consistent', 0)} consistent, {audit.get('inconsistent', 0)} inconsistent, "
                  f"{audit.get('unverifiable', 0)} unverifiable" if audit else " · no audit.csv")
    notes = "".join(f'<p class="bad">{esc(n)}</p>' for n in out.notes)
    header = (f"<header><h1>zhibiao review</h1><p class=\"meta\">{len(out.docs)} documents · {total} figures"
              f"{audit_line}</p>{legend(dict(kinds))}{notes}</header>")
    docs = f'<section><h2>Documents</h2>{table("sortable", "docs", DOC_COLUMNS, rows_html)}</section>'
    return page("zhibiao review", header + docs + f"<section><h2>Charts</h2>{charts}</section>" + _recurring(out))
