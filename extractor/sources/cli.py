"""Options of `zhibiao extract` for damaged and hostile archives: --timeout, --no-repair, --max-mb.

Why environment variables carry them: process_path, read_document and normalise read their
defaults from ZHIBIAO_TIMEOUT, ZHIBIAO_MAX_MB and ZHIBIAO_SKIP_STEPS, and worker processes (local
or Dask) inherit the environment, so whichever batch engine runs the documents applies them
without every layer passing three more arguments.  This module adds no subcommand; it extends
`extract` (so it must come after extractor.cli in COMMAND_MODULES).
"""

from __future__ import annotations

import argparse
import os


def register(sub: argparse._SubParsersAction) -> None:
    extract = sub.choices.get("extract")
    if extract is None:
        return
    extract.add_argument("--timeout", type=float, metavar="SECONDS",
                         help="per-document time limit; a document over it becomes an error row (default 300, 0: none)")
    extract.add_argument("--no-repair", action="store_true",
                         help="do not repair byte-shifted GBK mojibake (the repair_mojibake normalisation step)")
    extract.add_argument("--max-mb", type=float, metavar="MB",
                         help="refuse input files larger than this (default 64 MB)")
    inner = extract.get_default("func")
    extract.set_defaults(func=lambda args: cmd_extract_limits(args, inner))


def apply_limits(args: argparse.Namespace) -> None:
    """Set the environment defaults from the options (only the ones given)."""
    if getattr(args, "timeout", None) is not None:
        os.environ["ZHIBIAO_TIMEOUT"] = str(args.timeout)
    if getattr(args, "max_mb", None) is not None:
        os.environ["ZHIBIAO_MAX_MB"] = str(args.max_mb)
    if getattr(args, "no_repair", False):
        skip = {s for s in os.environ.get("ZHIBIAO_SKIP_STEPS", "").split(",") if s}
        os.environ["ZHIBIAO_SKIP_STEPS"] = ",".join(sorted(skip | {"repair_mojibake"}))


def cmd_extract_limits(args: argparse.Namespace, inner) -> int:
    apply_limits(args)
    return inner(args)
