"""One query says which of a record's related tables hold rows for it."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from trueup.accounts.models import User
from trueup.audits.models import Audit, Finding, InterviewNote
from trueup.core.presence import (
    holding,
    probed,
    read_as_empty,
    read_now,
    related,
    rows_if,
    rows_of,
)
from trueup.policies.models import EstimatedExposure


def test_each_table_is_said_to_hold_rows_only_where_it_has_one_for_that_record_in_one_query(
    audit: Audit, auditor: User
) -> None:
    Finding.objects.create(audit=audit, kind="other", text="Payroll tied to the 941s.", by=auditor)
    with CaptureQueriesContext(connection) as queries:
        found = holding(
            findings=(Finding, "audit", audit.pk),
            notes=(InterviewNote, "audit", audit.pk),
            estimates=(EstimatedExposure, "period", audit.period_id),
            others=(Finding, "audit", audit.pk + 1),
        )
    assert found == {"findings": True, "notes": False, "estimates": True, "others": False}
    assert len(queries.captured_queries) == 1


def test_rows_are_read_only_where_the_table_holds_some(audit: Audit) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert rows_if(False, Finding.objects.filter(audit=audit)) == []
    assert queries.captured_queries == []
    estimates = rows_if(True, EstimatedExposure.objects.filter(period=audit.period).order_by("pk"))
    assert [e.pk for e in estimates] == list(
        audit.period.estimates.order_by("pk").values_list("pk", flat=True)
    )


def test_inside_a_probed_block_each_probe_asked_already_is_answered_without_a_query(
    audit: Audit, auditor: User
) -> None:
    Finding.objects.create(audit=audit, kind="other", text="Payroll tied to the 941s.", by=auditor)
    findings, notes = related(audit, "findings"), (InterviewNote, "audit", audit.pk)
    with CaptureQueriesContext(connection) as queries:
        with probed([findings, notes, findings]) as found:
            assert found == {findings: True, notes: False}
            assert holding(a=findings) == {"a": True}
            assert holding(b=notes, c=findings) == {"b": False, "c": True}
            asked = len(queries.captured_queries)
            # A probe the block did not ask is asked of the database, as outside it.
            assert holding(d=(Finding, "audit", audit.pk + 1)) == {"d": False}
        assert asked == 1
        assert len(queries.captured_queries) == 2
        # After the block, what it found is forgotten: a new row is seen.
        InterviewNote.objects.create(
            audit=audit, kind="entrance", held_on=date(2026, 2, 3), contact="Dana", by=auditor
        )
        assert holding(b=notes) == {"b": True}


def test_a_relation_names_its_model_the_field_pointing_back_and_the_record(audit: Audit) -> None:
    assert related(audit, "findings") == (Finding, "audit", audit.pk)
    assert related(audit.period, "estimates") == (EstimatedExposure, "period", audit.period_id)


def test_a_relation_read_as_empty_holds_nothing_without_a_query_until_a_row_is_added_through_it(
    audit: Audit, auditor: User
) -> None:
    read_as_empty(audit, "findings")
    read_as_empty(audit.period, "estimates")
    with CaptureQueriesContext(connection) as queries:
        assert list(audit.findings.all()) == []
        assert audit.findings.count() == 0
        assert not audit.findings.exists()
        assert list(audit.period.estimates.all()) == []
    assert queries.captured_queries == []
    # A row added through the relation clears what was set, as it clears a prefetch: it is seen.
    added = audit.findings.create(kind="other", text="Payroll tied to the 941s.", by=auditor)
    assert list(audit.findings.all()) == [added]


def test_a_relation_read_now_answers_its_rows_without_a_query_each_pointing_back_at_the_record(
    audit: Audit, auditor: User
) -> None:
    first = Finding.objects.create(audit=audit, kind="other", text="Payroll tied.", by=auditor)
    second = Finding.objects.create(audit=audit, kind="other", text="Officers checked.", by=None)
    Finding.objects.create(audit=Audit.objects.create(period=audit.period), kind="other", text="x")
    with CaptureQueriesContext(connection) as reading:
        read_now(audit, "findings", audit.findings.select_related("by").order_by("pk"))
        read_now(audit.period, "estimates")
    assert len(reading.captured_queries) == 2
    with CaptureQueriesContext(connection) as queries:
        assert list(audit.findings.all()) == [first, second]
        assert [f.by for f in audit.findings.all()] == [auditor, None]
        assert all(f.audit is audit for f in audit.findings.all())
        estimates = list(audit.period.estimates.all())
        assert estimates
        assert all(e.period is audit.period for e in estimates)
    assert queries.captured_queries == []
    assert sorted(e.pk for e in estimates) == sorted(
        EstimatedExposure.objects.filter(period=audit.period).values_list("pk", flat=True)
    )
    # A row added through the relation clears what was read, as it clears a prefetch.
    added = audit.findings.create(kind="other", text="Subcontractors certified.", by=auditor)
    assert list(audit.findings.order_by("pk")) == [first, second, added]


def test_the_rows_of_a_relation_are_those_the_orm_reads_in_its_order_in_one_query_each_time(
    audit: Audit, auditor: User
) -> None:
    for text in ("Payroll tied.", "Officers checked.", "Certificates on file."):
        Finding.objects.create(audit=audit, kind="other", text=text, by=auditor)
    other = Audit.objects.create(period=audit.period)
    Finding.objects.create(audit=other, kind="other", text="Another audit's.", by=auditor)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            found = rows_of(audit, "findings")
        assert len(queries.captured_queries) == 1
        assert found == list(audit.findings.all())
        assert [f.text for f in found] == [f.text for f in audit.findings.all()]
        assert all(f.audit is audit for f in found)
    assert [f.text for f in rows_of(other, "findings")] == ["Another audit's."]
    assert rows_of(Audit.objects.create(period=audit.period), "findings") == []
