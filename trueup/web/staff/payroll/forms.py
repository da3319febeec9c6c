"""Forms of the payroll pages: the upload and a quarter's tax filing figures."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from trueup.payroll.ingest import profiles
from trueup.payroll.models import Basis, FilingKind, MappingProfile


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


def _money() -> forms.DecimalField:
    return forms.DecimalField(required=False, max_digits=14, decimal_places=2, min_value=0)


class FilingForm(forms.Form):
    kind = forms.ChoiceField(choices=FilingKind.choices)
    state = forms.CharField(required=False, max_length=2, help_text="for a state report")
    year = forms.IntegerField(min_value=2000, max_value=2100)
    quarter = forms.IntegerField(min_value=1, max_value=4)
    line_2 = _money()
    line_5c = _money()
    total_wages = _money()

    def cents(self) -> dict[str, int | None]:
        def to_cents(value: Decimal | None) -> int | None:
            return None if value is None else int(value * 100)

        data = self.cleaned_data
        return {
            "line_2_cents": to_cents(data["line_2"]),
            "line_5c_cents": to_cents(data["line_5c"]),
            "total_wages_cents": to_cents(data["total_wages"]),
        }


class EmployeeClassForm(forms.Form):
    employee = forms.CharField(max_length=200, help_text="id or name, as on the register")
    state = forms.CharField(max_length=2)
    class_code = forms.CharField(max_length=6, label="Class")
