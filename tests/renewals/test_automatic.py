"""A completed audit of a whole term recommends the renewal by itself, once per final result;
an estimated or interim audit does not, and its completion stands either way."""

from __future__ import annotations

from decimal import Decimal

from tests.renewals.conftest import Terms
from trueup.accounts.models import User
from trueup.audits.models import Audit, AuditType, PayrollEntry
from trueup.audits.workflow import Status
from trueup.flows import results
from trueup.renewals.models import RecommendationChange, RenewalRecommendation
from trueup.renewals.services import recommendation_make


def test_completing_the_audit_recommends_the_renewal_against_the_renewals_estimates(
    terms: Terms,
) -> None:
    made = RenewalRecommendation.objects.get(audit=terms.second)
    assert made.status == "proposed"
    assert made.renewal == terms.renewal
    assert made.result_id == terms.second.final_result_id
    lines = {line["key"]: line for line in made.lines}
    assert lines["IN 5645"]["current"] == "400000.00"
    assert [c.summary for c in made.changes.all()] == ["recommended from the audit"]


def test_asking_again_after_completion_gives_the_same_recommendation(terms: Terms) -> None:
    again = recommendation_make(audit=terms.second)
    assert again == RenewalRecommendation.objects.get(audit=terms.second)
    assert RecommendationChange.objects.filter(recommendation=again).count() == 1


def test_an_estimated_audit_recommends_nothing_and_stays_estimated(
    audit: Audit, manager: User
) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=Status.RECORDS_REQUESTED)
    audit.refresh_from_db()
    done = results.audit_estimate(audit=audit, by=manager, reason="no records after three asks")
    assert done.status == Status.ESTIMATED
    assert not RenewalRecommendation.objects.exists()


def test_a_completed_interim_audit_recommends_nothing(
    audit: Audit, auditor: User, manager: User
) -> None:
    Audit.objects.filter(pk=audit.pk).update(type=AuditType.INTERIM, assignee=auditor)
    PayrollEntry.objects.create(audit=audit, state="IN", class_code="8810", gross=Decimal(1000))
    done = results.audit_submit(audit=Audit.objects.get(pk=audit.pk), by=manager)
    assert done.status == Status.COMPLETED
    assert not RenewalRecommendation.objects.exists()
