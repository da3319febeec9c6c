"""Editing an audit's worksheet facts (payroll lines, officers, subcontractors, GL exposures):
only while the facts are open, each change checked, versioned against lost updates and noted in
the history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from trueup.accounts.models import Role, User
from trueup.audits.models import (
    Audit,
    PayrollEntry,
)
from trueup.audits.services import (
    FACT_LABELS,
    FACT_MODELS,
    FactLine,
    IllegalTransition,
    InvalidFacts,
    StaleEdit,
    check_facts_open,
    check_role,
    facts_changed,
    note_edit,
    status_label,
)
from trueup.audits.workflow import (
    SELF_REPORTING,
)
from trueup.core.errors import Problem
from trueup.reference.selectors import rates_in_use


def _check_facts_editable(audit: Audit, by: User) -> None:
    check_role(by, "edit_facts")
    check_facts_open(audit)


def _shown(value: Any) -> str:
    """A fact's value for the history: figures with separators, without trailing cents."""
    if isinstance(value, bool):
        return "yes" if value else "no"  # as the worksheet shows it
    if isinstance(value, Decimal):
        text = f"{value:,.2f}"
        return text[:-3] if text.endswith(".00") else text
    return "—" if value is None or value == "" else str(value)


def describe(row: models.Model) -> str:
    parts = [
        getattr(row, name)
        for name in ("name", "employee", "state", "class_code")
        if getattr(row, name, "")
    ]
    inferred = getattr(row, "state_inferred_from", "")
    if inferred:
        parts.append(f"(state inferred: {inferred})")
    return " ".join(str(p) for p in parts)


def clean_row(kind: str, row: models.Model, index: int | str) -> list[Problem]:
    try:
        row.full_clean(exclude=["audit"])
    except ValidationError as error:
        return [
            Problem(f"{kind}[{index}].{field}", " ".join(str(m) for m in messages))
            for field, messages in error.message_dict.items()
        ]
    return []


def rating_problems(audit: Audit, kind: str, row: models.Model, index: int | str) -> list[Problem]:
    """A line's state and class as the engine would refuse them, found at entry so a line that
    cannot be rated is never saved: the state must be the policy's, and the rate table in use
    must rate the class there on the policy's effective date (a GL class on its own basis)."""
    period = audit.period
    state, class_code = getattr(row, "state", ""), getattr(row, "class_code", "")
    if state not in period.states:
        states = ", ".join(period.states)
        reason = f"{state} is not one of the policy's states ({states})"
        return [Problem(f"{kind}[{index}].state", reason)]
    if not class_code:
        return []  # payroll without a class is spread over the employee's classes
    line = period.policy.line
    found = rates_in_use().lookup(state, line, class_code, period.effective)
    if found is None:
        return [
            Problem(
                f"{kind}[{index}].class_code",
                f"no {line} rate for class {class_code} in {state} on {period.effective}: "
                "choose one of the classes the rate table in use lists",
            )
        ]
    basis = getattr(row, "basis", None)
    if kind == "gl_exposures" and basis != found.basis:
        reason = f"class {class_code} is rated on {found.basis}, not {basis}"
        return [Problem(f"{kind}[{index}].basis", reason)]
    return []


def _check_facts_version(audit: Audit, expected: int | None) -> None:
    """Refuse a replacement made from facts that have changed since (None: not checked)."""
    if expected is not None and expected != audit.facts_version:
        raise StaleEdit(
            f"the audit's facts changed after version {expected}, which this replacement was "
            f"made from; they are at version {audit.facts_version} now and nothing was "
            "replaced: read them again and make the replacement from what is there now",
            current={"facts_version": audit.facts_version},
        )


def _values(row: FactLine) -> dict[str, Any]:
    """A line's facts as they are now: every field but its keys and its version."""
    return {
        field.name: getattr(row, field.name)
        for field in row._meta.concrete_fields
        if field.name not in ("id", "audit", "version")
    }


def _line(
    audit: Audit, kind: str, pk: int, version: int | None, *, removed: str
) -> tuple[FactLine, bool]:
    """The line as it is now (read under the audit's row lock) and whether it is still at the
    ``version`` the edit was made from. ``removed`` says what happened if it is gone."""
    if version is None:
        raise InvalidFacts(
            [
                Problem(
                    f"{kind}[{pk}].version",
                    "the version of the line this edit was made from is missing: open the line "
                    "again and make the edit there",
                )
            ]
        )
    row = FACT_MODELS[kind]._default_manager.filter(audit=audit, pk=pk).first()
    if row is None:
        raise StaleEdit(removed, current={"version": None, "values": None})
    return row, row.version == version


def _stale_line(row: FactLine, message: str) -> StaleEdit:
    return StaleEdit(message, current={"version": row.version, "values": _values(row)})


@transaction.atomic
def audit_fact_save(
    *,
    audit: Audit,
    by: User,
    kind: str,
    values: Mapping[str, Any],
    pk: int | None = None,
    version: int | None = None,
) -> FactLine:
    """Add a worksheet fact (``pk`` None) or change one, from the ``version`` of it the edit
    was made from; a line changed by someone else since is not touched (``StaleEdit``). The edit
    goes into the history and counts as a change to the audit's facts."""
    model = FACT_MODELS[kind]
    # Every write to an audit's facts takes this lock first, so of two edits made from the same
    # version only the first passes the check below; the second then reads the line it changed.
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    _check_facts_editable(audit, by)
    if pk is None:
        row = model(audit=audit)
        before: dict[str, Any] = {}
    else:
        row, current = _line(
            audit,
            kind,
            pk,
            version,
            removed="someone else removed this line while you were editing it; nothing was saved",
        )
        if not current:
            differences = [
                f"{name.replace('_', ' ')} is now {_shown(getattr(row, name))} "
                f"(yours: {_shown(value)})"
                for name, value in values.items()
                if getattr(row, name) != value
            ]
            raise _stale_line(
                row,
                "someone else changed this line while you were editing it: "
                + (", ".join(differences) or "it now has the values you entered")
                + "; here are the current values: make your change again if it still applies",
            )
        before = {name: getattr(row, name) for name in values}
    for name, value in values.items():
        setattr(row, name, value)
    if isinstance(row, PayrollEntry) and "state" in before and before["state"] != row.state:
        # A state the auditor gives is stated, not inferred.
        row.state_inferred_from = ""
    index = "new" if pk is None else pk
    problems = clean_row(kind, row, index) or rating_problems(audit, kind, row, index)
    if problems:
        raise InvalidFacts(problems)
    label = FACT_LABELS[kind]
    if pk is None:
        row.save()
        note_edit(audit, by, f"added {label} {describe(row)}")
    else:
        # Compared after cleaning, so "400000" and Decimal("400000.00") are no change.
        changes = [
            f"{name.replace('_', ' ')} {_shown(before[name])} → {_shown(getattr(row, name))}"
            for name in values
            if before[name] != getattr(row, name)
        ]
        if not changes:
            return row  # nothing changed: nothing written, and open forms stay current
        row.version += 1
        row.save()
        note_edit(audit, by, f"changed {label} {describe(row)}: " + "; ".join(changes))
    facts_changed(audit)
    return row


@transaction.atomic
def audit_fact_delete(
    *, audit: Audit, by: User, kind: str, pk: int, version: int | None = None
) -> None:
    """Remove a worksheet fact, if it is still at the ``version`` the person removing it saw."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    _check_facts_editable(audit, by)
    row, current = _line(audit, kind, pk, version, removed="someone else already removed this line")
    if not current:
        raise _stale_line(
            row,
            "someone else changed this line while you were looking at it, so it was not "
            "removed; here are the current values: remove it again if it should still go",
        )
    row.delete()
    note_edit(audit, by, f"removed {FACT_LABELS[kind]} {describe(row)}")
    facts_changed(audit)


@transaction.atomic
def audit_payroll_replace(
    *,
    audit: Audit,
    by: User,
    lines: Iterable[Mapping[str, Any]],
    expected_facts_version: int | None = None,
) -> int:
    """Replace every payroll line of the audit, all or nothing (systems sending a register).
    Given ``expected_facts_version`` (the facts the replacement was made from), facts changed
    since are not replaced (``StaleEdit``)."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    _check_facts_editable(audit, by)
    _check_facts_version(audit, expected_facts_version)
    rows = [PayrollEntry(audit=audit, **line) for line in lines]
    problems = [p for index, row in enumerate(rows) for p in clean_row("payroll", row, index)]
    if problems:
        raise InvalidFacts(problems)
    audit.payroll.all().delete()
    PayrollEntry.objects.bulk_create(rows)
    note_edit(audit, by, f"replaced the payroll with {len(rows)} line(s)")
    facts_changed(audit)
    return len(rows)


@transaction.atomic
def audit_reported_facts_replace(
    *,
    audit: Audit,
    by: User,
    facts: Mapping[str, Iterable[Mapping[str, Any]]],
    source: str,
    expected_facts_version: int | None = None,
) -> dict[str, int]:
    """Replace the audit's facts of the kinds given with those the insured reported (the online
    self-audit), all or nothing. The policyholder reports only while records are being gathered;
    staff may do it while the facts can change. Given ``expected_facts_version``, facts changed
    since are not replaced (``StaleEdit``)."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if by.role == Role.INSURED:
        if audit.status not in SELF_REPORTING:
            raise IllegalTransition(
                f"an audit that is {status_label(audit.status)} no longer takes the insured's "
                "report"
            )
    else:
        _check_facts_editable(audit, by)
    _check_facts_version(audit, expected_facts_version)
    rows = {
        kind: [FACT_MODELS[kind](audit=audit, **values) for values in lines]
        for kind, lines in facts.items()
    }
    problems = [
        p
        for kind, kind_rows in rows.items()
        for index, row in enumerate(kind_rows)
        for p in clean_row(kind, row, index)
    ]
    if problems:
        raise InvalidFacts(problems)
    for kind, kind_rows in rows.items():
        model = FACT_MODELS[kind]
        model._default_manager.filter(audit=audit).delete()
        # Each kind's rows are of its own model; mypy sees only the union of the four.
        model._default_manager.bulk_create(kind_rows)  # type: ignore[arg-type]
    counts = {kind: len(kind_rows) for kind, kind_rows in rows.items()}
    shown = ", ".join(f"{n} {FACT_LABELS[kind]}(s)" for kind, n in counts.items())
    note_edit(audit, by, f"facts replaced from {source}: {shown}")
    facts_changed(audit)
    return counts
