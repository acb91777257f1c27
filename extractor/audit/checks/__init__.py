"""The audit's checks, one small module each.  Every check is `run(doc) -> list[Check]`; growth and
progress also add derived figures to `doc.derived`.  CHECKS is the order they run in."""

from __future__ import annotations

from . import duplicates, from_to, growth, progress, ranges, share, sum_growth, sums

CHECKS = {
    "growth": growth.run,
    "sum": sums.run,
    "sum_growth": sum_growth.run,
    "share": share.run,
    "progress": progress.run,
    "from_to": from_to.run,
    "range": ranges.run,
    "duplicate": duplicates.run,
}
