"""A demo book of business: users for every role, insureds and policies over several states with
realistic class mixes, expired and cancelled periods, and audits in every status, all made
through the services so each one has its status history and results."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from trueup.accounts.models import Role, User, VendorFirm
from trueup.audits import fieldwork, services
from trueup.audits.models import Audit, OwnerEntry, PayrollEntry, SubcontractorEntry
from trueup.audits.scheduling import audit_schedule
from trueup.audits.workflow import Status
from trueup.billing import selectors as billing_selectors
from trueup.billing import services as billing
from trueup.billing.models import Outreach, PlanStatus
from trueup.flows import disputes, results
from trueup.letters.services import letter_send
from trueup.payroll import services as payroll
from trueup.policies.models import Agency, Agent, EstimatedExposure, Insured, Policy, PolicyPeriod
from trueup.portal.services import invitation_issue, invitation_redeem, invitation_url
from trueup.rating import rate_worksheet
from trueup.rating import worksheet as ws

DEMO_PASSWORD = "trueup-demo"
USERS = (
    # username, role, authority amount, authority percent
    ("auditor", Role.AUDITOR, "2500", "10"),
    ("reviewer", Role.REVIEWER, "25000", "50"),
    ("manager", Role.MANAGER, "250000", "1000"),
    ("billing", Role.BILLING, "0", "0"),
    ("underwriter", Role.UNDERWRITER, "0", "0"),
    ("admin", Role.ADMIN, "1000000", "1000"),
    # An outside firm's auditor: sees only the audits assigned to the firm.
    ("vendor", Role.AUDITOR, "2500", "10"),
    # Portal users: an agent of the first agency, and a policyholder who accepted an invitation.
    ("agent", Role.AGENT, "0", "0"),
    ("policyholder", Role.INSURED, "0", "0"),
)
VENDOR = ("FAC", "Field Audit Co")
# The people behind the demo logins: insureds and agents read a person's name, never a login,
# and letters reach the agent only at an e-mail address.
PEOPLE = {
    "auditor": ("Avery", "Brooks", "avery.brooks@trueup.example"),
    "reviewer": ("Riley", "Chen", "riley.chen@trueup.example"),
    "manager": ("Morgan", "Diaz", "morgan.diaz@trueup.example"),
    "billing": ("Blair", "Evans", "blair.evans@trueup.example"),
    "underwriter": ("Quinn", "Foster", "quinn.foster@trueup.example"),
    "admin": ("Adrian", "Gray", "adrian.gray@trueup.example"),
    "vendor": ("Val", "Hughes", "val.hughes@fieldaudit.example"),
    "agent": ("Jordan", "Reyes", "jordan.reyes@agency.example"),
}


@dataclass(frozen=True)
class Trade:
    name: str
    classes: tuple[tuple[str, int, int], ...]  # class, low and high estimated payroll
    entity: str


TRADES = (
    Trade("Home Builders", (("5645", 150_000, 900_000), ("8810", 30_000, 120_000)), "llc"),
    Trade("Plumbing", (("5183", 200_000, 1_200_000), ("8810", 40_000, 150_000)), "corporation"),
    Trade("Electric", (("5190", 150_000, 800_000), ("8742", 20_000, 90_000)), "corporation"),
    Trade("Painting", (("5474", 80_000, 400_000),), "llc"),
    Trade("Landscaping", (("0042", 90_000, 500_000), ("8810", 20_000, 60_000)), "llc"),
    Trade("Diner", (("9082", 120_000, 600_000),), "corporation"),
    Trade("Retail", (("8017", 100_000, 700_000), ("8810", 30_000, 90_000)), "corporation"),
    Trade(
        "Machine Works", (("3632", 300_000, 1_500_000), ("8810", 50_000, 200_000)), "corporation"
    ),
    Trade("Trucking", (("7219", 250_000, 1_100_000), ("8810", 30_000, 100_000)), "corporation"),
    Trade("Medical Group", (("8832", 400_000, 2_000_000),), "partnership"),
    Trade("Cleaning", (("9014", 100_000, 500_000),), "sole_proprietor"),
    Trade("Bakery", (("2003", 150_000, 600_000), ("8017", 40_000, 120_000)), "corporation"),
    # Small enough for its audit to be waived.
    Trade("Consulting", (("8810", 15_000, 60_000),), "llc"),
)
STATES = ("IN", "KY", "MO", "LA", "OK", "RI", "OR")
NAMES = (
    "Prairie",
    "River",
    "Summit",
    "Oak",
    "Harbor",
    "Cedar",
    "Granite",
    "Maple",
    "Bluff",
    "Lakeside",
    "Pioneer",
    "Heartland",
    "Valley",
    "Northern",
    "Eastside",
    "Crossroads",
)
# Statuses the book must show, in the order audits are moved into them.
TARGETS = (
    Status.SCHEDULED,
    Status.RECORDS_REQUESTED,
    Status.RECORDS_RECEIVED,
    Status.IN_PROGRESS,
    Status.IN_REVIEW,
    Status.COMPLETED,
    Status.ESTIMATED,
    Status.REVISED,
    Status.REVERSED,
)


def load_demo_book(policies: int = 200, seed: int = 7, today: date | None = None) -> dict[str, int]:
    """Load the book; does nothing if it is already there. Returns counts by audit status."""
    today = today or date(2026, 11, 1)
    if Policy.objects.filter(number__startswith="DEMO-").exists():
        return _counts()
    rng = random.Random(seed)
    with transaction.atomic():
        users = _users()
        agencies = [
            Agency.objects.create(code=f"AG{n}", name=f"{name} Insurance Agency")
            for n, name in enumerate(("Main Street", "Tri-State", "Gulf Coast"), 1)
        ]
        for n in range(policies):
            _policy(rng, n, agencies, today)
        for period in PolicyPeriod.objects.filter(policy__number__startswith="DEMO-"):
            if (period.cancellation_date or period.expiration) <= today:
                audit_schedule(period=period)
        _advance(rng, users)
        _policyholder(users)
        _spanish_reader()
        _billing(users)
        _payroll_journal(users)
    return _counts()


def _billing(users: dict[str, User]) -> None:
    """Results on their way to billing: one agreed and billed with its results letter, one
    disputed with the undisputed part billed, one on a payment plan; the rest in the window."""
    auditor, manager = users["auditor"], users["manager"]
    additional = list(
        Outreach.objects.filter(
            audit__status=Status.COMPLETED, result__adjustment__gt=500
        ).order_by("id")[:3]
    )
    if len(additional) < 3:
        return
    agreed, disputed, planned = additional
    letter_send(
        audit=agreed.audit,
        kind="results",
        by=auditor,
        extra=billing_selectors.dispute_terms(agreed.audit),
    )
    billing.outreach_attempt_add(
        outreach=agreed,
        by=auditor,
        channel="phone",
        contact="the owner",
        outcome="agreed",
        notes="walked through the classes; agreed",
    )
    billing.outreach_attempt_add(
        outreach=disputed,
        by=auditor,
        channel="phone",
        contact="the owner",
        outcome="disputed",
        notes="says part of the payroll was an insured subcontractor's crew",
    )
    line = next(x for x in disputed.result.result["adjustments"] if x["is_class"])
    disputes.dispute_open(
        audit=disputed.audit,
        by=auditor,
        lines=[{"state": line["state"], "item": line["item"]}],
        statement="Part of this class's payroll was paid to an insured subcontractor.",
    )
    billing.outreach_release(
        outreach=disputed, by=manager, reason="the undisputed part, while the dispute is open"
    )
    plan = billing.payment_plan_agree(audit=planned.audit, by=auditor, instalments=6)
    if plan.status == PlanStatus.AWAITING_REVIEW:  # above the auditor's authority
        billing.payment_plan_approve(
            plan=plan, by=manager, reason="a share of the premium above a reviewer's authority"
        )


def _invited_audits() -> list[Audit]:
    return list(
        Audit.objects.filter(
            status=Status.RECORDS_REQUESTED,
            period__policy__number__startswith="DEMO-",
            period__policy__insured__agency__isnull=False,
        ).order_by("id")
    )


def _spanish_reader() -> None:
    """The insured of the demo invitation reads Spanish: its invitation, portal and letters are
    in Spanish, for trying the portal in the insured's language."""
    invited = _invited_audits()
    if len(invited) > 1:
        Insured.objects.filter(pk=invited[1].period.policy.insured_id).update(language="es")


def _policyholder(users: dict[str, User]) -> None:
    """The demo policyholder accepts the invitation of an audit waiting for records (of the
    demo agent's agency, so both portal users see it)."""
    audit = _invited_audits()[0]
    agent, agency = users["agent"], audit.period.policy.insured.agency
    assert agency is not None  # the invited audits are of insureds placed by an agency
    agent.agency = agency
    agent.save(update_fields=["agency"])
    # Letters go to the agency's agents (letters.services.default_recipients): the demo agent
    # is one of them, at the login's address.
    Agent.objects.create(agency=agency, name=agent.get_full_name(), email=agent.email)
    issued = invitation_issue(audit=audit, by=users["auditor"])
    assert issued is not None
    invitation_redeem(
        token=issued.token,
        pin=issued.pin,
        username="policyholder",
        password=DEMO_PASSWORD,
        password_again=DEMO_PASSWORD,
    )


# A department for each class of the demo's policies; the journal names departments, not classes.
DEPARTMENTS = ("Field crew", "Office", "Shop", "Drivers", "Warehouse", "Service")


def _payroll_journal(users: dict[str, User]) -> None:
    """A Gusto payroll journal for the first audit in progress, with departments and no class
    column: its preview waits for the auditor to give each department its class."""
    audit = demo_journal_audit()
    if audit is None:
        return
    period, auditor = audit.period, users["auditor"]
    rows = [
        "Employee,Employee ID,Department,Check Date,Pay Period Start,Pay Period End,"
        "Regular Earnings,Overtime Earnings,Gross Earnings,Employee Taxes,Net Pay"
    ]
    end = period.cancellation_date or period.expiration
    # Four checks spread over the term (a cancelled term is shorter), each paid in two halves.
    checks = [period.effective + (end - period.effective) * (2 * k + 1) // 8 for k in range(4)]
    for n, estimate in enumerate(period.estimates.order_by("id")):
        pay = (estimate.exposure / 52).quantize(Decimal("0.01"))
        for check in checks:
            start = check - timedelta(days=13)
            for half, name in enumerate((f"Lee, Sam {n}", f"Diaz, Ana {n}")):
                regular = pay * (6 + half)
                rows.append(
                    f'"{name}",D{n}{half},{DEPARTMENTS[n % len(DEPARTMENTS)]},'
                    f"{check:%m/%d/%Y},{start:%m/%d/%Y},{check - timedelta(days=1):%m/%d/%Y},"
                    f'"{regular:,.2f}",,"{regular:,.2f}",0.00,"{regular:,.2f}"'
                )
    payroll.payroll_import_preview(
        audit=audit,
        by=auditor,
        data=("\n".join(rows) + "\n").encode(),
        filename="gusto-payroll-journal.csv",
    )


def demo_journal_audit() -> Audit | None:
    """The demo audit whose payroll journal waits for its departments' classes."""
    return (
        Audit.objects.filter(
            status=Status.IN_PROGRESS,
            assignee__username="auditor",
            period__policy__number__startswith="DEMO-",
        )
        .order_by("id")
        .first()
    )


def demo_invitation() -> tuple[Audit, str, str] | None:
    """A fresh invitation for another audit waiting for records: its audit, link and PIN, for
    trying the portal's sign-up (each call replaces the previous one)."""
    for audit in _invited_audits()[1:]:
        issued = invitation_issue(audit=audit, by=User.objects.get(username="auditor"))
        if issued is not None:
            return audit, invitation_url(issued.token), issued.pin
    return None


def _users() -> dict[str, User]:
    users = {}
    firm = VendorFirm.objects.create(code=VENDOR[0], name=VENDOR[1])
    for username, role, amount, percent in USERS:
        if role == Role.INSURED:
            continue  # made by accepting an invitation, once the audits are in the book
        first, last, email = PEOPLE[username]
        user = User.objects.create_user(
            username=username,
            email=email,
            first_name=first,
            last_name=last,
            password=DEMO_PASSWORD,
            role=role,
            authority_amount=Decimal(amount),
            authority_percent=Decimal(percent),
            is_staff=role in (Role.MANAGER, Role.ADMIN),
            is_superuser=role == Role.ADMIN,
            vendor=firm if username == "vendor" else None,
        )
        users[username] = user
    return users


def _policy(rng: random.Random, n: int, agencies: list[Agency], today: date) -> None:
    trade = TRADES[n % len(TRADES)]
    state = STATES[n % len(STATES)]
    states = [state] if n % 9 else [state, STATES[(n + 1) % len(STATES)]]
    insured = Insured.objects.create(
        name=f"{rng.choice(NAMES)} {trade.name} {n + 1}",
        entity_type=trade.entity,
        fein=f"{35_000_000 + n:09d}",
        agency=rng.choice(agencies),
        contact_name=f"Owner {n + 1}",
        contact_email=f"owner{n + 1}@example.com",
    )
    policy = Policy.objects.create(insured=insured, number=f"DEMO-WC-{n + 1:05d}", line="WC")
    # Terms end over the year before "today"; about one in eight is cancelled mid-term.
    effective = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 365, 7))
    expiration = effective.replace(year=effective.year + 1)
    cancelled = effective + timedelta(days=rng.randint(60, 300)) if n % 8 == 3 else None
    estimates = [
        (states[i % len(states)], code, Decimal(rng.randrange(low, high, 1000)))
        for i, (code, low, high) in enumerate(trade.classes)
    ]
    deposit = _estimated_premium(policy.number, effective, expiration, states, estimates)
    period = PolicyPeriod.objects.create(
        policy=policy,
        effective=effective,
        expiration=expiration,
        states=states,
        cancellation_date=cancelled,
        cancellation_basis="pro_rata" if cancelled else "",
        experience_mods=[
            {
                "factor": str(rng.choice(("0.85", "0.92", "1.00", "1.00", "1.12"))),
                "effective": effective.isoformat(),
            }
        ],
        deposit_premium=deposit,
    )
    EstimatedExposure.objects.bulk_create(
        EstimatedExposure(period=period, state=s, class_code=c, exposure=e) for s, c, e in estimates
    )


def _estimated_premium(
    number: str,
    effective: date,
    expiration: date,
    states: list[str],
    estimates: list[tuple[str, str, Decimal]],
) -> Decimal:
    worksheet = ws.Worksheet(
        ws.Policy(
            line="WC",
            number=number,
            effective=effective,
            expiration=expiration,
            states=tuple(states),
        ),
        tuple(ws.Estimate(s, c, e) for s, c, e in estimates),
        ws.AuditFacts(),
    )
    return rate_worksheet(worksheet).estimated_premium


def _facts(rng: random.Random, audit: Audit) -> None:
    """Audited payroll near the estimate, with overtime, an officer and sometimes a sub."""
    period = audit.period
    for estimate in period.estimates.all():
        gross = (estimate.exposure * Decimal(rng.randint(80, 130)) / 100).quantize(Decimal(1))
        PayrollEntry.objects.create(
            audit=audit,
            state=estimate.state,
            class_code=estimate.class_code,
            employee=f"{estimate.class_code} staff",
            gross=gross,
            overtime_total=(gross * Decimal("0.06")).quantize(Decimal(1)),
            section_125=(gross * Decimal("0.02")).quantize(Decimal(1)),
        )
    first = period.estimates.order_by("id").first()
    assert first is not None
    if period.policy.insured.entity_type in ("corporation", "llc"):
        OwnerEntry.objects.create(
            audit=audit,
            name="Pat Owner",
            role="executive_officer"
            if period.policy.insured.entity_type == "corporation"
            else "llc_member",
            state=first.state,
            class_code=first.class_code,
            actual_pay=Decimal(rng.choice((45_000, 90_000, 180_000, 320_000))),
            coverage="included",
            ownership_percent=Decimal(60),
        )
    if rng.random() < 0.3:
        SubcontractorEntry.objects.create(
            audit=audit,
            name="Ace Subcontracting",
            state=first.state,
            class_code=first.class_code,
            contract_cost=Decimal(rng.randint(10, 80) * 1000),
            contract_type="labor_and_materials",
        )


def _advance(rng: random.Random, users: dict[str, User]) -> None:
    """Move the scheduled audits along so that every status is in the book."""
    auditor, reviewer, manager = users["auditor"], users["reviewer"], users["manager"]
    audits = list(Audit.objects.filter(status=Status.SCHEDULED).order_by("id"))
    for index, audit in enumerate(audits):
        target = TARGETS[index % len(TARGETS)]
        # One audit in eight goes to the outside firm; it works them like the staff auditor.
        worker = users["vendor"] if index % 8 == 5 else auditor
        audit = services.audit_assign(audit=audit, by=manager, assignee=worker)
        if target == Status.SCHEDULED:
            continue
        if target in (Status.RECORDS_REQUESTED, Status.RECORDS_RECEIVED, Status.ESTIMATED):
            audit = results.audit_request_records(audit=audit, by=worker, reason="first request")
            if target == Status.RECORDS_RECEIVED:
                services.audit_receive_records(audit=audit, by=worker)
                for item in audit.records.all()[:3]:
                    fieldwork.records_item_mark(item=item, by=worker, status="received")
            elif target == Status.ESTIMATED:
                results.audit_estimate(
                    audit=audit, by=worker, reason="no records after three requests"
                )
            continue
        audit = services.audit_start(audit=audit, by=worker)
        _facts(rng, audit)
        _entrance_interview(audit, worker)
        if target == Status.IN_PROGRESS:
            continue
        _exit_interview(rng, audit, worker)
        audit = results.audit_submit(audit=audit, by=worker)
        if target == Status.IN_REVIEW or audit.status == Status.COMPLETED:
            continue
        # Above the auditor's authority: the reviewer approves within theirs, else the manager.
        snapshot = audit.latest_result
        assert snapshot is not None
        approver = (
            reviewer
            if reviewer.within_authority(snapshot.adjustment, snapshot.estimated_premium)
            else manager
        )
        audit = results.audit_approve(audit=audit, by=approver)
        if target == Status.REVISED:
            revision = results.audit_revise(audit=audit, by=manager, reason="insured sent 941s")
            results.audit_submit(audit=revision, by=manager)
        elif target == Status.REVERSED:
            results.audit_reverse(audit=audit, by=manager, reason="policy rewritten flat")


def _entrance_interview(audit: Audit, by: User) -> None:
    insured = audit.period.policy.insured
    services.records_checklist_create(audit=audit, by=by)
    fieldwork.interview_note_add(
        audit=audit,
        by=by,
        kind="entrance",
        held_on=audit.start_date or audit.period.expiration,
        contact=insured.contact_name or "Owner",
        contact_title="Owner",
        operations=insured.name.split(" ", 1)[1].rsplit(" ", 1)[0],
        changes="No change in operations during the period",
        average_employees=audit.payroll.count() * 6,
    )
    for item in audit.records.all():
        fieldwork.records_item_mark(item=item, by=by, status="accepted")


def _exit_interview(rng: random.Random, audit: Audit, by: User) -> None:
    first = audit.payroll.order_by("id").first()
    assert first is not None
    fieldwork.finding_add(
        audit=audit,
        by=by,
        kind=rng.choice(("payroll", "records")),
        state=first.state,
        class_code=first.class_code,
        text="Overtime kept in a separate earnings code; premium portion excluded",
        recommendation="Keep overtime hours and pay separately by employee",
    )
    fieldwork.interview_note_add(
        audit=audit,
        by=by,
        kind="exit",
        held_on=audit.start_date or audit.period.expiration,
        contact=audit.period.policy.insured.contact_name or "Owner",
        notes="Reviewed the audited payroll by class and the findings; no disagreement.",
    )


def _counts() -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    for status in Audit.objects.values_list("status", flat=True):
        counts[status] += 1
    return counts
