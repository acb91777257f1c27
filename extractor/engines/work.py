"""The one per-document function every engine runs, and the compact result it sends back.

Why compact: a DocResult carries the whole decoded text; sending that back from a worker would
double the traffic.  The worker turns its rows into an Arrow table (cheap to pickle, already in
the output schema) and keeps only the document row and a byte count.
"""

from __future__ import annotations

import gc
import signal
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..rules import Rules, load_rules
from ..table import INDICATOR_SCHEMA, to_arrow

_RULES: Rules | None = None
GC_FIRST_GENERATION = 10_000
WARM_TEXT = "2012年全市教育经费247276万元,比上年增加50676万元,增长25.78%。"


@dataclass
class Task:
    """One document to extract; `options` are passed through to api.process_path untouched."""

    path: str
    doc_id: str
    encoding: str | None = None
    options: dict = field(default_factory=dict)


@dataclass
class Outcome:
    """What a worker sends back for one document."""

    doc_id: str
    doc_row: dict
    table: pa.Table | None
    error: str = ""
    nbytes: int = 0

    @property
    def figures(self) -> int:
        return self.table.num_rows if self.table is not None else 0


def load_all_rules(directory=None) -> Rules:
    """load_rules after importing the whole pipeline: modules register loaders for their own rule
    files (rules.EXTRA_LOADERS) on import, and a fresh worker process has imported none yet."""
    from .. import api  # noqa: F401  (imports pipeline, attribution, lexicons, metadata)

    return load_rules(directory)


def warm(rules: Rules) -> None:
    """Load the segmenter dictionary and every lazy cache once, before workers fork or start;
    then freeze what is loaded out of the garbage collector's reach.

    Why freeze: the rules, lexicon and dictionaries are hundreds of thousands of objects that live
    as long as the process; without it every full collection walks them again (~15 % of a
    single worker's time on the real corpus), and after a fork the walk also dirties the pages
    the workers share with the parent.  The first generation is also made larger (700 -> 10 000
    allocations): extraction makes many short-lived objects, freed by reference counting anyway,
    and cycles are rare, so the default threshold collects far more often than it finds garbage
    (about 5 % of a worker's time in paired runs, near this machine's noise).  Only processes that warm (the batch engines, the benchmarks)
    are tuned; a notebook calling `extract` keeps its own settings."""
    from ..pipeline import extract_text

    extract_text(WARM_TEXT, rules)
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(max(GC_FIRST_GENERATION, gc.get_threshold()[0]), gen1, gen2)


def init_worker(rules: Rules | None) -> None:
    """Pool initializer: keep the rules (inherited by fork) and let only the parent handle Ctrl-C."""
    global _RULES
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _RULES = rules if rules is not None else load_all_rules()
    warm(_RULES)


def use_rules(rules: Rules) -> None:
    global _RULES
    _RULES = rules


def run_task(task: Task, rules: Rules | None = None) -> Outcome:
    """Extract one document; any failure becomes the outcome's error, never an exception."""
    from ..api import process_path

    rules = rules or _RULES or load_all_rules()
    try:
        res = process_path(Path(task.path), task.doc_id, rules, task.encoding, **task.options)
        row = res.document_row(rules.version)
        table = to_arrow(res.rows, INDICATOR_SCHEMA) if res.rows else None
        nbytes = res.doc.size if res.doc is not None else 0
        return Outcome(task.doc_id, row, table, res.error, nbytes)
    except Exception as exc:  # one bad document never stops the batch
        error = f"internal error: {exc.__class__.__name__}: {exc}"
        row = {"doc_id": task.doc_id, "source": task.path, "error": error, "rules_version": rules.version}
        return Outcome(task.doc_id, row, None, error, 0)
