"""Parts of the workbench drawn once and kept: the worklist's lines, written without the template
engine (the HTML a template would give, every value escaped), its filters, drawn once per set
asked for, and the audit page's empty forms; and its history, drawn as its template drew it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.template.base import render_value_in_context
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from trueup.accounts.models import User
from trueup.audits.explanations import Explanation, explain
from trueup.audits.selectors import WorklistRow
from trueup.rating import rate_worksheet, to_jsonable
from trueup.rating.jsonio import worksheet_from_json
from trueup.web.staff.audits.drawn import (
    blank_forms,
    filters_html,
    history_html,
    line_html,
    result_html,
)
from trueup.web.staff.audits.forms import FindingForm, InterviewForm, WorklistFilters
from trueup.web.templatetags.trueup import fast_html, shown_in

ROW = WorklistRow(
    7,
    "WC-2025-01",
    "O'Brien & Sons <Framing>",
    date(2025, 1, 1),
    date(2026, 1, 1),
    "final",
    "physical",
    "in_progress",
    True,
    "auditor01",
    "FAC&Co",
    date(2026, 3, 2),
    Decimal("-1234.50"),
)


def test_an_overdue_rush_line_escapes_what_the_insured_and_vendor_are_called() -> None:
    assert line_html(ROW, overdue=True) == (
        '<tr class="overdue">\n'
        '      <td><a href="/audits/7/">#7</a></td>\n'
        "      <td>WC-2025-01</td>\n"
        "      <td>O&#x27;Brien &amp; Sons &lt;Framing&gt;</td>\n"
        "      <td>2025-01-01 – 2026-01-01</td>\n"
        "      <td>Final</td>\n"
        "      <td>Physical</td>\n"
        '      <td><span class="status status-in_progress">In progress</span> '
        '<span class="rush">rush</span></td>\n'
        "      <td>auditor01 (FAC&amp;Co)</td>\n"
        "      <td>2026-03-02</td>\n"
        '      <td class="num">-$1,234.50</td>\n'
        "    </tr>"
    )


def test_a_line_with_nothing_assigned_due_or_rated_shows_dashes() -> None:
    empty = ROW._replace(
        rush=False, assignee=None, vendor=None, due_date=None, adjustment=None, status="completed"
    )
    assert line_html(empty, overdue=False) == (
        "<tr>\n"
        '      <td><a href="/audits/7/">#7</a></td>\n'
        "      <td>WC-2025-01</td>\n"
        "      <td>O&#x27;Brien &amp; Sons &lt;Framing&gt;</td>\n"
        "      <td>2025-01-01 – 2026-01-01</td>\n"
        "      <td>Final</td>\n"
        "      <td>Physical</td>\n"
        '      <td><span class="status status-completed">Completed</span></td>\n'
        "      <td>—</td>\n"
        "      <td>—</td>\n"
        '      <td class="num">—</td>\n'
        "    </tr>"
    )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=2",
        "status=open&state=ky&sort=due",
        "assignee=me&status=open&page=3",
        "rush=on&overdue=on&billing=disputed",
        "due_from=not-a-date&type=nonsense",
        "q=%3Cscript%3E%26",
    ],
)
def test_the_filters_kept_drawn_are_those_a_fresh_form_draws(query: str) -> None:
    asked = QueryDict(query)
    fresh = render_to_string(
        "audits/_worklist_filters.html", {"form": WorklistFilters(asked or None)}
    )
    assert filters_html(asked) == fresh
    assert filters_html(QueryDict(query)) == fresh  # the second time, from what was kept
    if query.startswith("due_from"):
        assert 'aria-invalid="true"' in fresh  # a mistake is marked on its field


def test_the_empty_forms_kept_are_those_fresh_forms_draw_with_todays_date() -> None:
    for language in ("en", "es"):
        with translation.override(language):
            kept = blank_forms(date(2026, 12, 5))
            assert kept == blank_forms(date(2026, 12, 5))
            fresh = InterviewForm(initial={"held_on": date(2026, 12, 5)})
            assert kept.interview == render_to_string("audits/_blank_fields.html", {"form": fresh})
            assert kept.finding == render_to_string(
                "audits/_blank_fields.html", {"form": FindingForm()}
            )
    assert 'value="2026-12-05"' in kept.interview
    assert 'value="2026-12-06"' in blank_forms(date(2026, 12, 6)).interview


# How the audit page's template drew each entry of the history before it was drawn in Python.
HISTORY_TEMPLATE = (
    "{% for at, by, text in history %}"
    '<li><time datetime="{{ at|date:\'c\' }}">{{ at|date:"Y-m-d H:i" }}</time> '
    '{{ by|default:"system" }}: {{ text }}</li>'
    "{% endfor %}"
)


def test_the_history_is_drawn_as_the_template_drew_it_in_the_readers_time_zone(
    auditor: User,
) -> None:
    entries = [
        (
            datetime(2026, 3, 2, 15, 4, 5, 123456, tzinfo=UTC),
            auditor.username,
            "Scheduled → In progress",
        ),
        (datetime(2026, 1, 1, 3, 0, tzinfo=UTC), None, 'Payroll line <2> & "owner" changed'),
    ]
    drawn = history_html(entries)
    assert drawn == Template(HISTORY_TEMPLATE).render(Context({"history": entries}))
    # Chicago's time, six hours behind UTC in winter; the text escaped.
    assert drawn == (
        '<li><time datetime="2026-03-02T09:04:05.123456-06:00">2026-03-02 09:04</time> '
        "auditor: Scheduled → In progress</li>"
        '<li><time datetime="2025-12-31T21:00:00-06:00">2025-12-31 21:00</time> '
        "system: Payroll line &lt;2&gt; &amp; &quot;owner&quot; changed</li>"
    )


# The audit page's result section as its template drew it before ``result_html`` (kept beside
# this test): the drawn section must be the same HTML, to the character.
RESULT_TEMPLATE = (Path(__file__).parent / "result_section_before.html").read_text()

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def explained_examples() -> list[Explanation]:
    """Every example worksheet rated, its result explained as the audit page explains it."""
    return [
        explain(to_jsonable(rate_worksheet(worksheet_from_json(path.read_text("utf-8-sig")))))
        for path in sorted(EXAMPLES.glob("*.json"))
    ]


def drawn_by_template(result: Explanation | None, problems: list[str], live: bool) -> str:
    context = {"result": result, "problems": problems, "live": live}
    return Template(RESULT_TEMPLATE).render(Context(context))


def test_every_example_result_is_drawn_as_its_template_drew_it_live_or_stored() -> None:
    results = explained_examples()
    assert len(results) == 5
    for result in results:
        for live in (True, False):
            assert result_html(result, [], live) == drawn_by_template(result, [], live)


def test_what_the_insured_and_the_rule_book_wrote_is_escaped_as_the_template_escaped_it() -> None:
    result = explained_examples()[1]
    hostile = 'O\'Brien & <Sons> "Framing"'
    reason = {
        "rule": "x",
        "text": hostile,
        "source": hostile,
        "inherited_from": "NCCI",
        "state": "<IN>",
        "status": "illustrative",
        "effective": "2025-01-01",
    }
    result.adjustment_reason = reason
    result.outcome = "<additional>"
    result.versions = {"engine": hostile, "rule book": hostile, "rates": hostile}
    result.rows[0].state = "<IN>"
    result.rows[0].item = "8810_<x>"
    result.rows[0].audited_premium_reasons = [reason]
    result.audited_states[0].steps.append(
        {"code": "odd_<step>", "amount": "12.5", "reason": reason}
    )
    result.audited_states[0].steps.append({"code": "no_reason"})
    result.findings = [{"message": hostile}, {}]
    result.exclusions = [{"text": hostile, "source": hostile}, {"text": "no source"}]
    for live in (True, False):
        assert result_html(result, [], live) == drawn_by_template(result, [], live)
    assert "&lt;Sons&gt;" in result_html(result, [], False)


def test_problems_and_no_result_are_drawn_as_the_template_drew_them() -> None:
    problems = ["Payroll, line 2 (<Dana>), class: 9999 is not a class", "a & b"]
    assert result_html(None, problems, True) == drawn_by_template(None, problems, True)
    assert result_html(None, [], False) == drawn_by_template(None, [], False)


# The staff's links as base.html drew them before ``staff_links`` (kept beside this test).
STAFF_NAV_TEMPLATE = (
    "{% load nav %}" + (Path(__file__).parent / "staff_nav_before.html").read_text()
)
STAFF_NAV = (
    '          {% load nav %}{% staff_links user "top" %}\n'
    '          {% include "notifications/_header.html" %}\n'
    '          {% staff_links user "bottom" %}\n'
)


@pytest.mark.parametrize(
    "persona",
    ["auditor", "reviewer", "manager", "underwriter", "billing", "admin_user", "vendor_auditor"],
)
def test_every_staff_roles_links_are_drawn_as_the_header_drew_them(
    persona: str, request: pytest.FixtureRequest, db: None
) -> None:
    user: User = request.getfixturevalue(persona)
    for is_staff in (False, True):
        user.is_staff = is_staff
        drawn = Template(STAFF_NAV).render(Context({"user": user}))
        assert drawn == Template(STAFF_NAV_TEMPLATE).render(Context({"user": user}))
    assert drawn.count("<a ") >= 6


def test_an_inactive_users_links_are_those_of_no_role(db: None) -> None:
    user = User.objects.create(username="gone", role="manager", is_active=False)
    drawn = Template(STAFF_NAV).render(Context({"user": user}))
    assert drawn == Template(STAFF_NAV_TEMPLATE).render(Context({"user": user}))
    assert "Dashboard" not in drawn


VALUES = [
    'O\'Brien & Sons <Framing> "quoted"',
    SafeString("<b>already safe</b>"),
    gettext_lazy("Completed"),
    Decimal("1234.50"),
    12,
    None,
    True,
    date(2025, 1, 31),
    datetime(2025, 1, 31, 14, 5, tzinfo=UTC),
    "",
]


@pytest.mark.parametrize("language", ["en", "es"])
def test_values_drawn_in_python_are_escaped_and_shown_as_django_shows_them(language: str) -> None:
    escaping = Context()
    verbatim = Context(autoescape=False)
    with translation.override(language):
        for value in VALUES:
            assert fast_html("<i>{}</i>|{}", value, value) == format_html(
                "<i>{}</i>|{}", value, value
            )
            for context in (escaping, verbatim):
                assert shown_in(context, value) == render_value_in_context(value, context)
                assert type(shown_in(context, value)) is type(
                    render_value_in_context(value, context)
                )
