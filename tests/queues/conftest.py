"""The workbench's personas and example audit, the billing fixtures, and more audits like the
example's for the queues to order."""

from __future__ import annotations

from django.test import Client

from tests.audits.conftest import *  # noqa: F403
from tests.billing.conftest import approved, media, released  # noqa: F401  (fixtures)
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.policies.models import Insured, Policy, PolicyPeriod


def another_audit(like: Audit, number: str, **fields: object) -> Audit:
    """An audit of another insured's policy with the same period, estimates and payroll as
    ``like``: in progress unless ``fields`` say otherwise."""
    period = like.period
    insured = Insured.objects.create(name=f"Insured of {number}", entity_type="llc")
    policy = Policy.objects.create(insured=insured, number=number, line=period.policy.line)
    copy = PolicyPeriod.objects.create(
        policy=policy,
        effective=period.effective,
        expiration=period.expiration,
        states=period.states,
        experience_mods=period.experience_mods,
        premium_discount=period.premium_discount,
        deposit_premium=period.deposit_premium,
    )
    for estimate in period.estimates.all():
        estimate.pk = None
        estimate.period = copy
        estimate.save()
    made = Audit.objects.create(period=copy, status=str(fields.pop("status", Status.IN_PROGRESS)))
    Audit.objects.filter(pk=made.pk).update(**fields)
    for line in like.payroll.all():
        line.pk = None
        line.audit = made
        line.save()
    return Audit.objects.get(pk=made.pk)


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
