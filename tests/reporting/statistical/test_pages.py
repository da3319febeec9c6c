"""The reporting staff's pages and the API for unit statistical reports: who may open them, the
file downloaded as kept, and the actions of the page."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from tests.audits.conftest import api_key_for
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core import clock
from trueup.reporting.models import StatReport, StatRun
from trueup.reporting.statistical import services

PAGE = "/statistical/"
ACT = "/statistical/act"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_manager_sees_the_reports_due_and_generates_one_from_the_page(
    completed: Audit, manager: User
) -> None:
    client = client_for(manager)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "WC-2025-01001" in text and "ICRB" in text and "2026-09-30" in text
    assert "Illustrative layout" in text

    done = client.post(ACT, {"action": "first", "period": completed.period.pk, "state": "IN"})

    assert done.status_code == 302
    report = StatReport.objects.get()
    assert "Generated WC-2025-01001 IN report 1, first" in client.get(PAGE).content.decode()
    download = client.get(f"/statistical/{report.pk}/file")
    assert download.content == bytes(report.content)
    assert download["Digest"] == f"sha-256={report.digest}"
    assert download["Content-Disposition"] == (
        'attachment; filename="wcstat-ICRB-WC-2025-01001-IN-10.txt"'
    )


def test_the_page_marks_a_report_sent_records_a_rejection_and_replaces_it(
    completed: Audit, manager: User
) -> None:
    report = services.report_generate(period=completed.period, state="IN", by=manager)
    client = client_for(manager)
    client.post(ACT, {"action": "sent", "report": report.pk})
    client.post(ACT, {"action": "answer", "report": report.pk, "status": "rejected", "note": "E12"})
    report.refresh_from_db()
    assert (report.status, report.bureau_note) == ("rejected", "E12")
    assert "Rejected, not yet replaced" in client.get(PAGE).content.decode()

    client.post(ACT, {"action": "replace", "report": report.pk})

    assert StatReport.objects.get(replaces=report).replacement_code == "R"


def test_a_refused_action_is_shown_as_a_message_and_changes_nothing(
    completed: Audit, manager: User
) -> None:
    report = services.report_generate(period=completed.period, state="IN", by=manager)
    client = client_for(manager)
    answer = client.post(ACT, {"action": "replace", "report": report.pk}, follow=True)
    assert "only a report the bureau rejected is replaced" in answer.content.decode()
    assert StatReport.objects.count() == 1


def test_an_auditor_may_not_open_the_statistical_reports(
    completed: Audit, auditor: User, manager: User
) -> None:
    report = services.report_generate(period=completed.period, state="IN", by=manager)
    client = client_for(auditor)
    assert client.get(PAGE).status_code == 403
    assert client.get(f"/statistical/{report.pk}/file").status_code == 403
    assert client.post(ACT, {"action": "batch"}).status_code == 403
    assert Client().get(PAGE).status_code == 302  # to sign in


def test_the_api_lists_the_reports_and_gives_each_file_as_kept(
    completed: Audit, manager: User, auditor: User
) -> None:
    report = services.report_generate(period=completed.period, state="IN", by=manager)
    auth = {"Authorization": f"Bearer {api_key_for(manager)}"}
    listed = Client().get("/api/stat-reports?status=generated", headers=auth)
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert item["policy_number"] == "WC-2025-01001"
    assert (item["state"], item["bureau"], item["status"]) == ("IN", "ICRB", "generated")
    assert (item["due_on"], item["digest"]) == ("2026-09-30", report.digest)
    assert Client().get("/api/stat-reports?status=sent", headers=auth).json()["items"] == []
    file = Client().get(f"/api/stat-reports/{report.pk}/file", headers=auth)
    assert file.content == bytes(report.content)
    other = {"Authorization": f"Bearer {api_key_for(auditor)}"}
    assert Client().get("/api/stat-reports", headers=other).status_code == 403


def test_the_command_generates_the_reports_due_and_names_those_it_cannot(
    completed: Audit,
) -> None:
    call_command("generate_stat_reports", "--from", "2026-09-01", "--to", "2026-09-30")
    run = StatRun.objects.get()
    assert (run.generated, run.problems) == (1, [])
    assert StatReport.objects.get().state == "IN"


def test_the_page_imports_the_bureaus_answers_from_a_csv(completed: Audit, manager: User) -> None:
    report = services.report_generate(period=completed.period, state="IN", by=manager)
    services.report_move(report=report, to="sent", by=manager)
    client = client_for(manager)
    upload = SimpleUploadedFile(
        "answers.csv", f"digest,status,note\n{report.digest},accepted,\n".encode()
    )
    answer = client.post(ACT, {"action": "import", "answers": upload}, follow=True)
    assert "1 answer(s) recorded." in answer.content.decode()
    report.refresh_from_db()
    assert report.status == "accepted"


def test_the_admin_shows_a_report_read_only(completed: Audit, manager: User) -> None:
    report = services.report_generate(period=completed.period, state="IN", by=manager)
    root = User.objects.create(username="root", role="admin", is_staff=True, is_superuser=True)
    client = client_for(root)
    assert client.get("/admin/reporting/statreport/").status_code == 200
    page = client.get(f"/admin/reporting/statreport/{report.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_the_page_shows_every_part_of_a_batch_split_among_workers(
    completed: Audit, manager: User
) -> None:
    started = {"due_from": date(2026, 9, 1), "due_to": date(2026, 9, 30), "parts": 2}
    problem = {"policy": "WC-2025-09999", "state": "KY", "period": 1, "reason": "no final audit"}
    StatRun.objects.create(
        started_at=clock.now(), part=1, generated=0, problems=[problem], **started
    )
    StatRun.objects.create(started_at=clock.now(), part=0, generated=1, **started)
    text = " ".join(client_for(manager).get(PAGE).content.decode().split())
    assert "Last batch, part 1 of 2: started" in text
    assert "Last batch, part 2 of 2: started" in text
    assert "1 generated for due dates 2026-09-01 to 2026-09-30" in text
    assert "WC-2025-09999 KY: no final audit" in text
