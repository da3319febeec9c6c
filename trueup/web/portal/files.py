"""Records the insured uploads, and opening them again: the insured and agent from the portal,
the audit's staff from the workbench."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from trueup.accounts.models import User
from trueup.audits.access import staff_user, visible_audit
from trueup.audits.models import RecordsItem
from trueup.core.errors import InvalidInput
from trueup.portal.access import may_report, portal_audit, portal_user
from trueup.portal.labels import upload_note
from trueup.portal.models import RecordUpload
from trueup.portal.services import (
    PortalRefused,
    log_access,
    may_download_original,
    record_upload_add,
)
from trueup.web.downloads import stored_file_response
from trueup.web.portal.base import back, client_meta, portal_view, problems_text


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
        messages.error(request, _("Choose a file to upload."))
        return back(audit, f"item-{record.pk}")
    for f in files:
        try:
            row = record_upload_add(item=record, by=user, upload=f)
            messages.success(
                request,
                _("%(file)s uploaded.") % {"file": row.filename} + f" {upload_note(row.note)}",
            )
        except InvalidInput as e:
            messages.error(request, problems_text(e))
        except PortalRefused as e:
            messages.error(request, str(e))
    return back(audit, f"item-{record.pk}")


def _log_staff_original(
    request: HttpRequest, upload: RecordUpload, user: User, status: int
) -> None:
    # Staff see insureds' social security numbers only in originals: each opening is kept.
    log_access(
        request_meta=client_meta(request),
        method=request.method or "",
        path=request.get_full_path(),
        status=status,
        user=user,
        audit_id=upload.audit_id,
        upload=upload,
        original=True,
        event="staff_original",
    )


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
    missing = (
        _(
            "The file “%(file)s” is no longer in our file storage, so it cannot be opened. "
            "Please upload it again, or write to your auditor."
        )
        % {"file": upload.filename}
        if user.is_portal_user
        else f"The file “{upload.filename}” is no longer in our file storage, so it cannot be "
        "opened. Ask the insured to upload it again, or restore it from a backup."
    )
    response = stored_file_response(
        request, stored, content_type=content_type, missing=missing, filename=name
    )
    if serves_original and not user.is_portal_user:
        _log_staff_original(request, upload, user, response.status_code)
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
