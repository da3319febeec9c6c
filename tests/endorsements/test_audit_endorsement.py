"""The audit endorsement: the audited premium recorded on the period once its result is final,
corrected when the audit is revised, and the billing payload that carries the endorsements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.billing.models import BillingInstruction, Outreach
from trueup.billing.services import outreach_release
from trueup.core.errors import Refused
from trueup.endorsements.models import Endorsement
from trueup.endorsements.services import (
    audit_endorsement_issue,
    endorsement_request,
    endorsement_reverse,
)
from trueup.flows import results


def test_an_approved_audit_records_its_audited_premium_once(approved: Audit) -> None:
    endorsement = Endorsement.objects.get(audit=approved)
    assert endorsement.kind == "audit"
    assert endorsement.status == "issued"
    assert endorsement.premium_effect == Decimal("4575.00")
    assert endorsement.change == {
        "audited_premium": "24230.00",
        "estimated_premium": "19655.00",
        "adjustment": "4575.00",
        "result_id": approved.final_result_id,
    }
    assert approved.final_result is not None
    again = audit_endorsement_issue(audit=approved, result=approved.final_result, by=None)
    assert again == endorsement
    assert Endorsement.objects.filter(kind="audit").count() == 1


def test_a_revised_audit_has_its_endorsement_reversed_and_the_revision_issues_its_own(
    approved: Audit, manager: User
) -> None:
    revision = results.audit_revise(audit=approved, by=manager, reason="the insured sent 941s")
    original = Endorsement.objects.get(audit=approved, reverses__isnull=True)
    assert original.status == "reversed"
    correcting = Endorsement.objects.get(reverses=original)
    assert correcting.premium_effect == Decimal("-4575.00")

    results.audit_submit(audit=revision, by=manager)
    assert Endorsement.objects.get(audit=revision).premium_effect == Decimal("4575.00")
    assert Endorsement.objects.filter(kind="audit").count() == 3


def test_the_billing_payload_carries_the_endorsements_that_change_premium(
    approved: Audit, manager: User
) -> None:
    endorsement_request(
        period=approved.period,
        kind="insured_correction",
        effective=date(2025, 3, 1),
        change={"fein": "35-1234567"},
        by=manager,
        reason="the FEIN on the 941s",
    )
    added = endorsement_request(
        period=approved.period,
        kind="class_add",
        effective=date(2025, 7, 1),
        change={"state": "IN", "class": "5606", "exposure": "100000"},
        by=manager,
        reason="found at audit",
    )
    # Released from its outreach window, the result goes to billing.
    outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=manager, reason="explained by phone"
    )
    instruction = BillingInstruction.objects.get(audit=approved)
    audit_endorsement = Endorsement.objects.get(audit=approved)
    assert instruction.payload["endorsements"] == [
        {
            "id": audit_endorsement.pk,
            "kind": "audit",
            "effective": "2025-01-01",
            "premium_effect": "4575.00",
            "status": "issued",
            "reverses": None,
        },
        {
            "id": added.pk,
            "kind": "class_add",
            "effective": "2025-07-01",
            "premium_effect": "436.05",
            "status": "issued",
            "reverses": None,
        },
    ]


def test_a_reversed_audit_has_its_endorsement_reversed_once(approved: Audit, manager: User) -> None:
    results.audit_reverse(audit=approved, by=manager, reason="the policy was rewritten flat")
    original = Endorsement.objects.get(audit=approved, reverses__isnull=True)
    assert original.status == "reversed"
    correcting = Endorsement.objects.get(reverses=original)
    assert (correcting.premium_effect, correcting.premium_reasons) == (
        Decimal("-4575.00"),
        [f"reverses endorsement {original.pk}: audit reversed: the policy was rewritten flat"],
    )
    assert [(c.from_status, c.to_status) for c in original.status_changes.all()] == [
        ("", "issued"),
        ("issued", "reversed"),
    ]


def test_the_admin_lists_endorsements_read_only(approved: Audit, admin_user: User) -> None:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/endorsements/endorsement/")
    assert page.status_code == 200
    assert "Audited premium recorded" in page.content.decode()
    assert client.get("/admin/endorsements/endorsement/add/").status_code == 403


def test_the_audit_endorsement_is_corrected_through_its_audit_only(
    approved: Audit, manager: User
) -> None:
    endorsement = Endorsement.objects.get(audit=approved)
    with pytest.raises(Refused, match="revise or reverse the audit"):
        endorsement_reverse(endorsement=endorsement, by=manager, reason="wrong")


def test_an_estimated_audit_records_its_estimated_result_too(audit: Audit, auditor: User) -> None:
    Audit.objects.filter(pk=audit.pk).update(status="records_requested")
    estimated = results.audit_estimate(
        audit=Audit.objects.get(pk=audit.pk), by=auditor, reason="no records after two requests"
    )
    endorsement = Endorsement.objects.get(audit=estimated)
    assert estimated.final_result is not None
    assert endorsement.change["result_id"] == estimated.final_result.pk
    # Indiana's non-compliance charge: three times the estimate, $39,310 more.
    assert endorsement.premium_reasons == [
        "audited premium $58,965.00 against the estimated $19,655.00: $39,310.00"
    ]
    assert endorsement.premium_effect == Decimal("39310.00")
    assert endorsement.made_by == auditor
