"""Rows read by one field's value with SQL the ORM wrote once: the same rows as the ORM's."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from trueup.accounts.models import User
from trueup.audits.models import Audit, Finding, PayrollEntry, StatusChange
from trueup.core import written
from trueup.core.written import records_written, related_written, rows_where, values_written
from trueup.policies.models import PolicyPeriod


def values(rows: list[Any]) -> list[dict[str, Any]]:
    """Every column of each row as the model holds it (types included: Decimal, date, JSON)."""
    return [
        {f.attname: (type(v := getattr(row, f.attname)), v) for f in row._meta.concrete_fields}
        for row in rows
    ]


def test_the_rows_are_those_the_orm_reads_with_their_values_and_order_in_one_query_each_time(
    audit: Audit, auditor: User
) -> None:
    for text in ("Payroll tied.", "Officers checked."):
        Finding.objects.create(audit=audit, kind="other", text=text, by=auditor, state="IN")
    Finding.objects.create(
        audit=Audit.objects.create(period=audit.period), kind="other", text="Another audit's."
    )
    expected = list(Finding.objects.filter(audit=audit.pk))
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            found = rows_where(Finding, "audit", audit.pk)
        assert len(queries.captured_queries) == 1
        assert found == expected
        assert [(f.text, f.state, f.by_id, f.at) for f in found] == [
            (f.text, f.state, f.by_id, f.at) for f in expected
        ]
    assert rows_where(Finding, "audit", audit.pk + 1000) == []
    # A number larger than any integer column holds: no rows, as the ORM answers it.
    assert rows_where(Finding, "id", 10**20) == rows_where(Finding, "id", -(10**20)) == []


def test_a_text_key_reads_its_row_and_a_value_the_field_converts_is_read_through_the_orm(
    auditor: User, audit: Audit
) -> None:
    assert rows_where(User, "username", auditor.username) == [auditor]
    assert rows_where(User, "username", "nobody-by-this-name") == []
    # The string "7" reaches the database as the number 7: the ORM reads it, each time.
    assert rows_where(User, "pk", str(auditor.pk)) == [auditor]
    assert rows_where(User, "pk", auditor.pk) == [auditor]
    # None is no value to compare: the ORM asks for the rows with none.
    finding = Finding.objects.create(audit=audit, kind="other", text="Unsigned.", by=None)
    assert rows_where(Finding, "by", None) == [finding]


def test_every_kind_of_column_reads_as_the_orm_reads_it_money_dates_flags_and_lists(
    audit: Audit,
) -> None:
    rows_where(PayrollEntry, "audit", audit.pk)  # written the first time, read the second
    payroll = rows_where(PayrollEntry, "audit", audit.pk)
    assert payroll
    assert values(payroll) == values(list(PayrollEntry.objects.filter(audit=audit.pk)))
    rows_where(PolicyPeriod, "policy", audit.period.policy_id)
    periods = rows_where(PolicyPeriod, "policy", audit.period.policy_id)
    assert values(periods) == values([PolicyPeriod.objects.get(pk=audit.period_id)])
    assert isinstance(periods[0].states, list)


def changes_of(audit: int) -> QuerySet[StatusChange, tuple[Any, ...]]:
    return StatusChange.objects.filter(audit=audit).values_list(
        "at", "by__username", "from_status", "to_status", "reason"
    )


def test_a_values_query_reads_the_tuples_the_orm_reads_joins_and_times_included(
    audit: Audit, auditor: User
) -> None:
    StatusChange.objects.create(audit=audit, from_status="scheduled", to_status="in_progress")
    StatusChange.objects.create(
        audit=audit, from_status="in_progress", to_status="in_review", by=auditor, reason="done"
    )
    expected = list(changes_of(audit.pk))
    assert [row[1:] for row in expected] == [
        (None, "scheduled", "in_progress", ""),
        (auditor.username, "in_progress", "in_review", "done"),
    ]
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            found = values_written("test: changes", changes_of, audit.pk)
        assert len(queries.captured_queries) == 1
        assert found == expected
        assert [type(row[0]) for row in found] == [type(row[0]) for row in expected]
    assert values_written("test: changes", changes_of, audit.pk + 1000) == []


def test_a_foreign_keys_record_is_read_once_and_kept_on_the_record(audit: Audit) -> None:
    rows_where(PolicyPeriod, "id", audit.period_id)  # written the first time
    fresh = Audit.objects.get(pk=audit.pk)
    with CaptureQueriesContext(connection) as queries:
        period = related_written(fresh, "period")
        assert related_written(fresh, "period") is period
        assert fresh.period is period
    assert len(queries.captured_queries) == 1
    assert values([period]) == values([PolicyPeriod.objects.get(pk=audit.period_id)])
    assert related_written(Audit(period=None), "vendor") is None


def latest_findings(text_too: bool, audit: int) -> QuerySet[Finding]:
    found = Finding.objects.filter(audit=audit).order_by("-id")
    return (found if text_too else found.defer("text"))[:2]


def test_records_ordered_sliced_and_deferred_are_read_as_the_orm_reads_them(
    audit: Audit, auditor: User
) -> None:
    for text in ("Payroll tied.", "Officers checked.", "Certificates on file."):
        Finding.objects.create(audit=audit, kind="other", text=text, by=auditor)

    def key(text_too: bool) -> tuple[str, bool]:
        return ("test: latest findings", text_too)

    for text_too in (True, False):
        expected = list(latest_findings(text_too, audit.pk))
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                found = records_written(key(text_too), partial(latest_findings, text_too), audit.pk)
            assert len(queries.captured_queries) == 1
            assert found == expected
            assert [f.get_deferred_fields() for f in found] == [
                f.get_deferred_fields() for f in expected
            ]
        assert (connection.vendor, key(text_too)) in written._written  # run as written
    assert [f.text for f in found] == ["Certificates on file.", "Officers checked."]


def joined_audit(audit: int) -> QuerySet[Audit]:
    return Audit.objects.filter(pk=audit).select_related(
        "period__policy__insured__agency", "assignee", "vendor", "revision"
    )


def test_records_joined_in_are_read_as_the_orm_reads_them_each_joined_record_with_them(
    audit: Audit, auditor: User
) -> None:
    Audit.objects.filter(pk=audit.pk).update(assignee=auditor)
    expected = joined_audit(audit.pk).get()
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            (found,) = records_written("test: joined", joined_audit, audit.pk)
            period, policy = found.period, found.period.policy
            joined = [found, period, policy, policy.insured, found.assignee]
            # Nothing joined (no agency, no vendor, no revision) is read as nothing, as the ORM
            # reads it, without asking again.
            assert (policy.insured.agency, found.vendor) == (None, None)
            assert not hasattr(found, "revision")
        assert len(queries.captured_queries) == 1
        ours = expected.period.policy
        assert values(joined) == values(
            [expected, expected.period, ours, ours.insured, expected.assignee]
        )
        assert found.assignee == auditor
    assert (connection.vendor, "test: joined") in written._written  # run as written
    assert records_written("test: joined", joined_audit, audit.pk + 1000) == []
