"""The workbench's pages from result to billing: the outreach task with its call script, disputes,
payment plans, billing instructions, and letters (previewed, then sent)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from trueup.accounts.models import User
from trueup.audits.access import staff_user, visible_audit
from trueup.audits.explanations import plain_reasons
from trueup.audits.models import Audit, ResultSnapshot
from trueup.audits.selectors import class_name
from trueup.audits.services import may
from trueup.billing import selectors, services
from trueup.billing.models import (
    Channel,
    Dispute,
    Outcome,
    Outreach,
    PaymentPlan,
    PlanStatus,
)
from trueup.billing.plans import Eligibility
from trueup.billing.selectors import billing_figures, billing_probes
from trueup.core.money import parse_dollars
from trueup.core.presence import Probe, holding, rows_if
from trueup.flows import disputes
from trueup.letters.models import Letter, LetterKind, LetterStatus
from trueup.letters.services import LetterRefused, letter_language, letter_render, letter_send
from trueup.rating.errors import TrueUpError
from trueup.web.downloads import stored_file_response


def call_script(
    audit: Audit, user: User, result: ResultSnapshot, plan_check: Eligibility | None
) -> list[str]:
    """What to say on the call, from the engine's explanation of the result."""
    adjustment = Decimal(result.adjustment)
    if adjustment > 0:
        outcome = f"an additional premium of {selectors.dollars(abs(adjustment))}"
    elif adjustment < 0:
        outcome = f"a return premium of {selectors.dollars(abs(adjustment))}"
    else:
        outcome = "no change to the premium"
    audited = selectors.dollars(Decimal(result.audited_premium))
    estimated = selectors.dollars(Decimal(result.estimated_premium))
    period = audit.period
    lines = [
        f"Hello, this is {user.get_full_name() or user.username} from the premium audit "
        f"department, about {period.policy.insured.name}'s policy {period.policy.number} for "
        f"{period.effective:%b %-d, %Y} to {period.expiration:%b %-d, %Y}.",
        f"The audit is complete: the audited premium is {audited} against {estimated} "
        f"estimated, which is {outcome}.",
        "What changed, and why:",
        *(
            f"• {reason}"
            for reason in plain_reasons(
                result.result, lambda state, code: class_name(audit, state, code)
            )
        ),
        f"If you disagree, tell us in writing within {selectors.dispute_days(audit)} days with "
        "your supporting documents; the part you do not dispute is billed meanwhile.",
    ]
    if plan_check is not None:
        config = selectors.rules()["payment_plans"]
        lines.append(
            f"A payment plan of {config['instalments_min']} to {config['instalments_max']} "
            "instalments can be offered."
            if plan_check.eligible
            else "A payment plan cannot be offered: " + "; ".join(plan_check.reasons) + "."
        )
    return lines


def billing_panel_probes(audit: Audit) -> dict[str, Probe]:
    """The tables the billing panel reads only where they hold rows for this audit."""
    return {**billing_probes(audit), **_letters_probe(audit)}


def _letters_probe(audit: Audit) -> dict[str, Probe]:
    return {"letters": (Letter, "audit", audit.pk)}


def billing_panel(audit: Audit, user: User) -> dict[str, Any]:
    """What the audit page shows from result to billing."""
    figures = billing_figures(audit)
    context: dict[str, Any] = {
        "outreach": figures.outreach,
        "instructions": figures.instructions,
        "disputes": figures.disputes,
        "plan": figures.plan,
        "letters": rows_if(
            holding(**_letters_probe(audit))["letters"],
            Letter.objects.filter(audit=audit),
        ),
        "letter_kinds": LetterKind.choices,
        "may_outreach": may(user, "document"),
        "may_resolve": may(user, "approve"),
        "may_revise": may(user, "revise"),
        # A plan above its preparer's authority: another reviewer approves it.
        "may_approve_plan": figures.plan is not None
        and figures.plan.status == PlanStatus.AWAITING_REVIEW
        and may(user, "approve")
        and figures.plan.agreed_by_id != user.pk,
    }
    if not figures.in_flow or figures.result is None:
        return context
    outreach = figures.outreach
    return context | {
        "outreach_attempts": outreach.attempts.select_related("by") if outreach else [],
        "outreach_script": call_script(audit, user, figures.result, figures.plan_check)
        if figures.talking
        else [],
        "channels": Channel.choices,
        "outcomes": Outcome.choices,
        "open_dispute": figures.open_dispute,
        "may_dispute": figures.may_dispute,
        "dispute_deadline": figures.dispute_deadline,
        "class_lines": figures.class_lines,
        "undisputed": figures.undisputed,
        "plan_check": figures.plan_check,
        "plan_amount": figures.plan_amount,
        # The plan form's limits are the ones payment_plan_agree enforces.
        "instalments_min": int(selectors.rules()["payment_plans"]["instalments_min"]),
        "instalments_max": int(selectors.rules()["payment_plans"]["instalments_max"]),
    }


def _back(audit: Audit, anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("audits:audit", args=[audit.pk]) + f"#{anchor}")


def _staff_audit(request: HttpRequest, pk: int, action: str, what: str) -> tuple[User, Audit]:
    user = staff_user(request)
    audit = visible_audit(user, pk)
    if not may(user, action):
        raise PermissionDenied(f"this role may not {what}")
    return user, audit


def _say(request: HttpRequest, error: TrueUpError) -> None:
    problems = getattr(error, "problems", None)
    messages.error(
        request, "; ".join(p.reason for p in problems) if problems else str(error.message)
    )


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_POST
def attempt_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, audit = _staff_audit(request, pk, "document", "log outreach")
    outreach = get_object_or_404(Outreach, audit=audit)
    post = request.POST
    try:
        services.outreach_attempt_add(
            outreach=outreach,
            by=user,
            channel=post.get("channel", ""),
            contact=post.get("contact", ""),
            outcome=post.get("outcome", ""),
            next_step=post.get("next_step", ""),
            next_step_on=_date(post.get("next_step_on", "")),
            notes=post.get("notes", ""),
        )
        messages.success(request, "The attempt is logged.")
    except TrueUpError as error:
        _say(request, error)
    return _back(audit, "outreach")


@login_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    user, audit = _staff_audit(request, pk, "approve", "release a result to billing early")
    outreach = get_object_or_404(Outreach, audit=audit)
    try:
        instruction = services.outreach_release(
            outreach=outreach, by=user, reason=request.POST.get("reason") or "released by staff"
        )
        messages.success(request, f"Released to billing: instruction {instruction.pk}.")
    except TrueUpError as error:
        _say(request, error)
    return _back(audit, "outreach")


@login_required
@require_POST
def dispute_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record a dispute received by mail, e-mail or phone (confirmed in writing)."""
    user, audit = _staff_audit(request, pk, "document", "record a dispute")
    lines = dispute_lines(request)
    try:
        disputes.dispute_open(
            audit=audit,
            by=user,
            lines=lines,
            statement=request.POST.get("statement", ""),
            documents=request.FILES.getlist("documents"),
        )
        messages.success(request, "The dispute is recorded and acknowledged.")
    except TrueUpError as error:
        _say(request, error)
    return _back(audit, "disputes")


def dispute_lines(request: HttpRequest) -> list[dict[str, str]]:
    """The class lines ticked on a dispute form (``line`` = "IN|5645"), each with its amount."""
    lines = []
    for value in request.POST.getlist("line"):
        state, _, item = value.partition("|")
        lines.append(
            {
                "state": state,
                "item": item,
                "disputed": request.POST.get(f"amount-{state}-{item}", ""),
            }
        )
    return lines


@login_required
@require_POST
def dispute_resolve(request: HttpRequest, pk: int, dispute: int) -> HttpResponse:
    user = staff_user(request)
    audit = visible_audit(user, pk)
    found = get_object_or_404(Dispute, audit=audit, pk=dispute)
    action = request.POST.get("action")
    resolution = request.POST.get("resolution", "")
    try:
        if action == "uphold":
            services.dispute_uphold(dispute=found, by=user, resolution=resolution)
            messages.success(request, "The audit is upheld; the held part goes to billing.")
        elif action == "revise":
            revision = services.dispute_revise(dispute=found, by=user, resolution=resolution)
            messages.success(request, "A revision is open: correct the facts and submit it.")
            return HttpResponseRedirect(reverse("audits:audit", args=[revision.pk]))
        else:
            raise Http404("no such resolution")
    except TrueUpError as error:
        _say(request, error)
    return _back(audit, "disputes")


@login_required
@require_POST
def plan_agree(request: HttpRequest, pk: int) -> HttpResponse:
    user, audit = _staff_audit(request, pk, "document", "agree a payment plan")
    post = request.POST
    try:
        instalments = int(post.get("instalments", "0"))
        down = parse_dollars(post.get("down_payment", "").strip() or "0")
    except ValueError:
        messages.error(request, "Enter the number of instalments and the down payment in dollars.")
        return _back(audit, "plan")
    try:
        made = services.payment_plan_agree(
            audit=audit,
            by=user,
            instalments=instalments,
            down_payment=down,
            first_due=_date(post.get("first_due", "")),
        )
        if made.status == PlanStatus.AGREED:
            messages.success(request, "The payment plan is agreed and its letter sent.")
        else:
            messages.success(
                request,
                "The plan is above your authority: it waits for a reviewer, and its letter goes "
                "out once approved.",
            )
    except TrueUpError as error:
        _say(request, error)
    return _back(audit, "plan")


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int, plan: int) -> HttpResponse:
    user, audit = _staff_audit(request, pk, "approve", "approve a payment plan")
    found = get_object_or_404(PaymentPlan, audit=audit, pk=plan)
    try:
        services.payment_plan_approve(plan=found, by=user, reason=request.POST.get("reason", ""))
        messages.success(request, "The payment plan is approved and its letter sent.")
    except TrueUpError as error:
        _say(request, error)
    return _back(audit, "plan")


def _letter_extra(audit: Audit, kind: str) -> dict[str, Any]:
    """What each letter needs beyond the audit itself."""
    extra: dict[str, Any] = selectors.dispute_terms(audit)
    dispute = Dispute.objects.filter(audit=audit).order_by("-id").first()
    if kind in ("dispute_ack", "dispute_outcome"):
        if dispute is None:
            raise Http404("there is no dispute to write about")
        extra["dispute"] = dispute
        extra["undisputed"] = selectors.undisputed(audit)
        if dispute.revision is not None:
            extra["result"] = dispute.revision.final_result
    if kind == "payment_plan":
        plan = PaymentPlan.objects.filter(audit=audit, cancelled_at__isnull=True).first()
        if plan is None:
            raise Http404("there is no payment plan to write about")
        extra["plan"] = plan
    return extra


@login_required
@require_GET
def letter_preview(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The letter as it will be sent, with the button that sends it. ``?language=`` shows it
    in another language than the insured's preferred one, to check both before sending."""
    _, audit = _staff_audit(request, pk, "document", "send letters")
    if kind not in LetterKind.values:
        raise Http404("no such letter")
    preferred = letter_language(audit.period.policy.insured.language)
    language = letter_language(request.GET.get("language") or preferred)
    try:
        rendered = letter_render(
            audit=audit, kind=kind, extra=_letter_extra(audit, kind), language=language
        )
    except LetterRefused as error:
        messages.error(request, str(error.message))
        return _back(audit, "letters")
    return render(
        request,
        "billing/letter_preview.html",
        {
            "audit": audit,
            "rendered": rendered,
            "kind": kind,
            "label": LetterKind(kind).label,
            "languages": settings.LANGUAGES,
            "language": language,
            "preferred": dict(settings.LANGUAGES)[preferred],
        },
    )


@login_required
@require_POST
def letter_send_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    user, audit = _staff_audit(request, pk, "document", "send letters")
    if kind not in LetterKind.values:
        raise Http404("no such letter")
    try:
        letter = letter_send(audit=audit, kind=kind, by=user, extra=_letter_extra(audit, kind))
        # Printed and e-mailed in the background: its state shows in the letters list.
        messages.success(
            request,
            f"{letter.get_kind_display()} is on its way to {', '.join(letter.recipients)}.",
        )
    except LetterRefused as error:
        messages.error(request, str(error.message))
    return _back(audit, "letters")


@login_required
@require_GET
def letter_pdf(request: HttpRequest, pk: int, letter: int) -> HttpResponseBase:
    user = staff_user(request)
    audit = visible_audit(user, pk)
    found = get_object_or_404(Letter, audit=audit, pk=letter, status=LetterStatus.SENT)
    return stored_file_response(
        request,
        found.pdf,
        content_type="application/pdf",
        missing=f"The PDF of the {found.get_kind_display().lower()} letter is no longer in the "
        "file storage, so it cannot be opened. Restore it from a backup, or preview the letter and "
        "send it again.",
    )
