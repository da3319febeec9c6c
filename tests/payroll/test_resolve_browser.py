"""An auditor on a phone answers a register's questions and commits it, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.audits.test_staff_accessibility import PHONE, signed_in
from tests.browser import assert_accessible
from tests.payroll.test_resolutions import EXPORTS
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.payroll.models import ImportStatus, PayrollImport


@pytest.mark.django_db(transaction=True)
def test_an_auditor_on_a_phone_gives_each_department_its_class_and_commits_the_journal(
    browser: Browser, live_server: object, audit: Audit, auditor: User
) -> None:
    base = str(live_server)
    context = signed_in(browser, base, auditor)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/audits/{audit.pk}/payroll/")
    page.get_by_label("Payroll register (CSV or XLSX)").set_input_files(
        str(EXPORTS / "gusto_department_journal.csv")
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Waiting for you: $19,591.38")).to_be_visible()
    expect(page.get_by_role("button", name="Commit to the audit")).to_have_count(0)
    for department, class_code in (
        ("Framing", "5645"),
        ("Office", "8810"),
        ("Finish Carpentry", "5403"),
    ):
        page.get_by_label(f"Class for department {department}").fill(class_code)
    page.get_by_role("button", name="Save the answers and read the register again").click()
    expect(
        page.get_by_text("Saved, and the register read again with your answers.")
    ).to_be_visible()
    expect(page.locator("#import-gross")).to_have_text("$19,591.38")
    expect(page.locator("#lines")).to_contain_text("(inferred: the policy's only state)")
    assert_accessible(page, "payroll preview answered, on a phone")
    page.get_by_role("button", name="Commit to the audit").click()
    expect(page).to_have_url(f"{base}/audits/{audit.pk}/#worksheet")
    committed = PayrollImport.objects.get(status=ImportStatus.COMMITTED)
    assert committed.gross_cents == 1_959_138
    assert sorted(audit.payroll.values_list("class_code", "employee")) == [
        ("5403", "Dunn, Cy"),
        ("5645", "Alvarez, Rosa"),
        ("5645", "Brooks, Dana"),
        ("8810", "Chen, Wei"),
    ]
    context.close()
