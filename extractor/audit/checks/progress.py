"""progress: done / plan × 100 ≈ the stated completion rate, when the plan is printed
("计划投资4亿元……完成投资3.1亿元，完成计划的77.5%").  When the plan is not printed
("累计完成投入2486.5万元,完成计划投入的88.49%") the plan is derived (kind derived_plan).
"""

from __future__ import annotations

from decimal import Decimal

from ..derive import derived_row
from ..figures import DocView, Fig
from ..interval import Interval
from ..result import Check, compare, q, short

HUNDRED = Interval.exact(Decimal(100))


def _done_before(chain: list[Fig], rate: Fig) -> Fig | None:
    for f in reversed([f for f in chain if f.end <= rate.start]):
        if f.kind == "level" and f.unit not in ("%", "pp"):
            return f
        if f.kind in ("progress", "share", "rate"):
            return None
    return None


def _plan_before(view: DocView, done: Fig) -> Fig | None:
    limit = done.start - view.cfg.window["whole_before"]
    for f in reversed(view.figs):
        if f.end <= done.start and f.start >= limit and f.kind == "target" and f.unit == done.unit:
            return f
    return None


def run(view: DocView) -> list[Check]:
    out = []
    for chain in view.chains():
        for rate in chain:
            if rate.kind != "progress" or rate.unit != "%":
                continue
            done = _done_before(chain, rate)
            if done is None:
                continue
            plan = _plan_before(view, done)
            if plan is not None:
                ratio = done.iv / plan.iv
                computed = ratio * HUNDRED if ratio is not None else None
                expr = f"{q(done)} / {q(plan)} × 100"
                if computed is not None:
                    expr += f" = {short(computed.point, 3)}% vs stated {q(rate)}"
                out.append(compare("progress", [done, plan, rate], computed, rate.iv, expr))
            elif done.exact and rate.exact and rate.value > 0:
                implied = done.iv / (rate.iv / HUNDRED)
                if implied is not None:
                    view.derived.append(derived_row(view, done, implied, f"{q(done)} / {q(rate)}",
                                                    "derived_plan", "audit.progress"))
    return out
