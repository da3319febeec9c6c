"""The portal on the workbench's audit page: invitations and their letters, a new invitation after
a locked link, messages both ways, uploads beside the checklist, and the insured's self-audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from tests.portal.conftest import answers
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.portal import selfaudit
from trueup.portal.models import Invitation, Message
from trueup.portal.services import IssuedInvitation, message_post, record_upload_add
from trueup.web.staff.audits.drawn import RecordsShown, records_html
from trueup.web.staff.audits.forms import RecordsMarkForm


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: pytest.FixtureRequest) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def _page(user: User, audit: Audit) -> str:
    client = Client()
    client.force_login(user)
    answer = client.get(f"/audits/{audit.pk}/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_audit_page_shows_the_open_invitation_with_its_letter(
    invited: IssuedInvitation, requested: Audit, auditor: User
) -> None:
    page = _page(auditor, requested)
    assert invited.invitation.reference in page
    assert f"PIN:          {invited.pin}" in page
    assert "open until" in page


def test_a_locked_invitation_is_replaced_by_a_new_one_from_the_page(
    invited: IssuedInvitation, requested: Audit, auditor: User
) -> None:
    Invitation.objects.filter(pk=invited.invitation.pk).update(
        locked_at=timezone.now(), failed_attempts=5
    )
    page = _page(auditor, requested)
    assert "locked" in page
    assert invited.pin not in page  # a dead invitation's letter is not shown
    client = Client()
    client.force_login(auditor)
    answer = client.post(f"/audits/{requested.pk}/invitations/")
    assert answer.status_code == 302 and answer["Location"].endswith("#portal")
    newest = Invitation.objects.order_by("-id").first()
    assert newest is not None and newest.pk != invited.invitation.pk
    assert [m.to for m in mail.outbox] == [["dana@hoosier.example"]]


def test_messages_go_both_ways_and_are_marked_read(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    message_post(audit=requested, by=policyholder, body="Our Q4 941 is late; is that OK?")
    client = Client()
    client.force_login(auditor)
    page = client.get(f"/audits/{requested.pk}/").content.decode()
    assert "1 new message" in page
    assert Message.objects.get().read_at is not None
    client.post(f"/audits/{requested.pk}/messages/", {"body": "Yes, send it when you have it."})
    reply = Message.objects.get(from_portal=False)
    assert reply.author == auditor
    portal = Client()
    portal.force_login(policyholder)
    status_page = portal.get(f"/portal/audits/{requested.pk}/").content.decode()
    assert "Yes, send it when you have it." in status_page
    assert "(audit staff)" in status_page


def test_a_manager_opening_the_page_leaves_the_message_new_for_the_auditor_it_is_written_to(
    requested: Audit, policyholder: User, auditor: User, manager: User
) -> None:
    message_post(audit=requested, by=policyholder, body="Can we send the 941s by e-mail?")
    assert "1 new message" in _page(manager, requested)
    assert Message.objects.get().read_at is None
    assert "1 new message" in _page(manager, requested)
    assert "1 new message" in _page(auditor, requested)
    assert Message.objects.get().read_at is not None
    assert "new message" not in _page(auditor, requested)


def test_an_empty_message_is_refused_with_a_reason(requested: Audit, auditor: User) -> None:
    client = Client()
    client.force_login(auditor)
    answer = client.post(f"/audits/{requested.pk}/messages/", {"body": "  "}, follow=True)
    assert "write a message" in answer.content.decode()
    assert not Message.objects.exists()


def test_uploads_are_listed_beside_their_checklist_item_with_the_original_for_the_auditor(
    requested: Audit, policyholder: User, auditor: User, underwriter: User
) -> None:
    item = requested.records.get(kind="payroll_register")
    row = record_upload_add(
        item=item,
        by=policyholder,
        upload=SimpleUploadedFile("register.csv", b"Employee,SSN\nAnn,123-45-6789\n"),
    )
    auditor_page = _page(auditor, requested)
    assert "register.csv" in auditor_page
    assert f"/audits/{requested.pk}/files/{row.pk}/?original=1" in auditor_page
    underwriter_page = _page(underwriter, requested)
    assert "register.csv" in underwriter_page
    assert "?original=1" not in underwriter_page


def test_the_submitted_self_audit_shows_on_the_audit_page_with_its_facts(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    selfaudit.self_audit_submit(audit=requested, by=policyholder, answers=answers())
    page = _page(auditor, requested)
    assert "Submitted on" in page
    assert "Residential framing and finish carpentry" in page
    assert "Yes, signed “Dana Hoosier”" in page
    # The facts are the worksheet's own rows, re-rated by the engine on the page.
    assert "Ace Drywall" in page
    assert "440,000" in page


def test_the_admin_lists_the_portal_records_read_only_and_never_shows_the_pin(
    invited: IssuedInvitation, admin_user: User
) -> None:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    for model in ("portalaccess", "invitation", "accesslog", "recordupload", "message"):
        assert client.get(f"/admin/portal/{model}/").status_code == 200
    page = client.get(f"/admin/portal/invitation/{invited.invitation.pk}/change/")
    assert page.status_code == 200
    assert invited.invitation.reference in page.content.decode()
    assert invited.pin not in page.content.decode()
    assert client.post("/admin/portal/invitation/add/").status_code == 403


# How the audit page's template drew the records checklist before it was drawn in Python.
RECORDS_TEMPLATE = (
    "{% for item in records %}\n"
    "      <tr>\n"
    "        <td>{{ item.get_kind_display }}</td>\n"
    "        <td><small>{{ item.why }}</small></td>\n"
    '        <td><span class="record record-{{ item.status }}">{{ item.get_status_dis'
    "play }}</span></td>\n"
    "        <td>{{ item.note }}\n"
    '          {% if records_uploaded %}{% for f in item.uploads.all %}<div class="up'
    'load"><a href="{% url \'portal_staff:file\' audit.pk f.pk %}">{{ f.filename }}</a>'
    "{% if f.redacted and may_see_originals %} · <a href=\"{% url 'portal_staff:file' "
    'audit.pk f.pk %}?original=1">original</a>{% endif %} <small>{{ f.uploaded_at|dat'
    'e:"M j" }} by {{ f.uploaded_by.username }} · {{ f.note }}</small></div>{% endfor'
    " %}{% endif %}</td>\n"
    "        <td>{% if may_document %}\n"
    '          <form method="post" action="{% url \'audits:records_mark\' audit.pk item'
    '.pk %}" class="inline">{% csrf_token %}\n'
    '            <select name="status" aria-label="Status of {{ item.get_kind_display'
    ' }}">{% for value, text in records_form.fields.status.choices %}<option value="{'
    '{ value }}"{% if value == item.status %} selected{% endif %}>{{ text }}</option>'
    "{% endfor %}</select>\n"
    '            <input name="note" aria-label="Note on {{ item.get_kind_display }}" '
    'placeholder="note (needed to reject)" value="">\n'
    '            <button type="submit">Update</button>\n'
    "          </form>{% endif %}</td>\n"
    "      </tr>\n"
    "    {% empty %}\n"
    '      <tr><td colspan="5">No checklist yet: it is made when records are requeste'
    "d.</td></tr>\n"
    "    {% endfor %}"
)


@pytest.mark.parametrize(("may_mark", "may_see_originals"), [(True, True), (False, False)])
def test_the_records_checklist_is_drawn_as_the_template_drew_it(
    requested: Audit, policyholder: User, may_mark: bool, may_see_originals: bool
) -> None:
    item = requested.records.get(kind="payroll_register")
    record_upload_add(
        item=item,
        by=policyholder,
        upload=SimpleUploadedFile("register <Q1>.csv", b"Employee,SSN\nAnn,123-45-6789\n"),
    )
    items = list(requested.records.prefetch_related("uploads__uploaded_by"))
    shown = RecordsShown(requested.pk, items, True, may_mark, may_see_originals, "the-token")
    drawn = records_html(shown)
    context = {
        "records": items,
        "records_uploaded": True,
        "audit": requested,
        "may_document": may_mark,
        "may_see_originals": may_see_originals,
        "records_form": RecordsMarkForm(),
        "csrf_token": "the-token",
    }
    assert drawn == Template(RECORDS_TEMPLATE).render(Context(context))
    assert "register &lt;Q1&gt;.csv" in drawn
    assert ("?original=1" in drawn) is may_see_originals
    assert ('value="the-token"' in drawn) is may_mark
    empty = RecordsShown(requested.pk, [], False, may_mark, may_see_originals, "the-token")
    assert records_html(empty) == Template(RECORDS_TEMPLATE).render(
        Context({**context, "records": []})
    )
