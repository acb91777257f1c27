"""`zhibiao audit OUTPUT/` and the `--audit` / `--fail-on` options of `zhibiao extract`.

Why the extract options are added here: `extract` stays owned by extractor/cli.py and batch.py;
this hook adds its two options to the extract parser and runs the audit after the extraction
returned, on the tables it wrote.  So the audit sees exactly what a later `zhibiao audit` sees.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FAIL_ON = ("inconsistent", "unverifiable", "never")


def _add_fail_on(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fail-on", choices=FAIL_ON, default="never",
                   help="exit with status 1 when any check is inconsistent (or also unverifiable)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="check that the figures of each report add up",
                       description="Recompute growth, sums, shares, completion rates, ranges and duplicates "
                                   "from OUTPUT/indicators.*; write OUTPUT/audit.* and OUTPUT/derived.*.")
    p.add_argument("output", nargs="?", default="output", help="the folder `zhibiao extract` wrote (default: output/)")
    p.add_argument("--rules", help="rules folder (default: rules/ of this installation)")
    p.add_argument("--format", default="csv,parquet", help="output formats, comma separated (csv, parquet)")
    _add_fail_on(p)
    p.set_defaults(func=cmd_audit)
    extract = sub.choices.get("extract")
    if extract is not None:
        extract.add_argument("--audit", action="store_true", help="audit the written tables (see `zhibiao audit`)")
        _add_fail_on(extract)
        inner = extract.get_default("func")
        extract.set_defaults(func=lambda args: cmd_extract_audit(args, inner))


def _formats(spec: str) -> tuple[str, ...]:
    return tuple(f.strip() for f in spec.split(",") if f.strip())


def audit_and_report(out: Path, rules: str | None, formats: tuple[str, ...], fail_on: str) -> int:
    from . import run_audit, summary_lines

    res = run_audit(out, rules_dir=rules, formats=formats)
    for line in summary_lines(res):
        print(line, file=sys.stderr)
    statuses = {"inconsistent": {"inconsistent"}, "unverifiable": {"inconsistent", "unverifiable"}}.get(fail_on, set())
    return 1 if any(c.status in statuses for c in res.checks) else 0


def cmd_audit(args: argparse.Namespace) -> int:
    return audit_and_report(Path(args.output), args.rules, _formats(args.format), args.fail_on)


def cmd_extract_audit(args: argparse.Namespace, inner) -> int:
    """Run extract as usual; then, with --audit (or --fail-on), audit what it wrote."""
    code = int(inner(args) or 0)
    if code or not (args.audit or args.fail_on != "never"):
        return code
    return audit_and_report(Path(args.out), args.rules, _formats(args.format), args.fail_on)
