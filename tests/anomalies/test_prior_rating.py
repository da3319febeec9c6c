"""The term before's rating, which the flags compare an audit with: the pinned result of the
policy's latest final audit of a term that ended by this one's start, read with SQL written once
where the database takes the values as given (PostgreSQL; SQLite's dates go through the ORM)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection

from trueup.anomalies.detect import Audited
from trueup.anomalies.selectors import prior_rating
from trueup.audits.models import Audit, AuditType, ResultSnapshot
from trueup.audits.workflow import Status
from trueup.core import written
from trueup.policies.models import Insured, Policy, PolicyPeriod


def term(policy: Policy, year: int) -> PolicyPeriod:
    return PolicyPeriod.objects.create(
        policy=policy,
        effective=date(year, 1, 1),
        expiration=date(year + 1, 1, 1),
        states=["IN"],
        deposit_premium=Decimal("1000"),
    )


def final_audit(period: PolicyPeriod, label: str, **fields: object) -> Audit:
    """An audit of ``period`` with a result pinned whose worksheet and trace name ``label``."""
    audit = Audit.objects.create(period=period, **{"status": Status.COMPLETED, **fields})
    pinned = ResultSnapshot.objects.create(
        audit=audit,
        engine_version="0.1.0",
        rulebook_version="test",
        rates_version="test",
        worksheet={"policy": {"number": label}},
        result={"audited_premium": label},
        estimated_premium=Decimal("1000"),
        audited_premium=Decimal("1100"),
        adjustment=Decimal("100"),
        outcome="additional",
    )
    Audit.objects.filter(pk=audit.pk).update(final_result=pinned)
    return audit


def pinned(label: str) -> Audited:
    return Audited({"policy": {"number": label}}, {"audited_premium": label})


def test_the_prior_rating_is_the_latest_final_audit_of_an_earlier_term_of_the_same_policy(
    db: None,
) -> None:
    insured = Insured.objects.create(name="Acme Roofing LLC", entity_type="llc")
    policy = Policy.objects.create(insured=insured, number="WC-1", line="WC")
    other = Policy.objects.create(insured=insured, number="WC-2", line="WC")
    current = Audit.objects.create(period=term(policy, 2025), status=Status.IN_PROGRESS)
    assert prior_rating(current) is None  # no earlier term

    final_audit(term(policy, 2023), "2023")
    earlier = term(policy, 2024)
    final_audit(earlier, "2024, estimated", status=Status.ESTIMATED)
    # Not the term before's rating: an interim audit, an audit still open, another policy's
    # audit and a later term's.
    final_audit(earlier, "interim", type=AuditType.INTERIM)
    Audit.objects.create(period=earlier, status=Status.IN_REVIEW)
    final_audit(term(other, 2024), "another policy")
    final_audit(term(policy, 2026), "a later term")

    for _ in range(2):  # the first time written, then run as written
        assert prior_rating(current) == pinned("2024, estimated")
    key = (connection.vendor, "prior rating")
    assert (key in written._written) == (connection.vendor == "postgresql")
