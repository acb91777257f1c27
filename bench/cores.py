"""Many-core speedup (issue 8): one corpus, `zhibiao extract --workers N` for several N, in one run.

    python bench/cores.py --size 300MB --workers 1,2,4,8,16 [--real DIR] [--json FILE]

Not a test.  Builds (or reuses) the varied corpus of bench/scale.py, then runs the real command
once per worker count with --force (no resume shortcut), and reports wall time, MB/s, docs/s,
peak memory of the whole process tree and the speedup over the first count.  --real points at a
copy of the real texts where ../shared is not beside the project (e.g. on a lent machine).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402  (the corpus builder and the measured `zhibiao extract` run)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="300MB")
    ap.add_argument("--workers", default="1,2,4,8,16", help="comma list of worker counts")
    ap.add_argument("--real", help="folder of real .txt reports (default ../shared/corpus/real)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--cli-args", default="--no-db", help="extra `zhibiao extract` options (default: --no-db)")
    args = ap.parse_args(argv)
    scale.CLI_ARGS.extend(args.cli_args.split())
    if args.real:
        scale.REAL = Path(args.real)
    if not scale.REAL.is_dir():
        print(f"skip: {scale.REAL} not found")
        return 0
    folder = scale.build_corpus(scale.parse_size(args.size))
    info = scale.corpus_info(folder)
    counts = [int(x) for x in args.workers.split(",") if x.strip()]
    results = {"cpus": os.cpu_count(), "corpus": info, "runs": []}
    base = None
    for n in counts:
        out = scale.DATA / f"out-cores-{n}"
        shutil.rmtree(out, ignore_errors=True)
        res = scale.rates(scale.extract([folder], out, n, force=True), info["docs"], info["bytes"])
        res["workers"] = n
        if base is None:
            base = res["wall_s"]
        res["speedup"] = round(base / res["wall_s"], 2)
        results["runs"].append(res)
        print(json.dumps(res), flush=True)
        shutil.rmtree(out, ignore_errors=True)
    print(json.dumps(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
