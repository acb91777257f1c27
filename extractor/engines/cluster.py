"""A Dask distributed engine: the same per-document function, on an existing cluster or a LocalCluster.

Why ship the rules as a bundle: cluster workers may run on other machines without this rules/
folder.  The bundle (file name -> bytes, plus its version) is scattered once to every worker,
which writes it to a private folder keyed by version and loads it once per process.  Source
files are read by the workers, so their paths must be visible to the workers (a shared
filesystem), as in any Dask deployment.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from ..errors import ZhibiaoError
from ..rules import Rules, rule_files
from .work import Outcome, Task, load_all_rules, run_task, warm

INSTALL_HINT = 'the dask engine needs dask.distributed: pip install -e ".[dask]"'

#: How long to wait for a scheduler before giving up with one clear line.
CONNECT_TIMEOUT = "20s"

_LOADED: dict[str, Rules] = {}


def rules_bundle(rules: Rules) -> dict:
    """Every rule file's bytes, keyed by path relative to the rules folder."""
    files = {str(p.relative_to(rules.directory)): p.read_bytes() for p in rule_files(rules.directory)}
    h = hashlib.sha256()  # the digest rules.rules_version computes, over exactly these bytes
    for rel, data in files.items():
        h.update(rel.encode())
        h.update(data)
    if h.hexdigest()[:16] != rules.version:
        raise ZhibiaoError(f"{rules.directory}: the rule files changed since they were loaded; run again")
    return {"version": rules.version, "files": files}


def rules_from_bundle(bundle: dict) -> Rules:
    """Materialise the bundle once per worker process and load it (cached by version)."""
    version = bundle["version"]
    if version not in _LOADED:
        root = Path(tempfile.gettempdir()) / f"zhibiao-rules-{version}-{os.getpid()}"
        for rel, data in bundle["files"].items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        rules = load_all_rules(root)
        warm(rules)
        _LOADED[version] = rules
    return _LOADED[version]


def run_remote(task: Task, bundle: dict) -> Outcome:
    """The task as a cluster worker runs it."""
    return run_task(task, rules_from_bundle(bundle))


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ZhibiaoError(INSTALL_HINT) from None
    return distributed


class DaskEngine:
    """Submit each document to a dask.distributed cluster; a LocalCluster when no scheduler is given."""

    def __init__(self, rules: Rules, *, scheduler: str | None = None, workers: int | None = None):
        distributed = _import_distributed()
        self._cluster = None
        try:
            if scheduler:
                self._client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
            else:
                from . import default_workers

                n = workers if workers and workers > 0 else default_workers()
                self._cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                                         dashboard_address=None, host="127.0.0.1",
                                                         silence_logs=logging.ERROR)
                self._client = distributed.Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            raise ZhibiaoError(f"dask: cannot reach scheduler {scheduler or '(local)'}: {exc}") from None
        threads = sum(self._client.nthreads().values()) or 1
        self.workers = threads
        self.window = threads * 4
        self.name = f"dask ({threads} worker threads at {self._client.scheduler.address})"
        self._bundle = self._client.scatter(rules_bundle(rules), broadcast=True, hash=False)

    def submit(self, task: Task):
        return self._client.submit(run_remote, task, self._bundle, pure=False)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def terminate(self) -> None:
        self.close()
