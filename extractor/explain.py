"""`zhibiao explain`: show, step by step, how a sentence becomes rows.

Why: a user who sees a miss (a figure not found, a wrong kind, a wrong indicator) needs to see
where it went wrong — which normalisation step changed the text, how jieba cut the clause, which
candidates the scan found and which exclusion or check dropped them, which kind rule fired — before
editing `rules/`.  Everything printed comes from the same functions `extract` uses.
"""

from __future__ import annotations

import argparse
import bisect
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from . import segment
from .attribute import prepare
from .normalise import Norm, normalise
from .pipeline import SENTENCE_END, DocMeta, Figure, candidate_decisions, find_figures, to_rows
from .rules import Rules, load_rules

#: Row fields printed for each figure (the rest are in `extract`'s table).
ROW_FIELDS = ("start", "end", "quote", "value", "value_high", "unit", "value_norm", "unit_norm", "qualifier",
              "kind", "direction", "indicator", "indicator_id", "subject", "period", "basis", "rule", "flags")
#: A sentence is cut at this many characters either side of the offset when no 。 ends it.
MAX_SIDE = 300


@dataclass
class Window:
    """The part of the original text being explained: [start, end)."""

    start: int
    end: int


def sentence_window(text: str, at: int) -> Window:
    """The sentence of the original text around offset `at`, as the pipeline sees sentences:
    bounds are found in the normalised text (a PDF line wrap inside a sentence is no boundary)
    and mapped back through the offset map.  Bounded for texts with no 。."""
    if not 0 <= at <= len(text):
        raise ValueError(f"offset {at} outside the text (0..{len(text)})")
    norm = normalise(text)
    if not norm.text:
        return Window(0, len(text))
    i = min(max(bisect.bisect_right(norm.starts, at) - 1, 0), len(norm.text) - 1)
    t = norm.text
    start = max(0, i - MAX_SIDE)
    for m in SENTENCE_END.finditer(t, start, i):
        start = m.end()
    m = SENTENCE_END.search(t, i, min(len(t), i + MAX_SIDE))
    end = m.end() if m else min(len(t), i + MAX_SIDE)
    if end <= start:
        end = min(len(t), start + 1)
    a, b = norm.orig_span(start, end)
    return Window(a, b)


def _show(s: str) -> str:
    return s.replace("\n", "⏎")


def _in_window(norm: Norm, win: Window, a: int, b: int) -> bool:
    oa, ob = norm.orig_span(a, b)
    return oa < win.end and win.start < ob


def _steps(out: TextIO, sentence: str) -> Norm:
    """Normalise the sentence alone and print what each step changed in it."""
    norm = normalise(sentence)
    print("== normalisation (each step, what it changed)", file=out)
    for rec in norm.steps:
        if not rec.changes:
            print(f"  {rec.name}: no change", file=out)
            continue
        print(f"  {rec.name}: {rec.changes} change(s)", file=out)
        for before, after in rec.examples:
            print(f"      {_show(before)!s}  →  {_show(after)}", file=out)
    print(f"  result: {_show(norm.text)}", file=out)
    return norm


def _tokens(out: TextIO, text: str, rules: Rules) -> None:
    """The tokens attribution sees: the segmenter taught the lexicon's words first (as _tag does),
    else a fresh process would show tokens the pipeline never uses."""
    print(f"== tokens with POS tags ({segment.backend_name()})", file=out)
    lex = rules.extra.get("lexicon")
    if lex is not None:
        prepare(lex)
    toks = segment.tag(text)
    print("  " + " ".join(f"{w}/{t}" for w, t in toks if w.strip()), file=out)


def _candidates(out: TextIO, norm: Norm, rules: Rules, win: Window) -> None:
    print("== candidates (scan, then acceptance and exclusions)", file=out)
    found = False
    for c, reason in candidate_decisions(norm.text, rules):
        if not _in_window(norm, win, c.start, c.end):
            continue
        found = True
        what = f"unit {c.unit!r} ({c.family})" if c.unit else "no unit"
        if c.kind_hint == "rank":
            what = f"rank pattern {c.rule_hint}"
        verdict = "kept" if not reason else f"dropped: {reason}"
        print(f"  {norm.text[c.start:c.end]!r}: number {c.number_text!r}, {what}, qualifier {c.qualifier} "
              f"-> {verdict}", file=out)
    if not found:
        print("  (none: no number followed by a known unit; see rules/units.yaml)", file=out)


def _rule_text(rules: Rules, fig: Figure) -> str:
    """The rule that gave the kind, with the conditions it checks."""
    if "coordinated" in fig.flags:
        return f"{fig.rule} (inherited: coordinated with the figure before it)"
    if fig.cand.kind_hint == "rank":
        pat = next((p.pattern for rid, p in rules.ranks if rid == fig.rule), "")
        return f"{fig.rule} (patterns/ranks.yaml: {pat})"
    rule = next((r for r in rules.kind_rules if r.id == fig.rule), None)
    if rule is None:
        return fig.rule or "(no rule held: level)"
    conds = [f"families={sorted(rule.families)}"] if rule.families else []
    conds += [f"{k}={getattr(rule, k).pattern!r}" for k in ("before", "after", "clause") if getattr(rule, k)]
    conds += [f"section={rule.section}"] if rule.section else []
    return f"{rule.id} (patterns/kinds.yaml: {', '.join(conds) or 'always'})"


def explain_text(text: str, rules: Rules, window: Window | None = None, meta: DocMeta | None = None,
                 out: TextIO | None = None) -> list[dict]:
    """Print how `text[window]` is processed; return its rows (offsets index `text`).

    The whole text is extracted (sections and clause chains depend on it) and only what falls in
    the window is shown, so the rows are exactly those `extract` gives for that part."""
    win = window or Window(0, len(text))
    meta = meta or DocMeta()
    out = out or sys.stdout
    sentence = text[win.start:win.end]
    print(f"== text [{win.start}:{win.end}]: {_show(sentence)}", file=out)
    snorm = _steps(out, sentence)
    _tokens(out, snorm.text, rules)
    norm = normalise(text)
    _candidates(out, norm, rules, win)
    figures = [f for f in find_figures(norm, rules, meta) if _in_window(norm, win, f.cand.start, f.cand.end)]
    print("== figures (the rule that fired)", file=out)
    for f in figures:
        print(f"  {norm.text[f.cand.start:f.cand.end]!r}: kind {f.kind}{' ' + f.direction if f.direction else ''}"
              f" <- {_rule_text(rules, f)}", file=out)
        if f.context is not None:
            c = f.context
            print(f"      looked at: before={_show(c.before)!r} after={_show(c.after)!r} section={c.section}",
                  file=out)
    rows = to_rows(figures, norm, meta)
    print(f"== rows ({len(rows)})", file=out)
    for r in rows:
        print("  " + ", ".join(f"{k}={r[k]!r}" for k in ROW_FIELDS if r.get(k) not in ("", None)), file=out)
    return rows


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("explain", help="show how a sentence becomes rows (steps, tokens, candidates, rules)",
                       description="Explain, step by step, how a sentence (or the sentence at an offset of a "
                                   "file) is normalised, cut, scanned and classified.")
    p.add_argument("text", nargs="?", help="the sentence to explain")
    p.add_argument("--file", help="a report; explains the sentence around --at")
    p.add_argument("--at", type=int, help="character offset in the decoded file (as in the table's start)")
    p.add_argument("--encoding", help="decode the file with this encoding instead of detecting it")
    p.add_argument("--rules", help="rules folder (default: rules/ of this installation)")
    p.set_defaults(func=cmd_explain)


def cmd_explain(args: argparse.Namespace) -> int:
    from .errors import ZhibiaoError
    from .sources import read_document

    rules = load_rules(args.rules)
    if args.file:
        if args.at is None:
            raise ZhibiaoError("explain: --file needs --at OFFSET")
        doc = read_document(Path(args.file), Path(args.file).name, args.encoding)
        try:
            win = sentence_window(doc.text, args.at)
        except ValueError as exc:
            raise ZhibiaoError(f"{args.file}: {exc}") from None
        explain_text(doc.text, rules, win, DocMeta(doc_id=doc.doc_id, source=args.file))
        return 0
    if not args.text:
        raise ZhibiaoError("explain: give a sentence, or --file PATH --at OFFSET")
    explain_text(args.text, rules)
    return 0
