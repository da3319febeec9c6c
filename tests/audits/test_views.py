"""The staff workbench, through Django's test client: worklist, audit page, editing and
re-rating, interviews, the records checklist, findings, assignment, actions and history."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.audits.conftest import PAYROLL_AMOUNTS, make_user
from trueup.accounts.models import User
from trueup.audits.models import Audit, AuditEdit, PayrollEntry, RecordsItem
from trueup.audits.workflow import Status


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def htmx(client: Client, url: str, data: dict[str, str]) -> str:
    answer = client.post(url, data, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    return answer.content.decode()


def listed(answer: Any) -> list[Any]:
    """The worklist rows a page shows."""
    return list(answer.context["listed"])


def payroll_form(line: PayrollEntry, **changes: str) -> dict[str, str]:
    prefix = f"payroll-{line.pk}"
    values = {
        "employee": line.employee,
        "state": line.state,
        "class_code": line.class_code,
        "gross": str(line.gross),
        "overtime_total": str(line.overtime_total),
        "overtime_premium": str(line.overtime_premium),
        "double_time_total": "0",
        "overtime_records": "on",
        "tips": "0",
        "severance": "0",
        "military_pay": "0",
        "section_125": str(line.section_125),
        "deferred_401k": str(line.deferred_401k),
        "employer_benefits": "0",
        "reimbursements_substantiated": str(line.reimbursements_substantiated),
        "reimbursements_unsubstantiated": "0",
        "meals_lodging": "0",
        "records_support_division": "on",
        "labor_source": "employee",
        "version": str(line.version),  # the version the form was opened at
    }
    values.update(changes)
    return {f"{prefix}-{name}": value for name, value in values.items()}


def test_the_audit_page_shows_the_working_result_with_its_reasons(
    audit: Audit, auditor: User
) -> None:
    page = logged_in(auditor).get(f"/audits/{audit.pk}/").content.decode()
    assert 'id="estimated-premium">$19,655<' in page
    assert 'id="audited-premium">$24,230<' in page
    assert 'id="adjustment" class="outcome-additional">$4,575<' in page
    # The why? of the adjustment and of a class's premium, from the engine's trace.
    assert (
        "audited premium $24,230 − estimated premium $19,655 = $4,575: additional premium" in page
    )
    assert "class 5645: $436,500 × 6.298 per $100 of payroll = $27,490.77" in page
    assert "Working result" in page
    # Indiana files no terrorism charge of its own: the why? and the findings say the NCCI
    # default stood in
    assert "[NCCI default: no IN figure of its own on file]" in page
    assert (
        "no Indiana figure of its own is on file for: catastrophe charge, overtime, terrorism "
        "charge, what counts as payroll; the NCCI default was used" in page
    )


def test_editing_a_payroll_line_re_rates_at_once_and_is_kept_in_the_history(
    audit: Audit, auditor: User
) -> None:
    line = audit.payroll.get(employee="Framing crew")
    client = logged_in(auditor)
    fragment = htmx(
        client,
        f"/audits/{audit.pk}/facts/payroll/{line.pk}/",
        payroll_form(line, gross="400000"),
    )
    # Only the worksheet comes back, re-rated: $400,000 instead of $436,500 on the framing crew.
    assert fragment.startswith('\n<section id="worksheet"') or '<section id="worksheet"' in fragment
    assert "<html" not in fragment
    assert 'id="audited-premium">$22,301<' in fragment
    assert 'id="adjustment" class="outcome-additional">$2,646<' in fragment
    line.refresh_from_db()
    assert line.gross == Decimal("400000.00")
    edit = AuditEdit.objects.get(audit=audit)
    assert edit.summary == "changed payroll line Framing crew IN 5645: gross 436,500 → 400,000"
    assert edit.by == auditor
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert "auditor: changed payroll line Framing crew IN 5645: gross 436,500 → 400,000" in page


def test_a_bad_amount_is_refused_with_the_field_named_and_nothing_is_saved(
    audit: Audit, auditor: User
) -> None:
    line = audit.payroll.get(employee="Framing crew")
    fragment = htmx(
        logged_in(auditor),
        f"/audits/{audit.pk}/facts/payroll/{line.pk}/",
        payroll_form(line, gross="12,3x"),
    )
    assert "the line was not saved: see the fields marked below" in fragment
    assert "must be an amount in dollars, like 12,500.00." in fragment
    line.refresh_from_db()
    assert line.gross == Decimal("436500.00")
    assert not AuditEdit.objects.exists()


def test_adding_and_removing_a_line_re_rates(audit: Audit, auditor: User) -> None:
    client = logged_in(auditor)
    new = {
        "payroll-new-employee": "Summer help",
        "payroll-new-state": "IN",
        "payroll-new-class_code": "8810",
        "payroll-new-gross": "10000",
        "payroll-new-labor_source": "employee",
        "payroll-new-overtime_records": "on",
        "payroll-new-records_support_division": "on",
    }
    for name in PAYROLL_AMOUNTS:
        new[f"payroll-new-{name}"] = "0"
    htmx(client, f"/audits/{audit.pk}/facts/payroll/new/", new)
    added = audit.payroll.get(employee="Summer help")
    assert added.gross == Decimal("10000.00")
    fragment = htmx(
        client, f"/audits/{audit.pk}/facts/payroll/{added.pk}/delete/", {"version": "1"}
    )
    assert not audit.payroll.filter(employee="Summer help").exists()
    assert 'id="audited-premium">$24,230<' in fragment
    assert [e.summary for e in AuditEdit.objects.filter(audit=audit)] == [
        "added payroll line Summer help IN 8810",
        "removed payroll line Summer help IN 8810",
    ]


def test_facts_of_a_completed_audit_cannot_change(audit: Audit, auditor: User) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=Status.COMPLETED)
    line = audit.payroll.order_by("id")[0]
    fragment = htmx(
        logged_in(auditor),
        f"/audits/{audit.pk}/facts/payroll/{line.pk}/",
        payroll_form(line, gross="1"),
    )
    assert "the audit is completed and its facts cannot change" in fragment
    line.refresh_from_db()
    assert line.gross == Decimal("436500.00")


def refused(client: Client, url: str, data: dict[str, str]) -> str:
    """An htmx post refused as made over someone else's change: 409, with the worksheet."""
    answer = client.post(url, data, HTTP_HX_REQUEST="true")
    assert answer.status_code == 409
    return answer.content.decode()


def test_of_two_forms_opened_on_the_same_line_the_second_save_is_refused_and_the_first_stands(
    audit: Audit, auditor: User, manager: User
) -> None:
    line = audit.payroll.get(employee="Framing crew")
    url = f"/audits/{audit.pk}/facts/payroll/{line.pk}/"
    first, second = logged_in(auditor), logged_in(manager)
    for client in (first, second):
        form = client.get(f"{url}form/").content.decode()
        assert f'name="payroll-{line.pk}-version" value="1"' in form
    htmx(first, url, payroll_form(line, gross="400000"))

    fragment = refused(second, url, payroll_form(line, gross="410000"))
    assert (
        "someone else changed this line while you were editing it: gross is now 400,000 "
        "(yours: 410,000); here are the current values: make your change again if it still "
        "applies"
    ) in fragment
    # The line's form is open again, with its values and version now, and the premium is the
    # first person's.
    assert f'name="payroll-{line.pk}-gross" value="400000.00"' in fragment
    assert f'name="payroll-{line.pk}-version" value="2"' in fragment
    assert 'id="audited-premium">$22,301<' in fragment
    line.refresh_from_db()
    assert (line.gross, line.version) == (Decimal("400000.00"), 2)
    assert [e.summary for e in AuditEdit.objects.filter(audit=audit)] == [
        "changed payroll line Framing crew IN 5645: gross 436,500 → 400,000"
    ]

    # Made again from the form as it is now, the second person's change is saved.
    htmx(second, url, payroll_form(line, gross="410000"))
    line.refresh_from_db()
    assert (line.gross, line.version) == (Decimal("410000.00"), 3)


def test_a_line_changed_after_the_page_was_drawn_is_not_removed(
    audit: Audit, auditor: User, manager: User
) -> None:
    line = audit.payroll.get(employee="Office")
    page = logged_in(manager).get(f"/audits/{audit.pk}/").content.decode()
    assert '<input type="hidden" name="version" value="1">' in page
    htmx(
        logged_in(auditor),
        f"/audits/{audit.pk}/facts/payroll/{line.pk}/",
        payroll_form(line, gross="70000"),
    )
    fragment = refused(
        logged_in(manager), f"/audits/{audit.pk}/facts/payroll/{line.pk}/delete/", {"version": "1"}
    )
    assert (
        "someone else changed this line while you were looking at it, so it was not removed; "
        "here are the current values: remove it again if it should still go"
    ) in fragment
    assert f'name="payroll-{line.pk}-gross" value="70000.00"' in fragment
    line.refresh_from_db()
    assert (line.gross, line.version) == (Decimal("70000.00"), 2)


def test_saving_a_line_someone_removed_meanwhile_says_so_and_adds_nothing(
    audit: Audit, auditor: User, manager: User
) -> None:
    line = audit.payroll.get(employee="Office")
    htmx(
        logged_in(auditor), f"/audits/{audit.pk}/facts/payroll/{line.pk}/delete/", {"version": "1"}
    )
    fragment = refused(
        logged_in(manager),
        f"/audits/{audit.pk}/facts/payroll/{line.pk}/",
        payroll_form(line, gross="70000"),
    )
    assert "someone else removed this line while you were editing it; nothing was saved" in (
        fragment
    )
    assert audit.payroll.count() == 2
    assert not audit.payroll.filter(employee="Office").exists()


def test_requesting_records_builds_the_checklist_from_the_rules(
    audit: Audit, auditor: User
) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=Status.SCHEDULED)
    client = logged_in(auditor)
    client.post(f"/audits/{audit.pk}/actions/request_records/", {"reason": "first request"})
    audit.refresh_from_db()
    assert audit.status == Status.RECORDS_REQUESTED
    # A mail audit of a construction LLC: payroll, 941s, state UI, certificates, 1099s and the
    # LLC's return; no general ledger or check register (field audits only).
    assert list(audit.records.values_list("kind", flat=True)) == [
        "payroll_register",
        "form_941",
        "state_ui",
        "certificates",
        "forms_1099",
        "tax_return",
    ]
    item = audit.records.get(kind="form_941")
    answer = client.post(f"/audits/{audit.pk}/records/{item.pk}/", {"status": "rejected"})
    assert answer.status_code == 302
    item.refresh_from_db()
    assert item.status == "needed"  # a rejection needs its reason
    client.post(
        f"/audits/{audit.pk}/records/{item.pk}/",
        {"status": "rejected", "note": "Q3 missing"},
    )
    item.refresh_from_db()
    assert (item.status, item.note, item.updated_by) == ("rejected", "Q3 missing", auditor)
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert "Quarterly 941s: rejected (Q3 missing)" in page


def test_interviews_and_findings_are_recorded_on_the_audit(audit: Audit, auditor: User) -> None:
    client = logged_in(auditor)
    client.post(
        f"/audits/{audit.pk}/interviews/",
        {
            "kind": "entrance",
            "held_on": "2026-02-03",
            "contact": "Dana Reyes",
            "contact_title": "Bookkeeper",
            "operations": "Framing and finish carpentry on new homes",
            "changes": "Added a finish crew in June",
            "average_employees": "9",
        },
    )
    client.post(
        f"/audits/{audit.pk}/findings/",
        {
            "kind": "classification",
            "state": "IN",
            "class_code": "5645",
            "text": "Finish crew does interior trim",
            "recommendation": "Add class 5437 at renewal",
            "for_underwriting": "on",
        },
    )
    note = audit.interviews.get()
    assert (note.contact, note.average_employees, note.by) == ("Dana Reyes", 9, auditor)
    finding = audit.findings.get()
    assert (finding.class_code, finding.for_underwriting) == ("5645", True)
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert "Entrance interview, 2026-02-03, with Dana Reyes (Bookkeeper)" in page
    assert "Add class 5437 at renewal" in page


def test_an_interview_without_a_date_is_refused_with_the_field_named(
    audit: Audit, auditor: User
) -> None:
    client = logged_in(auditor)
    answer = client.post(
        f"/audits/{audit.pk}/interviews/", {"kind": "exit", "contact": "Dana"}, follow=True
    )
    assert "The interview note was not saved: Held on: This field is required." in (
        answer.content.decode()
    )
    assert not audit.interviews.exists()


def test_submit_and_approve_from_the_audit_page(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    page = logged_in(auditor).get(f"/audits/{audit.pk}/").content.decode()
    assert 'value="submit"' in page
    assert 'value="approve"' not in page
    logged_in(auditor).post(f"/audits/{audit.pk}/actions/submit/", {"reason": ""})
    audit.refresh_from_db()
    # $4,575 is above the auditor's 10% of $19,655: it goes to a reviewer.
    assert audit.status == Status.IN_REVIEW
    assert 'value="approve"' not in logged_in(auditor).get(f"/audits/{audit.pk}/").content.decode()
    reviewer_page = logged_in(reviewer).get(f"/audits/{audit.pk}/").content.decode()
    assert 'value="approve"' in reviewer_page
    assert "Stored result" in reviewer_page
    logged_in(reviewer).post(f"/audits/{audit.pk}/actions/approve/", {"reason": "ok"})
    audit.refresh_from_db()
    assert audit.status == Status.COMPLETED


def test_a_refused_move_is_explained_on_the_page(audit: Audit, reviewer: User) -> None:
    answer = logged_in(reviewer).post(
        f"/audits/{audit.pk}/actions/return/", {"reason": "why not"}, follow=True
    )
    assert "an audit that is in progress cannot become in progress" in answer.content.decode()


def test_a_manager_assigns_an_audit_to_a_vendor_firms_auditor(
    audit: Audit, manager: User, vendor_auditor: User
) -> None:
    client = logged_in(manager)
    client.post(f"/audits/{audit.pk}/assign/", {"assignee": vendor_auditor.pk})
    audit.refresh_from_db()
    assert audit.assignee == vendor_auditor
    assert audit.vendor == vendor_auditor.vendor
    assert AuditEdit.objects.get(audit=audit).summary == "assigned to vendor (Field Audit Co)"
    assert logged_in(vendor_auditor).get(f"/audits/{audit.pk}/").status_code == 200


@pytest.fixture
def book(audit: Audit, auditor: User) -> list[Audit]:
    """Sixty more audits of the same period, spread over statuses and due dates."""
    statuses = [Status.SCHEDULED, Status.IN_PROGRESS, Status.COMPLETED]
    audits = [
        Audit(
            period=audit.period,
            status=statuses[n % 3],
            due_date=date(2026, 1, 1) + timedelta(days=n),
            rush=n % 10 == 0,
            assignee=auditor if n % 2 else None,
        )
        for n in range(60)
    ]
    return Audit.objects.bulk_create(audits)


def test_the_worklist_filters_counts_sorts_and_pages(
    book: list[Audit], auditor: User, audit: Audit
) -> None:
    client = logged_in(auditor)
    page = client.get("/audits/").content.decode()
    assert "61 audits:" in page
    assert "Page 1 of 2" in page
    # Counts by status: 20 scheduled, 21 in progress (the fixture's audit too), 20 completed.
    assert "Scheduled <b>20</b>" in page
    assert "In progress <b>21</b>" in page
    assert "Completed <b>20</b>" in page
    answer = client.get("/audits/?status=in_progress&assignee=me")
    in_progress = listed(answer)
    # n = 1, 7, 13, ... (in progress, odd n: assigned to the auditor): 10 of them.
    assert answer.context["page"].paginator.count == 10
    assert [a.due_date for a in in_progress][:2] == [date(2026, 1, 2), date(2026, 1, 8)]
    latest_first = listed(client.get("/audits/?sort=-due"))
    assert latest_first[0].due_date == date(2026, 3, 1)
    rush = listed(client.get("/audits/?rush=on&due_to=2026-01-31"))
    assert [a.due_date.day for a in rush] == [1, 11, 21, 31]
    assert client.get("/audits/?state=IN").context["page"].paginator.count == 61
    assert client.get("/audits/?state=KY").context["page"].paginator.count == 0
    second = listed(client.get("/audits/?page=2"))
    assert len(second) == 11


@pytest.mark.parametrize("sort", ["due", "-due", "policy", "insured", "status", "expiration"])
def test_the_worklists_pages_list_every_audit_once_in_the_exports_order(
    book: list[Audit], auditor: User, sort: str
) -> None:
    # A page's ids are read first and then its rows: together the pages are the whole list.
    client = logged_in(auditor)
    paged = [
        row.id
        for number in (1, 2)
        for row in listed(client.get(f"/audits/?sort={sort}&page={number}"))
    ]
    export = client.get(f"/audits/worklist.csv?sort={sort}").content.decode().splitlines()
    exported = [int(line.split(",")[0]) for line in export[1:]]
    assert len(paged) == 61
    assert paged == exported


def test_overdue_means_past_due_and_not_yet_final(book: list[Audit], auditor: User) -> None:
    overdue = listed(logged_in(auditor).get("/audits/?overdue=on&due_to=2026-01-09"))
    # Due 2026-01-01 to 01-09, all past today; the completed ones (n = 2, 5, 8) are not overdue.
    assert [a.due_date.day for a in overdue] == [1, 2, 4, 5, 7, 8]
    assert all(a.status != Status.COMPLETED for a in overdue)


def test_the_worklist_reads_a_page_in_a_fixed_number_of_queries(
    book: list[Audit], auditor: User, django_assert_max_num_queries: object
) -> None:
    client = logged_in(auditor)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        client.get("/audits/")


def test_a_vendor_firm_sees_only_its_own_audits(
    book: list[Audit], vendor_auditor: User, audit: Audit
) -> None:
    mine = book[0]
    Audit.objects.filter(pk=mine.pk).update(vendor=vendor_auditor.vendor)
    client = logged_in(vendor_auditor)
    assert [a.id for a in listed(client.get("/audits/"))] == [mine.pk]
    assert client.get(f"/audits/{audit.pk}/").status_code == 404
    assert client.get(f"/audits/{mine.pk}/").status_code == 200


def test_an_inactive_account_cannot_log_in_to_the_workbench(db: None) -> None:
    user = make_user("gone", "auditor")
    user.set_password("a-long-password-1")
    user.is_active = False
    user.save()
    answer = Client().post("/login/", {"username": "gone", "password": "a-long-password-1"})
    assert answer.status_code == 200
    assert "didn't match" in answer.content.decode()


def test_records_items_are_unique_per_kind(audit: Audit, auditor: User) -> None:
    client = logged_in(auditor)
    client.post(f"/audits/{audit.pk}/records/")
    client.post(f"/audits/{audit.pk}/records/")
    assert RecordsItem.objects.filter(audit=audit).count() == 6


def test_a_bad_filter_value_is_reported_and_the_other_filters_still_apply(
    book: list[Audit], auditor: User
) -> None:
    answer = logged_in(auditor).get("/audits/?status=in_progress&sort=sideways")
    assert "Select a valid choice. sideways is not one of the available choices." in (
        answer.content.decode()
    )
    assert {row.status for row in listed(answer)} == {Status.IN_PROGRESS}


def test_counts_follow_a_status_change_at_once(audit: Audit, auditor: User) -> None:
    client = logged_in(auditor)
    assert "In progress <b>1</b>" in client.get("/audits/").content.decode()
    client.post(f"/audits/{audit.pk}/actions/request_records/", {"reason": ""})
    page = client.get("/audits/").content.decode()
    assert "Records requested <b>1</b>" in page
    assert "In progress <b>" not in page


def test_a_worklist_line_kept_rendered_shows_the_audits_change_at_once(
    audit: Audit, auditor: User
) -> None:
    client = logged_in(auditor)
    line = f'<a href="/audits/{audit.pk}/">#{audit.pk}</a>'
    before = client.get("/audits/").content.decode()
    assert line in before
    assert '<span class="status status-in_progress">In progress</span>' in before
    # The same page again: the lines come from the kept lines, the same HTML.
    again = client.get("/audits/").content.decode()
    assert again.split("<tbody>")[1] == before.split("<tbody>")[1]
    Audit.objects.filter(pk=audit.pk).update(status=Status.RECORDS_REQUESTED, rush=True)
    after = client.get("/audits/").content.decode()
    assert (
        '<span class="status status-records_requested">Records requested</span>'
        ' <span class="rush">rush</span>'
    ) in after
