"""The online self-audit: prefilled from the policy, checked field by field, previewed by the
engine, saved as a draft, and submitted into the audit's facts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from tests.portal.conftest import answers
from trueup.accounts.models import User
from trueup.audits.models import Audit, AuditEdit, StatusChange
from trueup.audits.workflow import Status
from trueup.core.errors import InvalidInput
from trueup.portal import selfaudit
from trueup.portal.models import SelfAudit


def _problems(audit: Audit, given: dict, submitting: bool = True) -> dict[str, str]:  # type: ignore[type-arg]
    checked = selfaudit.check(audit, selfaudit.normalised(given), submitting=submitting)
    return {p.path: p.reason for p in checked.problems}


def test_a_new_form_is_prefilled_with_the_policys_classes_by_quarter(requested: Audit) -> None:
    blank = selfaudit.blank_answers(requested)
    rows = [(r["state"], r["class_code"], r["quarter"]) for r in blank["payroll"]]
    assert rows == [("IN", "5645", q) for q in "1234"] + [("IN", "8810", q) for q in "1234"]
    assert blank["completed_by"]["contact_email"] == "dana@hoosier.example"
    labels = [q.label for q in selfaudit.quarters(requested)]
    assert labels == [
        "Quarter 1 (Jan 1 – Mar 31, 2025)",
        "Quarter 2 (Apr 1 – Jun 30, 2025)",
        "Quarter 3 (Jul 1 – Sep 30, 2025)",
        "Quarter 4 (Oct 1 – Dec 31, 2025)",
    ]
    classes = selfaudit.policy_classes(requested)
    assert [(c["class_code"], c["description"], c["estimate"]) for c in classes] == [
        ("5645", "Framing and carpentry on houses", "350000.00"),
        ("8810", "Office and clerical staff", "60000.00"),
    ]


def test_a_complete_form_becomes_the_engines_facts(requested: Audit) -> None:
    checked = selfaudit.check(requested, selfaudit.normalised(answers()), submitting=True)
    assert checked.problems == []
    assert checked.payroll == [
        {
            "state": "IN",
            "class_code": "5645",
            "gross": Decimal("440000"),
            "overtime_total": Decimal("30000"),
            "tips": Decimal("0"),
            "severance": Decimal("0"),
            "section_125": Decimal("8000"),
            "deferred_401k": Decimal("0"),
        },
        {
            "state": "IN",
            "class_code": "8810",
            "gross": Decimal("60000"),
            "overtime_total": Decimal("0"),
            "tips": Decimal("0"),
            "severance": Decimal("0"),
            "section_125": Decimal("0"),
            "deferred_401k": Decimal("2400"),
        },
    ]
    [owner] = checked.owners
    assert owner["role"] == "llc_member"
    assert owner["coverage"] == "included"
    assert owner["actual_pay"] == Decimal("52000")
    assert owner["ownership_percent"] == Decimal("100")
    [sub] = checked.subcontractors
    assert sub["contract_cost"] == Decimal("40000")
    assert sub["stated_labor"] == Decimal("25000")
    assert sub["certificate_from"] is None


def test_each_mistake_is_named_by_section_row_and_field(requested: Audit) -> None:
    given = answers()
    given["payroll"][0] |= {"gross": "12,50.00", "overtime": "-5"}
    given["payroll"][1] |= {"gross": "1000", "deferred_401k": "2000"}
    given["owners"][0] |= {"role": "", "ownership_percent": "140", "payroll": ""}
    given["contractors"][0] |= {"has_certificate": "yes", "labor_amount": "50000", "state": "KY"}
    given["completed_by"] |= {"attest": "", "signature": "D. H."}
    assert _problems(requested, given) == {
        "payroll[0].gross": "Payroll by class, row 1 (IN 5645, quarter 1): Gross payroll must be "
        "an amount in dollars, like 12,500.00",
        "payroll[0].overtime": "Payroll by class, row 1 (IN 5645, quarter 1): Overtime (total "
        "paid) cannot be negative",
        "payroll[1].gross": "Payroll by class, row 2 (IN 8810, quarter 1): gross payroll "
        "includes overtime, tips, severance and the pre-tax deductions, so it cannot be less "
        "than their sum",
        "owners[0].role": "Owners and officers, Dana Hoosier: choose the position (officer, "
        "member, partner or proprietor)",
        "owners[0].ownership_percent": "Owners and officers, Dana Hoosier: ownership % must be a "
        "number from 0 to 100",
        "owners[0].payroll": "Owners and officers, Dana Hoosier: their payroll is needed",
        "contractors[0].state": "Subcontractors and temporary labor, Ace Drywall: choose one of "
        "the policy's states (IN)",
        "contractors[0].certificate_from": "Subcontractors and temporary labor, Ace Drywall: "
        "give the dates of the certificate of insurance",
        "contractors[0].labor_amount": "Subcontractors and temporary labor, Ace Drywall: the "
        "labor part cannot be more than the amount paid",
        "completed_by.attest": "Check and submit: tick the box to confirm the information is true",
        "completed_by.signature": "Check and submit: type the same name as the person who "
        "completed the form",
    }


def test_a_draft_needs_no_signature_and_empty_rows_are_skipped(requested: Audit) -> None:
    given = answers(completed_by={})
    given["payroll"].append(dict.fromkeys(selfaudit.PAYROLL_FIELDS, ""))
    assert _problems(requested, given, submitting=False) == {}
    assert "completed_by.attest" in _problems(requested, given, submitting=True)


def test_the_preview_says_how_much_more_and_why(requested: Audit) -> None:
    checked = selfaudit.check(requested, selfaudit.normalised(answers()), submitting=False)
    preview = selfaudit.preview(requested, checked)
    assert (preview.estimated, preview.audited, preview.difference, preview.outcome) == (
        Decimal("19655"),
        Decimal("25277"),
        Decimal("5622"),
        "additional",
    )
    assert preview.because[:4] == [
        "IN class 5645 (Framing and carpentry on houses): $455,000 of payroll against $350,000 "
        "estimated, about $5,529 more",
        "IN class 8810 (Office and clerical staff): $112,000 of payroll against $60,000 "
        "estimated, about $61 more",
        "The extra half of overtime paid at time-and-a-half is not charged: $10,000 of the "
        "$30,000 overtime",
        "Pre-tax deductions for health or flexible-spending plans ($8,000) count as pay",
    ]
    assert any("Ace Drywall had no certificate of insurance" in b for b in preview.because)
    # Nothing was saved by previewing.
    assert requested.payroll.count() == 0


def test_less_payroll_than_estimated_previews_a_return(requested: Audit) -> None:
    given = answers(owners=[], contractors=[])
    for row in given["payroll"]:
        row |= {
            "gross": "50000" if row["class_code"] == "5645" else "10000",
            "overtime": "",
            "section_125": "",
            "deferred_401k": "",
        }
    preview = selfaudit.preview(
        requested, selfaudit.check(requested, selfaudit.normalised(given), submitting=False)
    )
    assert preview.outcome == "return"
    assert preview.difference == Decimal("-7957")
    assert preview.audited == Decimal("11698")


def test_submitting_puts_the_facts_on_the_audit_and_tells_the_auditor(
    requested: Audit, policyholder: User
) -> None:
    mail.outbox.clear()
    form = selfaudit.self_audit_submit(audit=requested, by=policyholder, answers=answers())
    assert form.status == "submitted"
    requested.refresh_from_db()
    assert requested.status == Status.RECORDS_RECEIVED
    change = StatusChange.objects.filter(audit=requested).last()
    assert (change.to_status, change.by, change.reason) == (
        "records_received",
        policyholder,
        "online self-audit submitted",
    )
    assert [(p.class_code, p.gross, p.overtime_total) for p in requested.payroll.all()] == [
        ("5645", Decimal("440000.00"), Decimal("30000.00")),
        ("8810", Decimal("60000.00"), Decimal("0.00")),
    ]
    assert [(o.name, o.actual_pay) for o in requested.owners.all()] == [
        ("Dana Hoosier", Decimal("52000.00"))
    ]
    assert [(s.name, s.stated_labor) for s in requested.subcontractors.all()] == [
        ("Ace Drywall", Decimal("25000.00"))
    ]
    assert AuditEdit.objects.filter(
        audit=requested,
        summary="facts replaced from the insured's online self-audit: 2 payroll line(s), "
        "1 officer/owner(s), 1 subcontractor(s)",
    ).exists()
    message = requested.messages.get()
    assert message.body == (
        "Self-audit submitted by Dana Hoosier (Managing member): 2 payroll line(s), "
        "1 officer(s), 1 subcontractor(s)."
    )
    assert [m.to for m in mail.outbox] == [["auditor@trueup.example"]]
    # Once the records are in, the form is closed to changes.
    with pytest.raises(InvalidInput, match="no longer takes changes"):
        selfaudit.self_audit_save(audit=requested, by=policyholder, answers=answers())


def test_a_refused_submission_writes_nothing_but_keeps_the_draft(
    requested: Audit, policyholder: User
) -> None:
    given = answers()
    given["completed_by"]["attest"] = ""
    with pytest.raises(InvalidInput):
        selfaudit.self_audit_submit(audit=requested, by=policyholder, answers=given)
    requested.refresh_from_db()
    assert requested.status == Status.RECORDS_REQUESTED
    assert requested.payroll.count() == 0
    assert not SelfAudit.objects.exists()  # the whole submission rolled back
    assert not requested.messages.exists()


def test_temporary_labor_with_a_certificate_is_reported_but_not_charged(
    requested: Audit,
) -> None:
    given = answers(owners=[])
    given["contractors"] = [
        {
            "name": "Staff Plus",
            "kind": "temporary_agency",
            "state": "IN",
            "class_code": "5645",
            "amount_paid": "30000",
            "has_certificate": "yes",
            "certificate_from": "2025-01-01",
            "certificate_to": "2026-01-01",
        }
    ]
    checked = selfaudit.check(requested, selfaudit.normalised(given), submitting=True)
    assert checked.problems == []
    temp = checked.payroll[-1]
    assert (temp["employee"], temp["gross"], temp["labor_source"], temp["covered_elsewhere"]) == (
        "Staff Plus",
        Decimal("30000"),
        "temporary",
        True,
    )
    assert checked.subcontractors == []


def test_the_form_pages_save_a_draft_add_rows_preview_and_submit(
    requested: Audit, policyholder: User
) -> None:
    client = Client()
    client.force_login(policyholder)
    url = f"/portal/audits/{requested.pk}/self-audit/"
    page = client.get(f"{url}?step=payroll")
    assert page.status_code == 200
    assert "Framing and carpentry on houses" in page.content.decode()

    def posted(step: str, action: str, given: dict) -> dict[str, str]:  # type: ignore[type-arg]
        """Each step posts only its own fields."""
        data = {"step": step, "action": action}
        for asked in selfaudit.STEP[step].asks:
            group, _, name = asked.partition(".")
            if name:
                data[asked] = given[group][name]
            for i, row in enumerate(given[group] if not name else []):
                data |= {f"{group}.{i}.{k}": v for k, v in row.items()}
        return data

    added = client.post(url, posted("owners", "add_owner", answers(owners=[])))
    assert added.status_code == 200
    assert 'name="owners.0.name"' in added.content.decode()
    for step in ("business", "payroll", "owners", "contractors", "contact"):
        assert client.post(url, posted(step, "next", answers())).status_code == 302
    body = client.get(f"{url}?step=summary").content.decode()
    assert "your premium would be about" in body
    assert "$5,622" in body and "more than estimated" in body
    bad = answers()
    bad["payroll"][0]["gross"] = "lots"
    client.post(url, posted("payroll", "save", bad))
    refused = client.post(url, posted("summary", "submit", answers()))
    assert refused.status_code == 422
    assert "Gross payroll must be an amount in dollars" in refused.content.decode()
    # The draft kept what was typed, mistakes and all.
    assert SelfAudit.objects.get().answers["payroll"][0]["gross"] == "lots"
    client.post(url, posted("payroll", "next", answers()))
    done = client.post(url, posted("summary", "submit", answers()))
    assert done.status_code == 302
    assert requested.payroll.count() == 2
    assert client.get(url).status_code == 200
    assert "was submitted" in client.get(url).content.decode()


def test_the_payroll_step_can_be_filled_from_a_payroll_export(
    requested: Audit, policyholder: User
) -> None:
    register = (
        "employee,state,class,check_date,earnings_code,amount\n"
        'Ann,IN,5645,2025-02-14,regular,"52,000.00"\n'
        "Ann,IN,5645,2025-02-14,overtime,3000\n"
        "Bo,IN,5645,2025-06-13,regular,48000\n"
        "Cy,IN,8810,2025-09-12,regular,30000\n"
    )
    client = Client()
    client.force_login(policyholder)
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(
        f"/portal/audits/{requested.pk}/self-audit/",
        {
            "step": "payroll",
            "action": "import",
            "register": SimpleUploadedFile("payroll.csv", register.encode()),
        },
    )
    assert answer.status_code == 200
    saved = SelfAudit.objects.get().answers["payroll"]
    assert [
        (r["state"], r["class_code"], r["quarter"], r["gross"], r["overtime"]) for r in saved
    ] == [
        ("IN", "5645", "all", "103000.00", "3000.00"),
        ("IN", "8810", "all", "30000.00", "0.00"),
    ]
