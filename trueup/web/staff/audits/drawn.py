"""Parts of the workbench drawn here rather than by the template engine: the worklist's lines and
filters and the audit page's empty forms, drawn once and kept because they depend only on what
they show; and the audit page's records checklist and history, drawn on each page.

The worklist's lines, each rendered once per distinct content. A line's HTML depends only on
what it shows (the row's values, whether it is overdue, the language), so that is its cache key:
an audit that changes is a new key, and no cached line can go stale. Rendering a line is most of
a worklist page's time, so a line is written here with ``format_html`` (which escapes every
value as the templates do) rather than by the template engine: the same HTML in under a third
of the time. Staff page back and forth over the same audits, and the cache keeps those."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from trueup.audits.models import AuditType, Method, RecordsItem, RecordStatus
from trueup.audits.selectors import WorklistRow
from trueup.audits.workflow import Status
from trueup.portal.models import RecordUpload
from trueup.web.forms import Asked, asked_of, query_of
from trueup.web.staff.audits.forms import FindingForm, InterviewForm, WorklistFilters
from trueup.web.templatetags.trueup import usd

NOTHING = "—"
LINE = (
    "<tr{}>\n"
    '      <td><a href="{}">#{}</a></td>\n'
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    "      <td>{} – {}</td>\n"
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    '      <td><span class="status status-{}">{}</span>{}</td>\n'
    "      <td>{}{}</td>\n"
    "      <td>{}</td>\n"
    '      <td class="num">{}</td>\n'
    "    </tr>"
)


def line_html(row: WorklistRow, overdue: bool) -> SafeString:
    return _rendered(row, overdue, translation.get_language())


@lru_cache(maxsize=len(settings.LANGUAGES))
def _words(language: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The audit types, methods and statuses in words, in ``language``."""
    with translation.override(language):
        return tuple(  # type: ignore[return-value]
            {value: str(label) for value, label in choices}
            for choices in (AuditType.choices, Method.choices, Status.choices)
        )


@lru_cache(maxsize=settings.TRUEUP_WORKLIST_LINES_KEPT)
def _rendered(row: WorklistRow, overdue: bool, language: str) -> SafeString:
    types, methods, statuses = _words(language)
    return format_html(
        LINE,
        SafeString(' class="overdue"') if overdue else "",
        reverse("audits:audit", args=[row.id]),
        row.id,
        row.policy,
        row.insured,
        row.effective.isoformat(),
        row.expiration.isoformat(),
        types.get(row.type, row.type),
        methods.get(row.method, row.method),
        row.status,
        statuses.get(row.status, row.status),
        SafeString(' <span class="rush">rush</span>') if row.rush else "",
        row.assignee or NOTHING,
        format_html(" ({})", row.vendor) if row.vendor else "",
        row.due_date.isoformat() if row.due_date else NOTHING,
        usd(row.adjustment),
    )


def filters_html(query: QueryDict) -> SafeString:
    """The filter form as the user filled it in (from the page's query, as the worklist reads
    it: a form sent when the query holds anything). Its widgets depend only on what was asked
    and the language, so each distinct set of filters is drawn once per process."""
    asked = asked_of(query or None, WorklistFilters.base_fields)
    return _drawn_filters(asked, translation.get_language())


@lru_cache(maxsize=settings.TRUEUP_WORKLIST_FILTERS_KEPT)
def _drawn_filters(asked: Asked, language: str) -> SafeString:
    with translation.override(language):
        form = WorklistFilters(query_of(asked))
        html = render_to_string("audits/_worklist_filters.html", {"form": form})
    return SafeString(html)


# One entry of an audit's history: when, by whom (None: the system) and what.
ENTRY = '<li><time datetime="{}">{}</time> {}: {}</li>'


def history_html(entries: Iterable[tuple[datetime, str | None, str]]) -> SafeString:
    """An audit's history as the template wrote it, in the reader's time zone; a busy audit has
    dozens of entries, each drawn here in a fraction of the template engine's time. Each entry
    is (when, the user name of who made it or None for the system, what happened)."""
    lines = []
    for at, by, text in entries:
        local = timezone.localtime(at)
        lines.append(
            format_html(
                ENTRY,
                local.isoformat(),
                local.strftime("%Y-%m-%d %H:%M"),
                by or "system",
                text,
            )
        )
    return SafeString("".join(lines))


# The records checklist: a line per item, and under its note each file the insured sent for it.
RECORD = (
    "\n      <tr>\n"
    "        <td>{}</td>\n"
    "        <td><small>{}</small></td>\n"
    '        <td><span class="record record-{}">{}</span></td>\n'
    "        <td>{}\n"
    "          {}</td>\n"
    "        <td>{}</td>\n"
    "      </tr>\n    "
)
UPLOAD = '<div class="upload"><a href="{}">{}</a>{} <small>{} by {} · {}</small></div>'
MARK = (
    '\n          <form method="post" action="{}" class="inline">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">\n'
    '            <select name="status" aria-label="Status of {}">{}</select>\n'
    '            <input name="note" aria-label="Note on {}" placeholder="note (needed to reject)"'
    ' value="">\n'
    '            <button type="submit">Update</button>\n'
    "          </form>"
)
NO_CHECKLIST = (
    '\n      <tr><td colspan="5">No checklist yet: it is made when records are requested.</td>'
    "</tr>\n    "
)


class RecordsShown(NamedTuple):
    """What the checklist shows of an audit's records, for whom."""

    audit_id: int
    items: list[RecordsItem]
    uploaded: bool  # whether any file was sent (else no item's files are read)
    may_mark: bool
    may_see_originals: bool
    csrf_token: str


def records_html(shown: RecordsShown) -> SafeString:
    """The checklist's lines as the template drew them (a checklist has a line per record asked
    for, each with its form): here in a fraction of the template engine's time."""
    if not shown.items:
        return SafeString(NO_CHECKLIST)
    statuses = [(value, str(label)) for value, label in RecordStatus.choices]
    lines = []
    for item in shown.items:
        kind = item.get_kind_display()
        uploads = item.uploads.all() if shown.uploaded else ()
        mark = ""
        if shown.may_mark:
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((v, SELECTED if v == item.status else "", t) for v, t in statuses),
            )
            url = reverse("audits:records_mark", args=[shown.audit_id, item.pk])
            mark = format_html(MARK, url, shown.csrf_token, kind, options, kind)
        lines.append(
            format_html(
                RECORD,
                kind,
                item.why,
                item.status,
                item.get_status_display(),
                item.note,
                SafeString("".join(_upload_html(shown, upload) for upload in uploads)),
                mark,
            )
        )
    return SafeString("".join(lines))


SELECTED = SafeString(" selected")


def _upload_html(shown: RecordsShown, upload: RecordUpload) -> str:
    url = reverse("portal_staff:file", args=[shown.audit_id, upload.pk])
    original = (
        format_html(' · <a href="{}?original=1">original</a>', url)
        if upload.redacted and shown.may_see_originals
        else ""
    )
    sent = dateformat.format(timezone.localtime(upload.uploaded_at), "M j")
    return format_html(
        UPLOAD, url, upload.filename, original, sent, upload.uploaded_by.username, upload.note
    )


class BlankForms(NamedTuple):
    """The audit page's forms for a new finding and a new interview, their fields drawn."""

    finding: SafeString
    interview: SafeString


def blank_forms(today: date) -> BlankForms:
    """The same for every audit on a day (an interview is held today unless the auditor says
    otherwise), in the reader's language: drawn once a day per language."""
    return _drawn_blank_forms(today, translation.get_language())


@lru_cache(maxsize=2 * len(settings.LANGUAGES))  # today's and yesterday's, in each language
def _drawn_blank_forms(today: date, language: str) -> BlankForms:
    with translation.override(language):
        return BlankForms(
            *(
                SafeString(render_to_string("audits/_blank_fields.html", {"form": form}))
                for form in (FindingForm(), InterviewForm(initial={"held_on": today}))
            )
        )
