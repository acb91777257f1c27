"""rules/audit.yaml: windows, qualifier widths, range bounds and exceptions, partitions.

Why data: which rates may exceed 100 % (毛入学率) and which parts make a whole (国内 + 国际) is
knowledge users extend; a typo must stop the run with file, entry and reason, like every rule file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import regex

from ..errors import RulesError
from ..rules import _load_yaml, compile_pattern, default_rules_dir

FILE = "audit.yaml"
TOP = {"window", "previous_basis", "qualifier_widths", "ranges", "partitions", "partial_markers", "non_additive",
       "change_words", "base_words", "comparison_words",
       "average_words"}
RANGE_KEYS = ({"id", "kinds"}, {"unit", "min", "max", "direction", "except", "note"})
PARTITION_KEYS = ({"id", "parts"}, {"whole", "exhaustive", "note"})
WINDOW_DEFAULTS = {"whole_before": 320, "part_gap": 240, "duplicate_label": 4}


@dataclass(frozen=True)
class RangeRule:
    id: str
    kinds: frozenset[str]
    unit: str = ""
    lo: Decimal | None = None
    hi: Decimal | None = None
    direction: str = ""
    exempt: regex.Pattern | None = None
    note: str = ""


@dataclass(frozen=True)
class Partition:
    id: str
    parts: tuple[str, ...]
    whole: tuple[str, ...] = ()
    exhaustive: bool = False


@dataclass
class AuditConfig:
    window: dict[str, int] = field(default_factory=lambda: dict(WINDOW_DEFAULTS))
    previous_basis: regex.Pattern = regex.compile(r"^(上年|去年|同期|上年同期)$")
    widths: dict[str, Decimal] = field(default_factory=lambda: {"approx": Decimal("0.2"), "under": Decimal("0.3")})
    ranges: list[RangeRule] = field(default_factory=list)
    partitions: list[Partition] = field(default_factory=list)
    partial_markers: tuple[str, ...] = ("其中",)
    non_additive: regex.Pattern | None = None
    change_words: regex.Pattern | None = None
    base_words: regex.Pattern | None = None
    comparison_words: regex.Pattern | None = None
    average_words: regex.Pattern | None = None


def _num(v: Any, where: str, problems: list[str]) -> Decimal | None:
    if v is None:
        return None
    try:
        d = Decimal(str(v))
    except (InvalidOperation, ValueError):
        d = Decimal("NaN")
    if not d.is_finite():
        problems.append(f"{where}: {v!r} is not a number")
        return None
    return d


def _keys_ok(entry: Any, keys: tuple[set[str], set[str]], where: str, problems: list[str]) -> bool:
    if not isinstance(entry, dict):
        problems.append(f"{where}: entry must be a mapping")
        return False
    required, optional = keys
    missing, unknown = required - entry.keys(), entry.keys() - required - optional
    if missing:
        problems.append(f"{where}: missing key(s) {', '.join(sorted(missing))}")
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return not missing and not unknown


def _range(i: int, e: dict, problems: list[str]) -> RangeRule | None:
    where = f"{FILE}: ranges[{i}] ({e.get('id')})"
    if not _keys_ok(e, RANGE_KEYS, where, problems):
        return None
    if e.get("direction") not in (None, "", "up", "down"):
        problems.append(f"{where}: direction must be up or down")
        return None
    lo, hi = _num(e.get("min"), where + " min", problems), _num(e.get("max"), where + " max", problems)
    if lo is None and hi is None:
        problems.append(f"{where}: needs min or max")
        return None
    exempt = compile_pattern(e["except"], where + " except", problems) if e.get("except") else None
    return RangeRule(e["id"], frozenset(e["kinds"] or []), str(e.get("unit") or ""), lo, hi,
                     e.get("direction") or "", exempt, e.get("note") or "")


def _partition(i: int, e: dict, problems: list[str]) -> Partition | None:
    where = f"{FILE}: partitions[{i}] ({e.get('id')})"
    if not _keys_ok(e, PARTITION_KEYS, where, problems):
        return None
    parts = e["parts"]
    if not isinstance(parts, list) or len(parts) < 2 or not all(isinstance(p, str) and p for p in parts):
        problems.append(f"{where}: parts must be a list of at least two words")
        return None
    return Partition(e["id"], tuple(parts), tuple(e.get("whole") or ()), bool(e.get("exhaustive")))


def _window(data: dict, problems: list[str]) -> dict[str, int]:
    window = dict(WINDOW_DEFAULTS)
    for key, val in (data.get("window") or {}).items():
        if key not in WINDOW_DEFAULTS:
            problems.append(f"{FILE}: window: unknown key {key!r} (allowed: {', '.join(WINDOW_DEFAULTS)})")
        elif not isinstance(val, int) or val <= 0:
            problems.append(f"{FILE}: window: {key} must be a positive integer")
        else:
            window[key] = val
    return window


def _widths(data: dict, problems: list[str]) -> dict[str, Decimal]:
    widths = {}
    for key, val in (data.get("qualifier_widths") or {}).items():
        d = _num(val, f"{FILE}: qualifier_widths: {key}", problems)
        if key not in ("approx", "under"):
            problems.append(f"{FILE}: qualifier_widths: unknown qualifier {key!r} (approx, under)")
        elif d is not None and not (0 <= d < 1):
            problems.append(f"{FILE}: qualifier_widths: {key} must be in [0, 1)")
        elif d is not None:
            widths[key] = d
    return widths


def parse_config(data: Any) -> AuditConfig:
    """Validate the parsed YAML; raise RulesError listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise RulesError([f"{FILE}: top level must be a mapping"])
    for key in data:
        if key not in TOP:
            problems.append(f"{FILE}: unknown top-level key {key!r} (allowed: {', '.join(sorted(TOP))})")
    cfg = AuditConfig(window=_window(data, problems))
    cfg.widths.update(_widths(data, problems))
    basis = compile_pattern(data.get("previous_basis") or r"^(上年|去年)$", f"{FILE}: previous_basis", problems)
    cfg.previous_basis = basis or cfg.previous_basis
    cfg.ranges = [r for i, e in enumerate(data.get("ranges") or []) if (r := _range(i, e, problems))]
    cfg.partitions = [p for i, e in enumerate(data.get("partitions") or []) if (p := _partition(i, e, problems))]
    for key in ("non_additive", "change_words", "base_words", "comparison_words", "average_words"):
        if data.get(key):
            setattr(cfg, key, compile_pattern(data[key], f"{FILE}: {key}", problems))
    cfg.partial_markers = tuple(str(m) for m in (data.get("partial_markers") or ["其中"]))
    if problems:
        raise RulesError(problems)
    return cfg


def load_config(rules_dir: Path | str | None = None) -> AuditConfig:
    """Load rules/audit.yaml (or the one in rules_dir)."""
    path = Path(rules_dir or default_rules_dir()) / FILE
    problems: list[str] = []
    data = _load_yaml(path, problems)
    if problems:
        raise RulesError(problems)
    return parse_config(data)
