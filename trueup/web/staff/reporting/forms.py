"""The dashboard's filters: the period and who or what to count. The same query string drives the
dashboard, the metrics, the reports and their exports, so a link carries the filters with it."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString

from trueup.accounts.models import PORTAL_ROLES, User, VendorFirm
from trueup.audits.models import AuditType, Method
from trueup.policies.models import Agency, EstimatedExposure, Line
from trueup.reporting.metrics import IN_HOUSE, default_filters
from trueup.reporting.shapes import Filters
from trueup.web.forms import Asked, asked_of, query_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STATES_KEY, STATES_KEPT = "reporting:states", 600  # seconds
FIELDS = ("state", "line", "type", "method", "assignee", "vendor", "agency")


def _states() -> list[tuple[str, str]]:
    """The states the book's policies are written in. Reading them means reading every
    estimate's state, too much for each opening of the dashboard: kept a few minutes."""

    def read() -> list[str]:
        found = EstimatedExposure.objects.order_by("state").values_list("state", flat=True)
        return [state for state in found.distinct() if state]

    states: list[str] = cache.get_or_set(STATES_KEY, read, STATES_KEPT) or []
    return [(state, state) for state in states]


def _assignees() -> list[tuple[str, str]]:
    staff = User.objects.exclude(role__in=PORTAL_ROLES).order_by("username")
    return [(u.username, u.username) for u in staff.only("username")]


def _vendors() -> list[tuple[str, str]]:
    firms = [(f.code, f.name) for f in VendorFirm.objects.order_by("name")]
    return [(IN_HOUSE, "In-house (the department's own auditors)"), *firms]


def _agencies() -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in Agency.objects.order_by("name")]


# The choices read from the book, by field: part of what a drawing of the form depends on.
Offered = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def offered_now() -> Offered:
    """The states, people, firms and agencies the filters offer today."""
    return (
        ("state", (("", "Any state"), *_states())),
        ("assignee", (("", "Anyone"), *_assignees())),
        ("vendor", (("", "Vendor firms and in-house"), *_vendors())),
        ("agency", (("", "Any agency"), *_agencies())),
    )


class DashboardFilters(forms.Form):
    start = forms.DateField(label="Period from", widget=DATE)
    end = forms.DateField(label="Period to", widget=DATE)
    state = forms.ChoiceField(required=False, label="State")
    line = forms.ChoiceField(
        required=False, label="Line", choices=[("", "Any line"), *Line.choices]
    )
    type = forms.ChoiceField(
        required=False, label="Audit type", choices=[("", "Any type"), *AuditType.choices]
    )
    method = forms.ChoiceField(
        required=False, label="Method", choices=[("", "Any method"), *Method.choices]
    )
    assignee = forms.ChoiceField(required=False, label="Assignee")
    vendor = forms.ChoiceField(required=False, label="Vendor firm or in-house")
    agency = forms.ChoiceField(required=False, label="Agency")

    def __init__(
        self, data: QueryDict | None, today: date, offered: Offered | None = None, **kwargs: Any
    ) -> None:
        self.today = today
        self.defaults = default_filters(today)
        initial = {"start": self.defaults.start, "end": self.defaults.end}
        # Without a period in the query, the default window: the other filters still apply.
        if data is not None and not (data.get("start") or data.get("end")):
            data = data.copy()
            data.update({k: v.isoformat() for k, v in initial.items()})
        super().__init__(data, initial=initial, **kwargs)
        # Read when the form is made: the firms, agencies and people of the day.
        self.offered = offered_now() if offered is None else offered
        for name, choices in self.offered:
            self._offer(name, list(choices))

    def _offer(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "must be on or after the start of the period")
        return cleaned

    def filters(self) -> Filters:
        """The filters asked for, or the default window (last twelve months, everything) for a
        form not sent or sent with a mistake, which the page reports."""
        if not self.is_bound or not self.is_valid():
            return self.defaults
        data = self.cleaned_data
        return Filters(
            start=data["start"], end=data["end"], **{name: data[name] or "" for name in FIELDS}
        )


def fields_html(form: DashboardFilters) -> SafeString:
    """The form's fields drawn (the widgets are most of a figures page's drawing: an option each
    firm, agency and person). They depend only on what was asked, the day, the choices offered
    and the language, so each distinct set of those is drawn once per process."""
    query = form.data if form.is_bound else None
    assert query is None or isinstance(query, QueryDict), "the filters come from a page's query"
    asked = asked_of(query, form.base_fields)
    return _drawn_fields(asked, form.today, form.offered, translation.get_language())


@lru_cache(maxsize=settings.TRUEUP_DASHBOARD_FILTERS_KEPT)
def _drawn_fields(asked: Asked, today: date, offered: Offered, language: str) -> SafeString:
    with translation.override(language):
        form = DashboardFilters(query_of(asked), today=today, offered=offered)
        return SafeString(render_to_string("reporting/_filter_fields.html", {"form": form}))
