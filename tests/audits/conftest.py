"""Personas and a policy period with an audit, built from the first example worksheet."""

from __future__ import annotations

import json
import secrets
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from trueup.accounts.models import ApiToken, Role, User, VendorFirm
from trueup.accounts.services import hash_key
from trueup.audits.models import Audit, PayrollEntry
from trueup.audits.workflow import Status
from trueup.policies.models import Agency, EstimatedExposure, Insured, Policy, PolicyPeriod
from trueup.rating.worksheet import PAYROLL_PARTS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-two-class-single-state.json"


# The payroll line's amounts other than gross: a form sends each, zero when there is none.
PAYROLL_AMOUNTS = PAYROLL_PARTS


def make_user(username: str, role: str, amount: str = "0", percent: str = "0") -> User:
    # No password: hashing one costs more than these tests, which never log in.
    return User.objects.create(
        username=username,
        role=role,
        authority_amount=Decimal(amount),
        authority_percent=Decimal(percent),
    )


@pytest.fixture
def auditor(db: None) -> User:
    # May complete adjustments up to $2,500 and 10% of the estimate.
    return make_user("auditor", Role.AUDITOR, "2500", "10")


@pytest.fixture
def reviewer(db: None) -> User:
    return make_user("reviewer", Role.REVIEWER, "50000", "100")


@pytest.fixture
def second_reviewer(db: None) -> User:
    return make_user("reviewer2", Role.REVIEWER, "50000", "100")


@pytest.fixture
def manager(db: None) -> User:
    return make_user("manager", Role.MANAGER, "1000000", "1000")


@pytest.fixture
def underwriter(db: None) -> User:
    return make_user("underwriter", Role.UNDERWRITER)


@pytest.fixture
def billing(db: None) -> User:
    return make_user("billing", Role.BILLING)


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user("admin", Role.ADMIN, "1000000", "1000")


@pytest.fixture
def vendor_auditor(db: None) -> User:
    """An auditor of an outside firm: sees only the audits assigned to the firm."""
    firm = VendorFirm.objects.create(code="FAC", name="Field Audit Co")
    user = make_user("vendor", Role.AUDITOR, "2500", "10")
    user.vendor = firm
    user.save()
    return user


@pytest.fixture
def example() -> dict:  # type: ignore[type-arg]
    return json.loads(EXAMPLE.read_text())


@pytest.fixture
def audit(db: None, example: dict) -> Audit:  # type: ignore[type-arg]
    """The first example's policy period, with its audited payroll entered on an audit."""
    p = example["policy"]
    insured = Insured.objects.create(name=p["insured_name"], entity_type="llc")
    policy = Policy.objects.create(insured=insured, number=p["number"], line=p["line"])
    period = PolicyPeriod.objects.create(
        policy=policy,
        effective=date.fromisoformat(p["effective"]),
        expiration=date.fromisoformat(p["expiration"]),
        states=p["states"],
        experience_mods=p["experience_mods"],
        premium_discount=p["premium_discount"],
        deposit_premium=Decimal(p["deposit_premium"]),
    )
    for e in example["estimated"]:
        EstimatedExposure.objects.create(
            period=period, state=e["state"], class_code=e["class"], exposure=Decimal(e["exposure"])
        )
    audit = Audit.objects.create(period=period, status=Status.IN_PROGRESS)
    for line in example["audited"]["payroll"]:
        fields = {("class_code" if k == "class" else k): v for k, v in line.items()}
        PayrollEntry.objects.create(audit=audit, **fields)
    return audit


@pytest.fixture
def policyholder(db: None, audit: Audit) -> User:
    """A portal login of the audit's own insured (as an accepted invitation leaves it)."""
    from trueup.portal.models import PortalAccess

    user = make_user("policyholder", Role.INSURED)
    PortalAccess.objects.create(user=user, insured=audit.period.policy.insured, kind="owner")
    return user


@pytest.fixture
def agent_user(db: None, audit: Audit) -> User:
    """An agent of the agency that placed the audit's insured."""
    agency = Agency.objects.create(code="MS", name="Main Street Insurance Agency")
    Insured.objects.filter(pk=audit.period.policy.insured_id).update(agency=agency)
    user = make_user("agent", Role.AGENT)
    user.agency = agency
    user.save()
    return user


def api_key_for(user: User) -> str:
    """An API key on ``user``, written as the database holds one: the service refuses to make a
    key for a portal user, but a key made before the user's role changed is still to be refused
    by the API."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name="permission test", key_hash=hash_key(key))
    return key
