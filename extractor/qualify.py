"""Qualifiers that stand away from their figure: 不低于当地最低生活保障标准的1.6倍.

The scan reads qualifiers next to a number (近20个百分点, 40余项, 90%以上).  Some govern a figure
from earlier in the clause, across a "…的" phrase or a denominator ("超每千人6.5批次"); the
words are `where: lead` entries of rules/qualifiers.yaml.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

from .rules import Rules

_CACHE: dict[str, regex.Pattern | None] = {}


def _pattern(rules: Rules) -> regex.Pattern | None:
    return rules.derive("qualify.lead", _shared_pattern)


def _shared_pattern(rules: Rules) -> regex.Pattern | None:
    key = str(rules.directory) + rules.version
    if key not in _CACHE:
        words = sorted(rules.qualifiers.get("lead", {}), key=len, reverse=True)
        _CACHE[key] = (
            regex.compile("(?P<q>" + "|".join(map(regex.escape, words)) + r")(?:[^，。；,;！？\d]{0,24}的|每[^，。；,;\d]{1,4})$")
            if words else None
        )
    return _CACHE[key]


def lead_qualifier_for(rules: Rules) -> Callable[[str], str]:
    """`lead_qualifier` with the pattern and the word table looked up once (per document, not
    per figure: the lookup builds a key string from the rules folder)."""
    pat = _pattern(rules)
    if pat is None:
        return lambda before: ""
    search, words = pat.search, rules.qualifiers["lead"]

    def lead(before: str) -> str:
        m = search(before)
        return words[m.group("q")] if m else ""

    return lead


def lead_qualifier(before: str, rules: Rules) -> str:
    """The qualifier a lead word gives the figure right after `before`, or ''."""
    pat = _pattern(rules)
    if pat is None:
        return ""
    m = pat.search(before)
    return rules.qualifiers["lead"][m.group("q")] if m else ""
