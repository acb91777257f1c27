"""A per-document time limit, so one pathological document becomes an error row, not a hang.

Why SIGALRM: the readers (pdfminer, lxml, python-docx) and the pipeline run Python code that a
signal interrupts between bytecodes, with no worker process to start per document.  The alarm
only works on the main thread of a process; batch workers that are processes have their own main
thread, so the limit holds there too.  Elsewhere (threads, Windows) the limit is not enforced and
`time_limit` says so by yielding False.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Default per-document limit in seconds; ZHIBIAO_TIMEOUT (or `zhibiao extract --timeout`) overrides.
DEFAULT_TIMEOUT = 300.0


class DocumentTimeout(BaseException):
    """Raised inside the document's processing when its time is up.

    A BaseException, like KeyboardInterrupt: the alarm can fire anywhere, including inside a
    broad `except Exception` of ours (a pattern the prefilter cannot read) or of a library (a PDF
    parser); caught there, it would end the one alarm and let the document run without a limit.
    api.process_path is the one place that catches it."""


def default_timeout() -> float:
    try:
        return float(os.environ.get("ZHIBIAO_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[bool]:
    """Raise DocumentTimeout in the body after `seconds` (None or <= 0: no limit).  Yields whether
    the limit is enforced.  A previous alarm handler is restored afterwards."""
    if not seconds or seconds <= 0 or not _can_alarm():
        yield False
        return

    def _expired(signum, frame):
        raise DocumentTimeout(f"took longer than the {seconds:g} s limit (--timeout)")

    old = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
