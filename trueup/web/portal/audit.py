"""One audit's page and what the insured does from it: write to the auditor, dispute the result,
ask for and open the worksheet, and open the letters sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from trueup.accounts.models import Role
from trueup.audits.models import Audit
from trueup.audits.selectors import class_name, respond_by
from trueup.audits.workflow import BILLABLE, CLOSED, FINAL, RESULT_SHOWN, Status
from trueup.billing import selectors as billing_selectors
from trueup.billing.errors import BillingRefused
from trueup.billing.models import BillingInstruction, Dispute, DisputeStatus
from trueup.core import clock
from trueup.core.errors import InvalidInput
from trueup.flows.disputes import dispute_open
from trueup.letters.models import Letter, LetterStatus
from trueup.letters.worksheet_pdf import worksheet_filename, worksheet_pdf
from trueup.portal import selfaudit
from trueup.portal.access import may_report, portal_audit, portal_rules, portal_user
from trueup.portal.models import Message
from trueup.portal.services import message_post, worksheet_request
from trueup.web.downloads import stored_file_response
from trueup.web.portal.base import back, portal_view, problems_text
from trueup.web.portal.stages import (
    audited_period,
    auditor_name,
    completion_note,
    missing,
    stage,
)
from trueup.web.staff.billing.views import dispute_lines
from trueup.web.templatetags.portal_i18n import letter_kind


@require_GET
@portal_view
def audit_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = portal_user(request)
    audit = portal_audit(user, pk)
    thread = list(audit.messages.select_related("author"))
    Message.objects.filter(audit=audit, from_portal=False, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    result = audit.final_result if audit.status in RESULT_SHOWN else None
    form = selfaudit.self_audit_for(audit)
    records = list(audit.records.prefetch_related("uploads"))
    billing = _billing_summary(audit, result)
    return render(
        request,
        "portal/audit.html",
        {
            "audit": audit,
            "insured": audit.period.policy.insured,
            "stage": stage(audit),
            "term": audited_period(audit.period),
            "auditor_name": auditor_name(audit.assignee),
            "completion_note": completion_note(audit, clock.today()),
            "respond_by": respond_by(audit) if audit.status == Status.RECORDS_REQUESTED else None,
            "records": records,
            "missing": missing(audit),
            "thread": thread,
            "result": result,
            # The change as a size: the words beside it give its direction.
            "adjustment_size": abs(result.adjustment) if result is not None else None,
            "self_audit": form if form.pk else None,
            "self_audit_open": selfaudit.editable(audit) and may_report(user),
            "may_report": may_report(user),
            "may_upload": may_report(user) and audit.status not in CLOSED,
            "is_agent": user.role == Role.AGENT,
            "worksheet_ready": result is not None and audit.status in FINAL,
            "closed": audit.status in CLOSED,
            **billing,
            "max_mb": int(portal_rules()["uploads"]["max_bytes"]) // (1024 * 1024),
        },
    )


def _billing_summary(audit: Audit, result: Any) -> dict[str, Any]:
    """The dispute form, disputes, letters and what billing was asked for, as the insured and
    agent see them."""
    disputes = list(Dispute.objects.filter(audit=audit))
    final = result is not None and audit.status in BILLABLE
    deadline = billing_selectors.dispute_deadline(audit) if final else None
    return {
        "disputes": disputes,
        "may_dispute": final
        and deadline is not None
        and clock.today() <= deadline
        and not any(d.status == DisputeStatus.OPEN for d in disputes),
        "dispute_deadline": deadline,
        "class_lines": _class_lines(audit, result) if final else [],
        # Only letters that have gone out: one still waiting has no PDF yet.
        "letters": Letter.objects.filter(audit=audit, status=LetterStatus.SENT),
        "instructions": BillingInstruction.objects.filter(audit=audit).order_by("id"),
    }


def _class_lines(audit: Audit, result: Any) -> list[dict[str, Any]]:
    """Each class's change, with its description from the rate table in use and the amount as
    a size with its direction ("returned to you" or "more"), never a minus sign."""
    lines = []
    for line in result.result["adjustments"]:
        if not line["is_class"]:
            continue
        difference = Decimal(str(line["difference"]))
        lines.append(
            {
                **line,
                "description": class_name(audit, line["state"], line["item"]),
                "size": abs(difference),
                "returned": difference < 0,
            }
        )
    return lines


@require_POST
@portal_view
def message_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = portal_user(request)
    audit = portal_audit(user, pk)
    try:
        message_post(audit=audit, by=user, body=request.POST.get("body", ""))
        messages.success(request, _("Your message was sent to your auditor."))
    except InvalidInput as e:
        messages.error(request, problems_text(e))
    return back(audit, "messages")


@require_GET
@portal_view
def worksheet(request: HttpRequest, pk: int) -> HttpResponse:
    user = portal_user(request)
    audit = portal_audit(user, pk)
    snapshot = audit.final_result
    if audit.status not in FINAL or snapshot is None:
        raise Http404("the worksheet is ready when the audit is completed")
    dispute_by = billing_selectors.dispute_deadline(audit) if audit.status in BILLABLE else None
    response = HttpResponse(
        worksheet_pdf(audit, snapshot, dispute_by=dispute_by), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{worksheet_filename(audit)}"'
    return response


@require_POST
@portal_view
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    """The insured or agent disputes the result, naming the classes, within the window."""
    user = portal_user(request)
    audit = portal_audit(user, pk)
    try:
        dispute_open(
            audit=audit,
            by=user,
            lines=dispute_lines(request),
            statement=request.POST.get("statement", ""),
            documents=request.FILES.getlist("documents"),
        )
        messages.success(
            request,
            _(
                "Your dispute is recorded and your auditor has been told. The part you do not "
                "dispute is billed meanwhile."
            ),
        )
    except InvalidInput as e:
        messages.error(request, problems_text(e))
    except BillingRefused as e:
        messages.error(request, str(e.message))
    return back(audit, "results")


@require_GET
@portal_view
def letter(request: HttpRequest, pk: int, letter: int) -> HttpResponseBase:
    """A letter sent about the audit, as sent."""
    user = portal_user(request)
    audit = portal_audit(user, pk)
    found = get_object_or_404(Letter, audit=audit, pk=letter, status=LetterStatus.SENT)
    return stored_file_response(
        request,
        found.pdf,
        content_type="application/pdf",
        missing=_(
            "The PDF of the %(letter)s letter is no longer in our file storage, so it cannot be "
            "opened. Please write to your auditor for a copy."
        )
        % {"letter": letter_kind(found.kind).lower()},
    )


@require_POST
@portal_view
def worksheet_ask(request: HttpRequest, pk: int) -> HttpResponse:
    user = portal_user(request)
    audit = portal_audit(user, pk)
    worksheet_request(audit=audit, by=user)
    messages.success(
        request,
        _("Your auditor has been told. The worksheet will be here when the audit is completed."),
    )
    return back(audit, "results")
