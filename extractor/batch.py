"""Batch extraction: folders of reports in, the output tables out — parallel, resumable, streaming.

Why this shape (issue 8): archives hold tens of thousands of reports and runs take hours.
- Each document is ONE call, `api.process_path(path, doc_id, rules, encoding, **doc_options)`,
  run by an engine (extractor/engines/: in process, a local process pool, or a Dask cluster).
- Results come back in input order through a bounded window, and are committed in chunks to part
  files + a journal under `<out>/.zhibiao/` (engines/state.py), so memory stays bounded and a run
  killed at any instant resumes where it stopped: documents whose sha256, rules version and
  options are unchanged are skipped; `force` redoes all.
- At the end the final indicators.* and documents.* are rebuilt from the parts, streamed
  (Parquet row groups, CSV appended) into temporary files that replace the old ones atomically.
One bad document never stops the batch: its error becomes a row of documents.csv and one line on stderr.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .api import process_document, process_path
from .engines import Outcome, Task, make_engine
from .engines.state import Entry, State
from .errors import OutputError, ZhibiaoError
from .pipeline import DocMeta
from .rules import Rules
from .sources import document_from_text, iter_sources
from .table import DOCUMENT_SCHEMA, INDICATOR_SCHEMA, to_arrow

#: A chunk is committed when it holds this many documents or rows, or is this many seconds old.
CHUNK_DOCS = 64
CHUNK_ROWS = 100_000
CHUNK_SECONDS = 5.0
#: Rows per Parquet row group in the final table.
ROW_GROUP = 65_536


@dataclass
class BatchSummary:
    documents: int = 0
    failed: int = 0
    figures: int = 0
    outputs: list[Path] = field(default_factory=list)
    skipped: int = 0  # unchanged since an earlier run: not extracted again
    processed: int = 0  # extracted in this run
    engine: str = ""


def collect_inputs(inputs: Iterable[str]) -> list[tuple[Path, str]]:
    """(path, doc_id) for every file named or found under a named folder."""
    out: list[tuple[Path, str]] = []
    for item in inputs:
        out.extend(iter_sources(Path(item)))
    return out


def check_writable(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".zhibiao-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"{out_dir}: output folder not writable ({exc.strerror or exc})") from None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


def _options(doc_options: dict | None, out_dir: Path) -> dict:
    """The keyword options for process_path; out_dir is given when process_path accepts it."""
    opts = dict(doc_options or {})
    try:
        params = inspect.signature(process_path).parameters
    except (TypeError, ValueError):
        params = {}
    if "out_dir" in params and "out_dir" not in opts:
        opts["out_dir"] = out_dir
    return opts


def _config(encoding: str | None, opts: dict) -> str:
    """What besides the file and the rules changes the output: a document done otherwise is redone."""
    opts = {k: (Path(v).resolve() if isinstance(v, Path) else v) for k, v in opts.items()}  # out/ == ./out/
    blob = json.dumps({"encoding": encoding, "options": opts}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


@dataclass
class Plan:
    """Every input in order, with the journal entry that lets it be skipped, or the task to run."""

    items: list[tuple[str, str, Entry | None]]  # (doc_id, source, entry if done)
    tasks: list[Task]
    sizes: dict[tuple[str, str], int]


def make_plan(paths: list[tuple[Path, str]], state: State, rules: Rules, encoding: str | None, opts: dict,
              config: str) -> Plan:
    items, tasks, sizes = [], [], {}
    for path, doc_id in paths:
        source = str(path)
        e = state.done(doc_id, source, rules.version, config)
        if e is not None and (not e.sha256 or file_sha256(path) != e.sha256):
            e = None
        items.append((doc_id, source, e))
        if e is None:
            tasks.append(Task(source, doc_id, encoding, opts))
            try:
                sizes[(doc_id, source)] = path.stat().st_size
            except OSError:
                sizes[(doc_id, source)] = 0
    return Plan(items, tasks, sizes)


def ordered_results(engine, tasks: list[Task]) -> Iterator[tuple[Task, Outcome]]:
    """Run tasks keeping at most engine.window in flight; yield outcomes in input order."""
    pending: deque = deque()
    it = iter(tasks)
    for task in it:
        pending.append((task, engine.submit(task)))
        if len(pending) >= engine.window:
            break
    while pending:
        task, fut = pending.popleft()
        outcome = fut.result()
        nxt = next(it, None)
        if nxt is not None:
            pending.append((nxt, engine.submit(nxt)))
        yield task, outcome


class _Chunk:
    """Outcomes waiting to be committed to a part file."""

    def __init__(self):
        self.items: list[tuple[Outcome, str]] = []
        self.rows = 0
        self.since = time.monotonic()

    def add(self, outcome: Outcome, source: str) -> None:
        self.items.append((outcome, source))
        self.rows += outcome.figures

    def full(self, chunk_size: int) -> bool:
        return (len(self.items) >= chunk_size or self.rows >= CHUNK_ROWS
                or time.monotonic() - self.since >= CHUNK_SECONDS)


def _bar(total_bytes: int, ndocs: int, progress: bool | None):
    from tqdm import tqdm

    return tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1000, file=sys.stderr,
                dynamic_ncols=True, disable=(not progress) if progress is not None else None,
                desc=f"0/{ndocs} docs", smoothing=0.1)


@contextlib.contextmanager
def _returning_memory_pool():
    """Arrow's default allocator (mimalloc) keeps freed pages: streaming 10^5 rows through the writers
    left the process ~70 MB larger per 10^5 rows; the system allocator gives them back."""
    old = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(old)


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (a scheduler stopping the job) saves the finished chunk, like Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _execute(plan: Plan, state: State, engine, rules: Rules, config: str, chunk_size: int,
             progress: bool | None, log) -> int:
    """Run the plan's tasks, committing chunks as they fill.  Returns the figures extracted."""
    chunk, figures, done = _Chunk(), 0, 0
    started = time.monotonic()
    bar = _bar(sum(plan.sizes.values()), len(plan.tasks), progress)
    try:
        for task, outcome in ordered_results(engine, plan.tasks):
            if outcome.error:
                print(f"zhibiao: {task.path}: {outcome.error}", file=log)
            chunk.add(outcome, task.path)
            figures += outcome.figures
            done += 1
            bar.set_description(f"{done}/{len(plan.tasks)} docs", refresh=False)
            bar.set_postfix_str(f"{figures / max(time.monotonic() - started, 1e-9):,.0f} fig/s", refresh=False)
            bar.update(plan.sizes.get((task.doc_id, task.path), 0))
            if chunk.full(chunk_size):
                state.commit(chunk.items, rules.version, config)
                chunk = _Chunk()
    except KeyboardInterrupt:
        state.commit(chunk.items, rules.version, config)  # keep what is finished
        engine.terminate()
        bar.close()
        print(f"zhibiao: interrupted after {done} of {len(plan.tasks)} document(s); finished work is saved "
              f"in {state.root}, run the same command again to resume", file=log)
        raise
    except ZhibiaoError:
        raise
    except Exception as exc:  # the engine itself failed (a worker killed, the cluster gone)
        state.commit(chunk.items, rules.version, config)
        engine.terminate()
        bar.close()
        raise ZhibiaoError(f"{engine.name}: {exc.__class__.__name__}: {exc}; finished work is saved in "
                           f"{state.root}, run the same command again to resume") from None
    state.commit(chunk.items, rules.version, config)
    bar.close()
    return figures


class _StreamWriter:
    """CSV and/or Parquet written incrementally to temporary files, published atomically by `publish`."""

    def __init__(self, out_dir: Path, stem: str, schema: pa.Schema, formats: tuple[str, ...]):
        self.schema, self.targets, self.tmps = schema, [], []
        self._csv = self._pq = None
        self._buf: list[pa.Table] = []
        self._buffered = 0
        for fmt in formats:
            target = out_dir / f"{stem}.{fmt}"
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=out_dir)
            os.close(fd)
            self.targets.append(target)
            self.tmps.append(tmp)
            if fmt == "csv":
                self._csv = pacsv.CSVWriter(tmp, schema)
            else:
                self._pq = pq.ParquetWriter(tmp, schema)

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if self._csv is not None:
            self._csv.write_table(table)
        self._buf.append(table)
        self._buffered += table.num_rows
        if self._buffered >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._pq is not None and self._buf:
            self._pq.write_table(pa.concat_tables(self._buf), row_group_size=ROW_GROUP)
        self._buf, self._buffered = [], 0

    def publish(self) -> list[Path]:
        self._flush()
        for w in (self._csv, self._pq):
            if w is not None:
                w.close()
        for tmp, target in zip(self.tmps, self.targets, strict=True):
            os.replace(tmp, target)
        return self.targets

    def discard(self) -> None:
        for w in (self._csv, self._pq):
            with contextlib.suppress(Exception):
                if w is not None:
                    w.close()
        for tmp in self.tmps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


class _Parts:
    """Read part files through a tiny cache: consecutive documents usually share a part."""

    def __init__(self, state: State, keep: int = 4):
        self.state, self.keep = state, keep
        self._cache: dict[str, pa.Table] = {}

    def rows(self, e: Entry) -> pa.Table:
        if e.part not in self._cache:
            if len(self._cache) >= self.keep:
                self._cache.pop(next(iter(self._cache)))
            self._cache[e.part] = self.state.read_part(e.part)
        return self._cache[e.part].slice(e.offset, e.rows)


def _rebuild(plan: Plan, state: State, out_dir: Path, formats: tuple[str, ...], head_rows: list[dict],
             head_docs: list[dict], summary: BatchSummary) -> None:
    """Final tables from the parts, in input order, streamed; published only when complete."""
    ind = _StreamWriter(out_dir, "indicators", INDICATOR_SCHEMA, formats)
    docs = _StreamWriter(out_dir, "documents", DOCUMENT_SCHEMA, formats)
    try:
        ind.write(to_arrow(head_rows, INDICATOR_SCHEMA))
        parts, doc_rows = _Parts(state), list(head_docs)
        for doc_id, source, _ in plan.items:
            e = state.entries[(doc_id, source)]
            if e.rows:
                ind.write(parts.rows(e).cast(INDICATOR_SCHEMA))
            summary.figures += e.rows
            summary.failed += bool(e.error)
            doc_rows.append(e.doc)
            if len(doc_rows) >= 10_000:
                docs.write(to_arrow(doc_rows, DOCUMENT_SCHEMA))
                doc_rows = []
        docs.write(to_arrow(doc_rows, DOCUMENT_SCHEMA))
    except BaseException:
        ind.discard()
        docs.discard()
        raise
    summary.outputs += ind.publish() + docs.publish()


def run_extract(
    inputs: list[str],
    out_dir: Path,
    rules: Rules,
    *,
    encoding: str | None = None,
    progress: bool | None = None,
    formats: tuple[str, ...] = ("csv", "parquet"),
    stdin_text: str | None = None,
    log=None,
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    force: bool = False,
    chunk_size: int = CHUNK_DOCS,
    doc_options: dict | None = None,
) -> BatchSummary:
    """Extract every input document and write indicators.* and documents.* into out_dir.

    `workers`: worker processes (None/0: all cores); `engine`: "local" or "dask" (with `scheduler`,
    a tcp:// address, or a LocalCluster); `force`: forget earlier runs; `chunk_size`: documents per
    committed part; `doc_options`: extra keyword arguments for api.process_path, passed through.
    """
    log = log or sys.stderr  # looked up per call, so a redirected stderr is honoured
    out_dir = Path(out_dir)
    check_writable(out_dir)
    formats = tuple(f for f in formats if f in ("csv", "parquet")) or ("csv", "parquet")
    summary = BatchSummary()
    head_rows: list[dict] = []
    head_docs: list[dict] = []
    if stdin_text is not None:
        res = process_document(document_from_text(stdin_text, "-"), rules, DocMeta(doc_id="-", source="-"))
        head_rows, head_docs = res.rows, [res.document_row(rules.version)]
        summary.failed += bool(res.error)
        summary.figures += len(res.rows)
    paths = collect_inputs([i for i in inputs if i != "-"])
    state = State.open(out_dir, force=force)
    opts = _options(doc_options, out_dir)
    config = _config(encoding, opts)
    plan = make_plan(paths, state, rules, encoding, opts, config)
    summary.skipped = len(plan.items) - len(plan.tasks)
    if summary.skipped:
        print(f"zhibiao: {summary.skipped} document(s) unchanged since the last run, not extracted again "
              f"(--force redoes them)", file=log)
    if plan.tasks:
        n = workers if workers and workers > 0 else None
        if engine == "local":
            n = min(n or _cores(), len(plan.tasks))
        eng = make_engine(rules, engine=engine, workers=n, scheduler=scheduler)
        summary.engine = eng.name
        try:
            with _sigterm_as_interrupt():
                _execute(plan, state, eng, rules, config, max(1, chunk_size), progress, log)
        finally:
            eng.close()
    summary.processed = len(plan.tasks)
    summary.documents = len(plan.items) + len(head_docs)
    with _returning_memory_pool():
        _rebuild(plan, state, out_dir, formats, head_rows, head_docs, summary)
    return summary


def _cores() -> int:
    from .engines import default_workers

    return default_workers()
