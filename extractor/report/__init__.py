"""`zhibiao report output/ --out output/report/`: a static HTML review site of an output folder.

Why static: reviewers open it from disk or a file share, with no server and nothing fetched
from the internet (CSS, JS and charts are inline).  The heavy imports (matplotlib) happen only
when the command runs, so the rest of the CLI starts fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write a static HTML review site of an output folder",
                       description="Index of documents, one page per document with every figure highlighted, "
                                   "charts; opens from disk.")
    p.add_argument("output", help="output folder written by `zhibiao extract`")
    p.add_argument("--out", help="site folder (default: OUTPUT/report/)")
    p.add_argument("--corpus", help="folder the sources are in now (re-roots recorded source paths)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from .site import build_site

    out = Path(args.out) if args.out else Path(args.output) / "report"
    summary = build_site(Path(args.output), out, corpus=Path(args.corpus) if args.corpus else None)
    print(f"{summary.pages} document page(s), {summary.bytes / 1e6:.1f} MB -> {out}/index.html", file=sys.stderr)
    return 0
