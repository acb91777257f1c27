"""One page per document: the text with every figure highlighted, a side panel, the figure table.

Why one pass: the highlighted text is built by walking the sorted spans once, so a 100k-character
report with thousands of figures costs one string join here and no DOM work in the browser.
Links go both ways: a highlight links to its table row (#rN), a row to its highlight (#fN).
"""

from __future__ import annotations

from collections import Counter

from .html import esc, kind_class, legend, num, page, table

#: Columns of the figure table: (row key, header).  The panel shows a subset by key.
FIGURE_COLUMNS = [
    ("i", "#"), ("quote", "quote"), ("kind", "kind"), ("value", "value"), ("unit", "unit"),
    ("value_norm", "value_norm"), ("unit_norm", "unit_norm"), ("qualifier", "qualifier"),
    ("indicator", "indicator"), ("subject", "subject"), ("period", "period"), ("basis", "basis"),
    ("rule", "rule"), ("flags", "flags"), ("audit", "audit"),
]
PANEL_KEYS = ["quote", "kind", "indicator", "subject", "period", "value_norm", "unit_norm", "qualifier",
              "basis", "rule", "flags", "audit"]
_NUMERIC = {"i", "value", "value_norm"}


def audit_marks(rows: list[dict], checks: list[dict]) -> dict[int, list[dict]]:
    """Row number (1-based) -> the audit checks that name its span."""
    at = {(r["start"], r["end"]): i for i, r in enumerate(rows, start=1)}
    marks: dict[int, list[dict]] = {}
    for c in checks:
        for span in c.get("spans", []):
            if span in at:
                marks.setdefault(at[span], []).append(c)
    return marks


def _bad(checks: list[dict]) -> list[dict]:
    return [c for c in checks if c.get("status") == "inconsistent"]


_MARK = {"inconsistent": "✗", "consistent": "✓"}


def _audit_text(checks: list[dict]) -> str:
    """✓ consistent, ✗ inconsistent, ? anything else (unverifiable): check name and expression."""
    return "; ".join(f"{_MARK.get(str(c.get('status')), '?')} {c.get('check', '')}: {c.get('expression', '')}"
                     for c in checks)


#: Characters per text block: blocks off screen are skipped by the browser's layout and paint
#: (CSS content-visibility), so a long report opens as fast as its first screen.
CHUNK = 4000


def _gap(text: str, a: int, b: int, since: int, out: list[str]) -> int:
    """Emit text[a:b] (no figure inside); start a new block at a line end once CHUNK is reached.
    Returns the characters since the last block start."""
    if since + (b - a) >= CHUNK:
        k = text.find("\n", a + max(0, CHUNK - since), b)
        if k >= 0:
            out.append(esc(text[a:k + 1]))
            out.append('</div><div class="t">')
            return _gap(text, k + 1, b, 0, out)
    out.append(esc(text[a:b]))
    return since + (b - a)


def highlighted(text: str, rows: list[dict], marks: dict[int, list[dict]]) -> tuple[str, set[int]]:
    """The escaped text, in blocks, with one <a class="fig"> per row whose quote stands at its
    offsets.  Returns the HTML and the row numbers that could not be placed (overlap, wrong offsets)."""
    out: list[str] = ['<div class="t">']
    missed: set[int] = set()
    pos = since = 0
    for i, r in enumerate(rows, start=1):
        s, e = int(r["start"]), int(r["end"])
        if s < pos or e <= s or e > len(text) or text[s:e] != (r.get("quote") or ""):
            missed.add(i)
            continue
        bad = _bad(marks.get(i, []))
        cls = kind_class(r.get("kind")) + (" bad" if bad else "")
        title = f' title="{esc(_audit_text(bad))}"' if bad else ""
        since = _gap(text, pos, s, since, out) + (e - s)
        out.append(f'<a class="fig {cls}" id="f{i}" href="#r{i}" data-i="{i}"{title}>{esc(text[s:e])}</a>')
        pos = e
    _gap(text, pos, len(text), since, out)
    out.append("</div>")
    return "".join(out), missed


def _row_html(i: int, r: dict, checks: list[dict], placed: bool) -> str:
    cells = []
    for key, _ in FIGURE_COLUMNS:
        if key == "i":
            link = f'<a href="#f{i}">{i}</a>' if placed else f'{i} <span class="bad">(not in text)</span>'
            cells.append(f'<td class="n" data-v="{i}">{link}</td>')
        elif key == "audit":
            bad = " bad" if _bad(checks) else ""
            cells.append(f'<td class="audit{bad}">{esc(_audit_text(checks))}</td>')
        elif key in _NUMERIC:
            v = r.get(key)
            cells.append(f'<td class="n" data-v="{esc(v)}">{num(v)}</td>')
        else:
            cells.append(f"<td>{esc(r.get(key))}</td>")
    return f'<tr id="r{i}">{"".join(cells)}</tr>\n'


def _panel() -> str:
    items = "".join(f'<dt>{k}</dt><dd data-k="{k}"></dd>' for k in PANEL_KEYS)
    return (f'<aside id="panel" class="panel" hidden><strong>figure</strong><dl>{items}</dl>'
            f'<a class="row" href="#figs">table</a></aside>')


def _checks_section(checks: list[dict], rows: list[dict]) -> str:
    if not checks:
        return ""
    at = {(r["start"], r["end"]): i for i, r in enumerate(rows, start=1)}
    body = []
    for c in checks:
        links = " ".join(f'<a href="#f{at[s]}">{s[0]}-{s[1]}</a>' if s in at else f"{s[0]}-{s[1]}"
                         for s in c.get("spans", []))
        cls = ' class="bad"' if c.get("status") == "inconsistent" else ""
        body.append(f"<tr><td>{esc(c.get('check'))}</td><td{cls}>{esc(c.get('status'))}</td><td>{links}</td>"
                    f"<td>{esc(c.get('expression'))}</td><td>{esc(c.get('message'))}</td></tr>\n")
    heads = [("check", "check"), ("status", "status"), ("figures", "figures"), ("expression", "expression"),
             ("message", "message")]
    return f'<section><h2>Audit checks</h2>{table("sortable", "checks", heads, "".join(body))}</section>'


def render_document(doc: dict, rows: list[dict], text: str | None, checks: list[dict], chart: str = "",
                    problems: list[str] | None = None) -> str:
    """The whole HTML page of one document."""
    marks = audit_marks(rows, checks)
    kinds = Counter(str(r.get("kind") or "") for r in rows)
    if text is not None:
        body_text, missed = highlighted(text, rows, marks)
    else:
        body_text, missed = "", set(range(1, len(rows) + 1))
    notes = list(problems or [])
    if missed and text is not None:
        notes.append(f"{len(missed)} figure(s) not highlighted: their quote is not at their offsets or overlaps another")
    note_html = "".join(f'<p class="bad">{esc(n)}</p>' for n in notes)
    meta = (f"{esc(doc.get('source'))} · {esc(doc.get('format'))} · encoding {esc(doc.get('encoding'))} · "
            f"{num(doc.get('chars'))} characters · {len(rows)} figures")
    header = (f'<header><a href="../index.html">← all documents</a><h1>{esc(doc.get("doc_id"))}</h1>'
              f'<p class="meta">{meta}</p>{legend(kinds)}{note_html}<div class="charts">{chart}</div></header>')
    text_html = (f'<main class="doc"><div id="text" class="text">{body_text}</div>{_panel()}</main>'
                 if text is not None else f'<main class="doc">{_panel()}</main>')
    rows_html = "".join(_row_html(i, r, marks.get(i, []), i not in missed) for i, r in enumerate(rows, start=1))
    figures = (f'<section class="figures"><h2>Figures</h2>'
               f'{table("sortable", "figs", FIGURE_COLUMNS, rows_html)}</section>')
    return page(str(doc.get("doc_id")), header + text_html + _checks_section(checks, rows) + figures)
