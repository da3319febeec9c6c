"""Accepting, editing and rejecting the recommendation: endorsements on the renewal, within the
decider's authority or waiting for a reviewer; the letter; who may decide; twice refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.renewals.conftest import Terms
from trueup.accounts.models import User
from trueup.core.errors import InvalidInput, NotAllowed
from trueup.endorsements.models import Endorsement
from trueup.letters.models import Letter, LetterStatus
from trueup.policies.models import Insured, PolicyPeriod
from trueup.renewals.models import RenewalRecommendation
from trueup.renewals.services import (
    RenewalRefused,
    recommendation_accept,
    recommendation_make,
    recommendation_reject,
)


def _estimates(terms: Terms) -> dict[str, Decimal]:
    return {e.class_code: e.exposure for e in terms.renewal.estimates.order_by("class_code")}


def _endorsements(terms: Terms) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    return [
        (e.kind, e.status, e.change)
        for e in Endorsement.objects.filter(period=terms.renewal).order_by("id")
    ]


@pytest.fixture
def made(terms: Terms) -> RenewalRecommendation:
    return recommendation_make(audit=terms.second)


def test_a_manager_accepting_issues_the_endorsements_within_authority(
    terms: Terms, made: RenewalRecommendation, manager: User
) -> None:
    accepted = recommendation_accept(recommendation=made, by=manager)
    assert accepted.status == "accepted"
    assert accepted.decided_by == manager
    assert _endorsements(terms) == [
        ("class_add", "issued", {"state": "IN", "class": "5190", "exposure": "30000"}),
        ("exposure_change", "issued", {"state": "IN", "class": "5645", "exposure": "480200"}),
        ("class_remove", "issued", {"state": "IN", "class": "8742"}),
    ]
    assert _estimates(terms) == {
        "5190": Decimal("30000.00"),
        "5645": Decimal("480200.00"),
        "8810": Decimal("62000.00"),
    }
    lines = {line["key"]: line for line in accepted.lines}
    assert lines["IN 5645"]["endorsement_status"] == "issued"
    assert "endorsement_id" not in lines["IN 8810"]


def test_the_renewal_premium_is_rated_before_and_with_the_changes(
    terms: Terms, made: RenewalRecommendation, manager: User
) -> None:
    accepted = recommendation_accept(recommendation=made, by=manager)
    # The engine's estimated premium for a year of the renewal at the 2026 rates and the 0.95
    # mod: $400,000 in 5645, $62,000 in 8810 and $20,000 in 8742 before; $480,200 in 5645,
    # $62,000 in 8810 and $30,000 in 5190 with the changes.
    assert accepted.premium_current == Decimal(22607)
    assert accepted.premium_recommended == Decimal(27475)


def test_the_future_changes_letter_explains_the_changes_and_the_deposit(
    terms: Terms, made: RenewalRecommendation, manager: User
) -> None:
    recommendation_accept(recommendation=made, by=manager)
    letter = Letter.objects.get(kind="future_changes")
    text = " ".join(letter.text.split())
    assert letter.audit == terms.second
    assert letter.status == LetterStatus.SENT
    assert letter.subject == "Changes to your policy at renewal: policy WC-2025-01001"
    assert letter.recipients == ["dana@hoosier.example", "pat@mainstreet.example"]
    assert (
        "The estimated payroll for class 5645 (Framing and carpentry on houses) in IN changes "
        "from $400,000 to $480,200, because it grew 25 % over your last two audits."
    ) in text
    assert "We add class 5190 (Electricians doing wiring inside buildings) in IN" in text
    assert "We remove class 8742 (Salespeople who work away from the office) in IN" in text
    assert (
        "Estimated annual premium before these changes $22,607 Estimated annual premium with "
        "these changes $27,475 Your estimated premium goes up by $4,868 a year."
    ) in text


def test_an_underwriter_without_authority_leaves_the_endorsements_for_a_reviewer(
    terms: Terms, made: RenewalRecommendation, underwriter: User
) -> None:
    accepted = recommendation_accept(recommendation=made, by=underwriter)
    assert [status for _, status, _ in _endorsements(terms)] == ["awaiting_review"] * 3
    # Nothing applied yet: the renewal keeps its estimate until a reviewer issues them.
    assert _estimates(terms) == {
        "5645": Decimal("400000.00"),
        "8742": Decimal("20000.00"),
        "8810": Decimal("62000.00"),
    }
    assert accepted.changes.last().summary == "0 endorsement(s) issued, 3 waiting for a reviewer"
    assert "still being reviewed by our underwriters" in Letter.objects.get().html


def test_edited_figures_are_issued_and_a_line_left_out_is_not(
    terms: Terms, made: RenewalRecommendation, manager: User
) -> None:
    accepted = recommendation_accept(
        recommendation=made,
        by=manager,
        lines={"IN 5645": "450,000", "IN 8742": None},
        reason="framing work slows next year",
    )
    assert accepted.status == "edited"
    assert _endorsements(terms) == [
        ("class_add", "issued", {"state": "IN", "class": "5190", "exposure": "30000"}),
        ("exposure_change", "issued", {"state": "IN", "class": "5645", "exposure": "450000"}),
    ]
    assert _estimates(terms)["5645"] == Decimal("450000.00")
    assert _estimates(terms)["8742"] == Decimal("20000.00")
    assert accepted.reason == "framing work slows next year"


def test_a_bad_edited_figure_is_refused_naming_its_line(
    terms: Terms, made: RenewalRecommendation, manager: User
) -> None:
    with pytest.raises(InvalidInput) as refused:
        recommendation_accept(recommendation=made, by=manager, lines={"IN 5645": "lots"})
    assert [(p.path, p.reason) for p in refused.value.problems] == [
        (
            "lines.IN 5645",
            "line IN 5645 (class 5645 in IN): the recommended exposure 'lots' must be an amount "
            "in dollars, like 12,500.00",
        )
    ]
    assert Endorsement.objects.filter(period=terms.renewal).count() == 0
    made.refresh_from_db()
    assert made.status == "proposed"


def test_an_edit_of_a_line_not_in_the_recommendation_is_refused(
    made: RenewalRecommendation, manager: User
) -> None:
    with pytest.raises(InvalidInput, match="line 'IN 9999' is not in this recommendation"):
        recommendation_accept(recommendation=made, by=manager, lines={"IN 9999": "1000"})


def test_accepting_twice_is_refused(made: RenewalRecommendation, manager: User) -> None:
    recommendation_accept(recommendation=made, by=manager)
    with pytest.raises(RenewalRefused, match="already decided \\(accepted as recommended\\)"):
        recommendation_accept(recommendation=made, by=manager)
    assert Endorsement.objects.filter(kind="class_add").count() == 1


def test_a_rejection_says_why_and_changes_nothing(
    terms: Terms, made: RenewalRecommendation, underwriter: User
) -> None:
    with pytest.raises(InvalidInput, match="say why the recommendation is rejected"):
        recommendation_reject(recommendation=made, by=underwriter, reason=" ")
    rejected = recommendation_reject(
        recommendation=made, by=underwriter, reason="the insured is selling the framing business"
    )
    assert rejected.status == "rejected"
    assert rejected.decided_by == underwriter
    assert Endorsement.objects.filter(period=terms.renewal).count() == 0
    with pytest.raises(RenewalRefused, match="already decided \\(rejected\\)"):
        recommendation_accept(recommendation=made, by=underwriter)


@pytest.mark.parametrize(
    "persona", ["auditor", "reviewer", "billing", "policyholder", "agent_user"]
)
def test_only_the_underwriter_or_a_manager_decides(
    made: RenewalRecommendation, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(NotAllowed, match="may not decide a renewal recommendation"):
        recommendation_accept(recommendation=made, by=user)
    with pytest.raises(NotAllowed, match="may not decide a renewal recommendation"):
        recommendation_reject(recommendation=made, by=user, reason="no")


def test_without_a_renewal_written_the_recommendation_is_kept_but_not_accepted(
    terms: Terms, manager: User
) -> None:
    Endorsement.objects.all().delete()
    RenewalRecommendation.objects.all().delete()
    terms.renewal.estimates.all().delete()
    terms.renewal.delete()
    made = recommendation_make(audit=terms.second)
    assert made.renewal is None
    # Compared with the audited term's own estimate of $350,000 meanwhile.
    assert {line["key"]: line["current"] for line in made.lines}["IN 5645"] == "350000.00"
    with pytest.raises(RenewalRefused, match="the policy has no renewal term yet"):
        recommendation_accept(recommendation=made, by=manager)


def test_a_renewal_written_later_is_compared_when_recommended_again(
    terms: Terms, manager: User
) -> None:
    renewal = terms.renewal
    RenewalRecommendation.objects.filter(audit=terms.second).delete()
    PolicyPeriod.objects.filter(pk=renewal.pk).update(effective=date(2026, 2, 1))
    made = recommendation_make(audit=terms.second)
    PolicyPeriod.objects.filter(pk=renewal.pk).update(effective=date(2026, 1, 1))
    with pytest.raises(RenewalRefused, match="the renewal was written after this recommendation"):
        recommendation_accept(recommendation=made, by=manager)
    again = recommendation_make(audit=terms.second)
    assert again.pk == made.pk
    assert again.renewal == renewal
    assert {line["key"]: line["current"] for line in again.lines}["IN 5645"] == "400000.00"
    assert again.changes.last().summary == "compared again with the renewal written since"
    assert recommendation_accept(recommendation=again, by=manager).status == "accepted"


def test_an_insured_without_an_e_mail_address_does_not_stop_the_acceptance(
    terms: Terms, made: RenewalRecommendation, manager: User
) -> None:
    Insured.objects.filter(pk=terms.renewal.policy.insured_id).update(contact_email="")
    accepted = recommendation_accept(recommendation=made, by=manager)
    assert accepted.status == "accepted"
    assert Endorsement.objects.filter(period=terms.renewal, status="issued").count() == 3
    assert not Letter.objects.exists()
    assert accepted.changes.last().summary == (
        "letter not e-mailed: the insured has no e-mail address on file: add one or print the "
        "letter"
    )
