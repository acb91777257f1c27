"""Give each figure its kind (level, change, growth, share, rate, rank, progress, target).

The decisions are the ordered rules of `rules/patterns/kinds.yaml`; this module only computes
the contexts they look at and returns the first rule that holds, so each row can name it.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .prefilter import Gate, gate
from .rules import KindRule, Rules, guarded_search

TIMEOUT = 0.5


@dataclass(slots=True)
class Context:
    """The text around one figure, in normalised coordinates."""

    before: str  # since the clause start or the previous figure, whichever is later
    after: str  # to the clause end or the next figure
    clause: str  # the whole clause
    sentence_before: str  # since the sentence start
    section: str  # "plan" or "review"


#: (context field, pattern, literal gate) for each condition of a rule; the clause rule reads sentence_before
_Check = tuple[str, regex.Pattern, Gate | None]
_FIELDS = (("before", "before"), ("after", "after"), ("clause", "sentence_before"))


def _holds(rule: KindRule, family: str, ctx: Context) -> bool:
    if rule.families is not None and family not in rule.families:
        return False
    if rule.section and rule.section != ctx.section:
        return False
    if rule.before is not None and not rule.before.search(ctx.before, timeout=TIMEOUT):
        return False
    if rule.after is not None and not rule.after.search(ctx.after, timeout=TIMEOUT):
        return False
    if rule.clause is not None and not rule.clause.search(ctx.sentence_before, timeout=TIMEOUT):
        return False
    return True


class _Index:
    """The kind rules a figure of one family in one section can meet, in order, with their checks.

    Why: the family and section conditions are fixed per figure, so each figure only tries the
    rules that can apply; and a rule whose pattern needs a literal its context lacks is skipped
    without a (timed, so costly) search, which would have found nothing."""

    def __init__(self, kind_rules: list[KindRule]) -> None:
        self.rules = list(kind_rules)  # a copy, to notice a list changed in place
        # by position, not id(): the index is pickled with the rules (rulecache), and ids change
        self.checks = [self._checks(r) for r in self.rules]
        self.by_key: dict[tuple[str, str], tuple[tuple[KindRule, tuple[_Check, ...]], ...]] = {}

    @staticmethod
    def _checks(rule: KindRule) -> tuple[_Check, ...]:
        return tuple((field, pat, gate(pat)) for key, field in _FIELDS if (pat := getattr(rule, key)) is not None)

    def candidates(self, family: str, section: str) -> tuple[tuple[KindRule, tuple[_Check, ...]], ...]:
        key = (family, section)
        found = self.by_key.get(key)
        if found is None:
            found = self.by_key[key] = tuple(
                (r, checks) for r, checks in zip(self.rules, self.checks, strict=True)
                if (r.families is None or family in r.families) and (not r.section or r.section == section)
            )
        return found


def _index(rules: Rules) -> _Index:
    """The index of these rules' kind rules, kept with them (Rules.derived), rebuilt when the list
    is another one or was changed."""
    entry = rules.derived.get("kinds.index")
    if entry is None or entry[0] is not rules.kind_rules or entry[1].rules != rules.kind_rules:
        entry = rules.derived["kinds.index"] = (rules.kind_rules, _Index(rules.kind_rules))
    return entry[1]


def classify(rules: Rules, family: str, ctx: Context, index: _Index | None = None) -> KindRule | None:
    """The first kind rule that holds for a figure of this unit family in this context.

    Same answer as trying `_holds` on every rule in order (a search that times out counts as not
    holding, as there): family and section are prefiltered, and a gated pattern is only searched
    when its context holds one of the literals every match needs.  `index`: `_index(rules)`, which
    a caller classifying many figures of one document asks once (it compares the rule lists)."""
    for rule, checks in (index or _index(rules)).candidates(family, ctx.section):
        for field, _pat, may_match in checks:
            if may_match is not None and not may_match(getattr(ctx, field)):
                break
        else:
            if _searches_hold(checks, ctx):
                return rule
    return None


def _searches_hold(checks: tuple[_Check, ...], ctx: Context) -> bool:
    try:
        for field, pat, _gate in checks:
            if guarded_search(pat, getattr(ctx, field), TIMEOUT) is None:
                return False
    except TimeoutError:
        return False
    return True
