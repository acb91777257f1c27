"""The indicator lexicon (`rules/indicators.yaml`) and subject words (`rules/subjects.yaml`).

Why a lexicon: "国内生产总值", "GDP", "地区生产总值" and "经济总量" are one indicator; a table that
names them four ways cannot be compared across reports.  Each entry gives a stable ASCII id, the
canonical Simplified name, its synonyms and patterns, the unit families it is measured in and a
domain.  Subject words (全国, 国内航线, 市本级财政 ...) say whom a figure is about and are kept out
of the indicator name.  Both files are validated on load: every problem is reported with its file,
entry and reason (see `rules.EXTRA_LOADERS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import regex

from .prefilter import Gate, gate, literal_test, required_literals
from .rules import EXTRA_LOADERS, UNIT_FAMILIES, _load_yaml, compile_pattern, guarded_finditer
from .scan import trie_regex

INDICATORS_FILE = "indicators.yaml"
SUBJECTS_FILE = "subjects.yaml"
_ID = regex.compile(r"^[a-z][a-z0-9_]*$")
_ENTRY_KEYS = {"id", "name", "unit", "domain"}
_ENTRY_OPTIONAL = {"synonyms", "patterns", "note"}
_HITS_LIMIT = 4096  # memoised hit lists per kind (see Lexicon.memo)
_LIST_KEYS = ("generic_heads", "not_indicators", "keep_verbs", "light_verbs", "nouns", "noun_suffixes", "modifiers")


@dataclass(frozen=True)
class Indicator:
    """One canonical indicator."""

    id: str
    name: str
    synonyms: tuple[str, ...]
    patterns: tuple[regex.Pattern, ...]
    families: frozenset[str]
    domain: str


class Hit(NamedTuple):
    """Where a lexicon entry (or a subject word) was found in a piece of text.
    A named tuple: attribution makes one per match, and a frozen dataclass costs 3x to build."""

    start: int
    end: int
    surface: str
    indicator: Indicator | None = None


@dataclass
class Lexicon:
    """Indicators and subject words, with one compiled alternation each for fast search."""

    indicators: list[Indicator] = field(default_factory=list)
    generic_heads: frozenset[str] = frozenset()
    not_indicators: tuple[str, ...] = ()
    keep_verbs: frozenset[str] = frozenset()
    light_verbs: frozenset[str] = frozenset()
    nouns: tuple[str, ...] = ()
    noun_suffixes: frozenset[str] = frozenset()
    modifiers: tuple[regex.Pattern, ...] = ()
    subject_words: tuple[str, ...] = ()
    subject_patterns: tuple[regex.Pattern, ...] = ()
    _by_surface: dict[str, Indicator] = field(default_factory=dict)
    _surface_re: re.Pattern | None = None
    _subject_re: re.Pattern | None = None
    noun_set: frozenset[str] = frozenset()
    modifiers_re: regex.Pattern | None = None  # every modifier in one pass (attribute.clean)
    #: False only for a text modifiers_re cannot match in (None: no such test is known)
    modifiers_gate: Gate | None = field(default=None, repr=False, compare=False)
    #: derived once for attribution's hot paths (see __post_init__)
    by_name: dict[str, Indicator] = field(default_factory=dict, repr=False, compare=False)
    keep_verbs_longest: tuple[str, ...] = ()
    light_verb_heads: tuple[str, ...] = ()
    not_indicators_re: re.Pattern | None = None
    #: (indicator, pattern, its literal gate or None) for every indicator pattern
    _patterns: tuple[tuple[Indicator, regex.Pattern, Gate | None], ...] = field(default=(), repr=False, compare=False)
    _subject_gated: tuple[tuple[regex.Pattern, Gate | None], ...] = field(default=(), repr=False, compare=False)
    #: False only for a text in which no indicator pattern can match (None: no such test is known)
    _patterns_gate: Gate | None = field(default=None, repr=False, compare=False)
    _memos: dict[str, dict] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for ind in self.indicators:
            for s in (ind.name, *ind.synonyms):
                self._by_surface.setdefault(s, ind)
        self._surface_re = _alternation(self._by_surface)
        self.noun_set = frozenset(self.nouns)
        if self.modifiers:
            self.modifiers_re = regex.compile("|".join(f"(?:{p.pattern})" for p in self.modifiers))
            self.modifiers_gate = gate(self.modifiers_re)
        self._subject_re = _alternation(self.subject_words)
        for ind in self.indicators:
            self.by_name.setdefault(ind.name, ind)
        # longest first, so that the choice never depends on set order
        self.keep_verbs_longest = tuple(sorted(self.keep_verbs, key=lambda v: (-len(v), v)))
        self.light_verb_heads = tuple(v for v in sorted(self.light_verbs, key=lambda v: (-len(v), v)) if len(v) > 1)
        self.not_indicators_re = _alternation(self.not_indicators)
        # literal gates (prefilter): most clauses lack every literal a pattern needs, and a test for
        # them costs a fraction of a search; a pattern the analysis cannot vouch for has no gate
        self._patterns = tuple((ind, pat, gate(pat)) for ind in self.indicators for pat in ind.patterns)
        self._patterns_gate = _union_gate([pat for _ind, pat, _ok in self._patterns])
        self._subject_gated = tuple((pat, gate(pat)) for pat in self.subject_patterns)

    def strip_modifiers(self, text: str) -> str:
        """Every modifier removed (attribute.clean); the search is skipped where its gate says
        none can match, i.e. where the removal would leave the text as it is."""
        if self.modifiers_re is None or (self.modifiers_gate is not None and not self.modifiers_gate(text)):
            return text
        return self.modifiers_re.sub("", text)

    def words(self) -> list[str]:
        """Every surface to keep whole when segmenting (jieba user words)."""
        return list(self._by_surface) + [w for w in self.subject_words if len(w) > 1] + list(self.nouns)

    def indicators_in(self, text: str) -> list[Hit]:
        """Every lexicon hit in text, longest surface first at each position, no overlaps.
        Memoised: attribution asks again about the same clause for each figure in it."""
        return list(self.indicator_hits(text))  # a copy: callers may filter or extend it

    def indicator_hits(self, text: str) -> tuple[Hit, ...]:
        """indicators_in as the memoised tuple itself (no copy), for callers that only read it.
        A hit is answered here (one call less: ~20k asks on the corpus, most answered from the memo)."""
        cache = self._memos.get("indicators_in")
        if cache is not None:
            hits = cache.get(text)
            if hits is not None:
                return hits
        return self._memo_hits("indicators_in", text, self._indicators_in)

    def _memo_hits(self, name: str, text: str, find: Callable[[str], list[Hit]]) -> tuple[Hit, ...]:
        """find(text) as a tuple, memoised in the bounded cache `name` (started afresh when full)."""
        cache = self._memos.get(name)
        if cache is None:
            cache = self.memo(name, _HITS_LIMIT)
        else:
            hits = cache.get(text)
            if hits is not None:
                return hits  # a full cache still answers what it holds (find is pure)
            if len(cache) > _HITS_LIMIT:  # the bound is checked on a miss only, before storing
                cache = self.memo(name, _HITS_LIMIT)  # a fresh one
        hits = cache[text] = tuple(find(text))  # the search never touches this cache
        return hits

    def _indicators_in(self, text: str) -> list[Hit]:
        """indicators_in unmemoised.  The word alternation is first searched once: most clauses
        hold no lexicon word, and a search that finds nothing costs less than making a finditer
        scanner (~0.5 µs on its own); finditer runs only where a word is known to be found."""
        hits: list[Hit] = []
        if self._surface_re is not None and self._surface_re.search(text) is not None:
            by_surface = self._by_surface
            hits += [Hit(*m.span(), g, by_surface[g]) for m in self._surface_re.finditer(text) for g in (m.group(),)]
        if self._patterns_gate is not None and not self._patterns_gate(text):
            return hits  # no pattern's gate would pass: `found` would be empty
        found = [Hit(m.start(), m.end(), m.group(), ind) for ind, pat, ok in self._patterns
                 if ok is None or ok(text) for m in guarded_finditer(pat, text, 0.5) if m.end() > m.start()]
        # one finditer's matches never overlap: only pattern hits need the overlap pass
        return _no_overlaps(hits + found) if found else hits

    def subjects_in(self, text: str) -> list[Hit]:
        """Every subject word or pattern hit in text, without overlaps (memoised like indicators_in)."""
        return list(self.subject_hits(text))

    def subject_hits(self, text: str) -> tuple[Hit, ...]:
        """subjects_in as the memoised tuple itself (no copy), for callers that only read it
        (a hit answered here, as in indicator_hits)."""
        cache = self._memos.get("subjects_in")
        if cache is not None:
            hits = cache.get(text)
            if hits is not None:
                return hits
        return self._memo_hits("subjects_in", text, self._subjects_in)

    def _subjects_in(self, text: str) -> list[Hit]:
        """subjects_in unmemoised (the word alternation searched first, as in _indicators_in)."""
        hits: list[Hit] = []
        if self._subject_re is not None and self._subject_re.search(text) is not None:
            hits += [Hit(*m.span(), m.group()) for m in self._subject_re.finditer(text)]
        found = [Hit(m.start(), m.end(), m.group()) for pat, ok in self._subject_gated
                 if ok is None or ok(text) for m in guarded_finditer(pat, text, 0.5) if m.end() > m.start()]
        return _no_overlaps(hits + found) if found else hits

    def memo(self, name: str, limit: int = 8192) -> dict:
        """A bounded cache for a pure function of (text, this lexicon), e.g. attribution's phrase
        finder: its answers hold as long as the lexicon (and the words it taught the segmenter) do."""
        cache = self._memos.get(name)
        if cache is None or len(cache) > limit:
            cache = self._memos[name] = {}
        return cache

    def by_id(self, ind_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == ind_id), None)


def _alternation(words: Any) -> re.Pattern | None:
    """One regex for many literal words; the longest wins at each position (城镇居民 over 城镇).
    Built as a trie: one branch per character instead of trying hundreds of words everywhere.
    Compiled with the standard `re`: for literals it means the same, and it skips positions by
    the set of first characters, which makes it ~3x faster than `regex` on a clause."""
    words = sorted({w for w in words if w})
    if not words:
        return None
    return re.compile(trie_regex(words))


def _union_gate(patterns: list[regex.Pattern]) -> Gate | None:
    """One test that is False only where none of the patterns can match: the union of their
    required literals (prefilter).  Why: a clause is tested once instead of once per pattern, and
    most clauses hold none of the literals.  None when a pattern has no known literals (then
    each is searched or gated on its own, as before) or there are no patterns."""
    union: set[str] = set()
    for pat in patterns:
        req = required_literals(pat.pattern, pat.flags)
        if not req:
            return None
        union |= req
    return literal_test(frozenset(union)) if union else None


def _no_overlaps(hits: list[Hit]) -> list[Hit]:
    """Keep the longest hit where two overlap (ties: the earlier one), sorted by start."""
    kept: list[Hit] = []
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if all(h.end <= k.start or h.start >= k.end for k in kept):
            kept.append(h)
    return sorted(kept, key=lambda h: h.start)


# --------------------------------------------------------------------------- loading + validation


def _str_list(value: Any, where: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.append(f"{where}: must be a list of non-empty strings")
        return []
    return value


def _simplified(s: str) -> str:
    """The Simplified form (names must already be Simplified: the text is, after normalisation)."""
    try:
        from .normalise import _opencc  # one converter per process: building one costs ~4 ms

        return _opencc().convert(s)
    except ImportError:  # without opencc the check is skipped, not the load
        return s


def _indicator(entry: Any, where: str, problems: list[str]) -> Indicator | None:
    """One `indicators:` entry checked: keys, id, name, unit families, patterns."""
    # keys, mapping shape and duplicate ids are checked by rules._check_entries (ENTRY_SCHEMAS)
    if not isinstance(entry, dict) or _ENTRY_KEYS - entry.keys() or entry.keys() - _ENTRY_KEYS - _ENTRY_OPTIONAL:
        return None
    n0 = len(problems)
    ind_id, name = entry["id"], entry["name"]
    if not isinstance(ind_id, str) or not _ID.match(ind_id):
        problems.append(f"{where}: id {ind_id!r} must be lower-case ASCII (a-z, 0-9, _), starting with a letter")
    if not isinstance(name, str) or not 2 <= len(name) <= 12:
        problems.append(f"{where}: name {name!r} must be 2-12 characters")
    elif _simplified(name) != name:
        problems.append(f"{where}: name {name!r} must be Simplified ({_simplified(name)})")
    fams = _str_list(entry["unit"], f"{where} unit", problems)
    bad = set(fams) - UNIT_FAMILIES
    if bad:
        problems.append(f"{where}: unknown unit famil(ies) {', '.join(sorted(bad))} "
                        f"(allowed: {', '.join(sorted(UNIT_FAMILIES))})")
    if not isinstance(entry["domain"], str) or not entry["domain"]:
        problems.append(f"{where}: domain must be a non-empty string")
    synonyms = _str_list(entry.get("synonyms"), f"{where} synonyms", problems)
    pats = []
    for k, p in enumerate(_str_list(entry.get("patterns"), f"{where} patterns", problems)):
        pat = compile_pattern(p, f"{where} patterns[{k}]", problems)
        if pat is not None:
            pats.append(pat)
    if len(problems) > n0:
        return None
    return Indicator(ind_id, name, tuple(synonyms), tuple(pats), frozenset(fams), entry["domain"])


def _check_collisions(inds: list[Indicator], problems: list[str]) -> None:
    """A name or synonym may belong to one indicator only (duplicate ids: rules._check_entries)."""
    owner: dict[str, str] = {}
    for ind in inds:
        for s in dict.fromkeys((ind.name, *ind.synonyms)):
            if s in owner and owner[s] != ind.id:
                problems.append(f"{INDICATORS_FILE}: indicators ({ind.id}): synonym {s!r} collides with {owner[s]!r}")
            owner.setdefault(s, ind.id)


def load_indicators(directory: Path, problems: list[str]) -> dict[str, Any]:
    """Read and validate indicators.yaml; return the keyword arguments of a Lexicon."""
    path = directory / INDICATORS_FILE
    data = _load_yaml(path, problems) if path.exists() else {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        return {}  # top-level shape and keys: rules._check_entries (TOP_KEYS)
    entries = data.get("indicators") or []
    if not isinstance(entries, list):
        entries = []
    inds = []
    for i, e in enumerate(entries):
        label = e.get("id") if isinstance(e, dict) else None
        ind = _indicator(e, f"{INDICATORS_FILE}: indicators[{i}]" + (f" ({label})" if label else ""), problems)
        if ind is not None:
            inds.append(ind)
    _check_collisions(inds, problems)
    lists = {k: _str_list(data.get(k), f"{INDICATORS_FILE}: {k}", problems) for k in _LIST_KEYS}
    modifiers = [compile_pattern(p, f"{INDICATORS_FILE}: modifiers[{k}]", problems)
                 for k, p in enumerate(lists["modifiers"])]
    return {
        "indicators": inds,
        "generic_heads": frozenset(lists["generic_heads"]),
        "not_indicators": tuple(sorted(lists["not_indicators"], key=len, reverse=True)),
        "keep_verbs": frozenset(lists["keep_verbs"]),
        "light_verbs": frozenset(lists["light_verbs"]),
        "nouns": tuple(lists["nouns"]),
        "noun_suffixes": frozenset(lists["noun_suffixes"]),
        "modifiers": tuple(p for p in modifiers if p is not None),
    }


def load_subjects(directory: Path, problems: list[str]) -> dict[str, Any]:
    """Read and validate subjects.yaml: `words` (literal) and `patterns` (regex)."""
    path = directory / SUBJECTS_FILE
    data = _load_yaml(path, problems) if path.exists() else {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        return {}  # top-level shape and keys: rules._check_entries (TOP_KEYS)
    words = _str_list(data.get("words"), f"{SUBJECTS_FILE}: words", problems)
    seen: set[str] = set()
    for w in words:
        if w in seen:
            problems.append(f"{SUBJECTS_FILE}: words ({w}): duplicate word {w!r}")
        seen.add(w)
    pats = [compile_pattern(p, f"{SUBJECTS_FILE}: patterns[{k}]", problems)
            for k, p in enumerate(_str_list(data.get("patterns"), f"{SUBJECTS_FILE}: patterns", problems))]
    return {"subject_words": tuple(dict.fromkeys(words)), "subject_patterns": tuple(p for p in pats if p is not None)}


def load_lexicon(directory: Path, problems: list[str]) -> Lexicon:
    """Both files; subject words that are also indicator surfaces are reported as collisions."""
    kw = {**load_indicators(directory, problems), **load_subjects(directory, problems)}
    lex = Lexicon(**kw)
    for w in lex.subject_words:
        if w in lex._by_surface:
            problems.append(f"{SUBJECTS_FILE}: words ({w}): {w!r} is also an indicator surface "
                            f"({lex._by_surface[w].id})")
    return lex


EXTRA_LOADERS["lexicon"] = load_lexicon
