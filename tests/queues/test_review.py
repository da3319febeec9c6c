"""The reviewer's queue: audits in review, the longest waiting first, each with when it went to
review and its adjustment against the signed-in reviewer's authority."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.audits.conftest import make_user
from tests.queues.conftest import another_audit, client_of
from trueup.accounts.models import Role, User, VendorFirm
from trueup.audits.models import Audit, StatusChange
from trueup.audits.workflow import Status
from trueup.flows import queues, results

# The example audit: estimated $19,655, audited $24,230, additional $4,575 (23% of the estimate),
# above the auditor's $2,500 authority, so submitting it sends it to review.


def _in_review(audit: Audit, by: User, at: datetime) -> Audit:
    submitted = results.audit_submit(audit=audit, by=by)
    assert submitted.status == Status.IN_REVIEW
    StatusChange.objects.filter(audit=submitted, to_status=Status.IN_REVIEW).update(at=at)
    return submitted


@pytest.fixture
def two_in_review(audit: Audit, auditor: User) -> tuple[Audit, Audit]:
    """The example in review since 2 March, and a copy of it in review since 1 March."""
    later = _in_review(audit, auditor, datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    earlier = _in_review(
        another_audit(audit, "WC-2"), auditor, datetime(2026, 3, 1, 14, 0, tzinfo=UTC)
    )
    return earlier, later


def test_a_reviewer_sees_the_longest_waiting_audit_first_with_the_adjustment_within_their_authority(
    two_in_review: tuple[Audit, Audit], reviewer: User
) -> None:
    rows = queues.review_rows(reviewer, queues.review_queue(reviewer))
    assert [(r.audit.pk, r.waiting_since) for r in rows] == [
        (two_in_review[0].pk, datetime(2026, 3, 1, 14, 0, tzinfo=UTC)),
        (two_in_review[1].pk, datetime(2026, 3, 2, 15, 0, tzinfo=UTC)),
    ]
    assert [r.against_authority for r in rows] == ["$4,575 additional: within your authority"] * 2
    assert [r.adjustment for r in rows] == [Decimal("4575"), Decimal("4575")]


def test_a_reviewer_with_less_authority_is_told_which_limit_the_adjustment_is_above(
    two_in_review: tuple[Audit, Audit],
) -> None:
    by_amount = make_user("small", Role.REVIEWER, "4000", "100")
    by_percent = make_user("share", Role.REVIEWER, "50000", "20")
    [row, _] = queues.review_rows(by_amount, queues.review_queue(by_amount))
    assert row.against_authority == "$4,575 additional: above your $4,000 authority"
    assert row.within is False
    [row, _] = queues.review_rows(by_percent, queues.review_queue(by_percent))
    assert row.against_authority == (
        "$4,575 additional: above your 20% authority (23% of the $19,655 estimate)"
    )


def test_a_reviewer_who_prepared_an_audit_is_told_another_reviewer_approves_it(
    audit: Audit,
) -> None:
    preparer = make_user("preparer", Role.REVIEWER, "1000", "5")
    _in_review(audit, preparer, datetime(2026, 3, 1, 14, 0, tzinfo=UTC))
    [row] = queues.review_rows(preparer, queues.review_queue(preparer))
    assert row.against_authority == (
        "$4,575 additional: you prepared it, so another reviewer approves it"
    )


def test_the_review_page_lists_each_audit_with_its_waiting_time_and_approved_ones_leave_it(
    two_in_review: tuple[Audit, Audit], reviewer: User, second_reviewer: User
) -> None:
    earlier, later = two_in_review
    page = client_of(reviewer).get("/queues/review/").content.decode()
    assert page.index(f"#{earlier.pk}") < page.index(f"#{later.pk}")
    # 14:00 UTC in the carrier's time zone (Chicago).
    assert '<time datetime="2026-03-01T08:00:00-06:00">2026-03-01 08:00</time>' in page
    assert "$4,575 additional: within your authority" in page
    assert "Your authority: up to $50,000 and 100% of the estimate." in page
    results.audit_approve(audit=earlier, by=second_reviewer)
    page = client_of(reviewer).get("/queues/review/").content.decode()
    assert f"#{earlier.pk}<" not in page and f"#{later.pk}<" in page


def test_a_vendor_firms_reviewer_sees_only_the_firms_audits_in_review(
    two_in_review: tuple[Audit, Audit],
) -> None:
    firm = VendorFirm.objects.create(code="FAC", name="Field Audit Co")
    Audit.objects.filter(pk=two_in_review[1].pk).update(vendor=firm)
    firm_reviewer = make_user("firm-reviewer", Role.REVIEWER, "50000", "100")
    firm_reviewer.vendor = firm
    firm_reviewer.save()
    rows = queues.review_rows(firm_reviewer, queues.review_queue(firm_reviewer))
    assert [r.audit.pk for r in rows] == [two_in_review[1].pk]


def test_reviewers_managers_and_administrators_open_the_review_queue(
    reviewer: User, manager: User, admin_user: User
) -> None:
    for user in (reviewer, manager, admin_user):
        assert client_of(user).get("/queues/review/").status_code == 200, user.role


def test_other_roles_never_open_the_review_queue(
    auditor: User,
    billing: User,
    underwriter: User,
    vendor_auditor: User,
) -> None:
    for user in (auditor, billing, underwriter, vendor_auditor):
        assert client_of(user).get("/queues/review/").status_code == 403, user.role
