"""The portal's pages for policyholders, their delegates and agents: where each audit stands, the
online self-audit, record uploads, messages, the worksheet, and who has access. Every page checks
who may see which insured (``access.py``) and every request is logged."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trueup.accounts.models import Role, User
from trueup.audits.access import staff_user, visible_audit
from trueup.audits.models import Audit, RecordsItem, RecordStatus
from trueup.audits.scheduling import rules as scheduling_rules
from trueup.audits.selectors import respond_by
from trueup.audits.workflow import BILLABLE, CLOSED, FINAL, RESULT_SHOWN, Status
from trueup.billing import services as billing
from trueup.billing.models import BillingInstruction, Dispute, DisputeStatus
from trueup.billing.services import BillingRefused
from trueup.core.errors import InvalidInput
from trueup.flows.disputes import dispute_open
from trueup.letters.models import Letter
from trueup.letters.worksheet_pdf import worksheet_filename, worksheet_pdf
from trueup.payroll.ingest import RegisterError
from trueup.payroll.services import register_read
from trueup.portal import selfaudit
from trueup.portal.access import (
    active_access,
    insureds_for,
    may_report,
    portal_audit,
    portal_audits,
    portal_rules,
    portal_user,
)
from trueup.portal.models import AccessKind, Invitation, Message, PortalAccess, RecordUpload
from trueup.portal.services import (
    REFUSALS,
    InvitationRefused,
    PortalRefused,
    delegate_invitation_withdraw,
    delegate_invite,
    delegate_revoke,
    invitation_for_token,
    invitation_redeem,
    invitation_state,
    log_access,
    may_download_original,
    message_post,
    record_upload_add,
    worksheet_request,
)
from trueup.rating.errors import Problem
from trueup.web.downloads import stored_file_response
from trueup.web.staff.billing.views import dispute_lines

View = Callable[..., HttpResponseBase]

# The stages an insured sees, in order, with what each means for them.
STAGES: list[tuple[str, str, str]] = [
    (Status.SCHEDULED, "Scheduled", "Your audit is scheduled. We will ask for your records."),
    (
        Status.RECORDS_REQUESTED,
        "Records requested",
        "Please complete the self-audit and upload the records listed below.",
    ),
    (Status.RECORDS_RECEIVED, "Records received", "We have your records and will review them."),
    (Status.IN_PROGRESS, "Being audited", "Your auditor is working on the audit."),
    (Status.IN_REVIEW, "In review", "The audit is being reviewed before it is final."),
    (Status.COMPLETED, "Completed", "The audit is complete: see the results below."),
]
OTHER_STAGES: dict[str, str] = {
    Status.WAIVED: "This audit was waived: the estimated premium stands. You may ask for an "
    "audit within {request_window_days} days of the waiver.",
    Status.ESTIMATED: "This audit was estimated because records were not received. Send your "
    "records and we can revise it.",
    Status.REVISED: "This audit was revised: see the newer audit for the current result.",
    Status.REVERSED: "This audit was reversed.",
}


def _client_meta(request: HttpRequest) -> dict[str, str]:
    return {"REMOTE_ADDR": str(request.META.get("REMOTE_ADDR", ""))}


def portal_view(view: View) -> View:
    """Sign-in required, portal users only, and every request logged with its answer."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user if isinstance(request.user, User) else None
        audit_id = kwargs.get("pk")
        status = 500
        try:
            portal_user(request)
            response = view(request, *args, **kwargs)
            status = response.status_code
            return response
        except Http404:
            status = 404
            raise
        except PermissionDenied:
            status = 403
            raise
        finally:
            log_access(
                request_meta=_client_meta(request),
                method=request.method or "",
                path=request.path,
                status=status,
                user=user,
                # An answered request saw the audit (its view 404s otherwise); a refused one
                # names none, so the log reveals no other insured's audit.
                audit_id=audit_id if status < 400 else None,
                event=view.__name__,
            )

    return wrapped


def _stage(audit: Audit) -> dict[str, Any]:
    order = [s for s, _, _ in STAGES]
    current = order.index(audit.status) if audit.status in order else None
    return {
        "steps": [
            {
                "label": label,
                "state": "done"
                if current is not None and i < current
                else "current"
                if i == current
                else "todo",
            }
            for i, (_, label, _) in enumerate(STAGES)
        ]
        if current is not None
        else [],
        "text": STAGES[current][2]
        if current is not None
        # The waiver's request window is schedule.toml's, as audit_reopen counts it.
        else OTHER_STAGES.get(audit.status, "").format(**scheduling_rules()["waiver"]),
    }


def _missing(audit: Audit) -> list[RecordsItem]:
    return [
        r for r in audit.records.all() if r.status in (RecordStatus.NEEDED, RecordStatus.REJECTED)
    ]


@require_GET
@portal_view
def home(request: HttpRequest) -> HttpResponse:
    user = portal_user(request)
    audits = (
        portal_audits(user)
        .select_related("period__policy__insured")
        .prefetch_related("records")
        .order_by("-period__expiration", "-id")
    )
    q = request.GET.get("q", "").strip()
    if q and user.role == Role.AGENT:
        audits = audits.filter(period__policy__insured__name__icontains=q) | audits.filter(
            period__policy__number__icontains=q
        )
    rows = [
        {
            "audit": a,
            "stage": _stage(a),
            "missing": len(_missing(a)),
            "respond_by": respond_by(a) if a.status == Status.RECORDS_REQUESTED else None,
        }
        for a in audits[:200]
    ]
    return render(
        request,
        "portal/home.html",
        {"rows": rows, "q": q, "insureds": insureds_for(user), "is_agent": user.role == Role.AGENT},
    )


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
            "stage": _stage(audit),
            "respond_by": respond_by(audit) if audit.status == Status.RECORDS_REQUESTED else None,
            "records": records,
            "missing": _missing(audit),
            "thread": thread,
            "result": result,
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
    deadline = billing.dispute_deadline(audit) if final else None
    return {
        "disputes": disputes,
        "may_dispute": final
        and deadline is not None
        and timezone.localdate() <= deadline
        and not any(d.status == DisputeStatus.OPEN for d in disputes),
        "dispute_deadline": deadline,
        "class_lines": [line for line in result.result["adjustments"] if line["is_class"]]
        if final
        else [],
        "letters": Letter.objects.filter(audit=audit),
        "instructions": BillingInstruction.objects.filter(audit=audit).order_by("id"),
    }


def _back(audit: Audit, anchor: str = "") -> HttpResponseRedirect:
    return redirect(reverse("portal:audit", args=[audit.pk]) + (f"#{anchor}" if anchor else ""))


def _problems_text(e: InvalidInput | InvalidInput) -> str:
    return " ".join(p.reason[:1].upper() + p.reason[1:] + "." for p in e.problems)


@require_POST
@portal_view
def message_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = portal_user(request)
    audit = portal_audit(user, pk)
    try:
        message_post(audit=audit, by=user, body=request.POST.get("body", ""))
        messages.success(request, "Your message was sent to your auditor.")
    except InvalidInput as e:
        messages.error(request, _problems_text(e))
    return _back(audit, "messages")


@require_POST
@portal_view
def upload(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    user = portal_user(request)
    audit = portal_audit(user, pk)
    if not may_report(user):
        raise PermissionDenied("records are uploaded by the policyholder and their delegates")
    record = get_object_or_404(RecordsItem, audit=audit, pk=item)
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, "Choose a file to upload.")
        return _back(audit, f"item-{record.pk}")
    for f in files:
        try:
            row = record_upload_add(item=record, by=user, upload=f)
            messages.success(request, f"{row.filename} uploaded. {row.note}")
        except InvalidInput as e:
            messages.error(request, _problems_text(e))
        except PortalRefused as e:
            messages.error(request, str(e))
    return _back(audit, f"item-{record.pk}")


def _file_response(
    request: HttpRequest, upload: RecordUpload, user: User, original: bool
) -> HttpResponseBase:
    if original and not may_download_original(user, upload):
        raise PermissionDenied("the original is kept for the audit staff; open the redacted copy")
    serves_original = original or not upload.redacted
    stored = upload.original if serves_original else upload.redacted
    name = upload.filename
    if not serves_original:
        extension = "." + upload.redacted.name.rsplit(".", 1)[-1]
        name = f"{name.rsplit('.', 1)[0]} (redacted){extension}"
        content_type = "application/pdf" if extension == ".pdf" else "text/plain; charset=utf-8"
    else:
        content_type = upload.content_type
    missing = f"The file “{upload.filename}” is no longer in our file storage, so it cannot be " + (
        "opened. Please upload it again, or write to your auditor."
        if user.is_portal_user
        else "opened. Ask the insured to upload it again, or restore it from a backup."
    )
    response = stored_file_response(
        request, stored, content_type=content_type, missing=missing, filename=name
    )
    if serves_original and not user.is_portal_user:
        # Staff see insureds' social security numbers only in originals: each opening is kept.
        log_access(
            request_meta=_client_meta(request),
            method=request.method or "",
            path=request.get_full_path(),
            status=response.status_code,
            user=user,
            audit_id=upload.audit_id,
            upload=upload,
            original=True,
            event="staff_original",
        )
    return response


@require_GET
@portal_view
def file_download(request: HttpRequest, pk: int, file: int) -> HttpResponseBase:
    user = portal_user(request)
    audit = portal_audit(user, pk)
    upload = get_object_or_404(RecordUpload, audit=audit, pk=file)
    return _file_response(request, upload, user, request.GET.get("original") == "1")


@require_GET
@login_required
def staff_file_download(request: HttpRequest, pk: int, file: int) -> HttpResponseBase:
    """The workbench's download: the audit's staff get the original; others the redacted copy."""
    user = staff_user(request)
    audit = visible_audit(user, pk)
    upload = get_object_or_404(RecordUpload, audit=audit, pk=file)
    return _file_response(request, upload, user, request.GET.get("original") == "1")


@require_GET
@portal_view
def worksheet(request: HttpRequest, pk: int) -> HttpResponse:
    user = portal_user(request)
    audit = portal_audit(user, pk)
    snapshot = audit.final_result
    if audit.status not in FINAL or snapshot is None:
        raise Http404("the worksheet is ready when the audit is completed")
    dispute_by = billing.dispute_deadline(audit) if audit.status in BILLABLE else None
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
            "Your dispute is recorded and your auditor has been told. The part you do not "
            "dispute is billed meanwhile.",
        )
    except InvalidInput as e:
        messages.error(request, _problems_text(e))
    except BillingRefused as e:
        messages.error(request, str(e.message))
    return _back(audit, "results")


@require_GET
@portal_view
def letter(request: HttpRequest, pk: int, letter: int) -> HttpResponseBase:
    """A letter sent about the audit, as sent."""
    user = portal_user(request)
    audit = portal_audit(user, pk)
    found = get_object_or_404(Letter, audit=audit, pk=letter)
    return stored_file_response(
        request,
        found.pdf,
        content_type="application/pdf",
        missing=f"The PDF of the {found.get_kind_display().lower()} letter is no longer in our "
        "file storage, so it cannot be opened. Please write to your auditor for a copy.",
    )


@require_POST
@portal_view
def worksheet_ask(request: HttpRequest, pk: int) -> HttpResponse:
    user = portal_user(request)
    audit = portal_audit(user, pk)
    worksheet_request(audit=audit, by=user)
    messages.success(
        request,
        "Your auditor has been told. The worksheet will be here when the audit is completed.",
    )
    return _back(audit, "results")


# The self-audit ------------------------------------------------------------------------------

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


def _form_context(
    audit: Audit, answers: dict[str, Any], problems: list[Any], preview: Any
) -> dict[str, Any]:
    errors = {p.path: p.reason for p in problems}
    quarter_labels = {q.key: q.label for q in selfaudit.quarters(audit)}
    quarter_labels["all"] = selfaudit.period_quarter(audit).label
    classes = {(c["state"], c["class_code"]): c for c in selfaudit.policy_classes(audit)}
    payroll = _rows(answers, "payroll", errors)
    for row in payroll:
        key = (row["values"]["state"], row["values"]["class_code"])
        row["policy_class"] = classes.get(key)
        row["quarter_label"] = quarter_labels.get(row["values"]["quarter"], "")
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
    if request.method == "GET":
        return render(
            request,
            "portal/self_audit.html",
            _form_context(audit, selfaudit.normalised(form.answers), [], None),
        )
    answers = _posted_answers(request)
    action = request.POST.get("action", "save")
    problems: list[Any] = []
    preview = None
    if action == "add_owner":
        answers["owners"].append(dict.fromkeys(selfaudit.OWNER_FIELDS, ""))
    elif action == "add_payroll":
        states = sorted(audit.period.states)
        answers["payroll"].append(
            dict.fromkeys(selfaudit.PAYROLL_FIELDS, "")
            | {"state": states[0] if len(states) == 1 else "", "quarter": "all"}
        )
    elif action == "add_contractor":
        answers["contractors"].append(dict.fromkeys(selfaudit.CONTRACTOR_FIELDS, ""))
    elif action.startswith("remove_"):
        section, _, index = action.removeprefix("remove_").partition("_")
        if section in ("owners", "contractors") and index.isdigit():
            rows = answers[section]
            if int(index) < len(rows):
                rows.pop(int(index))
    elif action == "import" and (register := request.FILES.get("register")) is not None:
        try:
            found = register_read(audit=audit, data=register.read(), filename=register.name or "")
            answers = selfaudit.filled_from_register(audit, answers, found.lines)
            messages.success(
                request,
                f"Section II was filled from {register.name}: {found.rows_used} of "
                f"{found.rows_read} rows used. Check the figures, then save.",
            )
        except RegisterError as e:
            messages.error(request, f"{register.name} could not be read: {e}")
    elif action in ("preview", "submit"):
        checked = selfaudit.check(audit, answers, submitting=action == "submit")
        problems = checked.problems
        if not problems and action == "preview":
            try:
                preview = selfaudit.preview(audit, checked)
            except Exception as e:  # an engine refusal is shown, never a server error
                problems = list(getattr(e, "problems", [])) or [Problem("payroll", str(e))]
        if not problems and action == "submit":
            try:
                selfaudit.self_audit_submit(audit=audit, by=user, answers=answers)
            except InvalidInput as e:
                problems = list(e.problems)
            else:
                messages.success(
                    request,
                    "Thank you: your self-audit was submitted and your auditor has been told.",
                )
                return _back(audit)
    selfaudit.self_audit_save(audit=audit, by=user, answers=answers)
    if action == "save":
        messages.success(request, "Your draft is saved. You can come back to it at any time.")
    status = 422 if problems else 200
    return render(
        request,
        "portal/self_audit.html",
        _form_context(audit, answers, problems, preview),
        status=status,
    )


# Invitations and delegated access ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Redeem an invitation: the PIN from the letter, and a user name and password."""
    found = invitation_for_token(token)
    meta = _client_meta(request)
    user = request.user if isinstance(request.user, User) else None
    if found is None:
        log_access(
            request_meta=meta,
            method=request.method or "",
            path="/portal/invitations/",
            status=404,
            event="invitation_unknown",
        )
        return render(
            request,
            "portal/invitation_refused.html",
            {"reason": "This link is not a valid invitation."},
            status=404,
        )
    state = invitation_state(found)
    if state != "open":
        log_access(
            request_meta=meta,
            method=request.method or "",
            path=f"/portal/invitations/{found.reference}",
            status=410,
            invitation=found,
            event=f"invitation_{state}",
        )
        return render(
            request, "portal/invitation_refused.html", {"reason": REFUSALS[state]}, status=410
        )
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            account = invitation_redeem(
                token=token,
                pin=request.POST.get("pin", ""),
                user=user if user is not None and user.is_authenticated else None,
                username=request.POST.get("username", ""),
                password=request.POST.get("password", ""),
                password_again=request.POST.get("password_again", ""),
                meta=meta,
            )
        except InvalidInput as e:
            for p in e.problems:
                errors[p.path] = (errors.get(p.path, "") + " " + p.reason).strip()
            status = 422
        except InvitationRefused as e:
            return render(request, "portal/invitation_refused.html", {"reason": str(e)}, status=403)
        else:
            if not request.user.is_authenticated:
                login(request, account, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome. You now have access to {found.insured.name}.")
            return redirect("portal:home")
    else:
        log_access(
            request_meta=meta,
            method="GET",
            path=f"/portal/invitations/{found.reference}",
            status=200,
            invitation=found,
            event="invitation_opened",
        )
    return render(
        request,
        "portal/invitation.html",
        {
            "invitation": found,
            "errors": errors,
            "signed_in": user is not None and user.is_authenticated,
            "posted": request.POST,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@portal_view
def access(request: HttpRequest) -> HttpResponse:
    """Who can see each of my insureds, and giving or taking away a delegate's access."""
    user = portal_user(request)
    owned = [a.insured for a in active_access(user).filter(kind=AccessKind.OWNER)]
    if not owned:
        raise PermissionDenied("only the policyholder manages who has access")
    issued = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "invite":
            insured = next((i for i in owned if str(i.pk) == request.POST.get("insured")), None)
            if insured is None:
                raise Http404("no such insured")
            try:
                issued = delegate_invite(
                    insured=insured,
                    by=user,
                    name=request.POST.get("name", ""),
                    email=request.POST.get("email", ""),
                )
            except InvalidInput as e:
                errors = {p.path: p.reason for p in e.problems}
        elif action == "revoke":
            row = get_object_or_404(PortalAccess, pk=request.POST.get("access"), insured__in=owned)
            delegate_revoke(access=row, by=user)
            messages.success(
                request, f"{row.user.get_full_name() or row.user.username} no longer has access."
            )
            return redirect("portal:access")
        elif action == "withdraw":
            withdrawn = get_object_or_404(
                Invitation, pk=request.POST.get("invitation"), insured__in=owned
            )
            delegate_invitation_withdraw(invitation=withdrawn, by=user)
            messages.success(request, f"The invitation to {withdrawn.email} was withdrawn.")
            return redirect("portal:access")
    people = PortalAccess.objects.filter(insured__in=owned, revoked_at__isnull=True).select_related(
        "user", "insured"
    )
    pending = [
        i
        for i in Invitation.objects.filter(insured__in=owned, kind=AccessKind.DELEGATE)
        if invitation_state(i) == "open"
    ]
    return render(
        request,
        "portal/access.html",
        {
            "owned": owned,
            "people": people,
            "pending": pending,
            "issued": issued,
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=422 if errors else 200,
    )
