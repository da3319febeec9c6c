"""The online self-audit: the insured's draft of the business, owners, contractors and payroll,
saved as they go, checked, previewed and submitted to the auditor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core.errors import InvalidInput
from trueup.payroll.ingest import RegisterError
from trueup.payroll.services import register_read
from trueup.portal import selfaudit
from trueup.portal.access import may_report, portal_audit, portal_user
from trueup.rating.errors import Problem
from trueup.web.portal.base import back, portal_view

ROW_SECTIONS = {"owners", "contractors", "payroll"}


def _posted_answers(request: HttpRequest) -> dict[str, Any]:
    """The form's fields (``business.operations``, ``owners.0.name`` …) as nested answers."""
    answers: dict[str, Any] = {"business": {}, "completed_by": {}}
    rows: dict[str, dict[int, dict[str, str]]] = {s: {} for s in ROW_SECTIONS}
    for key in request.POST:
        value = request.POST.get(key, "")
        parts = key.split(".")
        if len(parts) == 2 and parts[0] in ("business", "completed_by"):
            answers[parts[0]][parts[1]] = value
        elif len(parts) == 3 and parts[0] in ROW_SECTIONS and parts[1].isdigit():
            rows[parts[0]].setdefault(int(parts[1]), {})[parts[2]] = value
    for section, found in rows.items():
        answers[section] = [found[i] for i in sorted(found)]
    return selfaudit.normalised(answers)


def _rows(answers: dict[str, Any], section: str, errors: dict[str, str]) -> list[dict[str, Any]]:
    """A section's rows with each field's problem beside it, for the template."""
    return [
        {
            "index": i,
            "values": row,
            "errors": {
                field: errors[f"{section}[{i}].{field}"]
                for field in row
                if f"{section}[{i}].{field}" in errors
            },
        }
        for i, row in enumerate(answers[section])
    ]


def _payroll_rows(
    audit: Audit, answers: dict[str, Any], errors: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], Any], dict[str, str]]:
    """Payroll rows beside the policy's class and the quarter's name, with both lookups."""
    quarter_labels = {q.key: q.label for q in selfaudit.quarters(audit)}
    quarter_labels["all"] = selfaudit.period_quarter(audit).label
    classes = {(c["state"], c["class_code"]): c for c in selfaudit.policy_classes(audit)}
    payroll = _rows(answers, "payroll", errors)
    for row in payroll:
        key = (row["values"]["state"], row["values"]["class_code"])
        row["policy_class"] = classes.get(key)
        row["quarter_label"] = quarter_labels.get(row["values"]["quarter"], "")
    return payroll, classes, quarter_labels


def _form_context(
    audit: Audit, answers: dict[str, Any], problems: list[Any], preview: Any
) -> dict[str, Any]:
    errors = {p.path: p.reason for p in problems}
    payroll, classes, quarter_labels = _payroll_rows(audit, answers, errors)
    return {
        "audit": audit,
        "answers": answers,
        "problems": problems,
        "business_errors": {
            k.split(".", 1)[1]: v for k, v in errors.items() if k.startswith("business.")
        },
        "signed_errors": {
            k.split(".", 1)[1]: v for k, v in errors.items() if k.startswith("completed_by.")
        },
        "section_error": errors.get("payroll", ""),
        "payroll": payroll,
        "owners": _rows(answers, "owners", errors),
        "contractors": _rows(answers, "contractors", errors),
        "preview": preview,
        "classes": list(classes.values()),
        "states": sorted(audit.period.states),
        "quarters": quarter_labels,
        "columns": [(c, label) for c, (label, _) in selfaudit.PAYROLL_COLUMNS.items()],
        "owner_roles": selfaudit.OWNER_ROLES,
        "contractor_kinds": selfaudit.CONTRACTOR_KINDS,
        "contract_types": selfaudit.CONTRACT_TYPES,
    }


@dataclass
class _Step:
    """What one press of the form leaves: the answers to save and show again, with their
    problems or the preview; a submitted form is not saved again as a draft."""

    answers: dict[str, Any]
    problems: list[Any] = field(default_factory=list)
    preview: Any = None
    submitted: bool = False


Action = Callable[[HttpRequest, Audit, User, dict[str, Any]], _Step]


def _keep(request: HttpRequest, audit: Audit, user: User, answers: dict[str, Any]) -> _Step:
    return _Step(answers)


def _add_owner(request: HttpRequest, audit: Audit, user: User, answers: dict[str, Any]) -> _Step:
    answers["owners"].append(dict.fromkeys(selfaudit.OWNER_FIELDS, ""))
    return _Step(answers)


def _add_payroll(request: HttpRequest, audit: Audit, user: User, answers: dict[str, Any]) -> _Step:
    # A single-state policy's row starts in its state; a whole-period row until told otherwise.
    states = sorted(audit.period.states)
    answers["payroll"].append(
        dict.fromkeys(selfaudit.PAYROLL_FIELDS, "")
        | {"state": states[0] if len(states) == 1 else "", "quarter": "all"}
    )
    return _Step(answers)


def _add_contractor(
    request: HttpRequest, audit: Audit, user: User, answers: dict[str, Any]
) -> _Step:
    answers["contractors"].append(dict.fromkeys(selfaudit.CONTRACTOR_FIELDS, ""))
    return _Step(answers)


def _remove_row(request: HttpRequest, audit: Audit, user: User, answers: dict[str, Any]) -> _Step:
    action = request.POST.get("action", "")
    section, _, index = action.removeprefix("remove_").partition("_")
    if section in ("owners", "contractors") and index.isdigit():
        rows = answers[section]
        if int(index) < len(rows):
            rows.pop(int(index))
    return _Step(answers)


def _import_register(
    request: HttpRequest, audit: Audit, user: User, answers: dict[str, Any]
) -> _Step:
    """Section II filled from a payroll register the insured uploads."""
    register = request.FILES.get("register")
    if register is None:
        return _Step(answers)
    try:
        found = register_read(audit=audit, data=register.read(), filename=register.name or "")
        filled = selfaudit.filled_from_register(audit, answers, found.lines)
    except RegisterError as e:
        messages.error(request, f"{register.name} could not be read: {e}")
        return _Step(answers)
    messages.success(
        request,
        f"Section II was filled from {register.name}: {found.rows_used} of "
        f"{found.rows_read} rows used. Check the figures, then save.",
    )
    return _Step(filled)


def _preview(request: HttpRequest, audit: Audit, user: User, answers: dict[str, Any]) -> _Step:
    checked = selfaudit.check(audit, answers, submitting=False)
    if checked.problems:
        return _Step(answers, problems=checked.problems)
    try:
        return _Step(answers, preview=selfaudit.preview(audit, checked))
    except Exception as e:  # an engine refusal is shown, never a server error
        problems = list(getattr(e, "problems", [])) or [Problem("payroll", str(e))]
        return _Step(answers, problems=problems)


def _submit(request: HttpRequest, audit: Audit, user: User, answers: dict[str, Any]) -> _Step:
    checked = selfaudit.check(audit, answers, submitting=True)
    if checked.problems:
        return _Step(answers, problems=checked.problems)
    try:
        selfaudit.self_audit_submit(audit=audit, by=user, answers=answers)
    except InvalidInput as e:
        return _Step(answers, problems=list(e.problems))
    messages.success(
        request, "Thank you: your self-audit was submitted and your auditor has been told."
    )
    return _Step(answers, submitted=True)


ACTIONS: dict[str, Action] = {
    "add_owner": _add_owner,
    "add_payroll": _add_payroll,
    "add_contractor": _add_contractor,
    "import": _import_register,
    "preview": _preview,
    "submit": _submit,
}


def _action(name: str) -> Action:
    """The form's button pressed; an unknown one only saves the draft, as ``save`` does."""
    if name.startswith("remove_"):
        return _remove_row
    return ACTIONS.get(name, _keep)


def _posted(request: HttpRequest, audit: Audit, user: User) -> HttpResponse:
    """Whatever was pressed, the draft is kept, so the insured can come back to it later."""
    name = request.POST.get("action", "save")
    step = _action(name)(request, audit, user, _posted_answers(request))
    if step.submitted:
        return back(audit)
    selfaudit.self_audit_save(audit=audit, by=user, answers=step.answers)
    if name == "save":
        messages.success(request, "Your draft is saved. You can come back to it at any time.")
    return render(
        request,
        "portal/self_audit.html",
        _form_context(audit, step.answers, step.problems, step.preview),
        status=422 if step.problems else 200,
    )


@require_http_methods(["GET", "POST"])
@portal_view
def self_audit(request: HttpRequest, pk: int) -> HttpResponse:
    user = portal_user(request)
    audit = portal_audit(user, pk)
    if not may_report(user):
        raise PermissionDenied("the self-audit is completed by the policyholder")
    form = selfaudit.self_audit_for(audit)
    if not selfaudit.editable(audit):
        return render(request, "portal/self_audit_done.html", {"audit": audit, "self_audit": form})
    if request.method == "POST":
        return _posted(request, audit, user)
    return render(
        request,
        "portal/self_audit.html",
        _form_context(audit, selfaudit.normalised(form.answers), [], None),
    )
