"""Where the per-document work runs: in this process, in a local process pool, or on a Dask cluster.

Why one small interface: the batch runner (extractor/batch.py) owns ordering, resumption and the
output files; an engine only has to run `work.run_task(task)` somewhere and hand back a future
with `.result()`.  Every engine runs the very same function, so their outputs are equal row for row.
"""

from __future__ import annotations

import os

from ..errors import ZhibiaoError
from ..rules import Rules
from .local import ProcessEngine, SerialEngine
from .work import Outcome, Task, run_task

ENGINES = ("local", "dask")

__all__ = ["ENGINES", "Outcome", "ProcessEngine", "SerialEngine", "Task", "default_workers", "make_engine", "run_task"]


def default_workers() -> int:
    """All the cores this process may use (the CPU affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def make_engine(rules: Rules, *, engine: str = "local", workers: int | None = None, scheduler: str | None = None):
    """An engine ready to take tasks.  `workers` <= 0 or None means all cores (local) or the cluster's."""
    if engine == "local":
        n = workers if workers and workers > 0 else default_workers()
        return SerialEngine(rules) if n == 1 else ProcessEngine(rules, n)
    if engine == "dask":
        from .cluster import DaskEngine

        return DaskEngine(rules, scheduler=scheduler, workers=workers)
    raise ZhibiaoError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
