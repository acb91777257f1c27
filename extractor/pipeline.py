"""One document's text in, indicator rows out.

document text -> normalise (offset map) -> scan candidates -> exclusions and acceptance
-> kinds -> attribution -> rows whose start/end index the ORIGINAL text.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import regex

from .attribute import Attribution, Prior, Site, attribute
from .kinds import Context, classify
from .kinds import _index as kinds_index
from .lexicon import Lexicon
from .locality import Local, Runs, alphabet, literal_twin
from .normalise import Norm, normalise
from .periods import resolve_period
from .prefilter import Gate, literal_window, required_literals
from .qualify import lead_qualifier_for
from .rules import Rules
from .scan import Candidate, scan, scan_ranks
from .scan import _compiled as scan_pattern
from .texttables import table_candidates

SENTENCE_END = regex.compile(r"[。！？!?\n]")
CLAUSE_END = regex.compile(r"[。！？!?\n，,；;：:]")
_COORD = regex.compile(r"^\s*(?:和|、|及|与|以及|或|,|，|/)\s*$")
_YEAR = regex.compile(r"(截至|截止|到)?((?:19|20)\d{2})年(底|末|初|年初|上半年|前三季度)?")
_HEADING = regex.compile(r"(?m)^[ \t\u3000]*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|附件\s*\d*)?[^\n]{0,40}$")
_NUMBERING = regex.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.．、])|(?:19|20)\d{2}年?")
_FIGURE_IN_LINE = regex.compile(r"\d")
_SENTENCE_START = regex.compile(r"(?:^|[。！？\n])[ \t\u3000]*")
_SENTENCE_END_CHARS = "。！？\n"  # the characters _SENTENCE_START starts with (besides the text start)
_HAN = regex.compile(r"[\p{Han}]")
_SMALL_ONE_UNITS = set("个项所家场期次件批条座名位人户套张架台辆处种类部篇本只头门节间")


@dataclass
class DocMeta:
    """What is known about a document before reading it (the panel issue fills more)."""

    doc_id: str = ""
    source: str = ""
    year: int | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Figure:
    cand: Candidate
    kind: str = "level"
    direction: str = ""
    rule: str = ""
    indicator: str = ""
    indicator_raw: str = ""
    indicator_id: str = ""
    subject: str = ""
    period: str = ""
    basis: str = ""
    flags: list[str] = field(default_factory=list)
    clause_start: int = 0
    sentence_start: int = 0
    #: the text the kind rules looked at (kept for `explain`)
    context: Context | None = None
    #: what attribution returned, kept so later figures of the chain need not rebuild it
    attribution: Attribution | None = None


def _exclusion_spans(text: str, rules: Rules, near: list[tuple[int, int]] | None = None) -> list[tuple[int, int, str]]:
    """The exclusion matches, sorted; with `near`, possibly only those in the pieces of text around
    those intervals (locality.Local), which give every interval the answer of _overlapping_id the
    whole list gives: see _near_spans."""
    if near is not None:
        return _near_spans(text, rules, near)
    spans: list[tuple[int, int, str]] = []
    for ex_id, _kind, pat in rules.exclusions:
        _search_whole(text, rules, ex_id, pat, spans)
    spans.sort()
    return spans


def _search_whole(text: str, rules: Rules, ex_id: str, pat: regex.Pattern,
                  spans: list[tuple[int, int, str]]) -> None:
    may_match = _doc_gate(rules, pat)
    if may_match is not None and not may_match(text):
        return  # the document lacks every literal a match needs: the search would find nothing
    try:
        for m in pat.finditer(text, timeout=2.0):
            if m.end() > m.start():
                spans.append((m.start(), m.end(), ex_id))
    except TimeoutError:
        return


def _near_spans(text: str, rules: Rules, near: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The exclusion spans that can decide _overlapping_id for the intervals `near`.

    Why this is the same answer: for an interval [a, b), _overlapping_id looks back from the last
    span starting before b over at most 40 spans, for the first that overlaps; so its answer is
    fixed by the spans starting in [s, b), s the start of the overlapping span found (when none
    overlaps it is "" either way).  A pattern with a known alphabet (locality.alphabet) is searched
    only in the pieces around the intervals and around the spans of the other patterns (searched
    whole): every span of it that overlaps [a, b), or starts in [s, b), lies in a run of the
    union alphabet that meets [a, b) or [s, e) of the overlapping span, and so in a piece."""
    local_pats, runs, twins = _local_plan(rules)
    spans: list[tuple[int, int, str]] = []
    for ex_id, _kind, pat in rules.exclusions:
        if pat not in local_pats:
            _search_whole(text, rules, ex_id, pat, spans)
    if not local_pats:
        spans.sort()
        return spans
    local = Local(text, itertools.chain(near, ((s, e) for s, e, _id in spans)), runs)
    for ex_id, _kind, pat in rules.exclusions:
        if pat not in local_pats:
            continue
        may_match = _doc_gate(rules, pat)
        if may_match is not None and not may_match(local.joined):
            continue  # the pieces lack every literal a match needs
        try:
            spans += [(s, e, ex_id) for s, e in local.spans(twins.get(pat, pat), 2.0)]
        except TimeoutError:
            return _exclusion_spans(text, rules)  # what the whole-text searches give, timeouts and all
    spans.sort()
    return spans


_Plan = tuple[frozenset[regex.Pattern], Runs | None, dict[regex.Pattern, re.Pattern]]


def _local_plan(rules: Rules) -> _Plan:
    """The exclusion patterns searched only near candidates, the run finders of their union
    alphabet, and the standard-engine twins of the literal ones (computed once per list of
    patterns, and kept with the rules: Rules.derived)."""
    key = tuple(pat for _id, _kind, pat in rules.exclusions)
    entry = rules.derived.get("pipeline.local_plan")
    if entry is None or entry[0] != key:
        alphabets = {pat: a for pat in key if (a := alphabet(pat)) is not None}
        union = "".join(dict.fromkeys(alphabets.values()))
        twins = {pat: twin for pat in alphabets if (twin := literal_twin(pat)) is not None}
        entry = rules.derived["pipeline.local_plan"] = (
            key, (frozenset(alphabets), Runs(union) if union else None, twins))
    return entry[1]


def _doc_gate(rules: Rules, pat: regex.Pattern) -> Gate | None:
    """prefilter.gate for a whole-document search, kept only when it is a few plain `in` tests
    (a gate that is itself a regex over the document would cost about what it saves)."""
    gates = rules.derive("pipeline.doc_gates", lambda _rules: {})
    if pat not in gates:
        req = required_literals(pat.pattern, pat.flags)
        gates[pat] = any_in(tuple(sorted(req))) if req and len(req) <= 4 else None
    return gates[pat]


def prepare(rules: Rules) -> Rules:
    """Build now what the first document would build from these rules (Rules.derived): the rules
    cache (rulecache) then carries it to every later process, which skips building it."""
    scan_pattern(rules)
    lead_qualifier_for(rules)
    kinds_index(rules)
    _local_plan(rules)
    for _id, _kind, pat in rules.exclusions:
        _doc_gate(rules, pat)
    return rules


def any_in(literals: tuple[str, ...]) -> Gate:
    """True for a text holding one of `literals`: plain `in` tests (picklable: see rulecache)."""
    test = lambda text: any(lit in text for lit in literals)  # noqa: E731
    test.rebuild = (any_in, (literals,))  # type: ignore[attr-defined]
    return test


def _overlaps(spans: list[tuple[int, int, str]], starts: list[int], a: int, b: int) -> bool:
    return bool(_overlapping_id(spans, starts, a, b))


def _overlapping_id(spans: list[tuple[int, int, str]], starts: list[int], a: int, b: int,
                    reach: list[int] | None = None) -> str:
    """The id of an exclusion span overlapping [a, b), or "" (explain names it).

    `reach[k]` (optional) is the furthest end among spans[:k + 1]: when no span up to the last one
    starting before b ends after a, none of the spans looked at can overlap, and the look-back is skipped."""
    i = bisect.bisect_left(starts, b)
    if reach is not None and (i == 0 or reach[i - 1] <= a):
        return ""
    for k in range(i - 1, max(-1, i - 40), -1):
        s, e, ex_id = spans[k]
        if e > a and s < b:
            return ex_id
    return ""


def _reach(spans: list[tuple[int, int, str]]) -> list[int]:
    """Running maximum of the span ends (for _overlapping_id's early exit)."""
    out, far = [], -1
    for _s, e, _id in spans:
        far = max(far, e)
        out.append(far)
    return out


def accept(c: Candidate, text: str) -> bool:
    """Is this candidate a figure at all?  (Exclusions are applied separately.)"""
    return not reject_reason(c, text)


def reject_reason(c: Candidate, text: str) -> str:
    """Why this candidate is not a figure ("" when it is): `explain` prints the reason."""
    if c.kind_hint == "rank":
        return ""
    unit_obj = c.unit_obj  # c.family without the property call (asked of every candidate)
    if unit_obj is not None and unit_obj.family == "time":
        return "time unit"
    num = c.number_text
    prev = text[c.start - 1] if c.start > 0 else ""
    if prev == "第" or prev == "每":
        return f"ordinal or per-unit ({prev} before the number)"
    if not c.unit and "/" not in num:  # a bare fraction (占全省总数的1/7) is a figure
        return "no unit"
    if c.chinese:
        if num == "一" and c.qualifier == "exact":
            return "bare 一 (an article, not a count)"
        if num in ("十", "百", "千", "万", "亿", "万亿", "千万", "百万") and c.qualifier == "exact":
            return "bare scale word without qualifier"
        if num in ("一", "两", "二") and c.unit in _SMALL_ONE_UNITS and text[c.end:c.end + 1] in "一":
            return "idiom (一个一个)"
        if prev and len(num) == 1 and num[0] in "一" and _HAN.match(prev):
            return "一 inside a word"
    elif text[c.start:c.start + 1] == "0" and len(num) > 1 and num[1:2].isdigit():
        return "leading zero (a code or date part)"  # "05" is a code or a date part, not a quantity
    return ""


def candidate_decisions(text: str, rules: Rules) -> list[tuple[Candidate, str]]:
    """Every candidate with the reason it was dropped ("" when kept), sorted by start.

    Why: `find_figures` keeps the kept ones (kept_candidates); `explain` shows the dropped ones and why."""
    cands, reasons, ranks = _decisions(text, rules)
    out = list(zip(cands, reasons, strict=True))
    out += [(r, "") for r in ranks]
    out.sort(key=lambda cr: cr[0].start)
    return out


def kept_candidates(text: str, rules: Rules) -> list[Candidate]:
    """The candidates candidate_decisions keeps, in its order: `[c for c, r in
    candidate_decisions(text, rules) if not r]`, without a pair and a sort key for each of the
    ~3x as many dropped ones.  Why the same order: that list is a stable sort by start of the
    scan's candidates followed by the ranks; keeping a subset of a stable sort keeps its order,
    which is the stable sort by start of the kept candidates followed by the ranks."""
    cands, reasons, ranks = _decisions(text, rules)
    kept = [c for c, reason in zip(cands, reasons, strict=True) if not reason]
    kept += ranks
    kept.sort(key=_start)
    return kept


_start = operator.attrgetter("start")


def _decisions(text: str, rules: Rules) -> tuple[list[Candidate], list[str], list[Candidate]]:
    """The scan's candidates, the reason each is dropped ("" when kept), and the ranks (all kept)."""
    cands = scan(text, rules)
    reasons = [reject_reason(c, text) for c in cands]
    # only the kept candidates ask about exclusions: only their neighbourhoods are searched
    excl = _exclusion_spans(text, rules, [(c.start, c.end) for c, r in zip(cands, reasons, strict=True) if not r])
    excl_starts = [s for s, _, _ in excl]
    reach = _reach(excl)
    ranks = scan_ranks(text, rules)
    hits_rank = _rank_overlap_test(ranks)
    for i, (c, reason) in enumerate(zip(cands, reasons, strict=True)):
        if reason:
            continue
        ex_id = _overlapping_id(excl, excl_starts, c.start, c.end, reach)
        if ex_id:
            reasons[i] = f"exclusion {ex_id}"
        elif hits_rank(c.start, c.end):
            # a rank replaces any candidate it overlaps (全省第一 is not "一")
            rank = next((r for r in ranks if r.start < c.end and c.start < r.end), None)
            reasons[i] = f"inside rank {rank.rule_hint}" if rank is not None else ""
    return cands, reasons, ranks


def _rank_overlap_test(ranks: list[Candidate]) -> Callable[[int, int], bool]:
    """Does any rank overlap [a, b)?  A bisection over the ranks (which never overlap each other,
    so sorted by start their ends are sorted too) instead of a pass over all of them per candidate."""
    if not ranks:
        return lambda a, b: False
    spans = sorted((r.start, r.end) for r in ranks)
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]

    def hits(a: int, b: int) -> bool:
        k = bisect.bisect_right(ends, a)  # the first rank ending after a
        return k < len(starts) and starts[k] < b

    return hits


def _sections(text: str, rules: Rules, year: int | None) -> tuple[list[int], list[str]]:
    """Positions where a plan or review section starts: headings, and review lead-ins
    ("过去一年，…") whose paragraph reports outcomes inside a plan section."""
    pos, state = [0], ["review"]
    for at, found in _heading_lines(text):
        line = found.strip()
        if not line or line.endswith(("。", "；")) or _FIGURE_IN_LINE.search(_NUMBERING.sub("", line)):
            continue  # a short line that states a figure is a sentence, not a heading
        new = _heading_state(line, rules)
        if new and new != state[-1]:
            pos.append(at)
            state.append(new)
    leads = [p for p in rules.sections.get("review_lead", [])]
    if not leads or "plan" not in state:
        return pos, state
    events = list(zip(pos, state, strict=True))
    for at in _lead_starts(text, pos, state, leads):
        end = text.find("\n", at)
        events += [(at, "review"), (len(text) if end < 0 else end, "plan")]
    events.sort(key=lambda e: e[0])
    return [e[0] for e in events], [e[1] for e in events]


#: what a line starts with, after its blanks, when _HEADING's numbering can be there (keep in step)
_HEADING_LEAD = frozenset("一二三四五六七八九十(（附")
_HEADING_BLANKS = " \t\u3000"
_HEADING_MAX = 40  # the {0,40} of _HEADING


def _heading_lines(text: str) -> Iterator[tuple[int, str]]:
    """(start, text) of the non-empty _HEADING.finditer(text) matches, without the regex scan.

    Why: the scan tries every character (a fifth of _sections), but `^` only matches at a line
    start, and there a line whose text after its blanks does not begin with a numbering
    (_HEADING_LEAD) is a match, the whole line, exactly when that text is at most 40 characters
    (fewer blanks taken only leaves more).  Lines that do begin with one are matched by the
    pattern itself (附件\\s* may run on to the next line); the scan resumes where a match ends."""
    resume = 0
    at = 0
    for line in text.split("\n"):
        start, at = at, at + len(line) + 1
        if start < resume or not line:
            continue  # inside the last match, or an empty line (an empty match)
        rest = line.lstrip(_HEADING_BLANKS)
        if rest and rest[0] in _HEADING_LEAD:
            m = _HEADING.match(text, start)
            if m is not None and m.end() > start:
                resume = m.end()
                yield start, m.group()
        elif len(rest) <= _HEADING_MAX:
            resume = start + len(line)
            yield start, line


def _lead_starts(text: str, pos: list[int], state: list[str], leads: list[regex.Pattern]) -> Iterator[int]:
    """The sentence starts inside plan sections (in order) where a review lead matches.

    Why not try every sentence start: a lead needs one of its literals (过去一年, 去年, …) within
    its longest match from the start, so only the sentence starts just before an occurrence of
    one can hold a lead.  Leads whose literals or width are unknown are tried everywhere."""
    windows = [_literal_window(p.pattern, p.flags) for p in leads]
    if not all(windows):
        starts: Iterable[int] = _plan_sentence_starts(text, pos, state)
    else:
        lits = frozenset().union(*(w[0] for w in windows))
        width = max(w[1] for w in windows)
        starts = (at for lo, hi, _last in _plan_spans(text, pos, state)
                  for wlo, whi in _near_literals(text, lits, width, lo, hi)
                  for at in _sentence_starts_in(text, wlo, whi, False))
    for at in starts:
        if any(p.match(text, at) for p in leads):
            yield at


@lru_cache(maxsize=256)
def _literal_window(pattern: str, flags: int) -> tuple[frozenset[str], int] | None:
    """prefilter.literal_window, kept: it parses the pattern, and every document asks it again."""
    return literal_window(pattern, flags)


def _near_literals(text: str, lits: frozenset[str], width: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """Merged windows [a, b) inside [lo, hi) of the starts from which an occurrence of a literal lies
    within `width` characters (a match starting at `at` lies in [at, at + width))."""
    found = []
    for lit in lits:
        i = text.find(lit, lo, hi + width)
        while i >= 0:
            found.append((max(lo, i + len(lit) - width), min(hi, i + 1)))
            i = text.find(lit, i + 1, hi + width)
    merged: list[tuple[int, int]] = []
    for a, b in sorted(found):
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _plan_spans(text: str, pos: list[int], state: list[str]) -> Iterator[tuple[int, int, bool]]:
    """[lo, hi) of each plan section, and whether it runs to the end of the text."""
    for i, name in enumerate(state):
        if name != "plan":
            continue
        last = i + 1 == len(pos)
        lo, hi = pos[i], len(text) if last else pos[i + 1]
        if lo < hi or last:  # (an empty one: a heading at the same position replaces this state)
            yield lo, hi, last


def _plan_sentence_starts(text: str, pos: list[int], state: list[str]) -> Iterator[int]:
    """The ends of the _SENTENCE_START matches (in order) that lie in a plan section."""
    for lo, hi, last in _plan_spans(text, pos, state):
        yield from _sentence_starts_in(text, lo, hi, last)


def _sentence_starts_in(text: str, lo: int, hi: int, to_end: bool) -> Iterator[int]:
    """The ends of the _SENTENCE_START matches of the whole text that lie in [lo, hi) ([lo, hi]
    when `to_end`), without scanning the text before: a match is a sentence end (or the text start)
    plus the blanks after it, so it never spans a sentence-end character it does not start with,
    and the scan is in step at the last one before lo."""
    sync = max(0, max(text.rfind(ch, 0, lo) for ch in _SENTENCE_END_CHARS))
    for m in _SENTENCE_START.finditer(text, sync):
        at = m.end()
        if at >= hi and not to_end:
            break
        if at >= lo:
            yield at


def _heading_state(line: str, rules: Rules) -> str:
    """plan or review for a heading; when it names both, the one it names first."""
    found = []
    for name in ("plan", "review"):
        hits = [m.start() for p in rules.sections[name] for m in [p.search(line)] if m]
        if hits:
            found.append((min(hits), name))
    return min(found)[1] if found else ""


def _span_start(bounds: list[int], i: int) -> int:
    k = bisect.bisect_left(bounds, i) - 1
    return bounds[k] + 1 if k >= 0 else 0


def _span_end(bounds: list[int], i: int, n: int) -> int:
    k = bisect.bisect_left(bounds, i)
    return bounds[k] if k < len(bounds) else n


def _with_table_cells(text: str, rules: Rules, cands: list[Candidate]) -> tuple[list[Candidate], dict[int, str]]:
    """Add the bare numbers of plain-text tables (unit from their 单位 line); return the column
    header of every table cell, the context a cell's kind is read from."""
    table, headers = table_candidates(text, rules)
    if not table:
        return cands, headers
    # cands is sorted by start: those starting before a cell ends are a prefix, and one of them
    # overlaps the cell when the furthest end in that prefix lies after the cell's start
    starts = [c.start for c in cands]
    reach = list(itertools.accumulate((c.end for c in cands), max))
    extra = [t for t in table if not _reaches(starts, reach, t.start, t.end)]
    if not extra:
        return cands, headers
    return sorted(cands + extra, key=lambda c: c.start), headers


def _reaches(starts: list[int], reach: list[int], a: int, b: int) -> bool:
    """Does a span among those with `starts` (sorted; running max of their ends `reach`) overlap [a, b)?"""
    k = bisect.bisect_left(starts, b)
    return k > 0 and reach[k - 1] > a


#: the boundary patterns searched backwards, for "the last end before this figure"
_CLAUSE_END_BACK = regex.compile("(?r)" + CLAUSE_END.pattern)
_SENTENCE_END_BACK = regex.compile("(?r)" + SENTENCE_END.pattern)


def _figure_spans(text: str, cands: list[Candidate]) -> Iterator[tuple[int, int, int]]:
    """For each candidate (sorted by start): its sentence start, clause start and clause end,
    as _span_start/_span_end give them over every SENTENCE_END/CLAUSE_END position.

    Why not those lists: a document has ~10 clause ends per figure.  Here only the text between
    one figure and the next is searched (backwards, for the last end before the figure; every
    sentence end is a clause end, so no clause end there means no sentence end either), and a
    clause end found after one figure serves the next figures ending before it."""
    n = len(text)
    at = s0 = c0 = 0  # no end lies in [at, …) before the figure at `at`: s0, c0 are its starts
    c1_from, c1 = -1, -1  # no clause end lies in [c1_from, c1); c1 is one (or n)
    back_clause, back_sentence, clause_end = _CLAUSE_END_BACK.search, _SENTENCE_END_BACK.search, CLAUSE_END.search
    for c in cands:
        if c.start < at:  # out of order: start over
            at = s0 = c0 = 0
        m = back_clause(text, at, c.start)
        if m is not None:
            c0 = m.start() + 1
            m = back_sentence(text, at, c.start)
            if m is not None:
                s0 = m.start() + 1
        at = c.start
        if not c1_from <= c.end <= c1:
            m = clause_end(text, c.end)
            c1_from, c1 = c.end, (m.start() if m is not None else n)
        yield s0, c0, c1


def find_figures(norm: Norm, rules: Rules, meta: DocMeta | None = None) -> list[Figure]:
    """Candidates -> accepted figures with kind and attribution, in normalised coordinates."""
    meta = meta or DocMeta()
    text = norm.text
    cands = kept_candidates(text, rules)
    cands, headers = _with_table_cells(text, rules, cands)
    sec_pos, sec_state = _sections(text, rules, meta.year)
    lead = lead_qualifier_for(rules)
    kind_index = kinds_index(rules)  # once per document, not per figure
    figures: list[Figure] = []
    for c, (s0, c0, c1) in zip(cands, _figure_spans(text, cands), strict=True):
        prev = figures[-1] if figures else None
        same_clause = prev is not None and prev.cand.end > c0
        before_start = max(c0, prev.cand.end) if same_clause else c0
        section = sec_state[bisect.bisect_right(sec_pos, c.start) - 1]
        ctx = Context(
            before=headers.get(c.start) or text[before_start:c.start].rstrip(),
            after=text[c.end:c1],
            clause=text[c0:c1],
            sentence_before=text[s0:c.start],
            section=section,
        )
        fig = Figure(c, clause_start=c0, sentence_start=s0, context=ctx)
        if c.qualifier == "exact":
            c.qualifier = lead(text[c0:c.start]) or "exact"
        if c.kind_hint == "rank":
            fig.kind, fig.rule = "rank", c.rule_hint
        elif same_clause and _COORD.match(ctx.before) and prev.cand.family == c.family and prev.kind != "rank":
            fig.kind, fig.direction, fig.rule = prev.kind, prev.direction, prev.rule
            fig.flags.append("coordinated")
        else:
            rule = classify(rules, c.family, ctx, kind_index)
            if rule is not None:
                fig.kind, fig.direction, fig.rule = rule.kind, rule.direction, rule.id
        _attribute(fig, ctx, figures, text, meta, rules)
        figures.append(fig)
    _flag(figures, norm)
    return figures


def _attribute(fig: Figure, ctx: Context, figures: list[Figure], text: str, meta: DocMeta,
               rules: Rules | None = None) -> None:
    """Indicator (lexicon or phrase), subject and basis from attribute.py; the clause chain is `figures`."""
    c = fig.cand
    lex = rules.extra.get("lexicon") if rules is not None else None
    if lex is None:
        lex = Lexicon()
    # the clause chain runs to the last 。！？ (a line break inside a sentence, as in PDF text, does not end it)
    at, c0 = c.start, fig.clause_start
    lo = max(0, at - 300)  # bounded: a 250 kB line without 。 must not make this quadratic
    last_end = max(text.rfind("。", lo, at), text.rfind("！", lo, at), text.rfind("？", lo, at))
    chain = min(max(last_end + 1, lo), fig.sentence_start)
    site = Site(fig.kind, c.family, c.unit, ctx.before, ctx.after, text[c0:at], text[chain:at])
    # Prior built with tuple.__new__: the named tuple's generated __new__ costs ~3x, a dozen a figure
    prior = [_new_prior(Prior, (f.attribution or _attribution_of(f), f.cand.family, f.kind, f.clause_start == c0))
             for f in figures[-12:] if f.cand.start >= chain]
    a = fig.attribution = attribute(site, lex, prior)
    fig.indicator, fig.indicator_raw, fig.indicator_id = a.indicator, a.indicator_raw, a.indicator_id
    fig.subject, fig.basis = a.subject, a.basis
    # resolve_period itself, not the _period wrapper: one call less per figure, the same arguments
    fig.period = resolve_period(text, fig.sentence_start, at, meta, section=ctx.section, kind=fig.kind, end=c.end,
                                rules=rules)


_new_prior = tuple.__new__


def _attribution_of(f: Figure) -> Attribution:
    """A figure's attribution as attribute() returns it (for a figure made without one)."""
    return Attribution(f.indicator, f.indicator_raw, f.subject, f.basis, f.indicator_id)


def _flag(figures: list[Figure], norm: Norm) -> None:
    if not norm.flags:
        return
    for f in figures:
        for a, b, flag in norm.flags:
            if a < f.cand.end and f.cand.start < b:
                f.flags.append(flag)  # the figure stands inside repaired or damaged text
            elif a - 10 < f.cand.end and f.cand.start < b + 10:
                f.flags.append(f"{flag}_nearby")


_ONE = Decimal(1)


def _plain_class(pattern: regex.Pattern) -> re.Pattern | None:
    """The pattern compiled by the standard library when it is one class of literal characters
    ([。！？!?\\n]): then both engines find the same, and the standard one costs less a call."""
    src = pattern.pattern
    if pattern.flags & ~(regex.V0 | regex.UNICODE) or not _LITERAL_CLASS.fullmatch(src):
        return None
    return re.compile(src)


_LITERAL_CLASS = re.compile(r"\[(?:[^\\\]\[^&|~-]|\\n)+\]")
#: SENTENCE_END.search, by the cheaper engine when the pattern allows it
_sentence_end = (_plain_class(SENTENCE_END) or SENTENCE_END).search


def to_rows(figures: list[Figure], norm: Norm, meta: DocMeta) -> list[dict]:
    """Figures -> table rows; spans mapped back to the original text."""
    orig = norm.original
    text = norm.text
    n = len(text)
    marks, pieces = norm.marks, norm.pieces
    doc_id, source = meta.doc_id, meta.source
    # the last sentence-end search: where it started and the first sentence end at or after that
    # (len(text): none).  A figure between the two has the same sentence end: figures come in
    # sentences, so most rows need no search (was: every sentence end listed, then bisected).
    searched_from = found = -1
    floats: dict[Decimal, float] = {}  # a document's few scales, each converted once
    last_s0 = last_s1 = -1  # the last sentence quoted, and its text: figures share one
    last_sentence = ""
    rows = []
    for f in figures:
        c = f.cand
        cs, ce = c.start, c.end
        if 0 <= cs < ce <= n:  # norm.orig_span(cs, ce), inline: every row asks it
            a, _, sa = pieces[bisect.bisect_right(marks, cs) - 1]
            _, b, sb = pieces[bisect.bisect_right(marks, ce - 1) - 1]
            start, end = a + sa * cs, b + sb * (ce - 1)
        else:
            start, end = norm.orig_span(cs, ce)
        s0 = f.sentence_start
        if not searched_from <= ce <= found:
            m = _sentence_end(text, ce)
            searched_from, found = ce, (m.start() if m else n)
        s1 = found
        if s1 <= s0:
            sentence = orig[start:end].strip()
        elif s0 == last_s0 and s1 == last_s1:
            sentence = last_sentence
        else:
            ss, se = norm.orig_span(s0, s1)
            sentence = last_sentence = orig[ss:se].strip()
            last_s0, last_s1 = s0, s1
        num = c.number_text
        num_pos = text.find(num, cs, ce)
        if num_pos >= 0:
            # orig_span(num_pos, num_end), reusing the figure's own ends where they coincide
            num_end = num_pos + len(num)
            ns = start if num_pos == cs else norm.start_of(num_pos)
            ne = end if num_end == ce else norm.end_of(num_end - 1)
            number_text = orig[ns:ne]
        else:
            number_text = num
        unit = c.unit_obj
        scale = unit.scale if unit else _ONE
        multiplier = floats.get(scale)
        if multiplier is None:
            multiplier = floats[scale] = float(scale)
        value = c.value
        high = c.value_high
        rows.append(
            {
                "doc_id": doc_id,
                "source": source,
                "start": start,
                "end": end,
                "quote": orig[start:end],
                "sentence": sentence,
                "number_text": number_text,
                "value": float(value),
                "value_high": float(high) if high is not None else None,
                "unit": c.unit,
                "multiplier": multiplier,
                "value_norm": float(value * scale),
                "unit_norm": unit.base if unit else "",
                "qualifier": c.qualifier,
                "kind": f.kind,
                "direction": f.direction,
                "indicator": f.indicator,
                "indicator_raw": f.indicator_raw,
                "subject": f.subject,
                "period": f.period,
                "basis": f.basis,
                "rule": f.rule,
                "flags": " ".join(dict.fromkeys(f.flags + c.flags)) if f.flags or c.flags else "",
                "indicator_id": f.indicator_id,
            }
        )
    return rows


def extract_text(text: str, rules: Rules, meta: DocMeta | None = None) -> list[dict]:
    """The whole pipeline for one decoded document text."""
    meta = meta or DocMeta()
    norm = normalise(text)
    return to_rows(find_figures(norm, rules, meta), norm, meta)
