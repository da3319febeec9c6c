"""In a real browser: the renewal pages pass axe on a desktop and at 390 px, and the underwriter
accepting the recommendation puts the future policy changes letter in the insured's portal."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.audits.test_staff_accessibility import check_as, signed_in
from tests.renewals.conftest import Terms
from trueup.accounts.models import User
from trueup.renewals.models import RenewalRecommendation


@pytest.mark.django_db(transaction=True)
def test_the_underwriter_accepts_and_the_insured_reads_the_letter_in_the_portal(
    browser: Browser,
    live_server: object,
    terms: Terms,
    underwriter: User,
    policyholder: User,
) -> None:
    base = str(live_server)
    check_as(browser, base, underwriter, [("/renewals/", "renewal recommendations")])
    context = signed_in(browser, base, underwriter)
    page = context.new_page()
    page.goto(f"{base}/renewals/")
    page.get_by_role("button", name=f"Recommend the renewal from audit {terms.second.pk}").click()
    made = RenewalRecommendation.objects.get(audit=terms.second)
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
    insured.goto(f"{base}/portal/audits/{terms.second.pk}/")
    expect(insured.get_by_role("link", name="Future policy changes at renewal")).to_be_visible()
