"""Registers without a class or a state: what waits for the auditor, the answers given in bulk
(by department, job, work location or employee) and kept for the insured, and the states taken
from elsewhere shown as inferred. Each fixture under ``exports/`` is a real export's layout with
invented people; the figures expected are added up here from the fixture's own cells."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.audits.conftest import api_key_for
from trueup.accounts.models import User
from trueup.audits.models import Audit, PayrollEntry
from trueup.audits.services import IllegalTransition, InvalidFacts
from trueup.audits.workflow import Status
from trueup.core.errors import NotAllowed
from trueup.payroll import services
from trueup.payroll.models import (
    EmployeeClass,
    ImportStatus,
    MappingProfile,
    PayrollImport,
    PayrollResolution,
)
from trueup.payroll.services import Resolution
from trueup.policies.models import PolicyPeriod

EXPORTS = Path(__file__).parent / "exports"


def cents(*amounts: str) -> int:
    return int(sum(Decimal(a) for a in amounts) * 100)


def preview(audit: Audit, by: User, name: str, **kwargs: object) -> PayrollImport:
    return services.payroll_import_preview(
        audit=audit,
        by=by,
        data=(EXPORTS / name).read_bytes(),
        filename=name,
        keep_unread=True,
        **kwargs,  # type: ignore[arg-type]
    )


def two_states(audit: Audit) -> Audit:
    PolicyPeriod.objects.filter(pk=audit.period_id).update(states=["IN", "KY"])
    return Audit.objects.get(pk=audit.pk)


def waiting_by(item: PayrollImport, key: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for row in item.unresolved:
        found[str(row[key])] = found.get(str(row[key]), 0) + int(row["cents"])
    return found


# The Gusto journal's pay by department, from its cells (regular + overtime + bonus).
FRAMING = cents("3120.00", "234.00", "3120.00", "117.00", "2880.00", "500.00", "2880.00", "216.00")
OFFICE = cents("2307.69", "2307.69")
CARPENTRY = cents("1840.00", "69.00")


def test_a_gusto_journal_with_departments_waits_whole_for_its_classes_then_reads_to_the_cent(
    audit: Audit, auditor: User
) -> None:
    item = preview(audit, auditor, "gusto_department_journal.csv")
    # Every row lacks a class: nothing is in the lines, and all of it waits, by department.
    assert item.gross_cents == 0
    assert waiting_by(item, "department") == {
        "Finish Carpentry": CARPENTRY,
        "Framing": FRAMING,
        "Office": OFFICE,
    }
    assert sum(int(u["rows"]) for u in item.unresolved) == 7
    assert not item.committable
    fresh = services.payroll_import_resolve(
        payroll_import=item,
        by=auditor,
        answers=[
            Resolution("department", "Framing", class_code="5645"),
            Resolution("department", "office", class_code="8810"),  # case is not a difference
            Resolution("department", "Finish Carpentry", class_code="5403"),
        ],
    )
    assert fresh.unresolved == []
    assert fresh.gross_cents == FRAMING + OFFICE + CARPENTRY == 1_959_138
    assert fresh.totals == {
        "bonus": cents("500.00"),
        "overtime_total": cents("234.00", "117.00", "216.00", "69.00"),
        "regular": cents(
            "3120.00", "3120.00", "2880.00", "2880.00", "2307.69", "2307.69", "1840.00"
        ),
    }
    assert [(line["class_code"], line["employee"], line["gross"]) for line in fresh.lines] == [
        ("5403", "Dunn, Cy", "1909.00"),
        ("5645", "Alvarez, Rosa", "6591.00"),
        ("5645", "Brooks, Dana", "6476.00"),
        ("8810", "Chen, Wei", "4615.38"),
    ]
    # No state column, a policy of one state: the state is the policy's, and says so.
    assert {line["state_inferred_from"] for line in fresh.lines} == {"the policy's only state"}
    assert fresh.inferred == [
        {
            "state": "IN",
            "source": "the policy's only state",
            "employees": 4,
            "rows": 7,
            "cents": 1_959_138,
        }
    ]
    assert fresh.committable
    item.refresh_from_db()
    assert item.status == ImportStatus.DISCARDED
    # The answers are the insured's, given on this audit.
    kept = PayrollResolution.objects.get(key="office")
    assert (kept.value, kept.class_code, kept.audit_id) == ("office", "8810", audit.pk)


def test_a_paychex_register_with_one_employees_class_left_blank_keeps_those_dollars_waiting(
    audit: Audit, auditor: User
) -> None:
    item = preview(audit, auditor, "paychex_blank_class_cell.csv")
    quinn = cents("2100.00", "90.00", "2100.00", "250.00")
    assert waiting_by(item, "employee") == {"Quinn Avery": quinn}
    assert item.left_out == {"no_class": {"rows": 2, "cents": quinn}}
    assert item.gross_cents == cents("2400.00", "180.00", "2400.00", "1950.00", "1950.00")
    assert not item.committable
    fresh = services.payroll_import_resolve(
        payroll_import=item, by=auditor, answers=[Resolution("employee", "Quinn Avery", "", "5645")]
    )
    assert fresh.gross_cents == cents("2400.00", "180.00", "2400.00", "1950.00", "1950.00") + quinn
    assert fresh.unresolved == [] and fresh.left_out == {}
    # The employee's answer is this audit's (the register's state column gave the state).
    assert EmployeeClass.objects.get(audit=audit).class_code == "5645"
    services.payroll_import_commit(payroll_import=fresh, by=auditor)
    line = PayrollEntry.objects.get(audit=audit, employee="Quinn Avery")
    assert (line.state, line.class_code, line.gross, line.state_inferred_from) == (
        "IN",
        "5645",
        Decimal("4540.00"),
        "",
    )


def test_a_quickbooks_report_without_states_on_a_two_state_policy_waits_for_each_employees_state(
    audit: Audit, auditor: User
) -> None:
    audit = two_states(audit)
    item = preview(audit, auditor, "quickbooks_wc_detail_no_state.csv")
    assert item.gross_cents == 0
    assert waiting_by(item, "employee") == {
        "Evans Kim": cents("2000.00", "2000.00"),
        "Fox Lee": cents("2300.00", "2000.00"),
        "Gray Sam": cents("1600.00", "1600.00"),
    }
    assert {u["missing"] for u in item.unresolved} == {"state"}
    fresh = services.payroll_import_resolve(
        payroll_import=item,
        by=auditor,
        answers=[
            Resolution("employee", "Evans Kim", "IN"),
            Resolution("employee", "Fox Lee", "in"),
            Resolution("employee", "Gray Sam", "KY"),
        ],
    )
    assert [
        (line["state"], line["class_code"], line["employee"], line["gross"]) for line in fresh.lines
    ] == [
        ("IN", "5645", "Evans Kim", "4000.00"),
        ("IN", "5645", "Fox Lee", "4300.00"),
        ("KY", "8810", "Gray Sam", "3200.00"),
    ]
    assert fresh.gross_cents == cents(
        "2000.00", "2300.00", "1600.00", "2000.00", "2000.00", "1600.00"
    )
    assert {line["state_inferred_from"] for line in fresh.lines} == {"the employee table"}


def test_on_a_one_state_policy_the_states_taken_from_the_policy_are_marked_on_the_audits_lines(
    audit: Audit, auditor: User
) -> None:
    item = preview(audit, auditor, "quickbooks_wc_detail_no_state.csv")
    assert item.unresolved == []
    assert item.inferred[0]["source"] == "the policy's only state"
    services.payroll_import_commit(payroll_import=item, by=auditor)
    assert set(audit.payroll.values_list("state", "state_inferred_from")) == {
        ("IN", "the policy's only state")
    }
    client = Client()
    client.force_login(auditor)
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert "<td>Gray Sam</td><td>IN (inferred: the policy&#x27;s only state)</td>" in page


def test_a_file_no_profile_reads_is_mapped_once_and_its_work_sites_give_the_state(
    audit: Audit, auditor: User
) -> None:
    audit = two_states(audit)
    unread = preview(audit, auditor, "timesheet_export_with_work_site.csv")
    assert unread.status == ImportStatus.UNREAD
    assert unread.notes[0].startswith("no mapping profile matches these columns (Worker, Site")
    mapping = {
        "shape": "wide",
        "columns": {
            "employee": "Worker",
            "location": "Site",
            "class_code": "Class",
            "check_date": "Paid On",
        },
        "earnings": {"Straight Time": "regular", "Overtime": "overtime_total"},
    }
    item = services.payroll_import_map_columns(
        payroll_import=unread, by=auditor, name="Timesheet export", data=mapping
    )
    assert waiting_by(item, "location") == {
        "Evansville yard": cents("1500.00", "75.00", "1500.00"),
        "Louisville office": cents("1250.00"),
    }
    fresh = services.payroll_import_resolve(
        payroll_import=item,
        by=auditor,
        answers=[
            Resolution("location", "Evansville yard", "IN"),
            Resolution("location", "Louisville office", "KY"),
        ],
    )
    assert [
        (ln["state"], ln["employee"], ln["gross"], ln["state_inferred_from"]) for ln in fresh.lines
    ] == [
        ("IN", "Hale Jo", "3075.00", "work location Evansville yard"),
        ("KY", "Ives Pat", "1250.00", "work location Louisville office"),
    ]
    # The mapping is this insured's: the next upload of the same columns is read without asking.
    saved = MappingProfile.objects.get()
    assert saved.insured_id == audit.period.policy.insured_id
    again = preview(audit, auditor, "timesheet_export_with_work_site.csv")
    assert (again.status, again.profile_key, again.gross_cents) == (
        ImportStatus.PREVIEWED,
        saved.key,
        cents("1500.00", "75.00", "1500.00", "1250.00"),
    )


def next_term(audit: Audit) -> Audit:
    """The insured's next policy term, with its audit in progress."""
    period = audit.period
    following = PolicyPeriod.objects.create(
        policy=period.policy,
        effective=date(2026, 1, 1),
        expiration=date(2027, 1, 1),
        states=period.states,
    )
    return Audit.objects.create(period=following, status=Status.IN_PROGRESS)


def test_next_years_audit_starts_from_the_answers_and_the_employee_table_of_the_last(
    audit: Audit, auditor: User
) -> None:
    item = preview(audit, auditor, "gusto_department_journal.csv")
    services.payroll_import_resolve(
        payroll_import=item,
        by=auditor,
        answers=[
            Resolution("department", "Framing", class_code="5645"),
            Resolution("department", "Office", class_code="8810"),
            Resolution("department", "Finish Carpentry", class_code="5403"),
            Resolution("employee", "Chen, Wei", class_code="8742"),
        ],
    )
    later = next_term(audit)
    # The same journal a year on (its dates moved into the new term).
    data = (EXPORTS / "gusto_department_journal.csv").read_text().replace("/2025", "/2026")
    fresh = services.payroll_import_preview(
        audit=later, by=auditor, data=data.encode(), filename="journal-2026.csv"
    )
    assert fresh.unresolved == []
    assert fresh.gross_cents == 1_959_138
    # The employee's class came from the prior audit's table, before the department's.
    assert ("8742", "Chen, Wei") in [(ln["class_code"], ln["employee"]) for ln in fresh.lines]
    copied = EmployeeClass.objects.get(audit=later)
    assert (copied.employee, copied.class_code, copied.copied_from_id) == (
        "Chen, Wei",
        "8742",
        audit.pk,
    )
    assert fresh.notes[0].startswith("The employee table was empty: 1 employee(s)' state and class")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Resolution("department", "Framing", "OH", "5645"), "OH is not one of the policy's states"),
        (Resolution("department", "Framing", "", "9999"), "class 9999 has no WC rate in IN"),
        (Resolution("department", "Framing"), "give a state, a class or both"),
        (Resolution("code", "BON"), "map the code to a category, or exclude it with a reason"),
        (Resolution("code", "BON", category="wages"), "'wages' is not a category"),
        (Resolution("team", "Framing", class_code="5645"), "the kind must be one of"),
    ],
)
def test_an_answer_that_cannot_hold_is_refused_by_name_and_nothing_is_kept(
    audit: Audit, auditor: User, answer: Resolution, message: str
) -> None:
    item = preview(audit, auditor, "gusto_department_journal.csv")
    good = Resolution("department", "Office", class_code="8810")
    with pytest.raises(InvalidFacts) as refused:
        services.payroll_import_resolve(payroll_import=item, by=auditor, answers=[good, answer])
    assert message in str(refused.value.problems)
    assert "answers[1]" in refused.value.problems[0].path
    assert not PayrollResolution.objects.exists()
    item.refresh_from_db()
    assert item.status == ImportStatus.PREVIEWED


def test_answers_are_refused_to_a_policyholder_on_a_final_audit_and_on_an_old_preview(
    audit: Audit, auditor: User, policyholder: User
) -> None:
    item = preview(audit, auditor, "paychex_blank_class_cell.csv")
    answer = [Resolution("employee", "Quinn Avery", class_code="5645")]
    with pytest.raises(NotAllowed):
        services.payroll_import_resolve(payroll_import=item, by=policyholder, answers=answer)
    fresh = services.payroll_import_resolve(payroll_import=item, by=auditor, answers=answer)
    with pytest.raises(IllegalTransition, match="this import is discarded"):
        services.payroll_import_resolve(payroll_import=item, by=auditor, answers=answer)
    Audit.objects.filter(pk=audit.pk).update(status=Status.COMPLETED)
    with pytest.raises(IllegalTransition):
        services.payroll_import_resolve(payroll_import=fresh, by=auditor, answers=answer)


def test_the_api_answers_a_previews_questions_and_gives_the_new_preview(
    audit: Audit, auditor: User, vendor_auditor: User
) -> None:
    item = preview(audit, auditor, "gusto_department_journal.csv")
    client = Client(headers={"authorization": f"Bearer {api_key_for(auditor)}"})
    read = client.get(f"/api/payroll-imports/{item.pk}").json()
    assert read["committable"] is False
    assert {u["department"] for u in read["unresolved"]} == {
        "Framing",
        "Office",
        "Finish Carpentry",
    }
    body = {
        "answers": [
            {"kind": "department", "value": "Framing", "class_code": "5645"},
            {"kind": "department", "value": "Office", "class_code": "8810"},
            {
                "kind": "department",
                "value": "Finish Carpentry",
                "state": "KY",
                "class_code": "5403",
            },
        ]
    }
    url = f"/api/payroll-imports/{item.pk}/resolve"
    refused = client.post(url, json.dumps(body), "application/json")
    assert refused.status_code == 422
    assert "KY is not one of the policy's states (IN)" in refused.json()["message"]
    body["answers"][2]["state"] = ""
    answered = client.post(url, json.dumps(body), "application/json").json()
    assert (answered["gross_cents"], answered["committable"], answered["unresolved"]) == (
        1_959_138,
        True,
        [],
    )
    outsider = Client(headers={"authorization": f"Bearer {api_key_for(vendor_auditor)}"})
    fresh_url = f"/api/payroll-imports/{answered['id']}/resolve"
    assert outsider.post(fresh_url, json.dumps(body), "application/json").status_code == 404


def test_a_commit_is_refused_while_dollars_wait_naming_each_with_its_rows_and_amount(
    audit: Audit, auditor: User
) -> None:
    item = preview(audit, auditor, "paychex_blank_class_cell.csv")
    with pytest.raises(InvalidFacts) as refused:
        services.payroll_import_commit(payroll_import=item, by=auditor)
    assert [(p.path, p.reason) for p in refused.value.problems] == [
        ("row 6", "Quinn Avery (department 100): $4,540 in 2 row(s) has no class: assign it")
    ]
    assert audit.payroll.count() == 3  # the audit's own payroll, untouched


def test_the_import_command_lists_what_waits_and_exits_with_two_instead_of_succeeding(
    audit: Audit, auditor: User
) -> None:
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "import_payroll",
            str(EXPORTS / "paychex_blank_class_cell.csv"),
            audit=audit.pk,
            user="auditor",
            stdout=out,
        )
    assert failed.value.returncode == 2
    assert "1 question(s) wait for an answer" in str(failed.value)
    assert "  row 6: Quinn Avery (department 100): $4,540 in 2 row(s) has no class" in (
        out.getvalue()
    )


def test_an_answer_given_wrongly_is_taken_back_on_the_page_and_asked_again(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    item = preview(audit, auditor, "gusto_department_journal.csv")
    services.payroll_import_resolve(
        payroll_import=item, by=auditor, answers=[Resolution("department", "Office", "", "5645")]
    )
    office = PayrollResolution.objects.get()
    client = Client()
    client.force_login(reviewer)  # a reviewer may not edit the facts
    url = f"/audits/{audit.pk}/payroll/answers/{office.pk}/remove/"
    assert client.post(url).status_code == 403
    client.force_login(auditor)
    page = client.get(f"/audits/{audit.pk}/payroll/").content.decode()
    assert "Take back the answer for department Office" in page
    assert client.post(url)["Location"] == f"/audits/{audit.pk}/payroll/#answers"
    assert not PayrollResolution.objects.exists()
    again = preview(audit, auditor, "gusto_department_journal.csv")
    assert waiting_by(again, "department")["Office"] == OFFICE


def test_codes_no_mapping_names_are_answered_on_the_page_one_mapped_one_excluded_with_why(
    audit: Audit, auditor: User
) -> None:
    client = Client()
    client.force_login(auditor)
    with (EXPORTS / "adp_long_earnings_codes.csv").open("rb") as file:
        answer = client.post(
            f"/audits/{audit.pk}/payroll/", {"file": file, "profile": "", "basis": "check"}
        )
    item = PayrollImport.objects.get()
    page = client.get(answer["Location"]).content.decode()
    # The insured's own codes (RET $300.00, GTL $12.40) wait at the top, with the form to answer.
    assert [(u["code"], u["cents"]) for u in item.unmapped] == [("RET", 30_000), ("GTL", 1_240)]
    assert "Waiting for you: $312.40" in page
    assert 'aria-label="Category for code RET"' in page
    resolved = client.post(
        f"/audits/{audit.pk}/payroll/{item.pk}/resolve/",
        {
            "answer_kind": ["code", "code"],
            "answer_value": ["RET", "GTL"],
            "answer_state": ["", ""],
            "answer_class_code": ["", ""],
            "answer_category": ["bonus", "exclude"],
            "answer_reason": ["", "group-term life insurance cost: no cash paid"],
        },
    )
    fresh = PayrollImport.objects.get(status=ImportStatus.PREVIEWED)
    assert resolved["Location"] == f"/audits/{audit.pk}/payroll/{fresh.pk}/"
    assert fresh.unmapped == []
    assert [(e["code"], e["reason"], e["cents"]) for e in fresh.excluded] == [
        ("GTL", "group-term life insurance cost: no cash paid", 1_240)
    ]
    assert fresh.totals["bonus"] - item.totals.get("bonus", 0) == 30_000
    page = client.get(resolved["Location"]).content.decode()
    assert "code GTL excluded: group-term life insurance cost: no cash paid" in page
    kept = PayrollResolution.objects.order_by("key")
    assert [(r.kind, r.value, r.category, r.excluded_reason) for r in kept] == [
        ("code", "GTL", "", "group-term life insurance cost: no cash paid"),
        ("code", "RET", "bonus", ""),
    ]


def test_an_employee_of_another_company_on_the_same_payroll_is_left_out_with_the_reason(
    audit: Audit, auditor: User
) -> None:
    item = preview(audit, auditor, "paychex_blank_class_cell.csv")
    with pytest.raises(InvalidFacts, match="not both"):
        services.payroll_import_resolve(
            payroll_import=item,
            by=auditor,
            answers=[Resolution("employee", "Quinn Avery", "", "5645", excluded_reason="x")],
        )
    reason = "paid for Avery Landscaping, a separately insured company"
    fresh = services.payroll_import_resolve(
        payroll_import=item,
        by=auditor,
        answers=[Resolution("employee", "Quinn Avery", excluded_reason=reason)],
    )
    quinn = cents("2100.00", "90.00", "2100.00", "250.00")
    assert fresh.unresolved == []
    assert fresh.left_out == {"excluded_employee": {"rows": 2, "cents": quinn}}
    assert [e["message"] for e in fresh.exceptions if e["kind"] == "excluded_employee"] == [
        f"Quinn Avery left out by the auditor: {reason}"
    ] * 2
    assert fresh.committable
    assert EmployeeClass.objects.get(audit=audit).excluded_reason == reason


def test_through_the_api_a_file_no_profile_reads_is_kept_mapped_for_the_insured_and_read(
    audit: Audit, auditor: User, vendor_auditor: User
) -> None:
    audit = two_states(audit)
    client = Client(headers={"authorization": f"Bearer {api_key_for(auditor)}"})
    with (EXPORTS / "timesheet_export_with_work_site.csv").open("rb") as file:
        kept = client.post(
            f"/api/audits/{audit.pk}/payroll-imports", {"file": file, "keep_unread": "true"}
        ).json()
    assert (kept["status"], kept["gross_cents"]) == ("unread", 0)
    assert kept["notes"][0].startswith("no mapping profile matches these columns (Worker, Site")
    mapping = {
        "name": "Timesheet export",
        "shape": "wide",
        "columns": {"employee": "Worker", "location": "Site", "class_code": "Class"},
        "earnings": {"Straight Time": "regular", "Overtime": "overtime_total"},
    }
    url = f"/api/payroll-imports/{kept['id']}/mapping"
    outsider = Client(headers={"authorization": f"Bearer {api_key_for(vendor_auditor)}"})
    assert outsider.post(url, json.dumps(mapping), "application/json").status_code == 404
    bad = {**mapping, "earnings": {"Straight Time": "wages"}}
    refused = client.post(url, json.dumps(bad), "application/json")
    assert refused.status_code == 422
    assert "'Straight Time' maps to 'wages', which is not a category" in refused.json()["message"]
    read = client.post(url, json.dumps(mapping), "application/json").json()
    # No check date was mapped: the rows are taken as the report's period; each waits for its
    # work site's state.
    assert read["status"] == "previewed"
    assert {u["location"]: u["cents"] for u in read["unresolved"]} == {
        "Evansville yard": cents("1500.00", "75.00", "1500.00"),
        "Louisville office": cents("1250.00"),
    }
    assert MappingProfile.objects.get().insured_id == audit.period.policy.insured_id
