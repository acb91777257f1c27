"""Search patterns only near some positions, with exactly the matches a whole-text search finds there.

Why: each exclusion pattern used to be searched over the whole document, yet its matches only
matter where they touch a number candidate (a few percent of the text).  Searching the whole
text for 17 patterns cost more than scanning the candidates themselves.

The argument.  Call A the *alphabet* of a pattern: every character any of its consuming nodes can
match, lookarounds included.  When A is a finite, known set (no ``.``, no negated class, no \\D
\\S \\W, no case folding), a match can only consist of characters of A, so it lies inside one
maximal run of A-characters; and when the pattern cannot match the empty string, the whole-text
search finds, inside each run, exactly the matches it would find if the run stood alone with its
two bordering non-A characters: a match, a lookaround or a backtrack can never step over a
character it cannot consume, and what an assertion (\\b, ^ under MULTILINE, \\A, \\Z, a
lookbehind) looks at — the characters next to the run — is the real text.  So a string made by
joining such pieces (each run with its real bordering characters) is searched once per pattern,
and its matches are exactly the whole-text matches inside the chosen runs.  Several patterns
share the pieces when the runs are taken over the union U of their alphabets: a piece bounded
by characters outside U is bounded by characters outside each pattern's alphabet, and real text
between the borders is real text for each of them.

A pattern this cannot vouch for (see `alphabet`) is not given to `Local` at all: its caller
searches it over the whole text, as before.  Non-multiline ``$`` is refused: it also matches
before a final newline, and the last piece's border may be a newline that is not the text's last
character.
"""

from __future__ import annotations

import bisect
import re
import warnings
from collections.abc import Iterable

import regex

from .prefilter import _SAFE_REGEX_FLAGS, _UNSAFE_FLAGS, _c, _sre_parse

_REPEATS = {op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op is not None}
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)
_CATEGORIES = {_c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_SPACE: r"\s", _c.CATEGORY_WORD: r"\w"}
#: assertions that read only the characters next to the position (checked on the real text)
_SAFE_AT = {_c.AT_BEGINNING, _c.AT_BEGINNING_STRING, _c.AT_BOUNDARY, _c.AT_NON_BOUNDARY, _c.AT_END_STRING}
#: the stdlib parser reads an unknown {…} as literal braces, where `regex` may mean a fuzzy match
_BRACES = {ord("{"), ord("}")}


class _Refused(Exception):
    """The pattern uses something whose alphabet or behaviour at a border is not known."""


def alphabet(pat: regex.Pattern) -> str | None:
    """The body of a `regex` character class holding every character `pat` can consume, or None when
    the pattern does not qualify (see the module docstring): then it must be searched whole."""
    if pat.flags & ~_SAFE_REGEX_FLAGS:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # FutureWarning: a nested set, as `regex` reads [[:alpha:]]
            parsed = _sre_parse.parse(pat.pattern)
    except Exception:  # noqa: BLE001 — any pattern the stdlib cannot read simply does not qualify
        return None
    flags = parsed.state.flags | pat.flags
    if flags & _UNSAFE_FLAGS or parsed.getwidth()[0] < 1:
        return None  # case folding changes the alphabet; an empty match changes how a search advances
    parts: list[str] = []
    try:
        _collect(parsed, bool(flags & _c.SRE_FLAG_MULTILINE), parts)
    except _Refused:
        return None
    return "".join(dict.fromkeys(parts)) or None


def _char(code: int) -> str:
    """One character as an escape that means exactly that character inside a `regex` class."""
    return f"\\U{code:08x}"


def _collect(items, multiline: bool, parts: list[str]) -> None:
    """Append the class pieces of every character the nodes can consume; refuse what is unknown."""
    for op, av in items:
        if op is _c.LITERAL:
            if av in _BRACES:
                raise _Refused
            parts.append(_char(av))
        elif op is _c.IN:
            parts.extend(_class_item(o, v) for o, v in av)
        elif op is _c.CATEGORY:
            parts.append(_class_item(op, av))
        elif op is _c.AT:
            if av not in _SAFE_AT and not (av is _c.AT_END and multiline):
                raise _Refused
        elif op is _c.ASSERT or op is _c.ASSERT_NOT:
            if not _next_char_only(av[1]):
                _collect(av[1], multiline, parts)
        elif op is _c.SUBPATTERN:
            _group, add_flags, del_flags, body = av
            if add_flags or del_flags:
                raise _Refused
            _collect(body, multiline, parts)
        elif op is _ATOMIC:
            _collect(av, multiline, parts)
        elif op in _REPEATS:
            _collect(av[2], multiline, parts)
        elif op is _c.BRANCH:
            for alt in av[1]:
                _collect(alt, multiline, parts)
        else:  # ANY, NOT_LITERAL, back-references, conditionals, ...
            raise _Refused


def _next_char_only(body) -> bool:
    """Does this lookaround read at most the one character next to its position, with no assertion
    of its own?  Then it reads a real character of the text even at a piece's border (the border
    character is kept in the piece), so its characters need not be in the alphabet: (?!\\w)."""
    if body.getwidth()[1] > 1:
        return False
    try:
        _check_plain(body)
    except _Refused:
        return False
    return True


def _check_plain(items) -> None:
    """Refuse anything but consuming nodes (of any kind) and groups of them."""
    for op, av in items:
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.IN, _c.CATEGORY, _c.ANY):
            if op is _c.LITERAL and av in _BRACES:
                raise _Refused
        elif op is _c.SUBPATTERN and not av[1] and not av[2]:
            _check_plain(av[3])
        elif op is _c.BRANCH:
            for alt in av[1]:
                _check_plain(alt)
        elif op in _REPEATS:
            _check_plain(av[2])
        else:
            raise _Refused


def literal_twin(pat: regex.Pattern) -> re.Pattern | None:
    """`pat` compiled by the standard engine when it is an alternation of literal strings: no
    repeat, no class but of plain characters, no assertion, no flag that changes a literal.

    Why: the `regex` module tries a long alternation of words several times slower than `re`
    (name.slogans: 35 ms against 6 ms over the pieces of the corpus).  Both engines try the
    alternatives leftmost-first at each position, compare code points and nothing else here, so
    they find the same matches; with no repeat the work per position is bounded by the pattern's
    size, so the search needs no timeout."""
    if pat.flags & ~_SAFE_REGEX_FLAGS:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            parsed = _sre_parse.parse(pat.pattern)
        if parsed.state.flags & _UNSAFE_FLAGS or parsed.getwidth()[0] < 1:
            return None
        _check_literal(parsed)
        return re.compile(pat.pattern)
    except Exception:  # noqa: BLE001 — _Refused, or a pattern the stdlib reads differently or not at all
        return None


def _check_literal(items) -> None:
    for op, av in items:
        if op is _c.LITERAL and av not in _BRACES:
            continue
        if op is _c.IN and all(o is _c.LITERAL or o is _c.RANGE for o, _v in av):
            continue
        if op is _c.SUBPATTERN and not av[1] and not av[2]:
            _check_literal(av[3])
        elif op is _c.BRANCH:
            for alt in av[1]:
                _check_literal(alt)
        else:
            raise _Refused


def _class_item(op, av) -> str:
    if op is _c.LITERAL:
        return _char(av)
    if op is _c.RANGE:
        return _char(av[0]) + "-" + _char(av[1])
    if op is _c.CATEGORY and av in _CATEGORIES:
        return _CATEGORIES[av]
    raise _Refused  # NEGATE, \D \S \W, ...


class Local:
    """Pieces of one text around some intervals, for searching patterns whose alphabets lie in U.

    `spans(pat)` gives every whole-text match of `pat` that lies in a piece; the pieces cover every
    maximal run of U-characters that meets one of the intervals (see the module docstring)."""

    #: pieces closer than this are joined with the real text between them (fewer, longer pieces)
    GAP = 32

    def __init__(self, text: str, intervals: Iterable[tuple[int, int]], runs: Runs) -> None:
        self.text = text
        bounds = _pieces(text, sorted(intervals), runs, self.GAP)
        self.starts = [lo for lo, _hi in bounds]  # where each piece starts in the text
        self.at: list[int] = []  # where each piece starts in the joined string
        n = 0
        for lo, hi in bounds:
            self.at.append(n)
            n += hi - lo
        self.joined = "".join(text[lo:hi] for lo, hi in bounds)

    def spans(self, pat: regex.Pattern | re.Pattern, timeout: float) -> list[tuple[int, int]]:
        """(start, end) in text coordinates of the matches of `pat` inside the pieces, in order.
        A search that times out raises TimeoutError (the caller then searches the whole text);
        a `re` pattern (literal_twin) is searched without a timeout."""
        out = []
        at, starts = self.at, self.starts
        k = 0
        found = pat.finditer(self.joined) if isinstance(pat, re.Pattern) else pat.finditer(self.joined, timeout=timeout)
        for m in found:
            s, e = m.span()
            if k + 1 < len(at) and s >= at[k + 1]:
                k = bisect.bisect_right(at, s) - 1
            shift = starts[k] - at[k]
            out.append((s + shift, e + shift))
        return out


class Runs:
    """Finders of the maximal run of U-characters around a position, for one alphabet U."""

    def __init__(self, union: str) -> None:
        self.forward = regex.compile(f"[{union}]*", regex.V0)
        self.backward = regex.compile(f"(?r)[{union}]*", regex.V0)


def _pieces(text: str, intervals: list[tuple[int, int]], runs: Runs, gap: int) -> list[tuple[int, int]]:
    """Sorted [lo, hi) of the text, each bordered by a character outside U (or an end of the text),
    covering every interval widened to the U-runs it meets; consecutive pieces share at most a
    border character.  Intervals within `gap` of each other share a piece, and the end of a piece
    is looked up once, from the furthest interval end in it (the run there ends last)."""
    fwd, back = runs.forward.match, runs.backward.match
    n = len(text)
    out: list[tuple[int, int]] = []
    lo = far = -1  # the open piece: its start, and the furthest interval end in it
    for a, b in intervals:
        if lo >= 0 and a <= far + gap:
            far = max(far, b)  # joined: the real text between is bordered like the rest
            continue
        if lo >= 0:
            hi = min(fwd(text, far).end() + 1, n)
            if a <= hi + gap:  # the open piece's runs reach this interval: keep it open
                far = max(far, b)
                continue
            out.append((lo, hi))
        lo, far = max(back(text, 0, a).start() - 1, 0), b
    if lo >= 0:
        out.append((lo, min(fwd(text, far).end() + 1, n)))
    return out
