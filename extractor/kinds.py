"""Give each figure its kind (level, change, growth, share, rate, rank, progress, target).

The decisions are the ordered rules of `rules/patterns/kinds.yaml`; this module only computes
the contexts they look at and returns the first rule that holds, so each row can name it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .rules import KindRule, Rules

TIMEOUT = 0.5


@dataclass
class Context:
    """The text around one figure, in normalised coordinates."""

    before: str  # since the clause start or the previous figure, whichever is later
    after: str  # to the clause end or the next figure
    clause: str  # the whole clause
    sentence_before: str  # since the sentence start
    section: str  # "plan" or "review"


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


def classify(rules: Rules, family: str, ctx: Context) -> KindRule | None:
    """The first kind rule that holds for a figure of this unit family in this context."""
    for rule in rules.kind_rules:
        try:
            if _holds(rule, family, ctx):
                return rule
        except TimeoutError:
            continue
    return None
