"""Load and validate the knowledge in `rules/`: units, qualifiers, exclusions, patterns, lexicons.

Why a schema: users grow these files by hand.  A typo (an unknown key, a duplicate id, a regex
that does not compile or can backtrack forever) must stop the run with *every* problem listed,
each with its file, entry and reason, not surface later as a silent miss.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from .errors import RulesError

#: Seconds a user-written pattern may spend on one match before it is abandoned.
PATTERN_TIMEOUT = 0.5

UNIT_FAMILIES = {"money", "count", "people", "measure", "percent", "pp", "ratio", "time", "none"}
QUALIFIER_VALUES = {"exact", "over", "under", "approx", "at_least"}
KINDS = {"level", "change", "growth", "share", "rate", "rank", "progress", "target"}


def default_rules_dir() -> Path:
    """`rules/` beside the package (editable install), or $ZHIBIAO_RULES."""
    env = os.environ.get("ZHIBIAO_RULES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "rules"


# --------------------------------------------------------------------------- YAML loading


@lru_cache(maxsize=1)
def _loader() -> type:
    """A YAML loader that rejects duplicate keys (PyYAML silently keeps the last one).

    Built on first use, with yaml imported then: a process that finds its rules in the cache
    (rulecache) never parses YAML, and importing yaml is ~25 ms of a cold start."""
    import yaml

    class UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml parses ~10x faster
        pass

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (line {key_node.start_mark.line + 1})", key_node.start_mark
                )
            seen[key] = 1
        return loader.construct_mapping(node, deep=deep)

    UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return UniqueKeyLoader


def _load_yaml(path: Path, problems: list[str]) -> Any:
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_loader())
    except FileNotFoundError:
        problems.append(f"{path}: file missing")
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: not valid YAML ({' '.join(str(exc).split())})")
    return None


# --------------------------------------------------------------------------- schemas

# For each file: the list key, then for its entries: required keys, optional keys.
ENTRY_SCHEMAS: dict[str, dict[str, tuple[set[str], set[str]]]] = {
    "units.yaml": {"units": ({"surface", "base", "scale", "family"}, {"scalable", "note"})},
    "qualifiers.yaml": {"qualifiers": ({"surface", "value", "where"}, {"note"})},
    "exclusions.yaml": {"exclusions": ({"id", "kind", "pattern"}, {"note"})},
    "patterns/kinds.yaml": {
        "rules": ({"id", "kind"}, {"families", "before", "after", "clause", "section", "direction", "basis", "note"})
    },
    "patterns/ranks.yaml": {"ranks": ({"id", "pattern"}, {"note"})},
    "indicators.yaml": {"indicators": ({"id", "name", "unit", "domain"}, {"synonyms", "patterns", "note"})},
}
TOP_KEYS: dict[str, set[str]] = {
    "units.yaml": {"units", "scales", "per", "not_before"},
    "qualifiers.yaml": {"qualifiers"},
    "exclusions.yaml": {"exclusions"},
    "patterns/kinds.yaml": {"rules"},
    "patterns/ranks.yaml": {"ranks"},
    "sections.yaml": {"plan", "review", "review_lead"},
    "indicators.yaml": {"indicators", "generic_heads", "not_indicators", "keep_verbs", "light_verbs", "nouns",
                        "noun_suffixes", "modifiers"},
    "subjects.yaml": {"words", "patterns"},
}

#: Quantifier nesting like (a+)+ or (a*)* can backtrack exponentially; refused at load time.
_NESTED_QUANT = regex.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)[+*{]")


def compile_pattern(pattern: Any, where: str, problems: list[str]) -> regex.Pattern | None:
    """Compile a user pattern, refusing ones that do not compile or can backtrack without bound."""
    if not isinstance(pattern, str):
        problems.append(f"{where}: pattern must be a string, got {type(pattern).__name__}")
        return None
    if _NESTED_QUANT.search(pattern):
        problems.append(f"{where}: pattern {pattern!r} nests quantifiers (catastrophic backtracking)")
        return None
    try:
        compiled = regex.compile(pattern, regex.V0)
    except regex.error as exc:
        problems.append(f"{where}: bad pattern {pattern!r} ({exc})")
        return None
    slow = _backtracking_probe(compiled)
    if slow is not None:
        problems.append(f"{where}: pattern {pattern!r} backtracks catastrophically (times out on {slow!r})")
        return None
    return compiled


_PROBE_TIMEOUT = 0.05
#: only a quantified group with alternatives can backtrack exponentially once nesting is refused
_RISKY_SHAPE = regex.compile(r"\|.*\)(?:[+*]|\{\d*,)")
_PROBE_LEN = 40


#: rule patterns run on longer texts than this always get a timeout (see guarded_search)
GUARD_CHARS = 2000


@lru_cache(maxsize=4096)
def _risky(pat: regex.Pattern) -> bool:
    return bool(_RISKY_SHAPE.search(pat.pattern))


def guarded_search(pat: regex.Pattern, text: str, seconds: float) -> regex.Match | None:
    """pat.search(text), with a timeout (TimeoutError) only where one can matter.

    Why: a regex timeout costs ~2.5 µs a call, more than the search itself on a clause, and the
    hot paths search hundreds of thousands of clauses.  compile_pattern already refuses nested
    quantifiers and probes the risky shapes, so a short text cannot make a loaded pattern run
    long; a long text (a 250 kB line without 。) or a risky shape still gets the timeout, and the
    document's own time limit stays the last guard."""
    if len(text) > GUARD_CHARS or _risky(pat):
        return pat.search(text, timeout=seconds)
    return pat.search(text)


def guarded_finditer(pat: regex.Pattern, text: str, seconds: float) -> Iterator[regex.Match]:
    """pat.finditer(text) with a timeout where one can matter (see guarded_search)."""
    if len(text) > GUARD_CHARS or _risky(pat):
        return pat.finditer(text, timeout=seconds)
    return pat.finditer(text)


def _backtracking_probe(pat: regex.Pattern) -> str | None:
    """What the static check misses, e.g. overlapping alternatives under a quantifier ((a|a)+b,
    (\\d|\\d\\d)+x): run the pattern on runs of the characters it names, which end in a character
    that cannot match, with a short timeout.  Returns the probe that timed out, else None."""
    if not _RISKY_SHAPE.search(pat.pattern):
        return None
    chars = {c for c in pat.pattern if c.isalnum() or c in " ,.%"} | {"1", "一", " ", "a"}
    for c in sorted(chars)[:40]:
        probe = c * _PROBE_LEN + "\x00"
        try:
            pat.search(probe, timeout=_PROBE_TIMEOUT)
        except TimeoutError:
            return c * 3 + "…"
    return None


def _check_entries(fname: str, data: Any, problems: list[str]) -> dict[str, list[dict]]:
    """Check top-level keys and each entry's keys; return the entry lists that are well formed."""
    out: dict[str, list[dict]] = {}
    if data is None:
        return out
    if not isinstance(data, dict):
        problems.append(f"{fname}: top level must be a mapping")
        return out
    allowed = TOP_KEYS.get(fname)
    if allowed is not None:
        for key in data:
            if key not in allowed:
                problems.append(f"{fname}: unknown top-level key {key!r} (allowed: {', '.join(sorted(allowed))})")
    for list_key, (required, optional) in ENTRY_SCHEMAS.get(fname, {}).items():
        entries = data.get(list_key) or []
        if not isinstance(entries, list):
            problems.append(f"{fname}: {list_key!r} must be a list")
            continue
        good = []
        seen_ids: set[str] = set()
        for i, entry in enumerate(entries):
            label = f"{fname}: {list_key}[{i}]"
            if not isinstance(entry, dict):
                problems.append(f"{label}: entry must be a mapping")
                continue
            name = entry.get("id", entry.get("surface"))
            if name is not None:
                label += f" ({name})"
            missing = required - entry.keys()
            unknown = entry.keys() - required - optional
            if missing:
                problems.append(f"{label}: missing key(s) {', '.join(sorted(missing))}")
            if unknown:
                problems.append(f"{label}: unknown key(s) {', '.join(sorted(unknown))}")
            if "id" in entry:
                if entry["id"] in seen_ids:
                    problems.append(f"{label}: duplicate id {entry['id']!r}")
                seen_ids.add(entry["id"])
            if not missing:
                good.append(entry)
        out[list_key] = good
    return out


# --------------------------------------------------------------------------- rule objects


@dataclass(frozen=True)
class Unit:
    surface: str
    base: str
    scale: Decimal
    family: str


@dataclass(frozen=True)
class KindRule:
    id: str
    kind: str
    direction: str = ""
    families: frozenset[str] | None = None
    before: regex.Pattern | None = None
    after: regex.Pattern | None = None
    clause: regex.Pattern | None = None
    section: str = ""
    basis: str = ""


@dataclass
class Rules:
    """Everything the engine knows, loaded once per process."""

    directory: Path
    version: str
    units: dict[str, Unit]  # every surface form, scale-prefixed forms expanded
    scales: dict[str, Decimal]
    per: list[str]
    not_before: dict[str, str]  # unit surface -> characters that may not follow it
    qualifiers: dict[str, dict[str, str]]  # where -> surface -> value
    exclusions: list[tuple[str, str, regex.Pattern]]
    kind_rules: list[KindRule]
    ranks: list[tuple[str, regex.Pattern]]
    sections: dict[str, list[regex.Pattern]]
    extra: dict[str, Any] = field(default_factory=dict)  # lexicons loaded by other modules
    #: what the engine builds from these rules on first use (the scan pattern, indexes, gates):
    #: kept with them, so that the rules cache (rulecache) carries it to the next process too
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def unit(self, surface: str) -> Unit | None:
        return self.units.get(surface)

    def derive(self, name: str, build: Callable[[Rules], Any]) -> Any:
        """build(self), made once and kept under `name` (see `derived`)."""
        try:
            return self.derived[name]
        except KeyError:
            got = self.derived[name] = build(self)
            return got


def _decimal(value: Any, where: str, problems: list[str]) -> Decimal | None:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        problems.append(f"{where}: scale {value!r} is not a number")
        return None
    if not d.is_finite() or d <= 0:
        problems.append(f"{where}: scale {value!r} must be a positive number")
        return None
    return d


def _build_units(data: dict, entries: list[dict], problems: list[str]) -> tuple[dict[str, Unit], dict[str, Decimal]]:
    scales: dict[str, Decimal] = {}
    for word, val in (data.get("scales") or {}).items():
        d = _decimal(val, f"units.yaml: scales[{word}]", problems)
        if d is not None:
            scales[str(word)] = d
    units: dict[str, Unit] = {}
    surfaces_seen: set[str] = set()
    for i, e in enumerate(entries):
        where = f"units.yaml: units[{i}] ({e['surface']})"
        if e["family"] not in UNIT_FAMILIES:
            problems.append(f"{where}: unknown family {e['family']!r} (allowed: {', '.join(sorted(UNIT_FAMILIES))})")
            continue
        if e["scale"] in (None, ""):
            problems.append(f"{where}: unit without scale")
            continue
        scale = _decimal(e["scale"], where, problems)
        if scale is None:
            continue
        surface = str(e["surface"])
        if surface in surfaces_seen:
            problems.append(f"{where}: duplicate unit surface {surface!r} (one surface, one meaning)")
            continue
        surfaces_seen.add(surface)
        units[surface] = Unit(surface, str(e["base"]), scale, e["family"])
    # scale-prefixed forms (万人次, 亿吨公里) for units marked scalable; only the big scales,
    # so that 千米/千瓦/千元 keep their own meaning.
    big = {w: s for w, s in scales.items() if s >= 10000}
    for e in entries:
        if not e.get("scalable") or str(e["surface"]) not in units:
            continue
        u = units[str(e["surface"])]
        for word, s in big.items():
            form = word + u.surface
            if form not in units:
                units[form] = Unit(form, u.base, u.scale * s, u.family)
    # a bare scale after an Arabic number (6398万农村人口): no unit, value scaled
    for word, s in big.items():
        units.setdefault(word, Unit(word, "", s, "none"))
    return units, scales


def _build_kind_rules(entries: list[dict], problems: list[str]) -> list[KindRule]:
    out = []
    for i, e in enumerate(entries):
        where = f"patterns/kinds.yaml: rules[{i}] ({e['id']})"
        if e["kind"] not in KINDS:
            problems.append(f"{where}: unknown kind {e['kind']!r} (allowed: {', '.join(sorted(KINDS))})")
            continue
        fams = e.get("families")
        if fams is not None:
            bad = set(fams) - UNIT_FAMILIES
            if bad:
                problems.append(f"{where}: unknown famil(ies) {', '.join(sorted(bad))}")
                continue
        if e.get("section") not in (None, "", "plan", "review"):
            problems.append(f"{where}: section must be plan or review")
            continue
        if e.get("direction") not in (None, "", "up", "down"):
            problems.append(f"{where}: direction must be up or down")
            continue
        pats = {}
        for key in ("before", "after", "clause"):
            if e.get(key):
                pats[key] = compile_pattern(e[key], f"{where} {key}", problems)
        out.append(
            KindRule(
                id=e["id"],
                kind=e["kind"],
                direction=e.get("direction") or "",
                families=frozenset(fams) if fams is not None else None,
                before=pats.get("before"),
                after=pats.get("after"),
                clause=pats.get("clause"),
                section=e.get("section") or "",
                basis=e.get("basis") or "",
            )
        )
    return out


#: Other modules register loaders for their own rule files: name -> callable(dir, problems) -> value.
EXTRA_LOADERS: dict[str, Any] = {}


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.yaml") if p.is_file())


def rules_version(directory: Path) -> str:
    """A digest of every rule file: a document extracted under other rules must be redone."""
    h = hashlib.sha256()
    for p in rule_files(directory):
        h.update(str(p.relative_to(directory)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def load_rules_uncached(directory: Path | str | None = None) -> Rules:
    """Load and validate every rule file; raise RulesError listing all problems."""
    directory = Path(directory) if directory else default_rules_dir()
    problems: list[str] = []
    if not directory.is_dir():
        raise RulesError([f"{directory}: rules folder missing"])
    raw: dict[str, Any] = {}
    for fname in TOP_KEYS:
        raw[fname] = _load_yaml(directory / fname, problems)
    checked = {fname: _check_entries(fname, raw[fname], problems) for fname in TOP_KEYS}

    units, scales = _build_units(raw["units.yaml"] or {}, checked["units.yaml"].get("units", []), problems)
    per = []
    for i, p in enumerate((raw["units.yaml"] or {}).get("per") or []):
        if isinstance(p, str) and p:
            per.append(p)
        else:
            problems.append(f"units.yaml: per[{i}]: must be a unit word, got {p!r}")

    not_before: dict[str, str] = {}
    for unit, chars in ((raw["units.yaml"] or {}).get("not_before") or {}).items():
        if str(unit) not in units:
            problems.append(f"units.yaml: not_before[{unit}]: not a unit listed in units")
        elif not isinstance(chars, list) or not all(isinstance(c, str) and c for c in chars):
            problems.append(f"units.yaml: not_before[{unit}]: must be a list of characters")
        else:
            not_before[str(unit)] = "".join(chars)

    qualifiers: dict[str, dict[str, str]] = {"before": {}, "inside": {}, "after": {}, "lead": {}}
    for i, e in enumerate(checked["qualifiers.yaml"].get("qualifiers", [])):
        where = f"qualifiers.yaml: qualifiers[{i}] ({e['surface']})"
        if e["value"] not in QUALIFIER_VALUES:
            problems.append(f"{where}: unknown value {e['value']!r}")
        elif e["where"] not in qualifiers:
            problems.append(f"{where}: where must be before, inside, after or lead")
        else:
            qualifiers[e["where"]][str(e["surface"])] = e["value"]

    exclusions = []
    for i, e in enumerate(checked["exclusions.yaml"].get("exclusions", [])):
        pat = compile_pattern(e["pattern"], f"exclusions.yaml: exclusions[{i}] ({e['id']})", problems)
        if pat is not None:
            exclusions.append((e["id"], e["kind"], pat))

    kind_rules = _build_kind_rules(checked["patterns/kinds.yaml"].get("rules", []), problems)

    ranks = []
    for i, e in enumerate(checked["patterns/ranks.yaml"].get("ranks", [])):
        pat = compile_pattern(e["pattern"], f"patterns/ranks.yaml: ranks[{i}] ({e['id']})", problems)
        if pat is not None:
            if "n" not in pat.groupindex:
                problems.append(f"patterns/ranks.yaml: ranks[{i}] ({e['id']}): pattern needs a group named n")
            else:
                ranks.append((e["id"], pat))

    sections: dict[str, list[regex.Pattern]] = {"plan": [], "review": [], "review_lead": []}
    for key in sections:
        for i, p in enumerate((raw["sections.yaml"] or {}).get(key) or []):
            pat = compile_pattern(p, f"sections.yaml: {key}[{i}]", problems)
            if pat is not None:
                sections[key].append(pat)

    extra = {}
    for name, loader in EXTRA_LOADERS.items():
        extra[name] = loader(directory, problems)

    if problems:
        raise RulesError(problems)
    return Rules(
        directory=directory,
        version=rules_version(directory),
        units=units,
        scales=scales,
        per=per,
        not_before=not_before,
        qualifiers=qualifiers,
        exclusions=exclusions,
        kind_rules=kind_rules,
        ranks=ranks,
        sections=sections,
        extra=extra,
    )


@lru_cache(maxsize=8)
def _load_cached(directory: str, version: str) -> Rules:
    """Once per process; across processes, the disk cache (rulecache) skips the build."""
    from . import pipeline, rulecache

    def fits(got: Any) -> bool:
        return isinstance(got, Rules) and got.version == version and set(got.extra) == set(EXTRA_LOADERS)

    rules = rulecache.cached(version, list(EXTRA_LOADERS),
                             lambda: pipeline.prepare(load_rules_uncached(Path(directory))), fits)
    rules.directory = Path(directory)  # the same rules may have been cached from another folder
    return rules


def load_rules(directory: Path | str | None = None) -> Rules:
    """Load rules once per process (keyed by folder and content digest)."""
    directory = Path(directory) if directory else default_rules_dir()
    if not directory.is_dir():
        raise RulesError([f"{directory}: rules folder missing"])
    return _load_cached(str(directory.resolve()), rules_version(directory))


def check_rules(directory: Path | str | None = None) -> list[str]:
    """Every problem in the rule files, as `file: entry: reason` lines (empty when valid)."""
    try:
        load_rules_uncached(directory)
    except RulesError as exc:
        return exc.problems
    return []


# the lexicon module registers its loader (indicators.yaml, subjects.yaml) in EXTRA_LOADERS
from . import lexicon as _lexicon  # noqa: E402,F401
