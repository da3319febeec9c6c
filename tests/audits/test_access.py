"""Which audit a staff user may open (``visible_audit``), read with SQL written once for each way
of asking: the department sees every audit, a vendor firm's auditor only the firm's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from trueup.accounts.models import User
from trueup.audits.access import audit_for, visible_audit
from trueup.audits.models import Audit
from trueup.core import written


def joined(audit: Audit) -> list[object]:
    """The audit and the records its pages read with it, as the ORM reads them."""
    period = audit.period
    return [audit, period, period.policy, period.policy.insured, audit.assignee, audit.vendor]


def orm_read(pk: int) -> Audit:
    return Audit.objects.select_related(
        "period__policy__insured__agency", "assignee", "vendor", "prepared_by"
    ).get(pk=pk)


def test_the_department_opens_any_audit_with_its_policy_insured_and_people_in_one_query(
    audit: Audit, auditor: User, vendor_auditor: User
) -> None:
    Audit.objects.filter(pk=audit.pk).update(assignee=auditor, vendor=vendor_auditor.vendor)
    for _ in range(2):  # the first time written, then run as written
        with CaptureQueriesContext(connection) as queries:
            found = visible_audit(auditor, audit.pk)
            records = joined(found)
            assert found.period.policy.insured.agency is None
            assert found.prepared_by is None
        assert len(queries.captured_queries) == 1
        assert records == joined(orm_read(audit.pk))
        assert [found.assignee, found.vendor] == [auditor, vendor_auditor.vendor]
    for missing in (audit.pk + 1000, 10**20):  # the second, more than any database's integer
        with pytest.raises(Http404):
            visible_audit(auditor, missing)


def test_the_api_opens_an_audit_with_what_it_reads_joined_in_and_written_once_too(
    audit: Audit, auditor: User
) -> None:
    Audit.objects.filter(pk=audit.pk).update(assignee=auditor)
    api_joins = ("period__policy", "assignee")
    expected = Audit.objects.select_related(*api_joins).get(pk=audit.pk)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            found = audit_for(auditor, audit.pk, api_joins)
            records = [found, found.period, found.period.policy, found.assignee]
        assert len(queries.captured_queries) == 1
        assert records == [expected, expected.period, expected.period.policy, auditor]
    assert (connection.vendor, ("visible audit", True, api_joins)) in written._written


@pytest.mark.parametrize("first", ["the department", "the firm"])
def test_a_firms_auditor_opens_the_firms_audits_only_whichever_was_asked_first(
    audit: Audit, auditor: User, vendor_auditor: User, first: str
) -> None:
    theirs = Audit.objects.create(period=audit.period, vendor=vendor_auditor.vendor)
    asks = [(auditor, audit), (vendor_auditor, theirs)]
    for user, own in asks if first == "the department" else asks[::-1]:
        assert visible_audit(user, own.pk) == own
    assert visible_audit(auditor, theirs.pk) == theirs
    with pytest.raises(Http404):
        visible_audit(vendor_auditor, audit.pk)  # not the firm's: as if it did not exist
    kinds = {
        key[1]
        for _, key in written._written
        if isinstance(key, tuple) and key[0] == "visible audit"
    }
    assert kinds == {True, False}  # both ways of asking run as written
    # Another firm's auditor reads the same SQL with their own firm.
    other = User.objects.create(username="other-firm", role=vendor_auditor.role)
    other.vendor = type(vendor_auditor.vendor).objects.create(code="OFC", name="Other Firm Co")
    other.save()
    for pk in (audit.pk, theirs.pk):
        with pytest.raises(Http404):
            visible_audit(other, pk)
    Audit.objects.filter(pk=audit.pk).update(vendor=other.vendor)
    assert visible_audit(other, audit.pk).vendor == other.vendor


def test_an_inactive_account_and_a_policyholder_open_no_audit(
    audit: Audit, auditor: User, policyholder: User
) -> None:
    visible_audit(auditor, audit.pk)  # the department's SQL is written
    auditor.is_active = False
    for user in (auditor, policyholder):
        with pytest.raises(Http404):
            visible_audit(user, audit.pk)
