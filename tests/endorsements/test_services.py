"""Endorsements asked for, issued within authority or left for review, approved and reversed:
worked examples on the example period (IN, 2025-01-01 to 2026-01-01, estimate $19,655)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core.errors import InvalidInput, NotAllowed, Refused
from trueup.endorsements.models import Endorsement
from trueup.endorsements.selectors import schedule_in_force
from trueup.endorsements.services import (
    endorsement_approve,
    endorsement_request,
    endorsement_reverse,
)

JULY = date(2025, 7, 1)


def _estimates(audit: Audit) -> dict[str, Decimal]:
    return dict(audit.period.estimates.values_list("class_code", "exposure"))


def _moves(endorsement: Endorsement) -> list[tuple[str, str, str]]:
    return [
        (c.from_status, c.to_status, c.by.username if c.by else "")
        for c in endorsement.status_changes.all()
    ]


def test_a_class_added_mid_term_is_rated_by_the_engine_pro_rata_and_issued(
    audit: Audit, manager: User
) -> None:
    added = endorsement_request(
        period=audit.period,
        kind="class_add",
        effective=JULY,
        change={"state": "IN", "class": "5606", "exposure": "100000"},
        by=manager,
        reason="a project manager found at audit",
    )
    # The engine rates a year with the class at $20,520 against $19,655: $865 a year, for the
    # 184 of 365 days left.
    assert added.premium_effect == Decimal("436.05")
    assert added.premium_reasons[0] == (
        "class 5606 added from 2025-07-01: $865.00 annual × 184/365 days"
    )
    assert added.status == "issued"
    assert added.before == {"estimates": {"IN 5606": None}}
    # The period's estimate holds the class for the days it was on the policy.
    assert _estimates(audit)["5606"] == Decimal("50410.96")
    assert _moves(added) == [
        ("", "awaiting_review", "manager"),
        ("awaiting_review", "issued", "manager"),
    ]


def test_an_officer_excluded_takes_their_payroll_off_the_estimate_from_the_date(
    audit: Audit, auditor: User
) -> None:
    excluded = endorsement_request(
        period=audit.period,
        kind="officer_exclude",
        effective=date(2025, 4, 1),
        change={"name": "Pat Owner", "state": "IN", "class": "8810", "payroll": "30000"},
        by=auditor,
        reason="the officer signed an exclusion form",
    )
    # Indiana counts an executive officer's $30,000 at its $52,000 annual minimum: $70 a year
    # of clerical premium, for the 275 of 365 days left.
    assert excluded.premium_effect == Decimal("-52.74")
    assert excluded.premium_reasons[:2] == [
        "Pat Owner excluded (class 8810 payroll counted $52,000.00) from 2025-04-01: "
        "-$70.00 annual × 275/365 days",
        "Pat Owner (executive officer), included (included): raised to the minimum $52,000 "
        "(annual minimum)",
    ]
    # Within the auditor's $2,500 and 10 %: issued at once.
    assert excluded.status == "issued"
    # $60,000 less the officer's $52,000 for 275 of 365 days.
    assert _estimates(audit)["8810"] == Decimal("20821.92")


def test_an_endorsement_above_authority_waits_for_another_reviewer(
    audit: Audit, auditor: User, reviewer: User, second_reviewer: User
) -> None:
    changed = endorsement_request(
        period=audit.period,
        kind="exposure_change",
        effective=date(2025, 1, 1),
        change={"state": "IN", "class": "5645", "exposure": "500000"},
        by=auditor,
        reason="the framing crew doubled",
    )
    # From the first day: the whole of the engine's annual difference.
    assert changed.premium_effect == Decimal("7931.00")
    assert changed.status == "awaiting_review"
    # Nothing changes on the period until it is issued.
    assert _estimates(audit)["5645"] == Decimal("350000.00")

    approved = endorsement_approve(endorsement=changed, by=second_reviewer, reason="checked")
    assert approved.status == "issued"
    assert _estimates(audit)["5645"] == Decimal("500000.00")
    assert _moves(approved)[-1] == ("awaiting_review", "issued", "reviewer2")
    with pytest.raises(Refused):
        endorsement_approve(endorsement=changed, by=reviewer)


def test_the_maker_of_an_endorsement_may_not_approve_it(audit: Audit, reviewer: User) -> None:
    reviewer.authority_amount = Decimal(100)
    reviewer.save()
    changed = endorsement_request(
        period=audit.period,
        kind="exposure_change",
        effective=date(2025, 1, 1),
        change={"state": "IN", "class": "5645", "exposure": "500000"},
        by=reviewer,
        reason="the framing crew doubled",
    )
    assert changed.status == "awaiting_review"
    with pytest.raises(NotAllowed, match="maker"):
        endorsement_approve(endorsement=changed, by=reviewer)


def test_an_auditor_may_not_approve_an_endorsement(
    audit: Audit, auditor: User, manager: User
) -> None:
    changed = endorsement_request(
        period=audit.period,
        kind="exposure_change",
        effective=date(2025, 1, 1),
        change={"state": "IN", "class": "5645", "exposure": "500000"},
        by=manager,
        reason="x",
    )
    with pytest.raises(NotAllowed):
        endorsement_approve(endorsement=changed, by=auditor)


def test_a_reversal_issues_a_correcting_endorsement_that_puts_the_period_back(
    audit: Audit, manager: User, reviewer: User
) -> None:
    added = endorsement_request(
        period=audit.period,
        kind="class_add",
        effective=JULY,
        change={"state": "IN", "class": "5606", "exposure": "100000"},
        by=manager,
        reason="found at audit",
    )
    correcting = endorsement_reverse(endorsement=added, by=reviewer, reason="entered twice")
    assert correcting.reverses == added
    assert correcting.premium_effect == Decimal("-436.05")
    assert correcting.status == "issued"
    assert Endorsement.objects.get(pk=added.pk).status == "reversed"
    assert "5606" not in _estimates(audit)
    with pytest.raises(Refused):
        endorsement_reverse(endorsement=added, by=reviewer, reason="again")
    with pytest.raises(ValueError, match="never changed"):
        added.reason = "edited"
        added.save()


def test_a_reversal_must_say_why(audit: Audit, manager: User) -> None:
    added = endorsement_request(
        period=audit.period,
        kind="mod_change",
        effective=JULY,
        change={"factor": "1.05"},
        by=manager,
        reason="the bureau's new mod",
    )
    with pytest.raises(InvalidInput, match="reason"):
        endorsement_reverse(endorsement=added, by=manager, reason=" ")


def test_bad_changes_are_refused_naming_each_field(audit: Audit, manager: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        endorsement_request(
            period=audit.period,
            kind="class_add",
            effective=date(2026, 2, 1),
            change={"state": "IN", "class": "9999", "exposure": "-5"},
            by=manager,
            reason="",
        )
    paths = [p.path for p in refused.value.problems]
    assert paths == ["effective", "reason", "change.class", "change.exposure"]
    assert "class 9999 has no IN WC rate" in str(refused.value)


def test_a_state_not_on_the_period_cannot_lose_a_class(audit: Audit, manager: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        endorsement_request(
            period=audit.period,
            kind="class_remove",
            effective=JULY,
            change={"state": "OH", "class": "5645"},
            by=manager,
            reason="x",
        )
    assert [p.path for p in refused.value.problems] == ["change.state", "change.class"]


def test_the_insureds_name_is_corrected_with_no_premium_effect(audit: Audit, auditor: User) -> None:
    corrected = endorsement_request(
        period=audit.period,
        kind="insured_correction",
        effective=JULY,
        change={"name": "Hoosier Home Builders, LLC", "fein": "35-1234567"},
        by=auditor,
        reason="the name on the tax return",
    )
    assert corrected.premium_effect == Decimal("0.00")
    assert corrected.status == "issued"
    insured = audit.period.policy.insured
    insured.refresh_from_db()
    assert (insured.name, insured.fein) == ("Hoosier Home Builders, LLC", "35-1234567")


def test_a_portal_user_may_not_make_an_endorsement(audit: Audit, policyholder: User) -> None:
    with pytest.raises(NotAllowed):
        endorsement_request(
            period=audit.period,
            kind="mod_change",
            effective=JULY,
            change={"factor": "1.05"},
            by=policyholder,
            reason="x",
        )


def test_an_officer_cannot_be_excluded_for_more_than_the_class_holds(
    audit: Audit, manager: User
) -> None:
    with pytest.raises(InvalidInput) as refused:
        endorsement_request(
            period=audit.period,
            kind="officer_exclude",
            effective=JULY,
            change={"name": "Pat Owner", "state": "IN", "class": "8810", "payroll": "90000"},
            by=manager,
            reason="x",
        )
    assert [str(p) for p in refused.value.problems] == [
        "change.payroll: counts as $90,000.00, more than the class's estimated $60,000.00"
    ]


def test_an_unknown_role_is_named(audit: Audit, manager: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        endorsement_request(
            period=audit.period,
            kind="officer_include",
            effective=JULY,
            change={"name": "Pat", "role": "chief", "state": "IN", "class": "8810", "payroll": "1"},
            by=manager,
            reason="x",
        )
    assert [p.path for p in refused.value.problems] == ["change.role"]


def test_a_class_removed_mid_term_keeps_its_exposure_until_the_date(
    audit: Audit, manager: User
) -> None:
    removed = endorsement_request(
        period=audit.period,
        kind="class_remove",
        effective=JULY,
        change={"state": "IN", "class": "8810"},
        by=manager,
        reason="the office closed",
    )
    assert removed.after == {"estimates": {"IN 8810": {"basis": "payroll", "exposure": "29753.42"}}}
    assert removed.premium_reasons[0] == (
        "class 8810 removed from 2025-07-01: -$81.00 annual × 184/365 days"
    )
    assert removed.premium_effect == Decimal("-40.83")


def test_a_state_added_mid_term_with_its_first_class(audit: Audit, manager: User) -> None:
    added = endorsement_request(
        period=audit.period,
        kind="state_add",
        effective=JULY,
        change={"state": "KY", "class": "5606", "exposure": "80000"},
        by=manager,
        reason="a job site across the river",
    )
    assert added.premium_reasons[0] == (
        "KY added with class 5606 from 2025-07-01: $792.00 annual × 184/365 days"
    )
    assert added.premium_effect == Decimal("399.25")
    assert added.after == {
        "estimates": {"KY 5606": {"basis": "payroll", "exposure": "40328.77"}},
        "states": ["IN", "KY"],
    }
    audit.period.refresh_from_db()
    assert audit.period.states == ["IN", "KY"]


def test_a_schedule_credit_from_the_date(audit: Audit, manager: User) -> None:
    credited = endorsement_request(
        period=audit.period,
        kind="schedule_rating_change",
        effective=JULY,
        change={"state": "IN", "factor": "-0.10"},
        by=manager,
        reason="a safety programme",
    )
    assert credited.premium_reasons[0] == (
        "schedule rating -0.10 in IN from 2025-07-01: -$1,850.00 annual × 184/365 days"
    )
    assert credited.premium_effect == Decimal("-932.60")
    # The period keeps no schedule rating of its own: the issued endorsements say it.
    assert schedule_in_force(audit.period) == {"IN": "-0.10"}


def test_on_a_cancelled_period_a_class_added_is_charged_until_the_cancellation_only(
    audit: Audit, manager: User
) -> None:
    type(audit.period).objects.filter(pk=audit.period_id).update(
        cancellation_date=date(2025, 10, 1), cancellation_basis="pro_rata"
    )
    audit.period.refresh_from_db()
    added = endorsement_request(
        period=audit.period,
        kind="class_add",
        effective=JULY,
        change={"state": "IN", "class": "5606", "exposure": "100000"},
        by=manager,
        reason="a project manager found at audit",
    )
    # $865 a year, in force from July 1 to the October 1 cancellation: 92 of 365 days.
    assert added.premium_effect == Decimal("218.03")
    assert added.premium_reasons[0] == (
        "class 5606 added from 2025-07-01: $865.00 annual × 92/365 days"
    )
    # The estimate holds the class for those 92 days: $100,000 × 92 / 365.
    assert _estimates(audit)["5606"] == Decimal("25205.48")


def test_on_a_cancelled_period_a_change_after_the_cancellation_is_refused(
    audit: Audit, manager: User
) -> None:
    type(audit.period).objects.filter(pk=audit.period_id).update(
        cancellation_date=date(2025, 10, 1), cancellation_basis="pro_rata"
    )
    audit.period.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        endorsement_request(
            period=audit.period,
            kind="class_add",
            effective=date(2025, 11, 1),
            change={"state": "IN", "class": "5606", "exposure": "100000"},
            by=manager,
            reason="too late",
        )
    assert [(p.path, p.reason) for p in refused.value.problems] == [
        (
            "effective",
            "must be within the period: from 2025-01-01 to before 2025-10-01 (its cancellation "
            "date)",
        )
    ]
