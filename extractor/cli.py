"""The `zhibiao` command line.  Each subcommand lives in its own module with a `register` hook;
errors become one line naming the file and the problem, never a traceback."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from . import __version__
from .errors import RulesError, ZhibiaoError

#: Modules that add a subcommand: each has register(subparsers).
COMMAND_MODULES = [
    "extractor.cli",  # extract
    "extractor.verify",  # verify
    "extractor.report",  # report
    "extractor.explain",  # explain
    "extractor.rules_cli",  # rules check
    "extractor.evaluate",  # eval
    "extractor.audit.cli",  # audit; adds --audit/--fail-on to extract (so it must come after extractor.cli)
    "extractor.sources.cli",  # adds --timeout/--no-repair/--max-mb to extract (after extractor.cli)
    "extractor.panel",  # panel; adds --manifest/--no-db to extract and updates zhibiao.duckdb (after audit.cli)
    "extractor.plot",  # plot
]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract the indicator table from reports",
                       description="Extract every figure from the reports under the given paths.")
    p.add_argument("inputs", nargs="+", help="files or folders; '-' reads standard input")
    p.add_argument("--out", default="output", help="output folder (default: output/)")
    p.add_argument("--encoding", help="decode every file with this encoding instead of detecting it")
    p.add_argument("--rules", help="rules folder (default: rules/ of this installation)")
    p.add_argument("--format", default="csv,parquet", help="output formats, comma separated (csv, parquet)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_scale_args(p)
    p.set_defaults(func=cmd_extract)


def _add_scale_args(p: argparse.ArgumentParser) -> None:
    """Archive scale (README "Archive scale"): parallel workers, resumable runs, a Dask cluster."""
    p.add_argument("--workers", type=int, default=0, help="worker processes (default: all cores)")
    p.add_argument("--force", action="store_true", help="redo every document, ignoring the saved state of earlier runs")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local processes (default) or a dask.distributed cluster")
    p.add_argument("--scheduler", help="dask scheduler address, tcp://HOST:PORT (default: start a LocalCluster)")
    p.add_argument("--chunk-size", type=int, default=64, help="documents per committed chunk (default: 64)")


def cmd_extract(args: argparse.Namespace) -> int:
    from .batch import run_extract
    from .rules import load_rules

    rules = load_rules(args.rules)
    stdin_text = sys.stdin.read() if "-" in args.inputs else None
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    summary = run_extract(args.inputs, Path(args.out), rules, encoding=args.encoding,
                          progress=False if args.no_progress else None, formats=formats, stdin_text=stdin_text,
                          workers=args.workers, engine=args.engine, scheduler=args.scheduler, force=args.force,
                          chunk_size=args.chunk_size)
    print(f"{summary.documents} document(s), {summary.failed} failed, {summary.figures} figure(s) -> {args.out}",
          file=sys.stderr)
    if summary.documents and summary.failed == summary.documents:
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhibiao", description="Chinese report figures -> a verified indicator table")
    parser.add_argument("--version", action="version", version=f"zhibiao {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except RulesError as exc:
        for problem in exc.problems:
            print(f"zhibiao: rules: {problem}", file=sys.stderr)
        return 2
    except ZhibiaoError as exc:
        print(f"zhibiao: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("zhibiao: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
