"""The engine's error family: every error has a code and a human message; input errors list each
problem with the JSON path of the offending field."""

from __future__ import annotations

from dataclasses import dataclass


class TrueUpError(Exception):
    """Base of every error TrueUp raises on purpose."""

    code = "trueup_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where (a JSON path such as ``$.audited.payroll[3].gross``)
    and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class WorksheetError(TrueUpError):
    """A worksheet that cannot be rated. Carries every problem found, not just the first."""

    code = "invalid_worksheet"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"the worksheet has {len(self.problems)} problem(s):\n{lines}")


class RuleBookError(TrueUpError):
    """A rule-book or rate-table file that is malformed, or a rule that is missing."""

    code = "invalid_rulebook"
