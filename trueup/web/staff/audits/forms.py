"""Forms of the staff workbench. They parse and show the input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import F

from trueup.accounts.models import Role, User, VendorFirm
from trueup.audits.models import (
    AuditType,
    Finding,
    GLExposureEntry,
    InterviewNote,
    Method,
    OwnerEntry,
    PayrollEntry,
    RecordStatus,
    SubcontractorEntry,
)
from trueup.audits.workflow import Status

DATE = forms.DateInput(attrs={"type": "date"})

# Audits without a due date (waived, closed) sort last on every database.
_DUE = F("due_date").asc(nulls_last=True)
SORTS: dict[str, tuple[Any, ...]] = {
    "due": (_DUE, "id"),
    "-due": (F("due_date").desc(nulls_last=True), "-id"),
    "policy": ("period__policy__number", "id"),
    "insured": ("period__policy__insured__name", "id"),
    "status": ("status", _DUE, "id"),
    "expiration": ("period__expiration", "id"),
}
OPEN = "open"


class WorklistFilters(forms.Form):
    q = forms.CharField(required=False, label="Policy or insured")
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), (OPEN, "Open (not yet final)"), *Status.choices],
    )
    type = forms.ChoiceField(required=False, choices=[("", "Any type"), *AuditType.choices])
    method = forms.ChoiceField(required=False, choices=[("", "Any method"), *Method.choices])
    state = forms.CharField(required=False, max_length=2, label="State")
    assignee = forms.CharField(
        required=False, label="Assignee", help_text="a user name, “me” or “none”"
    )
    due_from = forms.DateField(required=False, widget=DATE, label="Due from")
    due_to = forms.DateField(required=False, widget=DATE, label="Due to")
    billing = forms.ChoiceField(
        required=False,
        label="Before billing",
        choices=[
            ("", "Any"),
            ("outreach", "In the outreach window"),
            ("disputed", "Disputed"),
            ("released", "Released to billing"),
        ],
    )
    overdue = forms.BooleanField(required=False)
    rush = forms.BooleanField(required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("due", "Due date"),
            ("-due", "Due date, latest first"),
            ("policy", "Policy number"),
            ("insured", "Insured"),
            ("status", "Status"),
            ("expiration", "Period end"),
        ],
    )

    def clean_state(self) -> str:
        return str(self.cleaned_data["state"]).strip().upper()


class FactForm(forms.ModelForm):  # type: ignore[type-arg]
    """One worksheet line. A change carries the line's version it was made from, so a save
    made over someone else's later change is refused instead of overwriting it."""

    # Required of a change by the services, which name the line when it is missing.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # Not a field of Meta.fields (the form never writes it): shown, and sent back.
            self.initial.setdefault("version", self.instance.version)


def _fact_form(model: type[Any], field_names: tuple[str, ...]) -> type[FactForm]:
    meta = type("Meta", (), {"model": model, "fields": field_names, "widgets": {}})
    for name in field_names:
        field = model._meta.get_field(name)
        if field.get_internal_type() == "DateField":
            meta.widgets[name] = DATE  # type: ignore[attr-defined]
    return type(f"{model.__name__}Form", (FactForm,), {"Meta": meta})


# Every fact field the engine reads, in the order an auditor fills them in.
FACT_FORMS: dict[str, type[FactForm]] = {
    "payroll": _fact_form(
        PayrollEntry,
        (
            "employee",
            "state",
            "class_code",
            "gross",
            "overtime_total",
            "overtime_premium",
            "double_time_total",
            "overtime_records",
            "tips",
            "severance",
            "military_pay",
            "section_125",
            "deferred_401k",
            "employer_benefits",
            "reimbursements_substantiated",
            "reimbursements_unsubstantiated",
            "meals_lodging",
            "hours",
            "hourly_rate",
            "records_support_division",
            "labor_source",
            "covered_elsewhere",
            "wrap_up",
            "split_period",
        ),
    ),
    "owners": _fact_form(
        OwnerEntry,
        (
            "name",
            "role",
            "duties",
            "state",
            "class_code",
            "actual_pay",
            "coverage",
            "ownership_percent",
            "covered_from",
            "covered_to",
            "weeks_covered",
        ),
    ),
    "subcontractors": _fact_form(
        SubcontractorEntry,
        (
            "name",
            "state",
            "class_code",
            "contract_cost",
            "contract_type",
            "stated_labor",
            "labor_records",
            "work_from",
            "work_to",
            "certificate_from",
            "certificate_to",
            "exempt",
            "sole_proprietor",
            "licensed",
            "months_worked",
            "days_worked",
        ),
    ),
    "gl_exposures": _fact_form(GLExposureEntry, ("state", "class_code", "basis", "amount")),
}


class InterviewForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = InterviewNote
        fields = (
            "kind",
            "held_on",
            "contact",
            "contact_title",
            "operations",
            "changes",
            "average_employees",
            "notes",
        )
        widgets = {
            "held_on": DATE,
            "operations": forms.Textarea(attrs={"rows": 2}),
            "changes": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class FindingForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Finding
        fields = ("kind", "state", "class_code", "text", "recommendation", "for_underwriting")
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "recommendation": forms.Textarea(attrs={"rows": 2}),
        }


class RecordsMarkForm(forms.Form):
    status = forms.ChoiceField(choices=RecordStatus.choices)
    note = forms.CharField(required=False, max_length=1000)


class ActionForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.filter(role__in=(Role.AUDITOR, Role.MANAGER), is_active=True),
        required=False,
        empty_label="Nobody",
    )
    vendor = forms.ModelChoiceField(
        queryset=VendorFirm.objects.all(), required=False, empty_label="In house"
    )
