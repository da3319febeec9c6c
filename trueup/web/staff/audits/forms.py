"""Forms of the staff workbench. They parse and show the input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import F
from django.utils.text import capfirst

from trueup.accounts.models import Role, User, VendorFirm
from trueup.audits.facts import rating_problems
from trueup.audits.models import (
    Audit,
    AuditType,
    ContractType,
    Coverage,
    Finding,
    GLExposureEntry,
    InterviewNote,
    LaborRecords,
    LaborSource,
    Method,
    OwnerEntry,
    OwnerRole,
    PayrollEntry,
    RecordStatus,
    SubcontractorEntry,
)
from trueup.audits.selectors import classes_in_use, state_choices
from trueup.audits.workflow import Status
from trueup.rating.rates import ClassRate
from trueup.web.forms import MoneyField

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


# The worksheet's enumerations, offered in words.
ENUMERATIONS: dict[str, list[tuple[str, str]]] = {
    "labor_source": LaborSource.choices,
    "role": OwnerRole.choices,
    "coverage": Coverage.choices,
    "contract_type": ContractType.choices,
    "labor_records": LaborRecords.choices,
}
# The empty choice, in words: coverage left blank is the state's rule for the owner's role;
# the others must be chosen (none is taken for the auditor).
NOT_CHOSEN = {"coverage": "As the state's rule for the role decides"}
# What an empty class means on each kind of line (payroll: spread over the employee's classes).
NO_CLASS = {"payroll": "No class: spread over the employee's classes"}


def class_label(rate: ClassRate) -> str:
    return f"{rate.class_code}: {rate.description}" if rate.description else rate.class_code


class FactForm(forms.ModelForm):  # type: ignore[type-arg]
    """One worksheet line. A change carries the line's version it was made from, so a save
    made over someone else's later change is refused instead of overwriting it. Given the audit,
    the state is a choice of the policy's states and the class one of the classes the rate table
    in use rates there on the policy's date, each with its description."""

    kind = ""
    # Required of a change by the services, which name the line when it is missing.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, audit: Audit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # Not a field of Meta.fields (the form never writes it): shown, and sent back.
            self.initial.setdefault("version", self.instance.version)
        self.audit = audit
        if audit is not None:
            self._lookups(audit)

    def _lookups(self, audit: Audit) -> None:
        states = state_choices(audit)
        current = str(self.initial.get("state") or "")
        if current and current not in dict(states):
            states.append((current, f"{current} (not one of the policy's states)"))
        if len(states) == 1 and self.instance.pk is None:
            self.initial.setdefault("state", states[0][0])
        self.fields["state"] = forms.ChoiceField(
            label="State", choices=[("", "Choose a state"), *states]
        )
        by_state = classes_in_use(audit)
        groups: list[tuple[str, Any]] = [
            (state, [(r.class_code, class_label(r)) for r in rates])
            for state, rates in by_state.items()
        ]
        # One state: a plain list; several: the classes grouped under each state.
        options = groups[0][1] if len(groups) == 1 else groups
        code = str(self.initial.get("class_code") or "")
        if code and not any(code == r.class_code for rates in by_state.values() for r in rates):
            options = [*options, (code, f"{code} (no rate in the rate table in use)")]
        field = self.fields["class_code"]
        blank = "Choose a class" if field.required else NO_CLASS.get(self.kind, "Choose a class")
        field.widget = forms.Select(choices=[("", blank), *options])

    def clean(self) -> dict[str, Any]:
        """The state and class the engine could not rate are refused here, on their fields."""
        data = super().clean() or {}
        if self.audit is None or not {"state", "class_code"} <= data.keys():
            return data
        row = self._meta.model(**{k: v for k, v in data.items() if k != "version"})
        for problem in rating_problems(self.audit, self.kind, row, "new"):
            self.add_error(problem.path.rsplit(".", 1)[1], problem.reason)
        return data


def _fact_form(kind: str, model: type[Any], field_names: tuple[str, ...]) -> type[FactForm]:
    meta = type(
        "Meta",
        (),
        {"model": model, "fields": field_names, "widgets": {}, "field_classes": {}},
    )
    declared: dict[str, Any] = {"kind": kind}
    for name in field_names:
        field = model._meta.get_field(name)
        if name in ENUMERATIONS:
            choices = ENUMERATIONS[name]
            if not field.has_default():
                choices = [("", NOT_CHOSEN.get(name, "Choose…")), *choices]
            declared[name] = forms.ChoiceField(
                label=capfirst(field.verbose_name),
                choices=choices,
                required=not field.blank,
                initial=field.default if field.has_default() else "",
            )
        elif (
            field.get_internal_type() == "DecimalField"
            and field.decimal_places == 2
            and (field.max_digits == 14)
        ):
            meta.field_classes[name] = MoneyField  # type: ignore[attr-defined]
        elif field.get_internal_type() == "DateField":
            meta.widgets[name] = DATE  # type: ignore[attr-defined]
    return type(f"{model.__name__}Form", (FactForm,), {"Meta": meta, **declared})


# Every fact field the engine reads, in the order an auditor fills them in.
FACT_FORMS: dict[str, type[FactForm]] = {
    "payroll": _fact_form(
        "payroll",
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
        "owners",
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
        "subcontractors",
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
    "gl_exposures": _fact_form(
        "gl_exposures", GLExposureEntry, ("state", "class_code", "basis", "amount")
    ),
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
