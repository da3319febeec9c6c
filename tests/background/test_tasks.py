"""Background work in one process (the tests' "immediate" backend): when tasks run, what the
periodic tasks do, the scheduler's claim, and re-rating the open audits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.background.conftest import open_audits_like
from trueup.accounts.models import User
from trueup.audits.models import (
    Audit,
    PayrollEntry,
    RerateBatch,
    RerateItem,
    RerateItemState,
    RerateStatus,
    ResultSnapshot,
)
from trueup.audits.tasks import schedule_audits
from trueup.audits.workflow import Status
from trueup.billing.models import BillingInstruction, Outreach, OutreachStatus
from trueup.billing.outbox import deliver_outbox
from trueup.billing.tasks import release_outreach
from trueup.core.models import ScheduledRun
from trueup.core.scheduler import cadences, tick
from trueup.flows.rerate import rerate_chunk, rerate_continue, rerate_progress, rerate_start
from trueup.policies.models import Policy, PolicyPeriod


def test_a_rerating_enqueues_its_work_when_its_transaction_commits_not_before(
    audit: Audit, manager: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = rerate_start(by=manager)
        # Still inside the transaction: nothing has run.
        assert ResultSnapshot.objects.filter(audit=audit).count() == 0
        assert rerate_progress(batch) == {"pending": 1, "done": 1 - 1, "skipped": 0, "failed": 0}
    assert len(callbacks) == 1
    assert ResultSnapshot.objects.filter(audit=audit).count() == 1
    assert rerate_progress(batch) == {"pending": 0, "done": 1, "skipped": 0, "failed": 0}
    batch.refresh_from_db()
    assert batch.status == RerateStatus.FINISHED


@pytest.mark.django_db(transaction=True)
def test_a_rerating_rolled_back_runs_nothing(audit: Audit, manager: User) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        rerate_start(by=manager)
        raise RuntimeError("the change that asked for it failed")
    assert RerateBatch.objects.count() == 0
    assert ResultSnapshot.objects.count() == 0


def test_a_rerating_rates_each_open_audit_once_and_says_why_it_skipped_a_final_one(
    audit: Audit, manager: User, django_capture_on_commit_callbacks
) -> None:
    others = open_audits_like(audit, 4)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = rerate_start(by=manager, chunk_size=2)
    assert batch.total == 5
    assert len(callbacks) == 3  # chunks of 2, 2 and 1
    # One audit is completed before its chunk runs: its result is not re-priced.
    Audit.objects.filter(pk=others[0].pk).update(status=Status.COMPLETED)
    for callback in callbacks:
        callback()
    # A chunk run again (a retry, or a second worker) rates nothing twice.
    rerate_chunk.enqueue(batch.pk, [audit.pk, others[1].pk])
    assert rerate_progress(batch) == {"pending": 0, "done": 4, "skipped": 1, "failed": 0}
    assert ResultSnapshot.objects.filter(audit=audit).count() == 1
    assert ResultSnapshot.objects.filter(audit=others[0]).count() == 0
    skipped = RerateItem.objects.get(batch=batch, audit=others[0])
    assert skipped.message == (
        "the audit became completed before its turn: its result is not re-priced"
    )
    done = RerateItem.objects.get(batch=batch, audit=audit)
    assert done.result == ResultSnapshot.objects.get(audit=audit)
    assert done.result.created_by == manager
    assert rerate_continue(batch=batch) == 0


def test_an_audit_whose_rating_is_refused_is_marked_failed_with_the_reason(
    audit: Audit, manager: User, django_capture_on_commit_callbacks
) -> None:
    # A class code the rates do not have: the engine refuses the worksheet; the batch goes on.
    (empty,) = open_audits_like(audit, 1)
    PayrollEntry.objects.filter(audit=empty).update(class_code="0001")
    with django_capture_on_commit_callbacks(execute=True):
        batch = rerate_start(by=manager)
    failed = RerateItem.objects.get(batch=batch, audit=empty)
    assert failed.state == RerateItemState.FAILED
    assert failed.message.startswith(
        "the worksheet has 3 problem(s):\n  $.audited.payroll[0].class: no WC rate for class "
        "0001 in IN in force on 2025-01-01"
    )
    assert RerateItem.objects.get(batch=batch, audit=audit).state == RerateItemState.DONE


# The periodic tasks ------------------------------------------------------------------------


def test_scheduling_ended_periods_twice_schedules_each_once(audit: Audit) -> None:
    policy = Policy.objects.create(insured=audit.period.policy.insured, number="WC-2", line="WC")
    ended = PolicyPeriod.objects.create(
        policy=policy,
        effective=timezone.localdate() - timedelta(days=400),
        expiration=timezone.localdate() - timedelta(days=35),
        states=["IN"],
        experience_mods={},
        deposit_premium=0,
    )
    first = schedule_audits.enqueue()
    second = schedule_audits.enqueue()
    # A small deposit premium: the rules waive its audit.
    assert first.return_value == {"scheduled": 0, "waived": 1}
    assert second.return_value == {"scheduled": 0, "waived": 0}
    assert Audit.objects.filter(period=ended).count() == 1


def test_releasing_ended_outreach_twice_releases_once(approved: Audit) -> None:
    Outreach.objects.filter(audit=approved).update(
        window_ends=timezone.localdate() - timedelta(days=1)
    )
    assert release_outreach.enqueue().return_value == 1
    assert release_outreach.enqueue().return_value == 0
    assert Outreach.objects.get(audit=approved).status == OutreachStatus.RELEASED
    assert BillingInstruction.objects.filter(audit=approved).count() == 1


def test_delivering_billing_without_an_address_leaves_the_outbox_for_billing_to_pull(
    approved: Audit, settings
) -> None:
    settings.TRUEUP_BILLING_URL = ""
    assert deliver_outbox.enqueue().return_value == {"delivered": 0, "failed": 0}


# The scheduler -----------------------------------------------------------------------------


def test_two_schedulers_in_the_same_period_enqueue_each_task_once(
    db: None, django_capture_on_commit_callbacks
) -> None:
    now = datetime(2026, 12, 3, 13, 7, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        first = tick(now, by="machine-a:1")
        second = tick(now, by="machine-b:2")
    assert len(enqueued) == 9
    assert sorted(run.task for run in first) == [
        "bill_premium_reports",
        "chase_premium_reports",
        "deliver_billing",
        "refresh_figures",
        "release_outreach",
        "resume_reratings",
        "retry_letters",
        "schedule_audits",
        "send_reminders",
    ]
    assert second == []
    assert ScheduledRun.objects.count() == 9
    assert set(ScheduledRun.objects.values_list("claimed_by", flat=True)) == {"machine-a:1"}
    assert all(run.task_result_id for run in ScheduledRun.objects.all())
    daily = ScheduledRun.objects.get(task="schedule_audits")
    assert daily.slot == datetime(2026, 12, 3, tzinfo=UTC)
    quarter = ScheduledRun.objects.get(task="deliver_billing")
    assert quarter.slot == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)


def test_the_next_period_is_claimed_again_and_only_by_its_cadence(db: None) -> None:
    tick(datetime(2026, 12, 3, 13, 7, tzinfo=UTC), by="a")
    later = tick(datetime(2026, 12, 3, 13, 16, tzinfo=UTC), by="b")
    assert [run.task for run in later] == ["deliver_billing", "refresh_figures", "resume_reratings"]
    tomorrow = tick(datetime(2026, 12, 4, 0, 1, tzinfo=UTC), by="a")
    # The notifications' two daily digests take effect on December 4.
    assert sorted(run.task for run in tomorrow) == [
        "bill_premium_reports",
        "chase_premium_reports",
        "deliver_billing",
        "notification_digests",
        "overdue_digests",
        "refresh_figures",
        "release_outreach",
        "resume_reratings",
        "retry_letters",
        "schedule_audits",
        "send_reminders",
    ]


def test_a_cadence_written_ahead_applies_from_its_effective_date() -> None:
    names = {cadence.name: cadence for cadence in cadences(date(2026, 12, 3))}
    assert names["deliver_billing"].every_minutes == 15
    assert names["schedule_audits"].every_minutes == 1440
    assert cadences(date(2025, 12, 31)) == []
