"""The staff's practice notes: the list, a note with its history, writing and editing, and the
managers' review of proposed feedback; and the audit page's panel of the notes that apply.
Plain function views; every write goes through the practices services. Staff only: portal
users never reach these pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trueup.accounts.models import User
from trueup.audits.access import staff_user
from trueup.audits.models import Audit
from trueup.core.errors import InvalidInput, NotAllowed, Refused, TrueUpError
from trueup.practices import selectors, services
from trueup.practices.markdown import render as markdown
from trueup.practices.models import NoteKind, NoteStatus, PracticeNote
from trueup.practices.targets import Vocabulary, where
from trueup.web.staff.practices.forms import NoteEditForm, NoteFilters, NoteForm, ReviewForm
from trueup.web.staff.practices.vocabulary import audit_places, vocabulary, words_only

PAGE_SIZE = 50


def _placed(notes: Any, words: Vocabulary) -> list[tuple[PracticeNote, str]]:
    return [(note, where(note.attached_to, note.target, words)) for note in notes]


@login_required
@require_GET
def note_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    filters = NoteFilters(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    notes = selectors.notes_filtered(**{k: v for k, v in chosen.items() if v})
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "practices/list.html",
        {
            "filters": filters,
            "page": page,
            "notes": _placed(page.object_list, words_only()),
            "may_review": services.may_review(user),
            "to_review": selectors.feedback_to_review().count(),
        },
    )


@login_required
@require_GET
def note_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    note = get_object_or_404(PracticeNote.objects.select_related("created_by"), pk=pk)
    return render(request, "practices/note.html", _note_context(user, note, ReviewForm()))


def _note_context(user: User, note: PracticeNote, review_form: Form) -> dict[str, Any]:
    reviewable = services.may_review(user) and note.status != NoteStatus.RETIRED
    return {
        "note": note,
        "where": where(note.attached_to, note.target, words_only()),
        "body": markdown(note.body),
        "history": selectors.history(note),
        "may_edit": services.may_edit(user, note),
        "may_accept": reviewable
        and note.kind == NoteKind.FEEDBACK
        and note.status == NoteStatus.PROPOSED,
        "may_retire": reviewable,
        "review_form": review_form,
    }


def _show_problems(form: Form, error: TrueUpError) -> None:
    problems = getattr(error, "problems", ())
    if not problems:
        form.add_error(None, error.message)
    for problem in problems:
        form.add_error(problem.path if problem.path in form.fields else None, problem.reason)


@login_required
@require_http_methods(["GET", "POST"])
def note_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = NoteForm(request.POST or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            note = services.note_write(by=user, vocabulary=vocabulary(), **form.cleaned_data)
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except InvalidInput as error:
            _show_problems(form, error)
        else:
            messages.success(request, _written(note))
            return redirect("practices:note", pk=note.pk)
    status = 422 if form.errors else 200
    return render(request, "practices/form.html", {"form": form, "note": None}, status=status)


def _initial(request: HttpRequest) -> dict[str, str]:
    """A link from an audit's panel may say what the note is about."""
    return {
        "kind": request.GET.get("kind", NoteKind.PRACTICE),
        "attached_to": request.GET.get("attached_to", ""),
        "target": request.GET.get("target", ""),
    }


def _written(note: PracticeNote) -> str:
    if note.kind == NoteKind.FEEDBACK:
        return "Your feedback is saved; a manager will review it."
    return "The practice note is saved and shows on the audits it applies to."


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    note = get_object_or_404(PracticeNote, pk=pk)
    if not services.may_edit(user, note):
        raise PermissionDenied("a note is edited by its author or a manager, until it is retired")
    current = {
        "title": note.title,
        "body": note.body,
        "attached_to": note.attached_to,
        "target": note.target,
        "seen_changes": note.changes.count(),
    }
    form = NoteEditForm(request.POST or None, initial=current)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.note_edit(
                note_id=note.pk, by=user, vocabulary=vocabulary(), **form.cleaned_data
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except (InvalidInput, Refused) as error:
            _show_problems(form, error)
            status = 409 if isinstance(error, Refused) else 422
        else:
            messages.success(request, "The note is saved; its history shows the change.")
            return redirect("practices:note", pk=note.pk)
    if form.errors and status == 200:
        status = 422
    return render(request, "practices/form.html", {"form": form, "note": note}, status=status)


@login_required
@require_POST
def note_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager accepts proposed feedback or retires a note, with a reason."""
    user = staff_user(request)
    note = get_object_or_404(PracticeNote.objects.select_related("created_by"), pk=pk)
    form = ReviewForm(request.POST)
    status = 422
    if form.is_valid():
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        try:
            if decision == "accept":
                services.note_accept(note_id=note.pk, by=user, reason=reason)
            else:
                services.note_retire(note_id=note.pk, by=user, reason=reason)
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except (InvalidInput, Refused) as error:
            _show_problems(form, error)
            status = 409 if isinstance(error, Refused) else 422
        else:
            done = "accepted" if decision == "accept" else "retired"
            messages.success(request, f"“{note.title}” is {done}.")
            if request.POST.get("back") == "review":
                return redirect("practices:review")
            return redirect("practices:note", pk=note.pk)
    note.refresh_from_db()
    context = _note_context(user, note, form)
    return render(request, "practices/note.html", context, status=status)


@login_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """Proposed feedback waiting for a manager, the longest waiting first."""
    user = staff_user(request)
    if not services.may_review(user):
        raise PermissionDenied("feedback is reviewed by the audit managers")
    waiting = selectors.feedback_to_review()
    return render(
        request,
        "practices/review.html",
        {
            "notes": [
                (note, place, markdown(note.body)) for note, place in _placed(waiting, words_only())
            ],
            "review_form": ReviewForm(),
        },
    )


def practice_notes_panel(audit: Audit, result: Any) -> dict[str, Any]:
    """The audit page's section: the notes in force that apply to this audit, each saying
    where. The caller has checked that the user may see the audit."""
    places = audit_places(audit, result)
    notes = selectors.notes_for(**places)
    return {
        "practice_notes": [
            (note, place, markdown(note.body)) for note, place in _placed(notes, words_only())
        ]
    }
