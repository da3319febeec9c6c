"""Audit services: the transition map, authority limits and maker-checker, rating snapshots."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from trueup.accounts.models import User
from trueup.audits import services
from trueup.audits.models import Audit, ResultSnapshot, StatusChange
from trueup.audits.workflow import TRANSITIONS, Status
from trueup.audits.worksheet import worksheet_for
from trueup.rating import rate_worksheet, worksheet_from_dict

ALL_MOVES = [(a, b) for a in Status.values for b in Status.values]


@pytest.mark.parametrize(("from_status", "to_status"), ALL_MOVES)
def test_a_status_moves_only_along_the_transition_map_and_leaves_a_status_change(
    audit: Audit, manager: User, from_status: str, to_status: str
) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=from_status)
    if to_status in TRANSITIONS[from_status]:
        moved = services.audit_transition(audit=audit, to=to_status, by=manager, reason="test")
        assert moved.status == to_status
        change = StatusChange.objects.get(audit=audit)
        assert (change.from_status, change.to_status, change.by) == (
            from_status,
            to_status,
            manager,
        )
    else:
        with pytest.raises(services.IllegalTransition, match="cannot become"):
            services.audit_transition(audit=audit, to=to_status, by=manager)
        assert Audit.objects.get(pk=audit.pk).status == from_status
        assert not StatusChange.objects.filter(audit=audit).exists()


def test_rating_an_audit_gives_the_engines_result_for_the_same_facts(
    audit: Audit, auditor: User, example: dict[str, Any]
) -> None:
    snapshot = services.audit_rate(audit=audit, by=auditor)
    direct = rate_worksheet(worksheet_from_dict(example))
    assert snapshot.audited_premium == direct.audited_premium == Decimal("24230")
    assert snapshot.estimated_premium == direct.estimated_premium == Decimal("19655")
    assert snapshot.adjustment == Decimal("4575")
    assert snapshot.outcome == "additional"
    assert snapshot.rulebook_version == direct.rulebook_version
    assert snapshot.result["audited_premium"] == "24230"
    assert worksheet_for(audit) == worksheet_from_dict(example)


def test_an_adjustment_within_the_auditors_authority_completes_on_submit(
    audit: Audit, manager: User
) -> None:
    done = services.audit_submit(audit=audit, by=manager)
    assert done.status == Status.COMPLETED
    assert done.prepared_by == manager


def test_an_adjustment_above_the_auditors_authority_goes_to_review(
    audit: Audit, auditor: User
) -> None:
    # $4,575 is above the auditor's $2,500 limit.
    submitted = services.audit_submit(audit=audit, by=auditor)
    assert submitted.status == Status.IN_REVIEW
    change = StatusChange.objects.filter(audit=audit).last()
    assert change is not None
    assert "above the preparer's authority" in change.reason


def test_a_percentage_limit_is_measured_against_the_estimate(auditor: User) -> None:
    # 10% of a $19,655 estimate is $1,965.50.
    assert auditor.within_authority(Decimal("1965.50"), Decimal("19655"))
    assert not auditor.within_authority(Decimal("-1965.51"), Decimal("19655"))


def test_a_reviewer_approves_an_audit_in_review(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    services.audit_submit(audit=audit, by=auditor)
    approved = services.audit_approve(audit=audit, by=reviewer)
    assert approved.status == Status.COMPLETED


def test_the_preparer_may_not_approve_their_own_audit(
    audit: Audit, reviewer: User, second_reviewer: User
) -> None:
    reviewer.authority_amount = Decimal("100")
    reviewer.save()
    services.audit_submit(audit=audit, by=reviewer)
    with pytest.raises(services.NotAllowed, match="preparer"):
        services.audit_approve(audit=audit, by=reviewer)
    assert services.audit_approve(audit=audit, by=second_reviewer).status == Status.COMPLETED


def test_an_auditor_may_not_approve(audit: Audit, auditor: User, reviewer: User) -> None:
    services.audit_submit(audit=audit, by=reviewer)  # within the reviewer's own authority
    Audit.objects.filter(pk=audit.pk).update(status=Status.IN_REVIEW)
    with pytest.raises(services.NotAllowed, match="Auditor role may not approve"):
        services.audit_approve(audit=audit, by=auditor)


def test_a_reviewer_cannot_approve_above_their_own_authority(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    reviewer.authority_amount = Decimal("1000")
    reviewer.save()
    services.audit_submit(audit=audit, by=auditor)
    with pytest.raises(services.NotAllowed, match="above your authority"):
        services.audit_approve(audit=audit, by=reviewer)
    assert Audit.objects.get(pk=audit.pk).status == Status.IN_REVIEW


def test_a_returned_audit_goes_back_in_progress_with_the_reason(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    services.audit_submit(audit=audit, by=auditor)
    with pytest.raises(services.NotAllowed, match="say why"):
        services.audit_return(audit=audit, by=reviewer, reason=" ")
    back = services.audit_return(audit=audit, by=reviewer, reason="officer payroll missing")
    assert back.status == Status.IN_PROGRESS
    assert StatusChange.objects.filter(audit=audit).last().reason == "officer payroll missing"


def test_an_underwriter_can_take_no_action(audit: Audit, underwriter: User) -> None:
    for action in (services.audit_submit, services.audit_start):
        with pytest.raises(services.NotAllowed):
            action(audit=audit, by=underwriter)


def test_a_snapshot_is_never_overwritten(audit: Audit, auditor: User) -> None:
    snapshot = services.audit_rate(audit=audit, by=auditor)
    snapshot.audited_premium = Decimal("1")
    with pytest.raises(ValueError, match="never changed"):
        snapshot.save()
    assert ResultSnapshot.objects.get(pk=snapshot.pk).audited_premium == Decimal("24230")


def test_a_revision_keeps_the_original_and_its_results(audit: Audit, manager: User) -> None:
    services.audit_submit(audit=audit, by=manager)
    original_result = audit.latest_result
    revision = services.audit_revise(audit=audit, by=manager, reason="insured sent 941s")
    assert Audit.objects.get(pk=audit.pk).status == Status.REVISED
    assert revision.revision_of_id == audit.pk
    assert revision.status == Status.IN_PROGRESS
    assert revision.payroll.count() == audit.payroll.count() == 3
    # Changing the revision's facts and rating it leaves the original snapshot as it was.
    line = revision.payroll.first()
    assert line is not None
    line.gross = Decimal("400000")
    line.save()
    services.audit_rate(audit=revision, by=manager)
    assert Audit.objects.get(pk=audit.pk).latest_result == original_result
    assert original_result is not None
    assert original_result.audited_premium == Decimal("24230")
    assert revision.latest_result is not None
    assert revision.latest_result.audited_premium < Decimal("24230")


def test_an_estimated_audit_charges_non_compliance_and_is_rated(
    audit: Audit, auditor: User
) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=Status.RECORDS_REQUESTED)
    estimated = services.audit_estimate(audit=audit, by=auditor, reason="third request unanswered")
    assert estimated.status == Status.ESTIMATED
    snapshot = estimated.latest_result
    assert snapshot is not None
    # NCCI additive 2×: the estimate plus twice the estimated annual premium.
    assert snapshot.audited_premium == 3 * snapshot.estimated_premium
    assert snapshot.worksheet["audited"]["payroll"] == []


def test_a_worksheet_the_engine_refuses_rolls_the_submission_back(
    audit: Audit, manager: User
) -> None:
    line = audit.payroll.first()
    assert line is not None
    line.class_code = "0001"  # no rate for this class
    line.save()
    with pytest.raises(Exception, match="no WC rate for class 0001"):
        services.audit_submit(audit=audit, by=manager)
    assert Audit.objects.get(pk=audit.pk).status == Status.IN_PROGRESS
    assert not ResultSnapshot.objects.filter(audit=audit).exists()


def test_an_estimated_audit_is_referred_to_underwriting(audit: Audit, manager: User) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=Status.RECORDS_REQUESTED)
    estimated = services.audit_estimate(audit=audit, by=manager, reason="three requests unanswered")
    assert estimated.refer_to_underwriting is True


def test_a_finding_for_underwriting_refers_the_audit(audit: Audit, auditor: User) -> None:
    services.finding_add(audit=audit, by=auditor, kind="classification", text="New operation")
    audit.refresh_from_db()
    assert audit.refer_to_underwriting is False
    services.finding_add(
        audit=audit, by=auditor, kind="policy_change", text="Roofing", for_underwriting=True
    )
    audit.refresh_from_db()
    assert audit.refer_to_underwriting is True


def _waived(audit: Audit, manager: User) -> Audit:
    Audit.objects.filter(pk=audit.pk).update(status=Status.SCHEDULED)
    waived = services.audit_waive(audit=audit, by=manager, reason="small premium")
    StatusChange.objects.filter(audit=audit, to_status=Status.WAIVED).update(
        at=datetime(2026, 1, 10, 12, tzinfo=UTC)
    )
    return waived


def test_a_waived_audit_reopens_when_the_insured_asks_within_60_days(
    audit: Audit, manager: User
) -> None:
    waived = _waived(audit, manager)
    reopened = services.audit_reopen(
        audit=waived,
        by=manager,
        reason="insured asked for an audit",
        requested_on=date(2026, 3, 11),
    )
    assert reopened.status == Status.SCHEDULED
    assert reopened.type == "final"
    # Due 60 days after the request, as the final audits' pattern says.
    assert (reopened.start_date, reopened.due_date) == (date(2026, 3, 11), date(2026, 5, 10))


def test_a_waived_audit_stays_waived_when_the_insured_asks_too_late(
    audit: Audit, manager: User
) -> None:
    waived = _waived(audit, manager)
    with pytest.raises(services.NotAllowed, match=r"until 2026-03-11 \(60 days after the waiver\)"):
        services.audit_reopen(
            audit=waived, by=manager, reason="late request", requested_on=date(2026, 3, 12)
        )
    waived.refresh_from_db()
    assert waived.status == Status.WAIVED
