from __future__ import annotations

from django import forms

from trueup.accounts.models import NotifyByEmail

# What each choice means, shown under it: the choice's own label says it in a few words.
EXPLAINED = {
    NotifyByEmail.IMMEDIATELY: "An e-mail for each notification, as it happens.",
    NotifyByEmail.DAILY: "One e-mail a day with the notifications you have not read yet.",
    NotifyByEmail.NEVER: "No e-mail: notifications are in TrueUp's header and on this page.",
}


class NotifyByEmailForm(forms.Form):
    notify_by_email = forms.ChoiceField(
        choices=NotifyByEmail.choices,
        label="E-mail me notifications",
        error_messages={
            "required": "Choose how notifications reach you by e-mail.",
            "invalid_choice": "Choose one of the offered ways.",
        },
    )
