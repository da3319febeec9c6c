from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from trueup.accounts.models import User


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        strip=True,
        error_messages={"required": "Enter the code."},
    )


class UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.username} ({obj.get_role_display()})"


class ApiKeyForm(forms.Form):
    # The owners are set per request (``services.api_key_owners``): active staff only.
    user = UserChoice(
        queryset=User.objects.none(),
        label="Acts as",
        help_text="The key can do what this user's role can do.",
        empty_label="Choose a user",
        error_messages={"required": "Choose the user the key acts as."},
    )
    name = forms.CharField(
        label="Used by",
        max_length=100,
        strip=True,
        help_text="The system that will send the key, such as Policy admin.",
        error_messages={"required": "Name the system that will use the key."},
    )

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners
