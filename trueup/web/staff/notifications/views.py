"""The staff's notifications: the list (unread first), opening one (marked read, then on to the
page it is about), marking all read, and the choice of e-mail. Each user sees only their own;
policyholders and agents never reach these pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from trueup.accounts.models import NotifyByEmail
from trueup.audits.access import staff_user
from trueup.notifications import services
from trueup.web.staff.notifications.forms import EXPLAINED, NotifyByEmailForm


def _local(link: str) -> str:
    """The notification's link if it is a path on this site; its list otherwise, so a link
    never sends anyone elsewhere."""
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return reverse("notifications:list")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    shown = int(services.notification_rules()["list"]["shown"])
    rows = list(services.for_user(user)[:shown])
    return render(
        request,
        "notifications/list.html",
        {
            "notifications": rows,
            "unread": services.unread_count(user),
            "shown": shown,
            "email_choice": NotifyByEmail(user.notify_by_email).label,
        },
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opened from the list or from its e-mail: marked read, then on to what it is about.
    Another user's notification is not found, so it is not revealed."""
    user = staff_user(request)
    notification = get_object_or_404(services.for_user(user), pk=pk)
    services.notification_open(notification=notification, by=user)
    return redirect(_local(notification.link))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    count = services.mark_all_read(user)
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked read.")
    return redirect("notifications:list")


@login_required
def email_choice(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = NotifyByEmailForm(
        request.POST or None, initial={"notify_by_email": user.notify_by_email}
    )
    if request.method == "POST" and form.is_valid():
        services.notify_by_email_set(user=user, choice=form.cleaned_data["notify_by_email"])
        label = NotifyByEmail(user.notify_by_email).label
        messages.success(request, f"Saved. Notifications by e-mail: {label.lower()}.")
        return redirect("notifications:list")
    chosen = form["notify_by_email"].value() or user.notify_by_email
    choices = [
        (value, label, EXPLAINED[NotifyByEmail(value)]) for value, label in NotifyByEmail.choices
    ]
    return render(
        request,
        "notifications/email.html",
        {"form": form, "choices": choices, "chosen": chosen, "has_email": bool(user.email)},
        status=422 if request.method == "POST" else 200,
    )
