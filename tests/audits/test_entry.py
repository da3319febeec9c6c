"""Worksheet entry on the workbench: a class the rate table in use does not rate is refused on
its row's field and nothing is saved; a line that still cannot be rated is marked; states and
classes are lookups with the class's description; enumerations are choices in words; amounts
are typed as people write them ("20,000.00", "$20,000"), on the worksheet and on the 941 form,
and a filing without figures is refused."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from tests.audits.conftest import PAYROLL_AMOUNTS
from trueup.accounts.models import User
from trueup.audits import facts
from trueup.audits.models import (
    Audit,
    AuditEdit,
    ContractType,
    Coverage,
    LaborSource,
    OwnerEntry,
    OwnerRole,
    PayrollEntry,
)
from trueup.audits.services import InvalidFacts
from trueup.core.errors import Problem
from trueup.payroll import services as payroll_services
from trueup.payroll.models import TaxFiling
from trueup.rating.worksheet import CONTRACT_TYPES, COVERAGES, LABOR_SOURCES, OWNER_ROLES

NO_RATE = (
    "no WC rate for class 9999 in IN on 2025-01-01: choose one of the classes the rate table "
    "in use lists"
)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_payroll(**changes: str) -> dict[str, str]:
    values = {
        "employee": "Summer help",
        "state": "IN",
        "class_code": "8810",
        "gross": "10000",
        "labor_source": "employee",
        "overtime_records": "on",
        "records_support_division": "on",
        **dict.fromkeys(PAYROLL_AMOUNTS, "0"),
        **changes,
    }
    return {f"payroll-new-{name}": value for name, value in values.items()}


def post_payroll(client: Client, audit: Audit, data: dict[str, str]) -> str:
    answer = client.post(f"/audits/{audit.pk}/facts/payroll/new/", data, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    return answer.content.decode()


def field_label(fragment: str, name: str) -> str:
    """The label around a form field: its input and the error shown with it."""
    start = fragment.index(f'name="{name}"')
    return fragment[fragment.rindex("<label", 0, start) : fragment.index("</label>", start)]


def test_a_payroll_line_with_a_class_the_rate_table_lacks_is_refused_on_its_class_field(
    audit: Audit, auditor: User
) -> None:
    fragment = post_payroll(logged_in(auditor), audit, new_payroll(class_code="9999"))
    assert "the line was not saved: see the fields marked below" in fragment
    label = field_label(fragment, "payroll-new-class_code")
    assert f'<span class="error">{NO_RATE}</span>' in label
    assert 'aria-invalid="true"' in label
    assert audit.payroll.count() == 3
    assert not AuditEdit.objects.exists()


def test_the_service_refuses_a_class_without_a_rate_naming_the_rows_field(
    audit: Audit, auditor: User
) -> None:
    with pytest.raises(InvalidFacts) as refused:
        facts.audit_fact_save(
            audit=audit,
            by=auditor,
            kind="payroll",
            values={"state": "IN", "class_code": "9999", "employee": "Summer help"}
            | {"gross": Decimal("10000")},
        )
    assert refused.value.problems == (Problem("payroll[new].class_code", NO_RATE),)
    assert audit.payroll.count() == 3


def test_a_state_outside_the_policy_is_refused_on_its_field(audit: Audit, auditor: User) -> None:
    line = audit.payroll.get(employee="Office")
    with pytest.raises(InvalidFacts) as refused:
        facts.audit_fact_save(
            audit=audit,
            by=auditor,
            kind="payroll",
            pk=line.pk,
            version=1,
            values={"state": "KY"},
        )
    assert refused.value.problems == (
        Problem(f"payroll[{line.pk}].state", "KY is not one of the policy's states (IN)"),
    )
    line.refresh_from_db()
    assert line.state == "IN"


def test_a_stored_line_that_cannot_be_rated_is_marked_on_its_row(
    audit: Audit, auditor: User
) -> None:
    # Written around the services, as an older version of TrueUp could.
    line = PayrollEntry.objects.create(
        audit=audit, state="IN", class_code="9999", employee="Summer help", gross=Decimal("100")
    )
    page = logged_in(auditor).get(f"/audits/{audit.pk}/").content.decode()
    row = re.search(rf'<tr id="payroll-{line.pk}"[^>]*>.*?</tr>', page, re.S)
    assert row is not None
    assert 'class="has-problem"' in row[0]
    assert f'aria-describedby="payroll-{line.pk}-problem"' in row[0]
    assert (
        f'<p class="error" id="payroll-{line.pk}-problem">This line cannot be rated: '
        "Class code: no WC rate for class 9999 in IN in force on 2025-01-01 (rates "
    ) in row[0]
    # The list above the result names the line in words, not by its path in the worksheet.
    assert (
        "<li>Payroll, line 4 (Summer help IN 9999), class code: no WC rate for class 9999 in IN "
        "in force on 2025-01-01 (rates "
    ) in page
    assert "$.audited.payroll[3]" not in page


def test_the_add_forms_offer_states_classes_and_enumerations_in_words(
    audit: Audit, auditor: User
) -> None:
    client = logged_in(auditor)
    payroll = client.get(f"/audits/{audit.pk}/facts/payroll/form/").content.decode()
    assert '<option value="IN" selected>IN (Indiana)</option>' in payroll
    assert (
        '<option value="" selected>No class: spread over the employee&#x27;s classes</option>'
        in payroll
    )
    assert '<option value="8810">8810: Office and clerical staff</option>' in payroll
    assert '<option value="5645">5645: Framing and carpentry on houses</option>' in payroll
    assert '<option value="employee" selected>Employee</option>' in payroll
    assert '<option value="leased">Leased worker from a leasing company</option>' in payroll
    assert 'name="payroll-new-gross" inputmode="decimal"' in payroll

    owners = client.get(f"/audits/{audit.pk}/facts/owners/form/").content.decode()
    assert '<option value="executive_officer">Executive officer</option>' in owners
    assert '<option value="llc_member">LLC member</option>' in owners
    assert '<option value="" selected>Choose…</option>' in owners
    assert (
        '<option value="" selected>As the state&#x27;s rule for the role decides</option>' in owners
    )
    assert '<option value="included">Included in the coverage</option>' in owners
    assert "included (included)" not in owners

    subcontractors = client.get(f"/audits/{audit.pk}/facts/subcontractors/form/")
    text = subcontractors.content.decode()
    assert '<option value="labor_and_materials">Labor and materials</option>' in text
    assert '<option value="stated">Labor amount shown: the stated labor is charged</option>' in text
    for code in ("executive_officer", "labor_only", "labor_and_materials"):
        assert f">{code}<" not in owners + text


def test_the_worksheet_table_shows_choices_and_classes_in_words(
    audit: Audit, auditor: User
) -> None:
    OwnerEntry.objects.create(
        audit=audit,
        name="Dana Hale",
        role="executive_officer",
        state="IN",
        class_code="8810",
        actual_pay=Decimal("90000"),
        coverage="included",
    )
    page = logged_in(auditor).get(f"/audits/{audit.pk}/").content.decode()
    assert "<td>Executive officer</td>" in page
    assert "<td>8810: Office and clerical staff</td>" in page
    assert "<td>5645: Framing and carpentry on houses</td>" in page


def test_the_choices_are_the_engines_values() -> None:
    assert tuple(LaborSource.values) == LABOR_SOURCES
    assert tuple(OwnerRole.values) == OWNER_ROLES
    assert tuple(Coverage.values) == COVERAGES
    assert tuple(ContractType.values) == CONTRACT_TYPES


def test_payroll_amounts_are_taken_as_people_type_them(audit: Audit, auditor: User) -> None:
    post_payroll(
        logged_in(auditor),
        audit,
        new_payroll(gross="20,000.00", overtime_total="$1,500", tips="$250.50"),
    )
    added = audit.payroll.get(employee="Summer help")
    assert (added.gross, added.overtime_total, added.tips) == (
        Decimal("20000.00"),
        Decimal("1500.00"),
        Decimal("250.50"),
    )
    assert AuditEdit.objects.get().summary == "added payroll line Summer help IN 8810"


def test_the_941_form_takes_amounts_as_people_type_them(audit: Audit, auditor: User) -> None:
    client = logged_in(auditor)
    client.post(
        f"/audits/{audit.pk}/payroll/filings/",
        {"kind": "form_941", "year": "2025", "quarter": "1", "line_2": "20,000.00"},
    )
    client.post(
        f"/audits/{audit.pk}/payroll/filings/",
        {"kind": "form_941", "year": "2025", "quarter": "2", "line_5c": "$20,000"},
    )
    assert list(TaxFiling.objects.values_list("quarter", "line_2_cents", "line_5c_cents")) == [
        (1, 2_000_000, None),
        (2, None, 2_000_000),
    ]


def test_an_empty_941_filing_is_refused_with_a_message_and_not_saved(
    audit: Audit, auditor: User
) -> None:
    answer = logged_in(auditor).post(
        f"/audits/{audit.pk}/payroll/filings/",
        {"kind": "form_941", "year": "2025", "quarter": "1", "line_2": "", "line_5c": ""},
    )
    assert [str(m) for m in get_messages(answer.wsgi_request)] == [
        "The filing was not saved: Enter the filing's figures: 941 line 2 (wages, tips and "
        "other compensation) or 941 line 5c (Medicare wages and tips)."
    ]
    assert not TaxFiling.objects.exists()


def test_a_941_amount_that_is_not_one_is_refused_naming_the_field(
    audit: Audit, auditor: User
) -> None:
    answer = logged_in(auditor).post(
        f"/audits/{audit.pk}/payroll/filings/",
        {"kind": "form_941", "year": "2025", "quarter": "1", "line_2": "20.000,00"},
    )
    assert [str(m) for m in get_messages(answer.wsgi_request)] == [
        "The filing was not saved: 941 line 2 (wages, tips and other compensation): must be an "
        "amount in dollars, like 12,500.00."
    ]
    assert not TaxFiling.objects.exists()


def test_the_service_refuses_a_filing_without_figures(audit: Audit, auditor: User) -> None:
    with pytest.raises(InvalidFacts):
        payroll_services.tax_filing_save(
            audit=audit, by=auditor, kind="form_941", year=2025, quarter=1, line_2_cents=None
        )
    assert not TaxFiling.objects.exists()
