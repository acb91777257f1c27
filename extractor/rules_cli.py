"""`zhibiao rules check [DIR]`: validate every rule file and example file, report all problems.

Why a command of its own: `extract` refuses to run on invalid rules, but someone editing
`rules/` wants the whole list of problems (file, entry, reason) in one go, before running
anything, and a non-zero exit status for CI.  The schema checks are those of `rules.check_rules`
(the loader `extract` uses); this module adds the example files in `rules/examples/`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .rules import check_rules, default_rules_dir, rule_files

#: Keys an example line may carry (tests/test_examples.py reads them).
EXAMPLE_KEYS = {"id", "text", "expect", "status", "note"}
EXAMPLE_STATUS = {"positive", "negative", "xfail"}


def _check_example_line(where: str, line: str, seen: set[str]) -> list[str]:
    try:
        ex = json.loads(line)
    except json.JSONDecodeError as exc:
        return [f"{where}: not valid JSON ({exc.msg}, column {exc.colno})"]
    if not isinstance(ex, dict):
        return [f"{where}: an example must be a JSON object"]
    problems = []
    ex_id = ex.get("id")
    if ex_id is not None:
        where += f" ({ex_id})"
    missing = {"id", "text", "expect"} - ex.keys()
    if missing:
        problems.append(f"{where}: missing key(s) {', '.join(sorted(missing))}")
    unknown = ex.keys() - EXAMPLE_KEYS
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if ex_id in seen:
        problems.append(f"{where}: duplicate id {ex_id!r}")
    seen.add(ex_id)
    if ex.get("status", "positive") not in EXAMPLE_STATUS:
        problems.append(f"{where}: status must be one of {', '.join(sorted(EXAMPLE_STATUS))}")
    expect = ex.get("expect", [])
    if not isinstance(expect, list) or not all(isinstance(e, dict) and "quote" in e for e in expect):
        problems.append(f"{where}: expect must be a list of objects, each with a quote")
    elif isinstance(ex.get("text"), str):
        for e in expect:
            if e["quote"] not in ex["text"]:
                problems.append(f"{where}: expected quote {e['quote']!r} is not in the text")
    return problems


def check_examples(directory: Path) -> list[str]:
    """Problems in rules/examples/*.jsonl: JSON, keys, ids unique across files, quotes in text."""
    problems: list[str] = []
    seen: set[str] = set()
    for path in sorted((directory / "examples").glob("*.jsonl")):
        rel = path.relative_to(directory)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                problems += _check_example_line(f"{rel}:{n}", line, seen)
    return problems


def check_all(directory: Path | str | None = None) -> list[str]:
    """Every problem in the rule files and the example files (empty when all is well)."""
    directory = Path(directory) if directory else default_rules_dir()
    problems = check_rules(directory)
    if directory.is_dir():
        problems += check_examples(directory)
    return problems


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="work with the rule files (rules check)",
                       description="Validate the knowledge in rules/.")
    rsub = p.add_subparsers(dest="rules_command", metavar="ACTION")
    rsub.required = True
    c = rsub.add_parser("check", help="validate every rule and example file; list all problems",
                        description="Validate every rule file against its schema (unknown keys, duplicate "
                                    "ids, bad patterns, units without scale, colliding lexicon ids) and every "
                                    "example file; print all problems; exit 1 when there are any.")
    c.add_argument("directory", nargs="?", help="rules folder (default: rules/ of this installation)")
    c.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    directory = Path(args.directory) if args.directory else default_rules_dir()
    problems = check_all(directory)
    for p in problems:
        print(f"zhibiao: rules: {p}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    n_ex = len(list((directory / "examples").glob("*.jsonl")))
    print(f"{directory}: {len(rule_files(directory))} rule file(s), {n_ex} example file(s): OK")
    return 0
