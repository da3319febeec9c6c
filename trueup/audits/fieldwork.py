"""The auditor's fieldwork on an audit: marking the records checklist, interview notes and
findings."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from trueup.accounts.models import User
from trueup.audits.facts import clean_row
from trueup.audits.models import (
    Audit,
    Finding,
    InterviewNote,
    RecordsItem,
    RecordStatus,
)
from trueup.audits.services import (
    InvalidFacts,
    check_role,
    note_edit,
)
from trueup.core.errors import Problem


@transaction.atomic
def records_item_mark(*, item: RecordsItem, by: User, status: str, note: str = "") -> RecordsItem:
    """Mark a checklist item received, accepted, rejected (a reason is required) or not needed."""
    check_role(by, "document")
    if status not in RecordStatus.values:
        raise InvalidFacts([Problem("status", f"{status!r} is not a records status")])
    if status == RecordStatus.REJECTED and not note.strip():
        raise InvalidFacts([Problem("note", "say why the records are rejected")])
    item = RecordsItem.objects.select_for_update().get(pk=item.pk)
    item.status = status
    item.note = note
    item.updated_by = by
    item.save()
    note_edit(
        item.audit,
        by,
        f"{item.get_kind_display()}: {item.get_status_display().lower()}"
        + (f" ({note})" if note else ""),
    )
    return item


def _record(row: InterviewNote | Finding, kind: str, by: User, summary: str) -> None:
    """Check a new interview note or finding, save it, and put it in the audit's history."""
    problems = clean_row(kind, row, "new")
    if problems:
        raise InvalidFacts(problems)
    row.save()
    note_edit(row.audit, by, summary)


@transaction.atomic
def interview_note_add(
    *,
    audit: Audit,
    by: User,
    kind: str,
    held_on: date,
    contact: str,
    contact_title: str = "",
    operations: str = "",
    changes: str = "",
    average_employees: int | None = None,
    notes: str = "",
) -> InterviewNote:
    check_role(by, "document")
    note = InterviewNote(
        audit=audit,
        by=by,
        kind=kind,
        held_on=held_on,
        contact=contact,
        contact_title=contact_title,
        operations=operations,
        changes=changes,
        average_employees=average_employees,
        notes=notes,
    )
    _record(note, "interview", by, f"{note.get_kind_display().lower()} with {contact} on {held_on}")
    return note


@transaction.atomic
def finding_add(
    *,
    audit: Audit,
    by: User,
    kind: str,
    text: str,
    state: str = "",
    class_code: str = "",
    recommendation: str = "",
    for_underwriting: bool = False,
) -> Finding:
    check_role(by, "document")
    finding = Finding(
        audit=audit,
        by=by,
        kind=kind,
        text=text,
        state=state,
        class_code=class_code,
        recommendation=recommendation,
        for_underwriting=for_underwriting,
    )
    _record(finding, "finding", by, f"finding ({finding.get_kind_display().lower()}): {text}")
    if for_underwriting and not audit.refer_to_underwriting:
        Audit.objects.filter(pk=audit.pk).update(refer_to_underwriting=True)
    return finding
