"""The one family of errors TrueUp raises on purpose, and how each kind is answered. Every error
has a code and a human message (``TrueUpError``, shared with the engine); input errors list each
problem with the path of the field. Apps raise these kinds, or name a kind of their own under
one of them; the API answers them all with one handler (``trueup.api.site``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trueup.rating.errors import Problem, RuleBookError, TrueUpError, WorksheetError

__all__ = [
    "InvalidInput",
    "NotAllowed",
    "Problem",
    "Refused",
    "RuleBookError",
    "TrueUpError",
    "WorksheetError",
    "answer",
]


class Refused(TrueUpError):
    """The record's state does not allow this now (a move from the wrong status, a second
    release, a closed dispute): 409."""

    code = "refused"


class NotAllowed(TrueUpError):
    """This user's role or authority does not allow it: 403."""

    code = "not_allowed"


class InvalidInput(TrueUpError):
    """Input that cannot be used, with every problem found and where: 422. Nothing was written."""

    code = "invalid_input"

    def __init__(self, problems: Iterable[Problem] = (), message: str = "") -> None:
        self.problems = tuple(problems)
        super().__init__(message or "; ".join(str(p) for p in self.problems))


STATUS: tuple[tuple[type[TrueUpError], int], ...] = (
    (NotAllowed, 403),
    (Refused, 409),
    (InvalidInput, 422),
    (WorksheetError, 422),
)


def answer(exc: TrueUpError) -> tuple[int, dict[str, Any]]:
    """The HTTP status and JSON body for an error: its code, message, the problems with their
    paths when the input had any, and what the error adds (``details``)."""
    status = next((code for kind, code in STATUS if isinstance(exc, kind)), 400)
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    problems = getattr(exc, "problems", ())
    if problems:
        body["problems"] = [{"path": p.path, "reason": p.reason} for p in problems]
    details = getattr(exc, "details", None)
    if callable(details):
        body |= details()
    return status, body
