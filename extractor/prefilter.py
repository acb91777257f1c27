"""Literal gates: skip a user pattern's search when the text lacks every literal the pattern needs.

Why: a search with a timeout costs microseconds even on a ten-character string (the timeout reads
the clock), and the kind rules search every figure's context with several patterns that mostly
cannot match.  `growth.up` (``(?:增长|增加|…|翻)(?:了)?…$``) cannot match a text holding none of
增 上 提 涨 扩 翻; a plain ``in`` test says so in nanoseconds.

The gate never changes a result: it answers "cannot match" only when every match of the pattern
must contain one of the pattern's required literals and the text contains none of them, in which
case the search would have found nothing.  When the pattern's structure is not fully understood
(anything the standard-library parser reads differently from the `regex` module, or cannot read:
\\p{…}, fuzzy {e<=1}, named lists, (?i), verbose mode, variable lookbehind, backtracking verbs), there
is no gate and the pattern is always searched.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

import regex

try:  # Python 3.11+
    from re import _constants as _c
    from re import _parser as _sre_parse
except ImportError:  # Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

Gate = Callable[[str], bool]

_REPEATS = {op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op is not None}
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)
#: nodes that match text the analysis does not need to read: they only end a literal run
_OPAQUE = {_c.ANY, _c.IN, _c.NOT_LITERAL, _c.CATEGORY, _c.AT, _c.ASSERT, _c.ASSERT_NOT, _c.GROUPREF}
#: flags under which a literal in the parse does not mean "exactly this character"
_UNSAFE_FLAGS = _c.SRE_FLAG_IGNORECASE | _c.SRE_FLAG_VERBOSE | _c.SRE_FLAG_LOCALE
#: `regex` flags under which literals and structure mean what the stdlib parser reads
_SAFE_REGEX_FLAGS = regex.MULTILINE | regex.DOTALL | regex.UNICODE | regex.ASCII | regex.VERSION0
#: the stdlib parser reads an unknown {…} as literal braces, where `regex` may mean a fuzzy match
_BRACES = {ord("{"), ord("}")}


class _Unsafe(Exception):
    """The pattern uses something the analysis cannot vouch for: no gate."""


def required_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """A set of strings such that every match of `pattern` contains at least one of them, or None
    when no such set is known (then the pattern must always be searched)."""
    found = _analyse(pattern, flags)
    return found[0] if found else None


def literal_window(pattern: str, flags: int = 0) -> tuple[frozenset[str], int] | None:
    """The required literals and the longest match of `pattern` (a match starting at i contains
    one of the literals inside [i, i + width)); None when either is unknown or unbounded."""
    found = _analyse(pattern, flags)
    if not found or found[1] >= _UNBOUNDED:
        return None
    return found


_UNBOUNDED = 1 << 16


def _analyse(pattern: str, flags: int) -> tuple[frozenset[str], int] | None:
    if flags & ~_SAFE_REGEX_FLAGS:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # FutureWarning: a nested set, as `regex` reads [[:alpha:]]
            parsed = _sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 — any pattern the stdlib cannot read simply gets no gate
        return None
    if parsed.state.flags & _UNSAFE_FLAGS:
        return None
    try:
        found = _required(parsed)
    except _Unsafe:
        return None
    found = _minimal(found) if found else None
    return (found, min(parsed.getwidth()[1], _UNBOUNDED)) if found else None


def _required(items) -> frozenset[str] | None:
    """Required literals of a sequence of parse nodes: the most selective of its items' sets."""
    best: frozenset[str] | None = None
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            if av in _BRACES:
                raise _Unsafe
            run.append(chr(av))
            continue
        best = _better(best, frozenset(["".join(run)]) if run else None)
        run = []
        best = _better(best, _node(op, av))
    return _better(best, frozenset(["".join(run)]) if run else None)


def _node(op, av) -> frozenset[str] | None:
    """Required literals of one non-literal node (None: it requires nothing known)."""
    if op is _c.IN:
        # a class of plain characters ([到至], or 到|至 as the parser folds it) needs one of them
        return frozenset(chr(v) for _, v in av) if all(o is _c.LITERAL for o, _ in av) else None
    if op in _OPAQUE:
        if op is _c.ASSERT or op is _c.ASSERT_NOT:
            _required(av[1])  # only to refuse unsafe contents
        return None
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        if add_flags & _UNSAFE_FLAGS:
            raise _Unsafe
        return _required(body)
    if op is _ATOMIC:
        return _required(av)
    if op in _REPEATS:
        low, _high, body = av
        req = _required(body)
        return req if low >= 1 else None
    if op is _c.BRANCH:
        alts = [_required(a) for a in av[1]]
        return frozenset().union(*alts) if all(a for a in alts) else None
    if op is _c.GROUPREF_EXISTS:
        _group, yes, no = av
        alts = [_required(yes), _required(no) if no is not None else None]
        return frozenset().union(*alts) if all(a for a in alts) else None
    raise _Unsafe


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective of two valid requirement sets: fewer strings, then longer ones."""
    if not a or "" in a:
        return b if b and "" not in b else None
    if not b or "" in b:
        return a
    return min(a, b, key=lambda s: (len(s), -min(map(len, s))))


def _minimal(req: frozenset[str]) -> frozenset[str] | None:
    """Drop every string that contains another one (containing it implies containing the shorter)."""
    if "" in req:
        return None
    return frozenset(s for s in req if not any(o != s and o in s for o in req))


def gate(pattern: regex.Pattern) -> Gate | None:
    """A test that is False only for texts in which `pattern` cannot match; None when there is none."""
    req = required_literals(pattern.pattern, pattern.flags)
    if not req:
        return None
    return literal_test(req)


def literal_test(req: frozenset[str]) -> Gate:
    """A test that is True exactly for texts holding one of the literals in `req` (not empty).

    The test is a plain closure (a call costs less than a method's); it carries the call that
    makes it as `rebuild`, so that the rules cache (rulecache) can pickle it as that call."""
    if len(req) == 1:
        (lit,) = req
        return _contains(lit)
    # plain escaped literals: the standard engine finds exactly what `regex` would, at about a
    # third of the cost a call, and an alternation of literals runs in linear time (no timeout)
    return _finds(re.compile("|".join(re.escape(s) for s in sorted(req, key=len))).search)


def _contains(lit: str) -> Gate:
    test = lambda text: lit in text  # noqa: E731
    test.rebuild = (_contains, (lit,))  # type: ignore[attr-defined]
    return test


def _finds(finder: Callable[[str], object]) -> Gate:
    test = lambda text: finder(text) is not None  # noqa: E731
    test.rebuild = (_finds, (finder,))  # type: ignore[attr-defined]  # the pattern pickles compiled
    return test
