"""The underwriter's referrals: estimated audits, audits with a finding flagged for
underwriting, and audits whose audited exposure for a state and class is outside the variance
band of ``reporting.toml`` (90–110 %); each says why in words."""

from __future__ import annotations

from decimal import Decimal

from tests.queues.conftest import another_audit, client_of
from trueup.accounts.models import User
from trueup.audits import fieldwork
from trueup.audits import services as audits
from trueup.audits.models import Audit, ReferralAnswer
from trueup.audits.workflow import Status
from trueup.flows import queues
from trueup.reporting.models import ExposureVariance


def _variance(audit: Audit, class_code: str, estimated: str, audited: str) -> None:
    """A row as ``trueup.reporting.figures.refresh`` writes it for a final audit; made here
    directly so these tests do not depend on the rebuild (which has tests of its own)."""
    ratio = Decimal(audited) * 100 / Decimal(estimated) if Decimal(estimated) else None
    ExposureVariance.objects.create(
        audit=audit,
        state="IN",
        class_code=class_code,
        estimated=Decimal(estimated),
        audited=Decimal(audited),
        ratio_percent=ratio,
    )


def test_an_estimated_audit_is_referred_because_records_were_not_provided(
    audit: Audit, auditor: User, underwriter: User
) -> None:
    asked = audits.audit_request_records(audit=audit, by=auditor)
    audits.audit_estimate(audit=asked, by=auditor, reason="no records after two reminders")
    [row] = queues.referral_rows(queues.underwriting_queue(underwriter))
    assert (row.audit.pk, row.reasons) == (
        audit.pk,
        ["estimated: the insured did not provide records"],
    )


def test_an_audit_with_a_finding_flagged_for_underwriting_is_referred_and_others_are_not(
    audit: Audit, auditor: User, underwriter: User
) -> None:
    fieldwork.finding_add(
        audit=audit,
        by=auditor,
        kind="classification",
        text="Roofing work seen on site",
        for_underwriting=True,
    )
    quiet = another_audit(audit, "WC-2")
    fieldwork.finding_add(audit=quiet, by=auditor, kind="payroll", text="Bonuses were included")
    [row] = queues.referral_rows(queues.underwriting_queue(underwriter))
    assert (row.audit.pk, row.reasons) == (
        audit.pk,
        ["finding flagged for underwriting (classification): Roofing work seen on site"],
    )


def test_a_class_audited_outside_the_band_is_referred_with_its_share_of_the_estimate(
    audit: Audit, underwriter: User
) -> None:
    above = audit
    _variance(above, "5645", "350000", "437500")  # 125 %
    _variance(above, "8810", "60000", "60000")  # 100 %: within the band, not a reason
    below = another_audit(audit, "WC-2", status=Status.COMPLETED)
    _variance(below, "5645", "350000", "280000")  # 80 %
    unestimated = another_audit(audit, "WC-3", status=Status.COMPLETED)
    _variance(unestimated, "8742", "0", "12000")
    within = another_audit(audit, "WC-4", status=Status.COMPLETED)
    _variance(within, "5645", "350000", "385000")  # 110 %: the band includes its edges
    rows = queues.referral_rows(queues.underwriting_queue(underwriter))
    assert [(r.audit.pk, r.reasons) for r in rows] == [
        (unestimated.pk, ["IN 8742: 12,000 audited where nothing was estimated"]),
        (
            below.pk,
            [
                "IN 5645: audited 280,000 against 350,000 estimated, 80% of the estimate "
                "(below the 90%–110% band)"
            ],
        ),
        (
            above.pk,
            [
                "IN 5645: audited 437,500 against 350,000 estimated, 125% of the estimate "
                "(above the 90%–110% band)"
            ],
        ),
    ]


def test_an_audit_referred_for_several_reasons_gives_each(
    audit: Audit, auditor: User, underwriter: User
) -> None:
    fieldwork.finding_add(
        audit=audit,
        by=auditor,
        kind="subcontractors",
        text="No certificates",
        for_underwriting=True,
    )
    asked = audits.audit_request_records(audit=audit, by=auditor)
    audits.audit_estimate(audit=asked, by=auditor, reason="no records")
    _variance(audit, "5645", "350000", "420000")
    page = client_of(underwriter).get("/queues/underwriting/").content.decode()
    assert page.count(f'href="/audits/{audit.pk}/"') == 1
    for reason in (
        "estimated: the insured did not provide records",
        "finding flagged for underwriting (subcontractors): No certificates",
        "IN 5645: audited 420,000 against 350,000 estimated, 120% of the estimate "
        "(above the 90%–110% band)",
    ):
        assert f"<li>{reason}</li>" in page


def test_a_reversed_audit_is_no_longer_referred(audit: Audit, underwriter: User) -> None:
    _variance(audit, "5645", "350000", "437500")
    Audit.objects.filter(pk=audit.pk).update(status=Status.REVERSED)
    assert list(queues.underwriting_queue(underwriter)) == []
    page = client_of(underwriter).get("/queues/underwriting/").content.decode()
    assert "Nothing is referred to underwriting." in page


def test_underwriters_managers_and_administrators_open_the_referrals(
    underwriter: User, manager: User, admin_user: User
) -> None:
    for user in (underwriter, manager, admin_user):
        assert client_of(user).get("/queues/underwriting/").status_code == 200, user.role


def test_other_roles_never_open_the_referrals(
    auditor: User, reviewer: User, billing: User, vendor_auditor: User
) -> None:
    for user in (auditor, reviewer, billing, vendor_auditor):
        assert client_of(user).get("/queues/underwriting/").status_code == 403, user.role


def _flag(audit: Audit, auditor: User, text: str) -> None:
    fieldwork.finding_add(
        audit=audit, by=auditor, kind="classification", text=text, for_underwriting=True
    )


def test_an_answered_referral_leaves_the_queue_with_its_answer_kept(
    audit: Audit, auditor: User, underwriter: User
) -> None:
    _flag(audit, auditor, "Roofing work seen on site")
    client = client_of(underwriter)
    answer = client.post(
        f"/queues/underwriting/{audit.pk}/answer/", {"note": "roofing class added at renewal"}
    )
    assert answer.status_code == 302
    assert list(queues.underwriting_queue(underwriter)) == []
    [kept] = ReferralAnswer.objects.filter(audit=audit)
    assert (kept.note, kept.by) == ("roofing class added at renewal", underwriter)
    page = client.get("/queues/underwriting/").content.decode()
    assert "Nothing is referred to underwriting." in page


def test_a_finding_flagged_after_the_answer_refers_the_audit_again_showing_the_answer(
    audit: Audit, auditor: User, underwriter: User
) -> None:
    _flag(audit, auditor, "Roofing work seen on site")
    queues.referral_answer(audit_id=audit.pk, by=underwriter, note="roofing class added")
    _flag(audit, auditor, "A second location in Ohio")
    [row] = queues.referral_rows(queues.underwriting_queue(underwriter))
    assert row.audit.pk == audit.pk
    assert row.answered is not None and row.answered.note == "roofing class added"
    assert row.reasons[-1] == (
        "finding flagged for underwriting (classification): A second location in Ohio"
    )


def test_an_answer_must_say_what_was_done(audit: Audit, auditor: User, underwriter: User) -> None:
    _flag(audit, auditor, "Roofing work seen on site")
    client = client_of(underwriter)
    client.post(f"/queues/underwriting/{audit.pk}/answer/", {"note": "  "})
    assert not ReferralAnswer.objects.exists()
    page = client.get("/queues/underwriting/").content.decode()
    assert f"Audit #{audit.pk}: say what underwriting did about the referral." in page


def test_other_roles_may_not_answer_a_referral(
    audit: Audit, auditor: User, reviewer: User, billing: User
) -> None:
    _flag(audit, auditor, "Roofing work seen on site")
    for user in (auditor, reviewer, billing):
        answer = client_of(user).post(
            f"/queues/underwriting/{audit.pk}/answer/", {"note": "nothing needed"}
        )
        assert answer.status_code == 403, user.role
    assert not ReferralAnswer.objects.exists()
