"""Forms of the practice notes' pages. They parse and show the input; the services decide."""

from __future__ import annotations

from django import forms

from trueup.practices.models import AttachedTo, NoteKind, NoteStatus

TARGET_HELP = (
    "A rule id (officers.executive_officer), a kind of finding (payroll), a state (CA), a "
    "class (8810, or CA 8810 for one state) or a workflow step (in_review)."
)
BODY_HELP = "Markdown: **bold**, _italic_, lists, [links](https://example.com)."


class NoteFilters(forms.Form):
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *NoteKind.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *NoteStatus.choices])
    attached_to = forms.ChoiceField(
        required=False,
        label="Attached to",
        choices=[("", "Anything"), *AttachedTo.choices],
    )


class NoteForm(forms.Form):
    kind = forms.ChoiceField(choices=NoteKind.choices, widget=forms.RadioSelect)
    # Not required here: the services say what is missing, in the words the pages use.
    title = forms.CharField(max_length=200, required=False)
    body = forms.CharField(
        label="Text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 30}),
        help_text=BODY_HELP,
    )
    attached_to = forms.ChoiceField(label="Attached to", choices=AttachedTo.choices)
    target = forms.CharField(
        label="Applies to", max_length=80, required=False, help_text=TARGET_HELP
    )


class NoteEditForm(NoteForm):
    reason = forms.CharField(label="Why (optional)", required=False, max_length=2000)
    seen_changes = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # The kind is fixed once written: feedback and practice are reviewed differently.
        del self.fields["kind"]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("retire", "Retire")], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to retire a note.",
    )
