"""Databases made before the fix: the copies of the old sources are rewritten, edits are kept."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from trueup.audits.models import Audit, RecordsItem, StatusChange
from trueup.audits.workflow import Status
from trueup.policies.models import Insured, Policy, PolicyPeriod
from trueup.reference.models import SchedulePattern

audits_migration = importlib.import_module(
    "trueup.audits.migrations.0008_records_and_history_public_sources"
)
reference_migration = importlib.import_module(
    "trueup.reference.migrations.0003_schedule_pattern_public_sources"
)
OLD_941 = "Verification: the quarterly 941s must reconcile to the payroll register (WORKFLOW.md §2)"
NEW_941 = (
    "Verification: the quarterly 941s must reconcile to the payroll register "
    "(IRS Form 941, lines 2 and 5c)"
)


@pytest.fixture
def audit(db: None) -> Audit:
    insured = Insured.objects.create(name="Prairie Plumbing", entity_type="llc")
    policy = Policy.objects.create(insured=insured, number="WC-1", line="WC")
    period = PolicyPeriod.objects.create(
        policy=policy, effective=date(2025, 1, 1), expiration=date(2026, 1, 1), states=["IN"]
    )
    return Audit.objects.create(period=period, status=Status.SCHEDULED)


def test_a_checklist_reason_and_a_history_row_citing_the_teams_notes_get_the_public_source(
    audit: Audit,
) -> None:
    item = RecordsItem.objects.create(audit=audit, kind="form_941", why=OLD_941)
    edited = RecordsItem.objects.create(audit=audit, kind="state_ui", why="Asked by the auditor")
    change = StatusChange.objects.create(
        audit=audit,
        from_status=Status.SCHEDULED,
        to_status=Status.SCHEDULED,
        reason="final audit: Final audits: target 60 days after expiry, never past 90 "
        "(WORKFLOW.md §1; seed 002); mail audit: Default: online self-audit for small "
        "accounts (ANCHORS.md)",
    )

    audits_migration.plain_sources(apps, None)

    item.refresh_from_db()
    edited.refresh_from_db()
    change.refresh_from_db()
    assert item.why == NEW_941
    assert edited.why == "Asked by the auditor"
    assert change.reason == (
        "final audit: Final audits: target 60 days after expiry, never past 90 (the carrier's "
        "choice); mail audit: Default: online self-audit for small accounts (the carrier's choice)"
    )


@pytest.mark.django_db
def test_a_schedule_pattern_still_as_shipped_gets_the_plain_source_and_an_edited_one_is_kept() -> (
    None
):
    SchedulePattern.objects.filter(audit_type="final").update(
        source="Final audits: target 60 days after expiry, never past 90 (WORKFLOW.md §1; seed 002)"
    )
    SchedulePattern.objects.filter(audit_type="interim").update(source="Our own interim rule")

    reference_migration.plain_sources(apps, None)

    sources = dict(SchedulePattern.objects.values_list("audit_type", "source"))
    assert sources["final"] == (
        "Final audits: target 60 days after expiry, never past 90 (the carrier's choice)"
    )
    assert sources["interim"] == "Our own interim rule"
    assert sources["cancellation"] == "Cancellation audits are rush"
