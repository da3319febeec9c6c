"""Each queue in a real browser, as the persona who works it, with rows in it: axe-core finds no
serious or critical problem on a desktop screen and on a 390 px phone, where the page itself
never scrolls sideways."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Browser

from tests.audits.test_staff_accessibility import check_as
from tests.queues.conftest import another_audit
from trueup.accounts.models import User
from trueup.audits import fieldwork
from trueup.audits.models import Audit
from trueup.billing.outbox import outbox_deliver
from trueup.core import clock
from trueup.flows import results
from trueup.reporting.models import ExposureVariance


def _refused(body: object) -> None:
    raise ConnectionRefusedError("[Errno 111] Connection refused")


@pytest.mark.django_db(transaction=True)
def test_the_review_and_billing_queues_are_accessible(
    browser: Browser,
    live_server: object,
    released: Audit,
    auditor: User,
    reviewer: User,
    manager: User,
    billing: User,
) -> None:
    results.audit_submit(audit=another_audit(released, "WC-2", assignee=auditor), by=auditor)
    outbox_deliver(_refused, "https://billing.example/instructions")
    base = str(live_server)
    check_as(browser, base, reviewer, [("/queues/review/", "review queue")])
    check_as(browser, base, billing, [("/queues/billing/", "billing queue")])
    check_as(
        browser,
        base,
        manager,
        [("/queues/review/", "review queue"), ("/queues/billing/", "billing queue")],
    )


@pytest.mark.django_db(transaction=True)
def test_the_referrals_and_my_work_are_accessible(
    browser: Browser, live_server: object, audit: Audit, auditor: User, underwriter: User
) -> None:
    Audit.objects.filter(pk=audit.pk).update(
        assignee=auditor, due_date=clock.today() - timedelta(days=3), rush=True
    )
    another_audit(audit, "WC-2", assignee=auditor, due_date=clock.today() + timedelta(days=9))
    fieldwork.finding_add(
        audit=audit,
        by=auditor,
        kind="classification",
        text="Roofing work seen on site; the renewal should add class 5551",
        for_underwriting=True,
    )
    # As the figures' rebuild writes it for a final audit.
    ExposureVariance.objects.create(
        audit=audit,
        state="IN",
        class_code="5645",
        estimated=Decimal(350000),
        audited=Decimal(437500),
        ratio_percent=Decimal(125),
    )
    base = str(live_server)
    check_as(browser, base, underwriter, [("/queues/underwriting/", "referrals")])
    check_as(browser, base, auditor, [("/queues/mine/", "my work")])
