"""Panel build time and peak memory on an extract output (the whole real corpus, for the issue).

    zhibiao extract ../shared/corpus/real/ --out /tmp/real
    python bench/panel_bench.py /tmp/real

Prints the build time as a ratio to reading the indicator table in the same run (the baseline,
so the figure means the same on another machine), and the peak memory of the process.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    import pandas as pd

    from extractor.panel import run_panel

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "output")
    t0 = time.perf_counter()
    ind = pd.read_parquet(out / "indicators.parquet")
    read_s = time.perf_counter() - t0
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    panel = run_panel(out)
    build_s = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    run_panel(out, database=False)
    nodb_s = time.perf_counter() - t0
    tracemalloc.start()  # a second, traced build: tracing slows it down, so it is not timed
    run_panel(out, database=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"indicators: {len(ind)} rows; panel: {len(panel)} rows "
          f"({', '.join(f'{k} {v}' for k, v in panel['status'].value_counts().items())})")
    print(f"read indicators.parquet (baseline): {read_s:.2f} s")
    print(f"panel with database update: {build_s:.2f} s ({build_s / read_s:.0f}x baseline); "
          f"without: {nodb_s:.2f} s ({nodb_s / read_s:.0f}x)")
    print(f"peak memory: Python allocations {peak / 2**20:.0f} MiB; process peak RSS {rss / 1024:.0f} MiB "
          f"(before the build {rss0 / 1024:.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
