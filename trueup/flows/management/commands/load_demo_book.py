"""``trueup load_demo_book``: the demo book of business, users for every role included."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trueup.accounts.models import User
from trueup.flows.demo import (
    DEMO_PASSWORD,
    USERS,
    demo_invitation,
    demo_journal_audit,
    load_demo_book,
)
from trueup.reporting.tasks import refresh_figures


class Command(BaseCommand):
    help = "Load a demo book: policies over several states and audits in every status"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--policies", type=int, default=200)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_demo_book(policies=options["policies"], seed=options["seed"])
        # The dashboard's figures at once, rather than at the scheduler's next quarter hour.
        refresh_figures.call()
        self.stdout.write("Audits by status: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        self.stdout.write(f"Demo users (password {DEMO_PASSWORD!r}):")
        for username, role, amount, percent in USERS:
            user = User.objects.get(username=username)
            if user.is_portal_user:
                scope = (
                    f"sees only {user.agency}'s insureds"
                    if user.agency
                    else "one insured, whose audit waits for records"
                )
                self.stdout.write(f"  {username:<12} {role.label:<26} {scope}")
                continue
            firm = " (Field Audit Co: sees only its audits)" if username == "vendor" else ""
            self.stdout.write(
                f"  {username:<12} {role.label:<26} authority ${amount} / {percent}%{firm}"
            )
        journal = demo_journal_audit()
        if journal is not None:
            self.stdout.write(
                f"A payroll journal waiting for its departments' classes: /audits/{journal.pk}/"
                "payroll/ (as auditor)"
            )
        invitation = demo_invitation()
        if invitation is None:
            return
        audit, url, pin = invitation
        language = audit.period.policy.insured.get_language_display()
        self.stdout.write(
            f"A portal invitation for {audit.period.policy.insured.name} "
            f"({audit.period.policy.number}, in {language}): open {url} and enter the PIN {pin}"
        )
