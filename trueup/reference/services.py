"""Writes to reference data: checked before they can affect a rating."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from trueup.accounts.models import User
from trueup.core.errors import InvalidInput, Problem
from trueup.rating.errors import RuleBookError, TrueUpError
from trueup.rating.rates import RateTable
from trueup.reference.models import ClassCode, ClassSource, RateTableStatus, RateTableVersion


class InvalidRateTable(TrueUpError):
    code = "invalid_rate_table"


def rate_table_parse(*, name: str, csv_text: str) -> RateTable:
    """The engine's reading of the CSV; its errors name the row and the column."""
    try:
        return RateTable.from_csv_text(csv_text, name)
    except RuleBookError as error:
        raise InvalidRateTable(error.message) from error


@transaction.atomic
def rate_table_activate(*, version: RateTableVersion, by: User) -> RateTableVersion:
    """Put a rate table in use: it is checked first, and the one in use before is retired."""
    rate_table_parse(name=version.name, csv_text=version.csv_text)
    RateTableVersion.objects.select_for_update().filter(status=RateTableStatus.ACTIVE).exclude(
        pk=version.pk
    ).update(status=RateTableStatus.RETIRED)
    version.status = RateTableStatus.ACTIVE
    version.activated_at = timezone.now()
    version.save(update_fields=["status", "activated_at"])
    return version


# The columns of a carrier's class CSV: the first three are required.
CLASS_COLUMNS = (
    "code_system",
    "code",
    "description",
    "keywords",
    "basis",
    "standard_exception",
    "dual_wage_pair",
    "line",
    "industry",
)
_YES = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False}
_YES.update({"0": False})
_BASIS = re.compile(r"^[a-z_]{1,20}$")
MAX_CLASS_ROWS = 20_000


def _class_systems() -> dict[str, dict[str, str]]:
    path = Path(__file__).resolve().parent / "data" / "class_systems.toml"
    systems: dict[str, dict[str, str]] = tomllib.loads(path.read_text(encoding="utf-8"))["systems"]
    return systems


def _class_row(
    number: int, raw: dict[str, str], systems: dict[str, dict[str, str]]
) -> tuple[dict[str, Any], list[Problem]]:
    where = f"row {number}"
    row = {k: (raw.get(k) or "").strip() for k in CLASS_COLUMNS}
    problems: list[Problem] = []
    system = row["code_system"].upper()
    if system not in systems:
        known = ", ".join(sorted(systems))
        problems.append(Problem(f"{where}.code_system", f"{system or 'empty'}: not one of {known}"))
        return {}, problems
    spec = systems[system]
    if not re.fullmatch(spec["code_pattern"], row["code"]):
        problems.append(
            Problem(f"{where}.code", f"{row['code'] or 'empty'}: not a code of {spec['name']}")
        )
    if not row["description"]:
        problems.append(Problem(f"{where}.description", "is empty"))
    elif len(row["description"]) > 300:
        problems.append(Problem(f"{where}.description", "longer than 300 characters"))
    line = row["line"].upper() or spec["line"]
    if line != spec["line"]:
        problems.append(Problem(f"{where}.line", f"{line}: {system} classes are {spec['line']}"))
    if row["basis"] and not _BASIS.fullmatch(row["basis"]):
        problems.append(Problem(f"{where}.basis", f"{row['basis']}: not a basis of premium"))
    flag = row["standard_exception"].lower()
    if flag and flag not in _YES:
        problems.append(Problem(f"{where}.standard_exception", f"{flag}: write yes or no"))
    if row["dual_wage_pair"] and not re.fullmatch(spec["code_pattern"], row["dual_wage_pair"]):
        problems.append(
            Problem(f"{where}.dual_wage_pair", f"{row['dual_wage_pair']}: not a code of {system}")
        )
    if len(row["keywords"]) > 4000:
        problems.append(Problem(f"{where}.keywords", "longer than 4000 characters"))
    values: dict[str, Any] = {"description": row["description"], "line": line}
    for name in ("keywords", "basis", "dual_wage_pair", "industry"):
        if row[name]:
            values[name] = row[name][:30] if name == "industry" else row[name]
    if flag in _YES:
        values["standard_exception"] = _YES[flag]
    return {"code_system": system, "code": row["code"], "values": values}, problems


def class_table_load(*, csv_text: str, by: User | None) -> int:
    """Load a carrier's classes (its licensed phraseology and keywords) into the class table:
    each row replaces the description of its code (and its keywords, basis, flags when given) and
    is marked as the carrier's. Every bad row is named with its reason, and then nothing is
    written. Returns the number of rows loaded."""
    systems = _class_systems()
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CLASS_COLUMNS[:3] if c not in header]
    if missing:
        raise InvalidInput([Problem("header", f"missing column {', '.join(missing)}")])
    problems: list[Problem] = []
    parsed: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_CLASS_ROWS:
            problems.append(Problem(f"row {number}", f"more than {MAX_CLASS_ROWS} rows"))
            break
        raw = {(k or "").strip(): v for k, v in raw.items()}
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue
        row, found = _class_row(number, raw, systems)
        problems.extend(found)
        if row and not found:
            key = (row["code_system"], row["code"])
            if key in seen:
                problems.append(
                    Problem(f"row {number}.code", f"{key[1]} is already on row {seen[key]}")
                )
            seen[key] = number
            parsed.append(row)
    if problems:
        raise InvalidInput(problems)
    if not parsed:
        raise InvalidInput([Problem("rows", "the file has no classes")])
    with transaction.atomic():
        for row in parsed:
            ClassCode.objects.update_or_create(
                code_system=row["code_system"],
                code=row["code"],
                defaults={**row["values"], "source": ClassSource.CARRIER, "loaded_by": by},
            )
    return len(parsed)


SHIPPED_CLASSES = Path(__file__).resolve().parent / "data" / "classes.csv"


@transaction.atomic
def class_table_ship() -> int:
    """Bring the shipped classes in the class table up to TrueUp's file: codes missing are added
    and shipped rows take the file's wording; a carrier's loaded rows are left as they are.
    Returns the number of rows added or changed."""
    changed = 0
    with SHIPPED_CLASSES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    existing = {(c.code_system, c.code): c for c in ClassCode.objects.all()}
    for row in rows:
        values = {
            "line": row["line"],
            "description": row["description"],
            "basis": row["basis"],
            "standard_exception": row["standard_exception"] == "yes",
            "dual_wage_pair": row["dual_wage_pair"],
            "industry": row["industry"],
            "keywords": row["keywords"],
        }
        found = existing.get((row["code_system"], row["code"]))
        if found is None:
            ClassCode.objects.create(code_system=row["code_system"], code=row["code"], **values)
        elif found.source == ClassSource.SHIPPED and any(
            getattr(found, k) != v for k, v in values.items()
        ):
            for k, v in values.items():
                setattr(found, k, v)
            found.save()
        else:
            continue
        changed += 1
    return changed
