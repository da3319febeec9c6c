"""The preview's questions for the auditor (codes no mapping names, rows without a class or a
state) as the page asks them, and the page's answers as the service takes them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import QueryDict

from trueup.payroll.models import PayrollImport
from trueup.payroll.services import Resolution

# Rows without a class or state are answered by the first of these they have, and always by
# employee: a department answers for everyone in it.
BY = (("department", "Department"), ("job", "Job"), ("location", "Work location"))


def questions(item: PayrollImport) -> dict[str, list[dict[str, Any]]]:
    """Codes to map, and departments, jobs, work locations and employees to assign, each with
    the rows and cents waiting on it."""
    asked: dict[str, list[dict[str, Any]]] = {"codes": list(item.unmapped)}
    for kind, _ in (*BY, ("employee", "Employee")):
        waiting: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"rows": 0, "cents": 0, "missing": set()}
        )
        for row in item.unresolved:
            value = str(row.get(kind) or "")
            if value:
                entry = waiting[value]
                entry["rows"] += int(row["rows"])
                entry["cents"] += int(row["cents"])
                entry["missing"].add(str(row["missing"]))
        asked[kind] = [
            {
                "kind": kind,
                "value": value,
                "rows": entry["rows"],
                "cents": entry["cents"],
                "missing": " and ".join(sorted(entry["missing"])),
            }
            for value, entry in sorted(waiting.items())
        ]
    return asked


def answers_from(post: QueryDict) -> list[Resolution]:
    """The answers filled in on the page (rows left blank are not answers)."""
    names = ("kind", "value", "state", "class_code", "category", "reason")
    columns = [post.getlist(f"answer_{name}") for name in names]
    found = []
    for kind, value, state, class_code, category, reason in zip(*columns, strict=False):
        if category == "exclude":
            category = ""
        elif category:
            reason = ""
        if not (state.strip() or class_code.strip() or category or reason.strip()):
            continue
        found.append(
            Resolution(
                kind=kind,
                value=value,
                state=state,
                class_code=class_code,
                category=category,
                excluded_reason=reason,
            )
        )
    return found
