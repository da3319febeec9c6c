"""The renewal recommended from two audited terms: each figure exact, each with its reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.renewals.conftest import Terms
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.renewals.models import RenewalRecommendation
from trueup.renewals.services import RenewalRefused, recommendation_make


def _by_key(made: RenewalRecommendation) -> dict[str, dict]:  # type: ignore[type-arg]
    return {line["key"]: line for line in made.lines}


def test_framing_payroll_grows_by_its_trend_capped_at_ten_percent(terms: Terms) -> None:
    made = recommendation_make(audit=terms.second)
    line = _by_key(made)["IN 5645"]
    assert line["action"] == "exposure_change"
    assert line["audited"] == ["350000.00", "436500.00"]
    assert Decimal(line["growth_percent"]) == Decimal(25)
    # 436,500 × 1.10 = 480,150, to the nearest hundred half up.
    assert Decimal(line["recommended"]) == Decimal(480200)
    assert Decimal(line["current"]) == Decimal(400000)
    assert line["why"] == (
        "Payroll in 5645 (IN) grew 25 % over two audits: $350,000 → $436,500; recommended "
        "$480,200 (the trend applied is capped at 10 %), against $400,000 on the renewal."
    )


def test_office_payroll_within_five_percent_of_the_renewal_is_left_as_it_is(
    terms: Terms,
) -> None:
    line = _by_key(recommendation_make(audit=terms.second))["IN 8810"]
    # 61,250 × (1 + 1,250 / 60,000) = 62,526.04…, to the nearest hundred.
    assert Decimal(line["recommended"]) == Decimal(62500)
    assert line["action"] == ""
    assert line["why"] == (
        "Payroll in 8810 (IN) grew 2 % over two audits: $60,000 → $61,250; recommended "
        "$62,500; within 5 % of the $62,000 on the renewal, so no change is recommended."
    )


def test_a_class_found_at_audit_and_not_on_the_policy_is_recommended_for_adding(
    terms: Terms,
) -> None:
    line = _by_key(recommendation_make(audit=terms.second))["IN 5190"]
    assert line["action"] == "class_add"
    assert Decimal(line["recommended"]) == Decimal(30000)
    assert line["growth_percent"] is None
    assert line["why"] == (
        "Payroll in 5190 (IN) was $30,000 at the audit of 2025–2026, none earlier to trend "
        "from; recommended $30,000; this class is not on the policy: recommended adding it."
    )


def test_a_class_on_the_renewal_with_no_audited_payroll_is_recommended_for_removal(
    terms: Terms,
) -> None:
    line = _by_key(recommendation_make(audit=terms.second))["IN 8742"]
    assert line["action"] == "class_remove"
    assert Decimal(line["recommended"]) == Decimal(0)
    assert line["why"] == (
        "No payroll in 8742 (IN) was found at the audit of 2025–2026, though $20,000 is "
        "estimated on the renewal; recommended removing the class."
    )


def test_the_experience_mod_in_force_on_the_renewal_is_said(terms: Terms) -> None:
    line = _by_key(recommendation_make(audit=terms.second))["experience mod"]
    assert line["action"] == ""
    assert line["why"] == (
        "Experience mod 0.95 in force from January 1, 2026: the renewal is rated with it; no "
        "change is recommended."
    )


def test_the_recommendation_is_made_once_per_final_result(terms: Terms) -> None:
    made = recommendation_make(audit=terms.second)
    again = recommendation_make(audit=terms.second)
    assert again.pk == made.pk
    assert made.renewal == terms.renewal
    assert RenewalRecommendation.objects.filter(audit=terms.second).count() == 1
    assert [c.summary for c in made.changes.all()] == ["recommended from the audit"]


def test_the_first_term_alone_has_no_trend_and_no_renewal_of_its_own_written(
    terms: Terms,
) -> None:
    # The first term's renewal is the second term, written already: its estimates are compared.
    made = recommendation_make(audit=terms.first)
    line = _by_key(made)["IN 5645"]
    assert Decimal(line["recommended"]) == Decimal(350000)
    assert line["action"] == ""
    assert made.renewal == terms.second.period


def test_an_audit_not_completed_has_no_recommendation(audit: Audit) -> None:
    with pytest.raises(
        RenewalRefused, match="in progress: a renewal is recommended from a completed"
    ):
        recommendation_make(audit=audit)
    assert audit.status == Status.IN_PROGRESS
