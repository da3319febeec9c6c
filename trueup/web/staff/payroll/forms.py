"""Forms of the payroll pages: the upload and a quarter's tax filing figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from trueup.payroll.ingest import categories, profiles
from trueup.payroll.models import Basis, FilingKind, MappingProfile
from trueup.web.forms import MoneyField

# The figures each kind of filing is reconciled on: at least one of them is entered.
FILING_FIGURES = {
    FilingKind.FORM_941: ("line_2", "line_5c"),
    FilingKind.STATE_UI: ("total_wages",),
}


def profile_choices() -> list[tuple[str, str]]:
    built_in = [(key, profile.name) for key, profile in profiles().items()]
    saved = [(m.key, f"{m.name} (saved mapping)") for m in MappingProfile.objects.all()]
    return [("", "Detect from the headers"), *built_in, *saved]


class UploadForm(forms.Form):
    file = forms.FileField(label="Payroll register (CSV or XLSX)")
    profile = forms.ChoiceField(required=False, choices=())
    basis = forms.ChoiceField(choices=Basis.choices, initial=Basis.CHECK)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["profile"].choices = profile_choices()  # type: ignore[attr-defined]


class FilingForm(forms.Form):
    kind = forms.ChoiceField(choices=FilingKind.choices)
    state = forms.CharField(required=False, max_length=2, help_text="for a state report")
    year = forms.IntegerField(min_value=2000, max_value=2100)
    quarter = forms.IntegerField(min_value=1, max_value=4)
    line_2 = MoneyField(required=False, label="941 line 2 (wages, tips and other compensation)")
    line_5c = MoneyField(required=False, label="941 line 5c (Medicare wages and tips)")
    total_wages = MoneyField(required=False, label="Total wages (state unemployment report)")

    def clean(self) -> dict[str, Any]:
        """A filing with none of its figures is refused: saved, it would reconcile nothing."""
        data = super().clean() or {}
        figures = FILING_FIGURES.get(data.get("kind", ""), ())
        # A figure refused as typed is already reported: it is not missing.
        if figures and all(name in data and data[name] is None for name in figures):
            labels = " or ".join(str(self.fields[name].label) for name in figures)
            self.add_error(None, f"Enter the filing's figures: {labels}.")
        return data

    def cents(self) -> dict[str, int | None]:
        def to_cents(value: Decimal | None) -> int | None:
            return None if value is None else int(value * 100)

        data = self.cleaned_data
        return {
            "line_2_cents": to_cents(data["line_2"]),
            "line_5c_cents": to_cents(data["line_5c"]),
            "total_wages_cents": to_cents(data["total_wages"]),
        }


class StateWageReportForm(forms.Form):
    file = forms.FileField(
        label="State wage report (CSV or XLSX)",
        help_text="California DE 9C or Rhode Island TX-17, exported as CSV or XLSX (not PDF)",
    )


class EmployeeClassForm(forms.Form):
    employee = forms.CharField(max_length=200, help_text="id or name, as on the register")
    state = forms.CharField(max_length=2)
    class_code = forms.CharField(max_length=6, label="Class")


# What a column can be, in the mapping step: a field of the register, or earnings of a category.
FIELD_WORDS = {
    "employee": "Employee name",
    "employee_id": "Employee id or number",
    "state": "Work state",
    "class_code": "Workers' comp class",
    "department": "Department",
    "job": "Job or position",
    "location": "Work location",
    "check_date": "Check (pay) date",
    "period_start": "Pay period start",
    "period_end": "Pay period end",
    "pay_period": "Pay period (start and end in one cell)",
    "code": "Earnings code (one row per earnings line)",
    "amount": "Amount of the earnings line",
    "officer": "Officer flag",
}


def column_choices() -> list[tuple[str, Any]]:
    earnings = [
        (f"earnings:{key}", f"Earnings: {key.replace('_', ' ')}")
        for key in categories()
        if key != "ignore"
    ]
    return [
        ("", "Not used (taxes, net pay, hours, notes)"),
        ("Register fields", [(f"field:{key}", words) for key, words in FIELD_WORDS.items()]),
        ("Amounts of pay", earnings),
    ]


class ColumnMappingForm(forms.Form):
    """One choice per column of the file: what it holds. Saved as a mapping for the insured."""

    name = forms.CharField(max_length=200, label="Name this mapping (for example: Gusto export)")

    def __init__(self, headers: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                choices=column_choices(), required=False, label=header
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [data.get(f"col_{i}") or "" for i in range(len(self.headers))]
        fields = [c.removeprefix("field:") for c in chosen if c.startswith("field:")]
        twice = sorted({f for f in fields if fields.count(f) > 1})
        if twice:
            words = ", ".join(FIELD_WORDS[f] for f in twice)
            self.add_error(None, f"Each field is one column: {words} chosen more than once.")
        if "employee" not in fields and "employee_id" not in fields:
            self.add_error(None, "Choose the column with the employee's name or number.")
        if ("code" in fields) != ("amount" in fields):
            self.add_error(None, "An earnings code column needs its amount column, and back.")
        if "code" not in fields and not any(c.startswith("earnings:") for c in chosen):
            self.add_error(None, "Choose at least one column of pay (or the code and amount).")
        return data

    def mapping(self) -> dict[str, Any]:
        """The mapping in the shape of a profile in ``ingest/profiles.toml``."""
        columns: dict[str, str] = {}
        earnings: dict[str, str] = {}
        for index, header in enumerate(self.headers):
            choice = self.cleaned_data.get(f"col_{index}") or ""
            kind, _, value = choice.partition(":")
            if kind == "field":
                columns[value] = header
            elif kind == "earnings":
                earnings[header] = value
        shape = "long" if "code" in columns else "wide"
        return {"shape": shape, "columns": columns, "earnings": earnings if shape == "wide" else {}}
