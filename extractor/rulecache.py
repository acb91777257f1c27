"""A disk cache of loaded rules, so that a fresh process has them in milliseconds.

Why: loading `rules/` parses a dozen YAML files, validates every entry, builds the lexicon's
tries and compiles about a hundred patterns with the `regex` module, whose parser is pure Python;
the first document then builds the scan pattern, the kind index and the exclusion plan
(`Rules.derived`, see pipeline.prepare).  Together ~0.2 s: a fifth of a cold start (import to
first figure), and again in every worker process of a batch.  A compiled `regex` pattern pickles
together with its compiled code (`regex._main._pickle`), so unpickling skips the parser (the scan
pattern comes back in under a millisecond against ~40 ms to compile); standard-library patterns
are given the same treatment (_sre_args), and closures carry the call that rebuilds them.

Correctness: the key covers everything the loaded object is made from: the rule files' content
(not their folder, which rules.load_rules sets on the object read back), the source of this
package (the code that builds it), the loaders registered in `rules.EXTRA_LOADERS`, and the
versions of Python, `regex` and the pickle protocol.  Any change is a miss, and a miss builds the
rules exactly as without a cache.  A cache that cannot be read, unpickled or written (read-only
home, full disk, a file cut short) is ignored.  Writes are atomic (a temporary file, then a
rename), and the folder keeps the newest `KEEP` entries.

Trust: unpickling runs what the file says, so the cache lives in the user's own cache folder
($ZHIBIAO_CACHE_DIR, else $XDG_CACHE_HOME/zhibiao, else ~/.cache/zhibiao), which is as much
theirs as their `rules/`.  ZHIBIAO_CACHE_DIR=off turns the cache off.
"""

from __future__ import annotations

import _sre  # the standard engine's compiler (see _sre_args)
import hashlib
import io
import os
import pickle
import re
import sys
import tempfile
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import regex

ENV = "ZHIBIAO_CACHE_DIR"
OFF = {"off", "0", "no", "none", ""}
#: cache files kept in the folder (a key per rules folder and code version)
KEEP = 16
PROTOCOL = pickle.HIGHEST_PROTOCOL
_PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """Where cached rules live, or None when the cache is turned off."""
    env = os.environ.get(ENV)
    if env is not None:
        return None if env.strip().lower() in OFF else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "zhibiao"


def _code_digest() -> bytes:
    """The source of this package: the code that turns rule files into a Rules object."""
    h = hashlib.sha256()
    for p in sorted(_PACKAGE.rglob("*.py")):
        h.update(str(p.relative_to(_PACKAGE)).encode())
        h.update(p.read_bytes())
    return h.digest()


def cache_key(content_digest: str, loaders: list[str]) -> str:
    """The name of the cache entry for rules with this content, wherever their folder is (the
    caller sets the folder of what it reads back: Dask workers load the same rules from a folder
    of their own, and would otherwise fill the cache with copies)."""
    h = hashlib.sha256()
    for part in (content_digest, ",".join(sorted(loaders)), sys.version, regex.__version__, str(PROTOCOL)):
        h.update(part.encode())
        h.update(b"\0")
    h.update(_code_digest())
    return h.hexdigest()[:32]


def _sre_args(pat: re.Pattern) -> tuple | None:
    """The arguments of `_sre.compile` that make `pat` again without parsing it, or None.

    Why: a standard-library pattern pickles as (pattern, flags) and is parsed again on loading, in
    Python (the lexicon's alternations of a few thousand characters: ~25 ms of a cold start).  This
    is what `re._compiler.compile` passes to `_sre.compile`; it is an internal of CPython, so it is
    only used when the pattern it makes compares equal to `pat` (equal patterns have the same
    compiled code) and is loaded only by the same Python (its version is in the cache key)."""
    try:
        from re import _compiler, _parser

        p = _parser.parse(pat.pattern, pat.flags)
        code = [int(c) for c in _compiler._code(p, pat.flags)]  # named constants pickle as plain ints
        groupindex = p.state.groupdict
        indexgroup: list[str | None] = [None] * p.state.groups
        for k, i in groupindex.items():
            indexgroup[i] = k
        args = (pat.pattern, int(pat.flags | p.state.flags), code, p.state.groups - 1, groupindex, tuple(indexgroup))
        return args if _sre.compile(*args) == pat else None
    except Exception:  # noqa: BLE001 - another Python's internals: pickle the plain way
        return None


class _Pickler(pickle.Pickler):
    """Pickles a closure that carries `rebuild` = (function, arguments) (the literal gates of
    prefilter.literal_test and pipeline.any_in) as that call, since pickle cannot carry closures;
    and a standard-library pattern with its compiled code (see _sre_args)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, types.FunctionType):
            rebuild = getattr(obj, "rebuild", None)
            if rebuild is not None:
                return rebuild
        elif type(obj) is re.Pattern:
            args = _sre_args(obj)
            if args is not None:
                return _sre.compile, args
        return NotImplemented


def dumps(obj: Any) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, protocol=PROTOCOL).dump(obj)
    return buf.getvalue()


def _read(path: Path) -> Any:
    try:
        return pickle.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged or foreign entry is a miss, never an error
        return None


def _write(folder: Path, path: Path, data: bytes) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder)
    except OSError:
        pass  # no cache this time; the rules themselves are fine


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("rules-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)


def cached(content_digest: str, loaders: list[str], build: Callable[[], Any],
           check: Callable[[Any], bool]) -> Any:
    """build(), or what an earlier build() left in the cache for the same key.

    `check` vets an object read back (its type and rules version); one that fails it is rebuilt.
    An object that cannot be pickled is returned uncached."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"rules-{cache_key(content_digest, loaders)}.pickle"
    got = _read(path)
    if got is not None and check(got):
        return got
    obj = build()
    try:
        data = dumps(obj)
    except Exception:  # noqa: BLE001 - something new that pickle cannot carry: run without a cache
        return obj
    _write(folder, path, data)
    return obj
