"""Form fields every page of TrueUp shares."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from trueup.core.money import parse_dollars


class MoneyField(forms.DecimalField):
    """An amount in dollars as people type it: "20000", "20,000.00" or "$20,000". A text box,
    not a number box: a browser's number box drops "20,000.00" and sends nothing."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values or str(value).strip() == "":
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_dollars(str(value).strip())
        except ValueError as error:
            # The reason follows the field's label, as the field shows it and as pages list it.
            raise ValidationError(f"{error}.", code="invalid") from error


# What a filter form was asked, field by field, as the page's query gave it: hashable, so a form
# drawn from it can be kept (None: no query, the form not sent).
Asked = tuple[tuple[str, tuple[str, ...]], ...] | None


def asked_of(query: QueryDict | None, names: Iterable[str]) -> Asked:
    """What the query asks of each of the form's fields."""
    if query is None:
        return None
    return tuple((name, tuple(query.getlist(name))) for name in names)


def query_of(asked: Asked) -> QueryDict | None:
    """The query back from what it asked, for drawing the form it was kept for."""
    if asked is None:
        return None
    query = QueryDict(mutable=True)
    for name, values in asked:
        query.setlist(name, list(values))
    return query
