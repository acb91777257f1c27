"""Engines on this machine: in-process (one worker) and a pool of worker processes.

Why fork: each worker must load jieba's dictionary and the rules once; with the fork start
method the parent loads them before the pool starts and every worker inherits them for free.
Why concurrent.futures and not multiprocessing.Pool: a worker that dies (out of memory, a
crash in a C extension) raises BrokenProcessPool instead of hanging the run forever.
"""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import Future, ProcessPoolExecutor

from ..rules import Rules
from .work import Task, init_worker, run_task, use_rules, warm


class _Done:
    """A future that computes on demand: the serial engine has nothing to run in parallel."""

    def __init__(self, task: Task, rules: Rules):
        self._task, self._rules = task, rules

    def result(self):
        return run_task(self._task, self._rules)

    def cancel(self) -> bool:
        return True


class SerialEngine:
    """One worker: this process, no pickling, no start-up cost."""

    workers = 1
    window = 1
    name = "local (1 worker, in process)"

    def __init__(self, rules: Rules):
        self.rules = rules
        use_rules(rules)
        warm(rules)

    def submit(self, task: Task) -> _Done:
        return _Done(task, self.rules)

    def close(self) -> None:
        pass

    def terminate(self) -> None:
        pass


class ProcessEngine:
    """N worker processes; tasks are small (a path), results Arrow tables."""

    def __init__(self, rules: Rules, workers: int):
        self.workers = workers
        self.window = workers * 4
        self.name = f"local ({workers} worker processes)"
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        if ctx.get_start_method() == "fork":
            warm(rules)  # loaded once here, inherited by every worker
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker,
                                         initargs=(rules,))

    def submit(self, task: Task) -> Future:
        return self._pool.submit(run_task, task)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def terminate(self) -> None:
        """Stop now (Ctrl-C): drop queued tasks, kill the workers."""
        procs = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            if p.is_alive():
                p.terminate()
