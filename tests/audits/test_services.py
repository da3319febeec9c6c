"""Audit services: the transition map, authority limits and maker-checker, rating snapshots,
and edits to the facts refused when made from a version someone else has changed since."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from trueup.accounts.models import User
from trueup.audits import facts, fieldwork, services
from trueup.audits.models import (
    Audit,
    AuditEdit,
    LaborRecords,
    ResultSnapshot,
    StatusChange,
    SubcontractorEntry,
)
from trueup.audits.workflow import TRANSITIONS, Status
from trueup.audits.worksheet import worksheet_for
from trueup.core.errors import NotAllowed
from trueup.policies.models import PolicyPeriod
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


def test_a_subcontractor_whose_contract_shows_no_labor_figure_is_rated_at_the_state_share(
    audit: Audit, auditor: User
) -> None:
    PolicyPeriod.objects.filter(pk=audit.period_id).update(states=["IN", "LA"])
    SubcontractorEntry.objects.create(
        audit=audit,
        name="Bayou Framing",
        state="LA",
        class_code="5645",
        contract_cost=Decimal("10000"),
        contract_type="labor_and_materials",
        labor_records=LaborRecords.CONTRACT_ONLY,
    )
    audit.refresh_from_db()

    (sub,) = worksheet_for(audit).audited.subcontractors
    assert (sub.labor_records, sub.stated_labor) == ("contract_only", None)
    snapshot = services.audit_rate(audit=audit, by=auditor)
    # Louisiana's labor share of a labor-and-materials contract: 50% of 10,000 = 5,000.00
    (line,) = [e for e in snapshot.result["audited"]["exposures"] if e["state"] == "LA"]
    (reason,) = [r for r in line["reasons"] if r["rule"] == "subcontractors"]
    assert Decimal(reason["amount"]) == Decimal("5000.00")
    assert "on record but shows no labor figure" in reason["text"]


def test_a_subcontractor_saved_without_saying_what_records_show_follows_its_labor_amount(
    audit: Audit,
) -> None:
    made = {"state": "IN", "class_code": "5645", "contract_type": "labor_only"}
    stated = SubcontractorEntry.objects.create(
        audit=audit, name="A", contract_cost=Decimal("900"), stated_labor=Decimal("500"), **made
    )
    unstated = SubcontractorEntry.objects.create(
        audit=audit, name="B", contract_cost=Decimal("900"), **made
    )
    assert (stated.labor_records, unstated.labor_records) == ("stated", "none")


@pytest.mark.parametrize(
    ("records", "stated_labor"),
    [("none", Decimal("500")), ("contract_only", Decimal("500")), ("stated", None)],
)
def test_a_labor_amount_that_disagrees_with_what_the_records_show_is_not_saved(
    audit: Audit, records: str, stated_labor: Decimal | None
) -> None:
    row = SubcontractorEntry(
        audit=audit,
        name="A",
        state="IN",
        class_code="5645",
        contract_cost=Decimal("900"),
        contract_type="labor_only",
        stated_labor=stated_labor,
        labor_records=records,
    )
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert list(excinfo.value.message_dict) == ["stated_labor"]


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
    with pytest.raises(NotAllowed, match="preparer"):
        services.audit_approve(audit=audit, by=reviewer)
    assert services.audit_approve(audit=audit, by=second_reviewer).status == Status.COMPLETED


def test_an_auditor_may_not_approve(audit: Audit, auditor: User, reviewer: User) -> None:
    services.audit_submit(audit=audit, by=reviewer)  # within the reviewer's own authority
    Audit.objects.filter(pk=audit.pk).update(status=Status.IN_REVIEW)
    with pytest.raises(NotAllowed, match="Auditor role may not approve"):
        services.audit_approve(audit=audit, by=auditor)


def test_a_reviewer_cannot_approve_above_their_own_authority(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    reviewer.authority_amount = Decimal("1000")
    reviewer.save()
    services.audit_submit(audit=audit, by=auditor)
    with pytest.raises(NotAllowed, match="above your authority"):
        services.audit_approve(audit=audit, by=reviewer)
    assert Audit.objects.get(pk=audit.pk).status == Status.IN_REVIEW


def test_a_returned_audit_goes_back_in_progress_with_the_reason(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    services.audit_submit(audit=audit, by=auditor)
    with pytest.raises(NotAllowed, match="say why"):
        services.audit_return(audit=audit, by=reviewer, reason=" ")
    back = services.audit_return(audit=audit, by=reviewer, reason="officer payroll missing")
    assert back.status == Status.IN_PROGRESS
    assert StatusChange.objects.filter(audit=audit).last().reason == "officer payroll missing"


def test_an_underwriter_can_take_no_action(audit: Audit, underwriter: User) -> None:
    for action in (services.audit_submit, services.audit_start):
        with pytest.raises(NotAllowed):
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
    fieldwork.finding_add(audit=audit, by=auditor, kind="classification", text="New operation")
    audit.refresh_from_db()
    assert audit.refer_to_underwriting is False
    fieldwork.finding_add(
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
    with pytest.raises(NotAllowed, match=r"until 2026-03-11 \(60 days after the waiver\)"):
        services.audit_reopen(
            audit=waived, by=manager, reason="late request", requested_on=date(2026, 3, 12)
        )
    waived.refresh_from_db()
    assert waived.status == Status.WAIVED


# Lost updates: every edit carries the version it was made from.


def _facts_version(audit: Audit) -> int:
    return Audit.objects.values_list("facts_version", flat=True).get(pk=audit.pk)


def test_every_write_to_the_facts_counts_one_more_version(
    audit: Audit, auditor: User, manager: User
) -> None:
    assert _facts_version(audit) == 0
    added = facts.audit_fact_save(
        audit=audit,
        by=auditor,
        kind="payroll",
        values={"employee": "Summer help", "state": "IN", "class_code": "8810", "gross": "10000"},
    )
    assert (added.version, _facts_version(audit)) == (1, 1)
    changed = facts.audit_fact_save(
        audit=audit, by=auditor, kind="payroll", pk=added.pk, version=1, values={"gross": "12000"}
    )
    assert (changed.version, _facts_version(audit)) == (2, 2)
    # Saving the same values again changes nothing, so no version moves and forms stay current.
    same = facts.audit_fact_save(
        audit=audit, by=auditor, kind="payroll", pk=added.pk, version=2, values={"gross": "12000"}
    )
    assert (same.version, _facts_version(audit)) == (2, 2)
    facts.audit_fact_delete(audit=audit, by=auditor, kind="payroll", pk=added.pk, version=2)
    assert _facts_version(audit) == 3
    facts.audit_payroll_replace(
        audit=audit,
        by=auditor,
        lines=[{"state": "IN", "class_code": "5645", "gross": Decimal("350000")}],
        expected_facts_version=3,
    )
    assert _facts_version(audit) == 4
    facts.audit_reported_facts_replace(
        audit=audit,
        by=auditor,
        facts={"payroll": [{"state": "IN", "class_code": "8810", "gross": Decimal("60000")}]},
        source="the insured's spreadsheet",
        expected_facts_version=4,
    )
    assert _facts_version(audit) == 5
    assert [e.summary for e in AuditEdit.objects.filter(audit=audit)] == [
        "added payroll line Summer help IN 8810",
        "changed payroll line Summer help IN 8810: gross 10,000 → 12,000",
        "removed payroll line Summer help IN 8810",
        "replaced the payroll with 1 line(s)",
        "facts replaced from the insured's spreadsheet: 1 payroll line(s)",
    ]
    # A revision's copy of the facts is its first change; its lines are new, at version 1.
    Audit.objects.filter(pk=audit.pk).update(status=Status.COMPLETED)
    revision = services.audit_revise(audit=audit, by=manager, reason="insured sent 941s")
    assert revision.facts_version == 1
    assert list(revision.payroll.values_list("gross", "version")) == [(Decimal("60000.00"), 1)]


def test_a_change_made_from_an_older_version_of_a_line_is_refused_with_its_values_now(
    audit: Audit, auditor: User, manager: User
) -> None:
    line = audit.payroll.get(employee="Framing crew")
    facts.audit_fact_save(
        audit=audit, by=auditor, kind="payroll", pk=line.pk, version=1, values={"gross": "400000"}
    )
    with pytest.raises(services.StaleEdit) as refused:
        facts.audit_fact_save(
            audit=audit,
            by=manager,
            kind="payroll",
            pk=line.pk,
            version=1,
            values={"employee": "Framing crew", "gross": Decimal("410000")},
        )
    assert refused.value.message == (
        "someone else changed this line while you were editing it: gross is now 400,000 "
        "(yours: 410,000); here are the current values: make your change again if it still "
        "applies"
    )
    assert refused.value.current["version"] == 2
    values = refused.value.current["values"]
    assert (values["employee"], values["gross"], values["overtime_total"]) == (
        "Framing crew",
        Decimal("400000.00"),
        Decimal("31500.00"),
    )
    line.refresh_from_db()
    assert (line.gross, line.version) == (Decimal("400000.00"), 2)
    assert _facts_version(audit) == 1
    assert AuditEdit.objects.filter(audit=audit).count() == 1


def test_a_line_changed_after_it_was_seen_is_not_removed(
    audit: Audit, auditor: User, manager: User
) -> None:
    line = audit.payroll.get(employee="Office")
    facts.audit_fact_save(
        audit=audit, by=auditor, kind="payroll", pk=line.pk, version=1, values={"gross": "70000"}
    )
    with pytest.raises(services.StaleEdit) as refused:
        facts.audit_fact_delete(audit=audit, by=manager, kind="payroll", pk=line.pk, version=1)
    assert refused.value.message == (
        "someone else changed this line while you were looking at it, so it was not removed; "
        "here are the current values: remove it again if it should still go"
    )
    assert refused.value.current["version"] == 2
    assert refused.value.current["values"]["gross"] == Decimal("70000.00")
    assert audit.payroll.filter(pk=line.pk, gross=Decimal("70000")).exists()
    assert _facts_version(audit) == 1


def test_a_line_someone_removed_is_neither_changed_nor_removed_again(
    audit: Audit, auditor: User, manager: User
) -> None:
    line = audit.payroll.get(employee="Office")
    facts.audit_fact_delete(audit=audit, by=auditor, kind="payroll", pk=line.pk, version=1)
    with pytest.raises(services.StaleEdit) as changed:
        facts.audit_fact_save(
            audit=audit, by=manager, kind="payroll", pk=line.pk, version=1, values={"gross": "1"}
        )
    assert changed.value.message == (
        "someone else removed this line while you were editing it; nothing was saved"
    )
    assert changed.value.current == {"version": None, "values": None}
    with pytest.raises(services.StaleEdit) as removed:
        facts.audit_fact_delete(audit=audit, by=manager, kind="payroll", pk=line.pk, version=1)
    assert removed.value.message == "someone else already removed this line"
    assert not audit.payroll.filter(pk=line.pk).exists()
    assert _facts_version(audit) == 1


def test_a_change_that_does_not_say_its_version_is_refused_with_the_field_named(
    audit: Audit, auditor: User
) -> None:
    line = audit.payroll.get(employee="Office")
    with pytest.raises(services.InvalidFacts) as refused:
        facts.audit_fact_save(
            audit=audit, by=auditor, kind="payroll", pk=line.pk, values={"gross": "1"}
        )
    assert [str(p) for p in refused.value.problems] == [
        f"payroll[{line.pk}].version: the version of the line this edit was made from is "
        "missing: open the line again and make the edit there"
    ]
    line.refresh_from_db()
    assert line.gross == Decimal("61250.00")


def test_a_replacement_made_from_facts_that_changed_since_replaces_nothing(
    audit: Audit, auditor: User
) -> None:
    facts.audit_payroll_replace(
        audit=audit,
        by=auditor,
        lines=[{"state": "IN", "class_code": "5645", "gross": Decimal("350000")}],
        expected_facts_version=0,
    )
    stale = [{"state": "IN", "class_code": "8810", "gross": Decimal("60000")}]
    with pytest.raises(services.StaleEdit) as refused:
        facts.audit_payroll_replace(audit=audit, by=auditor, lines=stale, expected_facts_version=0)
    assert refused.value.current == {"facts_version": 1}
    with pytest.raises(services.StaleEdit):
        facts.audit_reported_facts_replace(
            audit=audit,
            by=auditor,
            facts={"payroll": stale},
            source="the insured's spreadsheet",
            expected_facts_version=0,
        )
    assert list(audit.payroll.values_list("gross", flat=True)) == [Decimal("350000.00")]
    assert _facts_version(audit) == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent writers: PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_of_two_saves_of_one_line_at_the_same_moment_exactly_one_wins(
    audit: Audit, auditor: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = audit.payroll.get(employee="Framing crew")
    first_inside = threading.Event()
    clean = facts.clean_row

    def slow_clean(kind: str, row: Any, index: int | str) -> Any:
        # The first save holds the audit's lock here, past its version check, while the
        # second starts: without the lock both would pass the check and the later one win.
        first_inside.set()
        time.sleep(0.3)
        return clean(kind, row, index)

    monkeypatch.setattr(facts, "clean_row", slow_clean)
    outcomes: dict[str, object] = {}

    def save(user: User, gross: str) -> None:
        try:
            facts.audit_fact_save(
                audit=audit,
                by=user,
                kind="payroll",
                pk=line.pk,
                version=1,
                values={"gross": Decimal(gross)},
            )
            outcomes[user.username] = "saved"
        except services.StaleEdit as refused:
            outcomes[user.username] = refused.current["version"]
        finally:
            connection.close()

    first = threading.Thread(target=save, args=(auditor, "400000"))
    first.start()
    assert first_inside.wait(timeout=10)
    second = threading.Thread(target=save, args=(manager, "410000"))
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert outcomes == {"auditor": "saved", "manager": 2}
    line.refresh_from_db()
    assert (line.gross, line.version) == (Decimal("400000.00"), 2)
    assert _facts_version(audit) == 1
    assert [e.summary for e in AuditEdit.objects.filter(audit=audit)] == [
        "changed payroll line Framing crew IN 5645: gross 436,500 → 400,000"
    ]
