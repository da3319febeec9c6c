"""The online self-audit, one step at a time: each step is a plain form post that keeps its
answers in the draft, checks its own fields before going on, and the last step shows everything
with the likely result before the insured signs and submits it to the auditor. Works without
JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core.errors import InvalidInput
from trueup.core.money import usd_of_cents
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
    audit: Audit,
    step: selfaudit.Step,
    answers: dict[str, Any],
    problems: list[Any],
    preview: Any = None,
) -> dict[str, Any]:
    errors = {p.path: p.reason for p in problems}
    payroll, classes, quarter_labels = _payroll_rows(audit, answers, errors)
    number = selfaudit.STEPS.index(step) + 1
    return {
        "audit": audit,
        "step": step,
        "number": number,
        "steps": selfaudit.STEPS,
        "previous": selfaudit.STEPS[number - 2] if number > 1 else None,
        "next": selfaudit.STEPS[number] if number < len(selfaudit.STEPS) else None,
        "answers": answers,
        "problems": [{"reason": p.reason, "step": selfaudit.step_of(p.path)} for p in problems],
        "signed_errors": {
            k.split(".", 1)[1]: v for k, v in errors.items() if k.startswith("completed_by.")
        },
        "section_error": errors.get("payroll", ""),
        "payroll": payroll,
        "payroll_classes": _by_class(payroll),
        "owners": _rows(answers, "owners", errors),
        "contractors": _rows(answers, "contractors", errors),
        "preview": preview,
        "classes": list(classes.values()),
        "states": sorted(audit.period.states),
        "quarters": quarter_labels,
        "columns": [(c, label) for c, (label, _) in selfaudit.PAYROLL_COLUMNS.items()],
        "parts": [
            (c, label) for c, (label, _) in selfaudit.PAYROLL_COLUMNS.items() if c != "gross"
        ],
        "summary": _summary_sections(answers, payroll) if step is selfaudit.STEPS[-1] else [],
        "labels": selfaudit.LABELS,
        "included": selfaudit.INCLUDED,
        "yes_no": selfaudit.YES_NO,
        "owner_roles": selfaudit.OWNER_ROLES,
        "contractor_kinds": selfaudit.CONTRACTOR_KINDS,
        "contract_types": selfaudit.CONTRACT_TYPES,
    }


CHOICES = {
    "role": selfaudit.OWNER_ROLES,
    "included": selfaudit.INCLUDED,
    "kind": selfaudit.CONTRACTOR_KINDS,
    "contract_type": selfaudit.CONTRACT_TYPES,
    "has_certificate": selfaudit.YES_NO,
}


def _told(section: str, row: dict[str, str]) -> list[tuple[str, str]]:
    """A row's answers as the summary lists them: label, then the answer (a choice in words)."""
    labels = selfaudit.LABELS[section]
    return [
        (str(labels[f]), str(CHOICES.get(f, {}).get(v, v)))
        for f, v in row.items()
        if v and f in labels
    ]


def _payroll_told(row: dict[str, Any]) -> dict[str, Any]:
    v = row["values"]
    named = row["policy_class"]["description"] if row["policy_class"] else ""
    return {
        "heading": f"{v['state']} {v['class_code']} {named}, {row['quarter_label']}".strip(),
        "lines": [(label, v[c]) for c, (label, _) in selfaudit.PAYROLL_COLUMNS.items() if v[c]],
    }


def _summary_sections(answers: dict[str, Any], payroll: list[dict[str, Any]]) -> list[Any]:
    """Everything the draft holds, step by step, for the last step's summary."""
    step = selfaudit.STEP
    business, signed = answers["business"], answers["completed_by"]
    contact = {f: v for f, v in signed.items() if f not in ("attest", "signature")}
    rows = {
        section: [
            {
                "heading": row["name"] or _("Row %(row)s") % {"row": i + 1},
                "lines": _told(section, row),
            }
            for i, row in enumerate(answers[section])
            if any(row.values())
        ]
        for section in ("owners", "contractors")
    }
    return [
        (step["business"], [{"lines": _told("business", {"operations": business["operations"]})}]),
        (step["payroll"], [_payroll_told(r) for r in payroll if _payroll_told(r)["lines"]]),
        (step["owners"], rows["owners"]),
        (step["contractors"], rows["contractors"]),
        (
            step["contact"],
            [
                {
                    "lines": _told(
                        "business", {f: business[f] for f in ("changes", "related_businesses")}
                    )
                    + _told("completed_by", contact)
                }
            ],
        ),
    ]


def _by_class(payroll: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The payroll rows grouped under their class (rows not on the policy last, each alone), so
    the step shows one class at a time with its quarters."""
    groups: list[dict[str, Any]] = []
    for row in payroll:
        key = (row["values"]["state"], row["values"]["class_code"])
        if row["policy_class"] and groups and groups[-1]["key"] == key:
            groups[-1]["rows"].append(row)
        else:
            groups.append({"key": key, "policy_class": row["policy_class"], "rows": [row]})
    for row in payroll:
        parts = [c for c in selfaudit.PAYROLL_COLUMNS if c != "gross"]
        row["parts_open"] = any(row["values"].get(c) or row["errors"].get(c) for c in parts)
    return groups


@dataclass
class _Step:
    """What one press of a row button leaves: the answers to save and show again, and a
    message's problems."""

    answers: dict[str, Any]
    problems: list[Any] = field(default_factory=list)


Action = Callable[[HttpRequest, Audit, User, dict[str, Any]], _Step]


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
    """The payroll step filled from a payroll register the insured uploads."""
    register = request.FILES.get("register")
    if register is None:
        return _Step(answers)
    try:
        found = register_read(audit=audit, data=register.read(), filename=register.name or "")
        filled = selfaudit.filled_from_register(audit, answers, found.lines)
    except RegisterError as e:
        messages.error(
            request,
            _("%(file)s could not be read: %(reason)s") % {"file": register.name, "reason": e},
        )
        return _Step(answers)
    messages.success(
        request,
        _(
            "The payroll was filled from %(file)s: %(used)s of %(read)s rows used. Check the "
            "figures, then go on."
        )
        % {"file": register.name, "used": found.rows_used, "read": found.rows_read},
    )
    # Pay the file holds but the form could not place is said, never dropped without a word.
    unplaced = sum(int(str(u["cents"])) for u in (*found.unresolved, *found.unmapped))
    if unplaced:
        messages.warning(
            request,
            _(
                "%(amount)s of pay in the file is not in the form: rows without a job class or "
                "state, or kinds of pay the file does not name. Add it as payroll rows below, or "
                "tell your auditor."
            )
            % {"amount": usd_of_cents(unplaced)},
        )
    return _Step(filled)


ROW_ACTIONS: dict[str, Action] = {
    "add_owner": _add_owner,
    "add_payroll": _add_payroll,
    "add_contractor": _add_contractor,
    "import": _import_register,
}


def _step_url(audit: Audit, step: selfaudit.Step) -> str:
    return reverse("portal:self_audit", args=[audit.pk]) + f"?step={step.key}"


def _page(
    request: HttpRequest,
    audit: Audit,
    step: selfaudit.Step,
    answers: dict[str, Any],
    problems: list[Any],
) -> HttpResponse:
    """One step's page; the last one with the likely result when the answers rate, or what to
    put right first."""
    status = 422 if problems else 200
    preview = None
    if step is selfaudit.STEPS[-1] and not problems:
        problems, preview = _summary(audit, answers)
    return render(
        request,
        "portal/self_audit.html",
        _form_context(audit, step, answers, problems, preview),
        status=status,
    )


def _summary(audit: Audit, answers: dict[str, Any]) -> tuple[list[Any], Any]:
    """What the earlier steps still need (the signature below is not asked for yet), or the
    engine's preview."""
    checked = selfaudit.check(audit, answers, submitting=True)
    last = selfaudit.STEPS[-1]
    problems = [p for p in checked.problems if selfaudit.step_of(p.path) is not last]
    if problems:
        return problems, None
    try:
        return [], selfaudit.preview(audit, checked)
    except Exception as e:  # an engine refusal is shown, never a server error
        return list(getattr(e, "problems", [])) or [Problem("payroll", str(e))], None


def _submit(
    request: HttpRequest, audit: Audit, user: User, answers: dict[str, Any]
) -> HttpResponse:
    checked = selfaudit.check(audit, answers, submitting=True)
    problems = checked.problems
    if not problems:
        try:
            selfaudit.self_audit_submit(audit=audit, by=user, answers=answers)
        except InvalidInput as e:
            problems = list(e.problems)
    if problems:
        selfaudit.self_audit_save(audit=audit, by=user, answers=answers)
        return _page(request, audit, selfaudit.STEPS[-1], answers, problems)
    messages.success(
        request, _("Thank you: your self-audit was submitted and your auditor has been told.")
    )
    return back(audit)


def _posted(request: HttpRequest, audit: Audit, user: User) -> HttpResponse:
    """Whatever was pressed, the step's answers are kept in the draft, so the insured can come
    back to them later; Next goes on only when the step's own answers are right."""
    step = selfaudit.STEP.get(request.POST.get("step", ""), selfaudit.STEPS[0])
    stored = selfaudit.normalised(selfaudit.self_audit_for(audit).answers)
    answers = selfaudit.with_step(stored, _posted_answers(request), step)
    name = request.POST.get("action", "save")
    if name == "submit" and step is selfaudit.STEPS[-1]:
        return _submit(request, audit, user, answers)
    row_action = _remove_row if name.startswith("remove_") else ROW_ACTIONS.get(name)
    if row_action is not None:
        answers = row_action(request, audit, user, answers).answers
        selfaudit.self_audit_save(audit=audit, by=user, answers=answers)
        return _page(request, audit, step, answers, [])
    selfaudit.self_audit_save(audit=audit, by=user, answers=answers)
    if name == "next":
        problems = selfaudit.step_problems(audit, answers, step)
        if problems:
            return _page(request, audit, step, answers, problems)
        return redirect(_step_url(audit, selfaudit.step_after(step.key, 1)))
    if name == "back":
        return redirect(_step_url(audit, selfaudit.step_after(step.key, -1)))
    messages.success(request, _("Your draft is saved. You can come back to it at any time."))
    return redirect(_step_url(audit, step))


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
    step = selfaudit.STEP.get(request.GET.get("step", ""), selfaudit.STEPS[0])
    return _page(request, audit, step, selfaudit.normalised(form.answers), [])
