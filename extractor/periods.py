"""When a figure holds: resolve a row's `period` against the report's year and kind.

Why a module of its own: a Government Work Report delivered in 2012 reviews 2011 and plans 2012,
a 统计公报 2015 reports 2015, and the text says 去年, 今年, 过去五年, 截至11月底 rather than the
year.  A panel keyed on period is only as good as this resolution, so the words are data
(rules/periods.yaml, validated on load) and the order of the steps is documented there.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import regex

from . import prefilter
from .errors import RulesError
from .rules import EXTRA_LOADERS, _load_yaml, compile_pattern

PERIODS_FILE = "periods.yaml"
_TEMPLATE = regex.compile(r"\{(?:(y|r|p|b)([+-]\d+)?|(\d))\}")
_YEAR = regex.compile(
    r"(截至|截止|到)?((?:19|20)\d{2})(?:\s*(?:-|—|－|～|~|至|到)\s*((?:19|20)\d{2}))?\s*年"
    r"(底|末|初|年初|上半年|前三季度|年底|年末)?"
)
_SPACE = regex.compile(r"\s+")
_SINGLE_YEAR = regex.compile(r"^(?:19|20)\d{2}$")


@dataclass(frozen=True)
class DocKind:
    """A document kind: how its year relates to the years its review and plan cover."""

    name: str
    review: int
    plan: int
    file_words: tuple[str, ...]
    manifest: tuple[str, ...]
    title: Any  # compiled regex or None


@dataclass(frozen=True)
class RelativeWord:
    pattern: Any  # compiled regex
    period: str
    #: the literal when the entry is a `word`: its matches are then exactly its occurrences
    word: str | None = None
    #: a `pattern`'s `required_literals`: a sentence without one of them cannot match
    need: tuple[str, ...] | None = None

    @cached_property
    def may(self) -> Callable[[str], bool]:
        """`literal_gate` of the pattern: False from it, and the pattern cannot match there."""
        return literal_gate(self.pattern)


@dataclass(frozen=True, eq=False)
class PeriodRules:
    kinds: tuple[DocKind, ...]
    relative: tuple[RelativeWord, ...]
    basis_before: Any
    year_not_period_after: Any
    from_words: Any
    to_words: Any
    from_period: dict
    heading_words: Any
    heading_not: Any
    heading_max_chars: int
    real_growth: Any
    average_words: Any = None
    average_period: dict | None = None
    basis_year: Any = None
    basis_year_period: str = "{p}"
    basis_periods: tuple = ()

    def kind(self, name: str) -> DocKind | None:
        return self._kind_by_name.get(name)

    @cached_property
    def _kind_by_name(self) -> dict[str, DocKind]:
        """Name -> kind, the first of a name winning as the scan in order did (asked once per figure)."""
        out: dict[str, DocKind] = {}
        for k in self.kinds:
            out.setdefault(k.name, k)
        return out

    @cached_property
    def gate(self) -> Any:
        """One search for every literal word and every literal a relative or basis pattern needs
        (`required_literals`): no match, and none of them can match (None: nothing to search).

        Plain substrings, so the standard library's engine finds exactly what `regex` would, at
        a third of its cost per call; four sentences in five end here."""
        lits = list(self.literal_words)
        lits += [lit for rw in self.relative + self.basis_periods if rw.word is None for lit in rw.need or ()]
        return re.compile("|".join(map(re.escape, dict.fromkeys(lits)))) if lits else None

    @cached_property
    def ungated(self) -> bool:
        """Is there a relative or basis pattern the gate cannot rule out (no required literal)?"""
        return any(rw.word is None and rw.need is None for rw in self.relative + self.basis_periods)

    @cached_property
    def average_may(self) -> Callable[[str], bool]:
        """`literal_gate` of average_words (asked of every growth and target)."""
        return literal_gate(self.average_words)

    @cached_property
    def basis_year_may(self) -> Callable[[str], bool]:
        """`literal_gate` of basis_year (asked of every growth and change)."""
        return literal_gate(self.basis_year)

    @cached_property
    def basis_may(self) -> Callable[[str], bool]:
        """A gate of basis_before for the text *before* its blanks are removed (`_is_basis`): a
        match holds one of its required literals, every character of which is in that text too,
        so the first character of each is enough (always True when they are not known)."""
        req = required_literals(self.basis_before) if self.basis_before is not None else None
        firsts = tuple(sorted({lit[0] for lit in req})) if req else ()
        return _contains_any(firsts) if firsts and len(firsts) <= _IN_TESTS else _always

    @cached_property
    def not_period_may(self) -> Callable[[str], bool]:
        """`literal_gate` of year_not_period_after (asked of every stated year)."""
        return literal_gate(self.year_not_period_after)

    @cached_property
    def from_may(self) -> Callable[[str], bool]:
        """`literal_gate` of from_words, asked for most figures."""
        return literal_gate(self.from_words)

    @cached_property
    def relative_patterns(self) -> tuple[RelativeWord, ...]:
        """The `pattern` entries of relative, in order: all that can match where no word occurs."""
        return tuple(rw for rw in self.relative if rw.word is None)

    @cached_property
    def basis_patterns(self) -> tuple[RelativeWord, ...]:
        """The `pattern` entries of basis_periods (the same, for 比今年 and its kin)."""
        return tuple(rw for rw in self.basis_periods if rw.word is None)

    @cached_property
    def literal_words(self) -> tuple[str, ...]:
        """The `word`s of relative and basis_periods, each once: what `_words_in` looks for."""
        return tuple(dict.fromkeys(rw.word for rw in self.relative + self.basis_periods if rw.word is not None))


def required_literals(pattern: Any) -> tuple[str, ...] | None:
    """Literals one of which occurs in every match of a compiled rules pattern; None when that is
    not certain (prefilter.required_literals, which the kind and exclusion gates use too)."""
    src = getattr(pattern, "pattern", None)
    if not isinstance(src, str):
        return None
    need = prefilter.required_literals(src, pattern.flags)
    return tuple(sorted(need)) if need else None


def literal_gate(pattern: Any) -> Callable[[str], bool]:
    """prefilter.gate of a rules pattern: False only where the pattern cannot match (none of its
    required literals occurs); a gate that always lets through when it has none.

    With a few literals, `in` tests: the same answer (does one of them occur?) at a fraction of
    a search's cost on the short slices these gates see (from_words is asked of most figures)."""
    found = prefilter.gate(pattern) if pattern is not None else None
    if found is None:
        return _always
    req = prefilter.required_literals(pattern.pattern, pattern.flags)
    return _contains_any(tuple(sorted(req))) if req and len(req) <= _IN_TESTS else found


#: literal gates with at most this many literals test each with `in`
_IN_TESTS = 8


def _contains_any(lits: tuple[str, ...]) -> Callable[[str], bool]:
    """Does one of `lits` occur in the text?"""
    if len(lits) == 1:
        (a,) = lits
        return lambda text: a in text
    if len(lits) == 2:
        a, b = lits
        return lambda text: a in text or b in text

    def may(text: str) -> bool:
        for lit in lits:
            if lit in text:
                return True
        return False

    return may


def _always(text: str) -> bool:
    return True


def _pattern(raw: dict, key: str, where: str, problems: list[str]):
    if not raw.get(key):
        problems.append(f"{where}: {key} missing")
        return None
    return compile_pattern(str(raw[key]), f"{where} {key}", problems)


def _check_template(template: str, where: str, problems: list[str]) -> None:
    rest = _TEMPLATE.sub("", template)
    if "{" in rest or "}" in rest:
        problems.append(f"{where}: period template {template!r}: only {{y}}, {{r}}, {{y-1}}, {{1}} … allowed")


def _load_kinds(raw: Any, problems: list[str]) -> list[DocKind]:
    kinds = []
    for i, e in enumerate(raw or []):
        where = f"{PERIODS_FILE}: document_kinds[{i}]"
        if not isinstance(e, dict) or not e.get("name"):
            problems.append(f"{where}: needs a name")
            continue
        where += f" ({e['name']})"
        unknown = set(e) - {"name", "review", "plan", "file_words", "manifest", "title", "note"}
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
            continue
        if not isinstance(e.get("review", 0), int) or not isinstance(e.get("plan", 0), int):
            problems.append(f"{where}: review and plan must be whole numbers of years")
            continue
        title = compile_pattern(str(e["title"]), f"{where} title", problems) if e.get("title") else None
        kinds.append(DocKind(str(e["name"]), e.get("review", 0), e.get("plan", 0),
                             tuple(str(w).lower() for w in e.get("file_words") or []),
                             tuple(str(w).lower() for w in e.get("manifest") or []), title))
    return kinds


def _load_relative(raw: Any, problems: list[str], key: str = "relative") -> list[RelativeWord]:
    out = []
    for i, e in enumerate(raw or []):
        where = f"{PERIODS_FILE}: {key}[{i}]"
        if not isinstance(e, dict) or not e.get("period") or bool(e.get("word")) == bool(e.get("pattern")):
            problems.append(f"{where}: needs a period and exactly one of word, pattern")
            continue
        _check_template(str(e["period"]), where, problems)
        word = str(e["word"]) if e.get("word") else None
        pat = compile_pattern(regex.escape(word) if word is not None else str(e["pattern"]), where, problems)
        if pat is not None:
            out.append(RelativeWord(pat, str(e["period"]), word, None if word is not None else required_literals(pat)))
    return out


def _templates(raw: dict, key: str, problems: list[str]) -> dict:
    """A mapping review/plan -> period template, both required."""
    got = raw.get(key) or {}
    for part in ("review", "plan"):
        if part not in got:
            problems.append(f"{PERIODS_FILE}: {key}.{part} missing")
        else:
            _check_template(str(got[part]), f"{PERIODS_FILE}: {key}.{part}", problems)
    return {k: str(v) for k, v in got.items()}


def load_period_rules(directory: Path, problems: list[str]) -> PeriodRules | None:
    """Read and validate rules/periods.yaml; problems name the file, the entry and the reason."""
    raw = _load_yaml(Path(directory) / PERIODS_FILE, problems)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(f"{PERIODS_FILE}: expected a mapping at the top")
        return None
    n0 = len(problems)
    fp = _templates(raw, "from_period", problems)
    pr = PeriodRules(
        kinds=tuple(_load_kinds(raw.get("document_kinds"), problems)),
        relative=tuple(_load_relative(raw.get("relative"), problems)),
        basis_before=_pattern(raw, "basis_before", PERIODS_FILE, problems),
        year_not_period_after=_pattern(raw, "year_not_period_after", PERIODS_FILE, problems),
        from_words=_pattern(raw, "from_words", PERIODS_FILE, problems),
        to_words=_pattern(raw, "to_words", PERIODS_FILE, problems),
        from_period=fp,
        heading_words=_pattern(raw, "heading_words", PERIODS_FILE, problems),
        heading_not=_pattern(raw, "heading_not", PERIODS_FILE, problems),
        heading_max_chars=int(raw.get("heading_max_chars") or 40),
        real_growth=_pattern(raw, "real_growth_indicators", PERIODS_FILE, problems),
        average_words=_pattern(raw, "average_words", PERIODS_FILE, problems),
        average_period=_templates(raw, "average_period", problems),
        basis_year=_pattern(raw, "basis_year", PERIODS_FILE, problems),
        basis_year_period=str(raw.get("basis_year_period") or "{p}"),
        basis_periods=tuple(_load_relative(raw.get("basis_periods"), problems, "basis_periods")),
    )
    return pr if len(problems) == n0 else None


EXTRA_LOADERS["periods"] = load_period_rules


@lru_cache(maxsize=8)
def _load_direct(directory: str) -> PeriodRules:
    problems: list[str] = []
    pr = load_period_rules(Path(directory), problems)
    if problems or pr is None:
        raise RulesError(problems or [f"{directory}/{PERIODS_FILE}: could not be read"])
    return pr


def period_rules(rules) -> PeriodRules:
    """The period rules of a Rules object (loaded with it, or on first use if loaded earlier)."""
    pr = rules.extra.get("periods") if getattr(rules, "extra", None) else None
    return pr if pr is not None else _load_direct(str(rules.directory))


def fill(template: str, y: int | None, r: int | None, groups: tuple = (), p: int | None = None,
         b: int | None = None) -> str:
    """Expand a period template; '' when it needs a year the document does not give.

    Kept per arguments (`_fill`, typed: 2011 and 2011.0 expand differently): a figure asks for
    one of a few dozen expansions, and the substitution costs several times the look-up.  Groups
    other than a tuple of str and None (a pattern's `groups()`) are expanded, not kept."""
    if groups and not (type(groups) is tuple and all(g is None or type(g) is str for g in groups)):
        return _expand(template, y, r, groups, p, b)
    try:
        return _fill(template, y, r, groups, p, b)
    except TypeError:  # an unhashable year: expanded as it is (or failing as it did)
        return _expand(template, y, r, groups, p, b)


def _expand(template: str, y: int | None, r: int | None, groups, p: int | None, b: int | None) -> str:
    def sub(m: regex.Match) -> str:
        if m.group(3):
            k = int(m.group(3))
            return str(groups[k - 1] or "") if k <= len(groups) else ""
        base = {"y": y, "r": r, "p": p, "b": b}[m.group(1)]
        if base is None:
            raise LookupError
        return str(base + int(m.group(2) or 0))

    try:
        return _TEMPLATE.sub(sub, template)
    except LookupError:
        return ""


#: `_expand`, kept: a pure function of its arguments (a str, ints, a tuple of str or None)
_fill = lru_cache(maxsize=4096, typed=True)(_expand)


# --------------------------------------------------------------------------- section years


@lru_cache(maxsize=4)
def heading_years(text: str, pr: PeriodRules) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Positions of headings that carry a year (一、2011年工作回顾), and those years.

    Lines are cut at "\n" and stripped of [ \t\u3000], which is what the multiline
    `^[ \t\u3000]*([^\n]*?)[ \t\u3000]*$` gave line by line, without a lazy regex over every
    character of a long report (most of this function's time before)."""
    pos, years = [], []
    start = 0
    for raw in text.split("\n"):
        at, start = start, start + len(raw) + 1
        if "年" not in raw:  # every _YEAR match holds 年 (which stripping blanks leaves)
            continue
        line = raw.strip(" \t\u3000")
        if len(line) > pr.heading_max_chars or line.endswith(("。", "；", "，")):
            continue
        y = _YEAR.search(line)
        if y is None or not pr.heading_words.search(line) or pr.heading_not.search(line):
            continue
        pos.append(at)
        years.append(int(y.group(2)))
    return tuple(pos), tuple(years)


def section_year(text: str, at: int, year: int | None, doc_kind: str, section: str, pr: PeriodRules,
                 fig_kind: str = "") -> int | None:
    """The year a figure's section is about: a heading's year, else the report year shifted by kind."""
    pos, years = heading_years(text, pr)
    k = bisect.bisect_right(pos, at) - 1
    if k >= 0 and (fig_kind != "target" or years[k] >= (year or 0)):
        # an outcome in a review paragraph under a plan heading (三、2011年的工作 / 过去一年，…)
        # is not about the heading's year: the report's kind says which year it reviews
        if not (section == "review" and fig_kind != "target" and year and years[k] >= year):
            return years[k]
    if year is None:
        return None
    dk = pr._kind_by_name.get(doc_kind)  # pr.kind(), without a call per figure
    if dk is None:
        return year
    if fig_kind == "target":
        return year + dk.plan
    return year + (dk.plan if section == "plan" else dk.review)


# --------------------------------------------------------------------------- the resolution


def _is_basis(text: str, at: int, pr: PeriodRules) -> bool:
    """Is the word at `at` a comparison basis (比上年, 比\n上年 across a line break)?

    The answer depends on the text and `at` alone, and the figures of a sentence ask it of the
    same words again, so it is kept per document."""
    memo = _basis_memo(text, pr)
    got = memo.get(at)
    if got is None:
        before = text[max(0, at - 8):at]
        got = memo[at] = pr.basis_may(before) and bool(pr.basis_before.search(_SPACE.sub("", before)))
    return got


@lru_cache(maxsize=4)
def _basis_memo(text: str, pr: PeriodRules) -> dict[int, bool]:
    """`_is_basis` answers of one document, by position."""
    return {}


def _stated(text: str, s0: int, at: int, pr: PeriodRules) -> list[tuple[int, str]]:
    """(end position, period) for each year written in text[s0:at] that is not a basis."""
    out: list[tuple[int, str]] = []
    sentence = text[s0:at]
    for m in _YEAR.finditer(sentence):
        if _is_basis(text, s0 + m.start(), pr):
            continue
        after = sentence[m.end():m.end() + 4]
        if pr.not_period_may(after) and pr.year_not_period_after.search(after):
            continue
        pre, y1, y2, suf = m.group(1) or "", m.group(2), m.group(3), m.group(4) or ""
        if y2:
            period = f"{y1}-{y2}"
        elif pre or suf:
            period = ("截至" if pre in ("截至", "截止") else "") + y1 + ("年" + suf if suf else "")
        else:
            period = y1
        out.append((s0 + m.end(), period))
    return out


def _words_in(sentence: str, s0: int, pr: PeriodRules, start: int = 0) -> dict[str, list[tuple[int, int]]]:
    """Each literal word's matches in `sentence` (= text[s0:...]) as its escaped pattern's `finditer`
    gives them: its occurrences left to right, each from the end of the one before, in text positions.
    `start`: none begins before it (where the gate found its first literal)."""
    out = {}
    for w in pr.literal_words:
        i = sentence.find(w, start)
        spans = []
        while i >= 0:
            spans.append((s0 + i, s0 + i + len(w)))
            i = sentence.find(w, i + len(w))
        if spans:
            out[w] = spans
    return out


def _relative(text: str, s0: int, at: int, y: int | None, r: int | None, pr: PeriodRules,
              words: dict[str, list[tuple[int, int]]]) -> list[tuple[int, str]]:
    """(end position, period) for each relative period word in text[s0:at] that is not a basis.

    `words` (from `_words_in`) holds the `word` entries' matches; a `pattern` entry runs on the
    sentence only where its literal gate (`RelativeWord.may`) and then a search (half the cost of
    a finditer) say it can match."""
    out: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    sentence = text[s0:at]
    # no literal word in the sentence: only the patterns can match, in their order
    for rw in pr.relative if words else pr.relative_patterns:
        if rw.word is not None:
            spans = words.get(rw.word)
            if not spans:
                continue
            found = [(a, b, ()) for a, b in spans]
        elif not rw.may(sentence) or rw.pattern.search(sentence) is None:
            continue
        else:
            found = [(s0 + m.start(), s0 + m.end(), m.groups()) for m in rw.pattern.finditer(sentence)]
        for a, b, groups in found:
            if taken and any(ta < b and a < tb for ta, tb in taken):
                continue
            if _is_basis(text, a, pr):
                continue
            period = fill(rw.period, y, r, groups)
            if period:
                out.append((b, period))
                taken.append((a, b))
    return out


def _basis_periods(text: str, s0: int, at: int, y: int | None, r: int | None, pr: PeriodRules,
                   words: dict[str, list[tuple[int, int]]] | None = None) -> list:
    """比今年增长 -> next year: the period follows from the basis (basis_periods).

    `words`: the `word` entries' matches in text[s0:at] (`_words_in`), else every entry runs."""
    out = []
    for rw in pr.basis_periods if words is None or words else pr.basis_patterns:
        if words is not None and rw.word is not None:
            spans = [(b, ()) for _, b in words.get(rw.word, ())]
        elif words is not None and not rw.may(text[s0:at]) or rw.pattern.search(text, s0, at) is None:
            continue
        else:
            spans = [(m.end(), m.groups()) for m in rw.pattern.finditer(text, s0, at)]
        for b, groups in spans:
            period = fill(rw.period, y, r, groups)
            if period:
                out.append((b, period))
    return out


def resolve_period(text: str, s0: int, at: int, meta, *, section: str = "", kind: str = "",
                   end: int | None = None, rules=None) -> str:
    """The period of the figure at `at` (its sentence starts at s0), as rules/periods.yaml says."""
    if rules is None:
        from .rules import load_rules

        rules = load_rules()
    loaded = getattr(rules, "extra", None)  # period_rules(), without a call per figure
    pr = (loaded.get("periods") if loaded else None) or period_rules(rules)
    extra = getattr(meta, "extra", None) or {}
    year = getattr(meta, "year", None)
    r = section_year(text, at, year, str(extra.get("kind") or ""), section, pr, kind)
    sentence = text[s0:at]
    # every _YEAR match holds 年 and 19 or 20: three substring tests spare most sentences the pass
    found = _stated(text, s0, at, pr) if "年" in sentence and ("19" in sentence or "20" in sentence) else []
    # basis_periods search text[s0:at] by position: the same as the slice only for offsets >= 0
    inside = 0 <= s0 and 0 <= at
    hit = pr.gate.search(sentence) if pr.gate is not None else None
    if hit is not None or pr.ungated or not inside:
        words = _words_in(sentence, s0, pr, hit.start()) if hit is not None else {}
        found += _relative(text, s0, at, year, r, pr, words)
        found += _basis_periods(text, s0, at, year, r, pr, words if inside else None)
    if found:
        period = max(found)[1]
    elif (kind != "target" and pr.from_may(text[max(s0, at - 30):at])
          and _is_from_value(text, s0, at, at if end is None else end, pr)):
        return fill(pr.from_period.get(section or "review", "{r}"), year, r)
    else:
        period = str(r) if r is not None else ""
    if kind not in _SPAN_KINDS:
        return period
    return _since_basis(_average(period, text, s0, at, section, kind, year, r, pr), text, s0, at, kind, pr)


_SPAN_KINDS = frozenset({"growth", "target", "change"})  # the kinds _average or _since_basis can change


@lru_cache(maxsize=1024)
def _single_year(period: str) -> bool:
    """Is the period one year (2011)?  Asked of a few dozen distinct periods, once per figure."""
    return _SINGLE_YEAR.match(period) is not None


def _since_basis(period: str, text: str, s0: int, at: int, kind: str, pr: PeriodRules) -> str:
    """比2002年增长65.5% in 2007 -> 2003-2007 (basis_year_period); 比上年 leaves the year alone."""
    if kind not in ("growth", "change") or pr.basis_year is None or not _single_year(period):
        return period
    before = text[max(s0, at - 30):at]
    m = pr.basis_year.search(before) if pr.basis_year_may(before) else None
    if m is None or int(m.group(1)) >= int(period) - 1:
        return period
    return fill(pr.basis_year_period, None, None, p=int(period), b=int(m.group(1))) or period


def _average(period: str, text: str, s0: int, at: int, section: str, kind: str, y: int | None, r: int | None,
             pr: PeriodRules) -> str:
    """年均增长 over a single year -> the span it averages over (average_period)."""
    if kind not in ("growth", "target") or pr.average_words is None or not _single_year(period):
        return period
    before = text[max(s0, at - 16):at]
    if not pr.average_may(before) or not pr.average_words.search(before):
        return period
    part = "plan" if kind == "target" or section == "plan" else "review"
    return fill((pr.average_period or {}).get(part, "{p}"), y, r, p=int(period)) or period


_CLAUSE_STOP = regex.compile(r"[，。；,;！？\n]")


def _is_from_value(text: str, s0: int, at: int, end: int, pr: PeriodRules) -> bool:
    """Is the figure the old value of an adjustment (从202元提高到209元 -> 202元)?"""
    before = text[max(s0, at - 30):at]
    if not pr.from_may(before) or pr.from_words.search(before) is None:
        return False  # most figures: a literal test, else a search (half a finditer's cost)
    froms = list(pr.from_words.finditer(before))
    lead = before[froms[-1].end():]
    if _CLAUSE_STOP.search(lead) or pr.to_words.search(lead):
        return False
    after = text[end:end + 40]
    stop = _CLAUSE_STOP.search(after)
    return bool(pr.to_words.search(after[:stop.start()] if stop else after))
