"""Parts of the workbench drawn here rather than by the template engine: the worklist's lines and
filters and the audit page's empty forms, drawn once and kept because they depend only on what
they show; and the audit page's records checklist and history, drawn on each page.

The worklist's lines, each rendered once per distinct content. A line's HTML depends only on
what it shows (the row's values, whether it is overdue, the language), so that is its cache key:
an audit that changes is a new key, and no cached line can go stale. Rendering a line is most of
a worklist page's time, so a line is written here with ``fast_html`` (``format_html``'s twin,
which escapes every value as the templates do) rather than by the template engine: the same HTML
in under a third of the time. Staff page back and forth over the same audits, and the cache
keeps those."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from django.conf import settings
from django.http import QueryDict
from django.template.defaultfilters import capfirst
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from trueup.audits.explanations import Explanation, Row, StateSteps
from trueup.audits.models import AuditType, Method, RecordsItem, RecordStatus
from trueup.audits.selectors import WorklistRow
from trueup.audits.workflow import Status
from trueup.portal.models import RecordUpload
from trueup.web.forms import Asked, asked_of, query_of
from trueup.web.staff.audits.forms import FindingForm, InterviewForm, WorklistFilters
from trueup.web.templatetags.trueup import PLAIN, amount, fast_html, label, shown_in, usd, why_html

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
    return fast_html(
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
        fast_html(" ({})", row.vendor) if row.vendor else "",
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
            fast_html(
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
            mark = fast_html(MARK, url, shown.csrf_token, kind, options, kind)
        lines.append(
            fast_html(
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
        fast_html(' · <a href="{}?original=1">original</a>', url)
        if upload.redacted and shown.may_see_originals
        else ""
    )
    sent = dateformat.format(timezone.localtime(upload.uploaded_at), "M j")
    return fast_html(
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


# The audit page's result: its figures, a "why?" on each, and each state's steps. Written here
# as its template wrote it (every value escaped as a template escapes it): a result has some
# twenty "why?"s and a hundred figures, several milliseconds of the page in the template engine.
RESULT_OPEN = (
    '<section id="result" aria-labelledby="result-title">\n'
    '    <h2 id="result-title">Result</h2>\n    '
)
RESULT_CLOSE = "\n  </section>"
PROBLEMS = (
    '\n      <div class="error" role="alert"><p>The worksheet cannot be rated yet:</p><ul>{}</ul>'
    "</div>\n    "
)
NO_RESULT = '\n      <p class="note">No result yet: enter the audited facts above.</p>\n    '
LIVE = "Working result, rated now from the facts above; it is stored when the audit is submitted."
STORED = "Stored result (engine {}, rule book {}, rates {})."
TOTALS = (
    '\n      <p class="note">{}</p>\n'
    '      <dl class="totals">\n'
    '        <div><dt>Estimated premium</dt><dd id="estimated-premium">{}</dd></div>\n'
    '        <div><dt>Audited premium</dt><dd id="audited-premium">{}</dd></div>\n'
    "        <div><dt>{}</dt>\n"
    '            <dd><span id="adjustment" class="outcome-{}">{}</span>\n'
    "            {}</dd></div>\n"
    "      </dl>\n"
    '      <div class="table-scroll" role="region" aria-label="Premium by state and class">\n'
    '      <table class="list result">\n'
    '        <thead><tr><th>State</th><th>Class or charge</th><th class="num">Estimated '
    'exposure</th><th class="num">Audited exposure</th><th class="num">Estimated premium</th>'
    '<th class="num">Audited premium</th><th class="num">Difference</th></tr></thead>\n'
    "        <tbody>\n"
    "        {}\n"
    "        </tbody>\n"
    "      </table>\n"
    "      </div>\n"
    "      <p class=\"note\">A class's premium is its share of the state's premium after "
    'experience modification and discounts, before flat charges; its "why?" starts '
    "from the manual premium (exposure × rate).</p>\n"
    "      {}\n"
    "      {}\n    "
)
RESULT_ROW = (
    "\n          <tr>\n"
    "            <td>{}</td>\n"
    "            <td>{}</td>\n"
    '            <td class="num">{}{}</td>\n'
    '            <td class="num">{}{}</td>\n'
    '            <td class="num">{}{}</td>\n'
    '            <td class="num">{}{}</td>\n'
    '            <td class="num">{}</td>\n'
    "          </tr>\n"
    "        "
)
STATE_STEPS = (
    '\n        <details class="steps"><summary>{}: audited premium {}, step by step</summary>\n'
    '          <table class="list"><tbody>\n'
    "          {}\n"
    "          </tbody></table>\n"
    "        </details>\n"
    "      "
)
STEP = '<tr><td>{}</td><td class="num">{}</td><td>{}{}</td></tr>'
STEP_SOURCE = ' <small class="source">— {}{}</small>'
INHERITED = " [{} default: no {} figure of its own on file]"
FOUND = (
    "\n        <h3>What the engine found</h3>\n"
    '        <ul class="findings">\n'
    "          {}\n"
    "          {}\n"
    "        </ul>\n"
    "      "
)
EXCLUSION = "<li>{}{}</li>"
EXCLUSION_SOURCE = ' <small class="source">— {}</small>'
OUTCOME_WORDS = {"return": "Return premium", "additional": "Additional premium"}


def result_html(result: Explanation | None, problems: list[str], live: bool) -> SafeString:
    """The worksheet's result section: why it cannot be rated, the result, or that there is
    none yet."""
    if problems:
        body = fast_html(PROBLEMS, format_html_join("", "<li>{}</li>", ((p,) for p in problems)))
    elif result:
        body = _result_body(result, live)
    else:
        body = SafeString(NO_RESULT)
    return SafeString(RESULT_OPEN + body + RESULT_CLOSE)


def _result_body(result: Explanation, live: bool) -> SafeString:
    versions = result.versions
    note = (
        LIVE
        if live
        else fast_html(
            STORED,
            _shown(versions.get("engine", "")),
            _shown(versions.get("rule book")),
            _shown(versions.get("rates", "")),
        )
    )
    reason = result.adjustment_reason
    return fast_html(
        TOTALS,
        note,
        usd(result.estimated_premium),
        usd(result.audited_premium),
        OUTCOME_WORDS.get(str(result.outcome), "Adjustment"),
        _shown(result.outcome),
        usd(result.adjustment),
        why_html([reason], "the adjustment") if reason else "",
        SafeString("".join(_result_row(row) for row in result.rows)),
        SafeString("".join(_state_steps(state) for state in result.audited_states)),
        _found(result) if result.findings or result.exclusions else "",
    )


def _result_row(row: Row) -> str:
    what = label(row.item)
    about = f"{row.state} {what}, "
    return fast_html(
        RESULT_ROW,
        _shown(row.state),
        what,
        amount(row.estimated_exposure),
        why_html(row.estimated_exposure_reasons, about + "estimated exposure"),
        amount(row.audited_exposure),
        why_html(row.audited_exposure_reasons, about + "audited exposure"),
        usd(row.estimated_premium),
        why_html(row.estimated_premium_reasons, about + "estimated premium"),
        usd(row.audited_premium),
        why_html(row.audited_premium_reasons, about + "audited premium"),
        usd(row.difference),
    )


def _state_steps(state: StateSteps) -> str:
    return fast_html(
        STATE_STEPS,
        _shown(state.state),
        usd(state.premium),
        SafeString("".join(_step(step) for step in state.steps)),
    )


def _step(step: dict[str, Any]) -> str:
    reason = step.get("reason") or {}
    source = ""
    if reason.get("source"):
        inherited = reason.get("inherited_from")
        source = fast_html(
            STEP_SOURCE,
            _shown(reason["source"]),
            fast_html(INHERITED, _shown(inherited), _shown(reason.get("state", "")))
            if inherited
            else "",
        )
    return fast_html(
        STEP,
        capfirst(label(step.get("code", ""))),
        usd(step.get("amount", "")),
        _shown(reason.get("text", "")),
        source,
    )


def _found(result: Explanation) -> str:
    findings = format_html_join(
        "", "<li>{}</li>", ((_shown(f.get("message", "")),) for f in result.findings)
    )
    exclusions = SafeString(
        "".join(
            fast_html(
                EXCLUSION,
                _shown(x.get("text", "")),
                fast_html(EXCLUSION_SOURCE, _shown(x["source"])) if x.get("source") else "",
            )
            for x in result.exclusions
        )
    )
    return fast_html(FOUND, findings, exclusions)


def _shown(value: Any) -> str:
    """A value as ``{{ value }}`` shows it."""
    return shown_in(PLAIN, value)
