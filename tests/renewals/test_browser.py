"""In a real browser: an auditor completes the audit on its page, which recommends the renewal;
the underwriter accepts it from the renewals' list, and the insured reads the future policy
changes letter in the portal. The renewal pages pass axe on a desktop and at 390 px."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, expect

from tests.audits.test_staff_accessibility import check_as, signed_in
from tests.renewals.conftest import Written
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.renewals.models import RenewalRecommendation


@pytest.mark.django_db(transaction=True)
def test_the_auditor_completes_the_underwriter_accepts_and_the_insured_reads_the_letter(
    browser: Browser,
    live_server: object,
    written: Written,
    auditor: User,
    underwriter: User,
    policyholder: User,
) -> None:
    base = str(live_server)
    second = written.second
    # An auditor with the authority for this audit's adjustment completes it on submitting.
    User.objects.filter(pk=auditor.pk).update(
        authority_amount=Decimal(50000), authority_percent=Decimal(100)
    )
    Audit.objects.filter(pk=second.pk).update(assignee=auditor)
    staff = signed_in(browser, base, auditor).new_page()
    staff.goto(f"{base}/audits/{second.pk}/")
    staff.get_by_role("button", name="Submit", exact=True).click()
    expect(staff.locator(".messages")).to_contain_text("The audit is now completed.")
    assert Audit.objects.get(pk=second.pk).status == Status.COMPLETED
    made = RenewalRecommendation.objects.get(audit=second)

    check_as(browser, base, underwriter, [("/renewals/", "renewal recommendations")])
    context = signed_in(browser, base, underwriter)
    page = context.new_page()
    page.goto(f"{base}/")
    page.get_by_role("link", name="Renewals", exact=True).click()
    page.get_by_role("link", name=f"#{made.pk}", exact=True).click()
    expect(page.get_by_role("heading", name="Renewal of WC-2025-01001")).to_be_visible()
    check_as(browser, base, underwriter, [(f"/renewals/{made.pk}/", "a proposed recommendation")])
    page.get_by_label("Recommended exposure for IN 5645").fill("470,000")
    page.get_by_label("Note for the record").fill("framing grows more slowly next year")
    page.get_by_role("button", name="Accept and issue the endorsements").click()
    expect(page.locator(".messages")).to_contain_text(
        "Accepted with the underwriter's figures: 0 endorsement(s) issued, 3 waiting for a reviewer"
    )
    check_as(browser, base, underwriter, [(f"/renewals/{made.pk}/", "an accepted recommendation")])
    context.close()

    insured = signed_in(browser, base, policyholder).new_page()
    insured.goto(f"{base}/portal/audits/{second.pk}/")
    expect(insured.get_by_role("link", name="Future policy changes at renewal")).to_be_visible()
