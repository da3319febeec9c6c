"""Parts of the workbench drawn once and kept: the worklist's lines, written without the template
engine (the HTML a template would give, every value escaped), its filters, drawn once per set
asked for, and the audit page's empty forms; and its history, drawn as its template drew it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from trueup.accounts.models import User
from trueup.audits.selectors import WorklistRow
from trueup.web.staff.audits.drawn import blank_forms, filters_html, history_html, line_html
from trueup.web.staff.audits.forms import FindingForm, InterviewForm, WorklistFilters

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
