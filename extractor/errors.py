"""One exception hierarchy, so the CLI can turn any of them into one clear line."""

from __future__ import annotations


class ZhibiaoError(Exception):
    """Base class: every error the tool raises on purpose."""


class RulesError(ZhibiaoError):
    """A rule file is missing or invalid.  Carries every problem found, not just the first."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in rules" if len(self.problems) > 1 else "invalid rules"
        super().__init__(head + ": " + "; ".join(self.problems))


class SourceError(ZhibiaoError):
    """A document cannot be read or decoded.  The message names the file and the problem."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class OutputError(ZhibiaoError):
    """The output folder cannot be written."""
