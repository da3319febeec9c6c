"""One query says which of a record's related tables hold rows for it."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from trueup.accounts.models import User
from trueup.audits.models import Audit, Finding, InterviewNote
from trueup.core.presence import holding, rows_if
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
