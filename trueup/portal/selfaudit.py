"""The mail audit form, online, one step at a time: the answers as typed, their checks, the
facts they become, and the engine's preview of the likely outcome.

Answers are kept as typed (strings) in one draft so a step can be left half done and come back
to; every check names the step, the row and the field in words the insured understands, and the
field's path.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trueup.accounts.models import User
from trueup.audits.explanations import plain_reasons
from trueup.audits.facts import audit_reported_facts_replace
from trueup.audits.models import Audit
from trueup.audits.selectors import class_name
from trueup.audits.services import InvalidFacts, audit_transition
from trueup.audits.workflow import SELF_REPORTING, Status
from trueup.audits.worksheet import worksheet_for
from trueup.core.errors import InvalidInput
from trueup.core.money import parse_dollars
from trueup.notifications.models import Kind
from trueup.portal import words
from trueup.portal.models import SelfAudit, SelfAuditStatus
from trueup.portal.services import system_message
from trueup.rating import rate_worksheet, to_jsonable
from trueup.rating import worksheet as ws
from trueup.rating.errors import Problem, WorksheetError
from trueup.rating.periods import add_months
from trueup.reference.classes import plain_description
from trueup.reference.selectors import rates_in_use

# The payroll step's money columns → the engine's payroll fields. Gross includes all of them (the
# form asks for gross payroll including pre-tax deductions); each is reported so it can be
# excluded or reconciled. The labels are what the insured reads, in plain words.
PAYROLL_COLUMNS = {
    "gross": (_("Gross payroll"), "gross"),
    "overtime": (_("Overtime (total paid)"), "overtime_total"),
    "tips": (_("Tips"), "tips"),
    "severance": (_("Severance"), "severance"),
    "section_125": (_("Pre-tax health or flexible-spending deductions"), "section_125"),
    "deferred_401k": (_("Retirement-plan deductions (401(k), IRA)"), "deferred_401k"),
}
OWNER_ROLES = {
    "executive_officer": _("Corporate officer"),
    "llc_member": _("LLC member or manager"),
    "partner": _("Partner"),
    "sole_proprietor": _("Sole proprietor"),
}
CONTRACTOR_KINDS = {
    "subcontractor": _("Subcontractor"),
    "temporary_agency": _("Temporary-labor agency"),
}
CONTRACT_TYPES = {
    "labor_only": _("Labor only"),
    "labor_and_materials": _("Labor and materials"),
    "equipment_with_operator": _("Equipment with operator"),
}
INCLUDED = {"included": _("Covered by the policy"), "excluded": _("Not covered (excluded)")}
YES_NO = {"yes": _("Yes"), "no": _("No")}
# What each answer is called, on its step and in the summary before submitting.
LABELS = {
    "business": {
        "operations": _("What your business does"),
        "changes": _("Changes during the policy period (new kinds of work, places or owners)"),
        "related_businesses": _("Other businesses with the same owners"),
    },
    "completed_by": {
        "name": _("Your name"),
        "title": _("Your title"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "contact_name": _("Who to ask follow-up questions"),
        "contact_phone": _("Their phone"),
        "contact_email": _("Their e-mail"),
    },
    "owners": {
        "name": _("Name"),
        "title": _("Title"),
        "role": _("Position"),
        "duties": _("What they do"),
        "ownership_percent": _("Share of the business they own (%)"),
        "included": _("Covered by the policy?"),
        "state": _("State"),
        "class_code": _("Class code of their work"),
        "payroll": _("Their pay for the period"),
    },
    "contractors": {
        "name": _("Name"),
        "kind": _("Kind"),
        "work": _("Work they did"),
        "state": _("State"),
        "class_code": _("Class code of the work"),
        "contract_type": _("Contract"),
        "amount_paid": _("Amount paid in the period"),
        "labor_amount": _("Of which labor (if known)"),
        "has_certificate": _("Certificate of insurance?"),
        "certificate_from": _("Certificate from"),
        "certificate_to": _("Certificate to"),
    },
}
BUSINESS_FIELDS = ("operations", "changes", "related_businesses")
COMPLETED_BY_FIELDS = (
    "name",
    "title",
    "phone",
    "email",
    "contact_name",
    "contact_phone",
    "contact_email",
    "signature",
    "attest",
)
OWNER_FIELDS = (
    "name",
    "title",
    "role",
    "duties",
    "ownership_percent",
    "included",
    "state",
    "class_code",
    "payroll",
)
CONTRACTOR_FIELDS = (
    "name",
    "kind",
    "work",
    "state",
    "class_code",
    "contract_type",
    "amount_paid",
    "labor_amount",
    "has_certificate",
    "certificate_from",
    "certificate_to",
)
PAYROLL_FIELDS = ("state", "class_code", "quarter", *PAYROLL_COLUMNS)
SECTIONS = {"owners": OWNER_FIELDS, "contractors": CONTRACTOR_FIELDS, "payroll": PAYROLL_FIELDS}


@dataclass(frozen=True)
class Step:
    """One page of the form: what it asks (``group.field`` answers or whole row sections) and
    the name its mistakes are told by."""

    key: str
    title: str | Promise  # in the reader's language when shown
    name: str | Promise
    asks: tuple[str, ...]


STEPS = (
    Step(
        "business",
        _("Your business and the policy period"),
        _("Your business"),
        ("business.operations",),
    ),
    Step("payroll", _("Payroll by class"), _("Payroll by class"), ("payroll",)),
    Step("owners", _("Owners and officers"), _("Owners and officers"), ("owners",)),
    Step(
        "contractors",
        _("Subcontractors and temporary labor"),
        _("Subcontractors and temporary labor"),
        ("contractors",),
    ),
    Step(
        "contact",
        _("Anything else, and who is completing this form"),
        _("Who is completing this form"),
        (
            "business.changes",
            "business.related_businesses",
            *(f"completed_by.{f}" for f in COMPLETED_BY_FIELDS if f not in ("attest", "signature")),
        ),
    ),
    Step(
        "summary",
        _("Check your answers and submit"),
        _("Check and submit"),
        ("completed_by.attest", "completed_by.signature"),
    ),
)
STEP = {step.key: step for step in STEPS}
# Dollars and cents as people type them: "12500", "12,500.00", "$12,500"; commas only between
# groups of three.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Quarter:
    key: str  # "1".."4", or "all" for the whole period (a payroll export's totals)
    start: date
    end: date  # last day

    @property
    def label(self) -> str:
        if self.key == "all":
            return str(gettext("Whole period"))
        span = gettext("%(start)s – %(end)s") % {
            "start": dateformat.format(self.start, gettext("M j")),
            "end": dateformat.format(self.end, gettext("M j, Y")),
        }
        return str(gettext("Quarter %(number)s (%(span)s)") % {"number": self.key, "span": span})


def quarters(audit: Audit) -> list[Quarter]:
    """The policy period's four quarters (the form asks for payroll by quarter of the policy)."""
    start = audit.period.effective
    end = audit.period.cancellation_date or audit.period.expiration
    found = []
    for n in range(4):
        q_start = add_months(start, 3 * n)
        if q_start >= end:
            break
        q_end = min(add_months(start, 3 * (n + 1)), end)
        found.append(Quarter(str(n + 1), q_start, date.fromordinal(q_end.toordinal() - 1)))
    return found


def period_quarter(audit: Audit) -> Quarter:
    end = audit.period.cancellation_date or audit.period.expiration
    return Quarter("all", audit.period.effective, date.fromordinal(end.toordinal() - 1))


def policy_classes(audit: Audit) -> list[dict[str, str]]:
    """The classes on the policy, with their estimates, for the form's rows and choices."""
    return [
        {
            "state": e.state,
            "class_code": e.class_code,
            # The rate table's words, else the class table's plain description.
            "description": class_name(audit, e.state, e.class_code)
            or plain_description(
                e.state, audit.period.policy.line, e.class_code, audit.period.effective
            ),
            "estimate": str(e.exposure),
        }
        for e in audit.period.estimates.filter(basis="payroll").order_by("state", "class_code")
    ]


def blank_answers(audit: Audit) -> dict[str, Any]:
    """A new form: the payroll step prefilled with the policy's classes, one row per quarter."""
    insured = audit.period.policy.insured
    payroll = [
        {"state": c["state"], "class_code": c["class_code"], "quarter": q.key}
        | dict.fromkeys(PAYROLL_COLUMNS, "")
        for c in policy_classes(audit)
        for q in quarters(audit)
    ]
    return {
        "business": dict.fromkeys(BUSINESS_FIELDS, ""),
        "owners": [],
        "payroll": payroll,
        "contractors": [],
        "completed_by": dict.fromkeys(COMPLETED_BY_FIELDS, "")
        | {
            "contact_name": insured.contact_name,
            "contact_phone": insured.contact_phone,
            "contact_email": insured.contact_email,
        },
    }


def normalised(answers: Any) -> dict[str, Any]:
    """Answers as posted or stored, reduced to the form's own fields, every value a string."""
    if not isinstance(answers, dict):
        answers = {}
    out: dict[str, Any] = {}
    groups: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("business", BUSINESS_FIELDS),
        ("completed_by", COMPLETED_BY_FIELDS),
    )
    for group, fields in groups:
        given = answers.get(group) if isinstance(answers.get(group), dict) else {}
        out[group] = {f: str(given.get(f, "") or "").strip()[:5000] for f in fields}
    for section, fields in SECTIONS.items():
        rows = answers.get(section) if isinstance(answers.get(section), list) else []
        out[section] = [
            {f: str(row.get(f, "") or "").strip()[:500] for f in fields}
            for row in rows[:500]
            if isinstance(row, dict)
        ]
    return out


def _blank(row: dict[str, str], fields: tuple[str, ...]) -> bool:
    return not any(row.get(f) for f in fields)


@dataclass
class Checked:
    """The facts the answers become, and what is wrong with them."""

    payroll: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    owners: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    subcontractors: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)

    def facts(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "payroll": self.payroll,
            "owners": self.owners,
            "subcontractors": self.subcontractors,
        }


class _Reader:
    """Reads one row's fields, noting each problem with its path and a plain message."""

    def __init__(self, checked: Checked, path: str, where: str, row: dict[str, str]) -> None:
        self.checked, self.path, self.where, self.row = checked, path, where, row

    def problem(self, field: str, message: str) -> None:
        self.checked.problems.append(Problem(f"{self.path}.{field}", f"{self.where}: {message}"))

    def text(self, field: str, label: str, required: bool = True) -> str:
        value = self.row.get(field, "")
        if required and not value:
            self.problem(field, gettext("%(label)s is needed") % {"label": label})
        return value

    def money(self, field: str, label: str | Promise, required: bool = False) -> Decimal | None:
        value = self.row.get(field, "").replace(" ", "")
        if not value:
            if required:
                self.problem(field, gettext("%(label)s is needed") % {"label": label})
            return None
        try:
            return parse_dollars(value)
        except ValueError as e:
            reason = str(e)
            self.problem(
                field, gettext("%(label)s %(reason)s") % {"label": label, "reason": reason}
            )
            return None

    def percent(self, field: str, label: str) -> Decimal | None:
        value = self.row.get(field, "").rstrip("%").strip()
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            self.problem(
                field, gettext("%(label)s must be a number from 0 to 100") % {"label": label}
            )
            return None
        if not Decimal(0) <= amount <= Decimal(100):
            self.problem(
                field, gettext("%(label)s must be a number from 0 to 100") % {"label": label}
            )
            return None
        return amount

    def day(self, field: str, label: str) -> date | None:
        value = self.row.get(field, "")
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(field, gettext("%(label)s must be a date (YYYY-MM-DD)") % {"label": label})
            return None

    def choice(self, field: str, label: str, choices: Mapping[str, object]) -> str:
        value = self.row.get(field, "")
        if value not in choices:
            self.problem(field, gettext("choose the %(label)s") % {"label": label})
        return value

    def policy_class(self, states: set[str]) -> tuple[str, str]:
        state = self.row.get("state", "").upper()
        class_code = self.row.get("class_code", "")
        if state not in states:
            self.problem(
                "state",
                gettext("choose one of the policy's states (%(states)s)")
                % {"states": ", ".join(sorted(states))},
            )
        if not re.fullmatch(r"\d{4}", class_code):
            self.problem("class_code", gettext("the class code is four digits, like 5645"))
        return state, class_code


def check(audit: Audit, answers: dict[str, Any], submitting: bool) -> Checked:
    """Every answer checked; the facts they make. Who completed the form and the attestation
    are checked only when submitting (a draft may be saved without them)."""
    checked = Checked()
    states = set(audit.period.states)
    _check_payroll(checked, audit, answers["payroll"], states)
    _check_owners(checked, answers["owners"], states)
    _check_contractors(checked, answers["contractors"], states, period_quarter(audit))
    if submitting:
        _check_signed(checked, answers)
    return checked


def _check_payroll(
    checked: Checked, audit: Audit, rows: list[dict[str, str]], states: set[str]
) -> None:
    """The payroll step: summed by state and class into the engine's payroll lines."""
    payroll: dict[tuple[str, str], dict[str, Any]] = {}
    keys = {q.key for q in quarters(audit)} | {"all"}
    seen: set[tuple[str, str, str]] = set()
    for index, row in enumerate(rows):
        if _blank(row, tuple(PAYROLL_COLUMNS)):
            continue
        where = gettext("%(step)s, row %(row)s (%(state)s %(class_code)s, %(quarter)s)") % {
            "step": STEP["payroll"].name,
            "row": index + 1,
            "state": row.get("state"),
            "class_code": row.get("class_code"),
            "quarter": _quarter_name(row.get("quarter", "")),
        }
        r = _Reader(checked, f"payroll[{index}]", where, row)
        state, class_code = r.policy_class(states)
        quarter = row.get("quarter", "")
        if quarter not in keys:
            r.problem("quarter", gettext("choose the quarter"))
        elif (state, class_code, quarter) in seen:
            r.problem("quarter", gettext("this class and quarter is on another row too"))
        seen.add((state, class_code, quarter))
        read = {c: r.money(c, label) for c, (label, _field) in PAYROLL_COLUMNS.items()}
        amounts = {c: v or Decimal(0) for c, v in read.items()}
        if row.get("gross", "") == "":
            r.problem("gross", gettext("gross payroll is needed (enter 0 if none)"))
        parts = sum((v for c, v in amounts.items() if c != "gross"), Decimal(0))
        if read["gross"] is not None and parts > amounts["gross"]:
            r.problem(
                "gross",
                gettext(
                    "gross payroll includes overtime, tips, severance and the pre-tax "
                    "deductions, so it cannot be less than their sum"
                ),
            )
        line = payroll.setdefault(
            (state, class_code),
            {"state": state, "class_code": class_code}
            | {f: Decimal(0) for _label, f in PAYROLL_COLUMNS.values()},
        )
        for column, (_label, field) in PAYROLL_COLUMNS.items():
            line[field] += amounts[column]
    checked.payroll = [line for line in payroll.values() if line["gross"] > 0]


def _check_owners(checked: Checked, rows: list[dict[str, str]], states: set[str]) -> None:
    """The owners step: officers, owners, partners and members."""
    for index, row in enumerate(rows):
        if _blank(row, OWNER_FIELDS):
            continue
        name = row.get("name") or gettext("row %(row)s") % {"row": index + 1}
        r = _Reader(checked, f"owners[{index}]", f"{STEP['owners'].name}, {name}", row)
        r.text("name", gettext("the name"))
        role = r.choice(
            "role", gettext("position (officer, member, partner or proprietor)"), OWNER_ROLES
        )
        included = r.choice("included", gettext("whether they are covered by the policy"), INCLUDED)
        state, class_code = r.policy_class(states)
        pay = r.money("payroll", gettext("their payroll"), required=True)
        share = r.percent("ownership_percent", gettext("ownership %"))
        checked.owners.append(
            {
                "name": row.get("name", ""),
                "role": role,
                "state": state,
                "class_code": class_code,
                "actual_pay": pay or Decimal(0),
                "coverage": included,
                "ownership_percent": share,
                "duties": " — ".join(x for x in (row.get("title"), row.get("duties")) if x)[:200],
            }
        )


def _check_contractors(
    checked: Checked, rows: list[dict[str, str]], states: set[str], period: Quarter
) -> None:
    """The subcontractors step: subcontractors, and temporary labor as the client's own payroll."""
    for index, row in enumerate(rows):
        if _blank(row, CONTRACTOR_FIELDS):
            continue
        name = row.get("name") or gettext("row %(row)s") % {"row": index + 1}
        r = _Reader(checked, f"contractors[{index}]", f"{STEP['contractors'].name}, {name}", row)
        r.text("name", gettext("the name"))
        kind = r.choice(
            "kind", gettext("kind (subcontractor or temporary-labor agency)"), CONTRACTOR_KINDS
        )
        state, class_code = r.policy_class(states)
        paid = r.money("amount_paid", gettext("the amount paid"), required=True) or Decimal(0)
        certified = (
            r.choice("has_certificate", gettext("whether you have a certificate"), YES_NO) == "yes"
        )
        cert_from = r.day("certificate_from", gettext("the certificate's start"))
        cert_to = r.day("certificate_to", gettext("the certificate's end"))
        if certified and (cert_from is None or cert_to is None):
            r.problem("certificate_from", gettext("give the dates of the certificate of insurance"))
        if cert_from and cert_to and cert_to <= cert_from:
            r.problem("certificate_to", gettext("the certificate must end after it starts"))
        if kind == "temporary_agency":
            # Temporary labor is classified as the client's own workers; it is not charged when
            # the agency insures it (certificate on file).
            line: dict[str, Any] = {
                "state": state,
                "class_code": class_code,
                "employee": row.get("name", ""),
            }
            line |= {f: Decimal(0) for _label, f in PAYROLL_COLUMNS.values()}
            line |= {"gross": paid, "labor_source": "temporary", "covered_elsewhere": certified}
            if paid > 0:
                checked.payroll.append(line)
            continue
        contract_type = r.choice("contract_type", gettext("kind of contract"), CONTRACT_TYPES)
        labor = r.money("labor_amount", gettext("the labor part"))
        if labor is not None and labor > paid:
            r.problem("labor_amount", gettext("the labor part cannot be more than the amount paid"))
        checked.subcontractors.append(
            {
                "name": row.get("name", ""),
                "state": state,
                "class_code": class_code,
                "contract_cost": paid,
                "contract_type": contract_type,
                "stated_labor": labor,
                # The form asks for the labor part only: without it, no records of the labor.
                "labor_records": "none" if labor is None else "stated",
                "certificate_from": cert_from if certified else None,
                "certificate_to": cert_to if certified else None,
                "work_from": period.start,
                "work_to": period.end,
            }
        )


def _check_signed(checked: Checked, answers: dict[str, Any]) -> None:
    """The contact step and the signature, and that there is something to submit."""
    given = answers["completed_by"]
    signed = _Reader(checked, "completed_by", str(STEP["contact"].name), given)
    signed.text("name", gettext("the name of the person who completed the form"))
    signed.text("phone", gettext("a phone number for follow-up"))
    email = signed.text("email", gettext("an e-mail address for follow-up"))
    if email and not _EMAIL.match(email):
        signed.problem("email", gettext("enter a valid e-mail address"))
    attested = _Reader(checked, "completed_by", str(STEP["summary"].name), given)
    if given.get("attest") != "yes":
        attested.problem("attest", gettext("tick the box to confirm the information is true"))
    signature = attested.text("signature", gettext("your signature (type your full name)"))
    if signature and signature.casefold() != given.get("name", "").casefold():
        attested.problem(
            "signature", gettext("type the same name as the person who completed the form")
        )
    if not checked.payroll and not checked.owners and not checked.subcontractors:
        checked.problems.append(
            Problem(
                "payroll",
                gettext("%(step)s: enter the payroll for at least one class")
                % {"step": STEP["payroll"].name},
            )
        )


def _quarter_name(key: str) -> str:
    if key == "all":
        return str(gettext("whole period"))
    return str(gettext("quarter %(number)s") % {"number": key} if key else gettext("no quarter"))


# The steps -----------------------------------------------------------------------------------


def step_after(key: str, by: int) -> Step:
    """The step ``by`` places on from ``key`` (-1 back, 1 next), kept within the form."""
    keys = [step.key for step in STEPS]
    index = min(max(keys.index(key) + by, 0), len(STEPS) - 1)
    return STEPS[index]


def step_of(path: str) -> Step:
    """The step whose page has the field a problem names; anything else (the engine's own
    refusals) is told on the last step."""
    for step in STEPS:
        for asked in step.asks:
            if path == asked or path.startswith((f"{asked}[", f"{asked}.")):
                return step
    return STEPS[-1]


def with_step(stored: dict[str, Any], posted: dict[str, Any], step: Step) -> dict[str, Any]:
    """The draft with one step's answers as posted; the other steps' answers are kept."""
    merged = copy.deepcopy(stored)
    for asked in step.asks:
        group, _, name = asked.partition(".")
        if name:
            merged[group][name] = posted[group][name]
        else:
            merged[group] = posted[group]
    return merged


def step_problems(audit: Audit, answers: dict[str, Any], step: Step) -> list[Problem]:
    """What must be put right before leaving a step by Next: its own fields' problems, checked
    as for submitting. Whether there is any payroll at all is asked only when submitting."""
    checked = check(audit, answers, submitting=True)
    return [p for p in checked.problems if p.path != "payroll" and step_of(p.path) == step]


# The preview --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    estimated: Decimal
    audited: Decimal
    difference: Decimal  # audited − estimated
    outcome: str  # "additional", "return" or "none"
    because: list[str]


def preview(audit: Audit, checked: Checked) -> Preview:
    """The engine's rating of what the insured entered, against the estimate, with the reasons
    in plain words. Nothing is saved."""
    base = worksheet_for(audit)
    facts = ws.AuditFacts(
        payroll=tuple(ws.PayrollLine(**line) for line in checked.payroll),
        owners=tuple(ws.Owner(**owner) for owner in checked.owners),
        subcontractors=tuple(ws.Subcontractor(**sub) for sub in checked.subcontractors),
        gl_exposures=base.audited.gl_exposures,
    )
    sheet = dataclasses.replace(base, audited=facts)
    result: dict[str, Any] = to_jsonable(rate_worksheet(sheet, rates=rates_in_use()))
    estimated = Decimal(result["estimated_premium"])
    audited = Decimal(result["audited_premium"])
    reasons = plain_reasons(result, lambda state, code: class_name(audit, state, code))
    because = list(dict.fromkeys(words.plain(reason) for reason in reasons))
    difference = audited - estimated
    outcome = "additional" if difference > 0 else "return" if difference < 0 else "none"
    return Preview(estimated, audited, difference, outcome, because)


# Filling the payroll step from a payroll export ---------------------------------------------


def filled_from_register(
    audit: Audit, answers: dict[str, Any], lines: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """The payroll step replaced by a payroll export's totals by state and class, for the whole
    period (the importer's lines, ``payroll.ingest.Ingested.lines``, carry no quarter).
    Officers' pay is left to the owners step."""
    totals: dict[tuple[str, str], dict[str, Decimal]] = {}
    for line in lines:
        key = (str(line["state"]), str(line.get("class_code") or ""))
        sums = totals.setdefault(key, dict.fromkeys(PAYROLL_COLUMNS, Decimal(0)))
        for column, (_label, field) in PAYROLL_COLUMNS.items():
            sums[column] += Decimal(str(line.get(field) or 0))
    filled = copy.deepcopy(answers)
    filled["payroll"] = [
        {"state": state, "class_code": class_code, "quarter": "all"}
        | {column: f"{amount:.2f}" for column, amount in sums.items()}
        for (state, class_code), sums in sorted(totals.items())
    ]
    return filled


# Services ------------------------------------------------------------------------------------


def self_audit_for(audit: Audit) -> SelfAudit:
    """The audit's self-audit; a new one (not yet saved) starts from the policy's classes."""
    existing = SelfAudit.objects.filter(audit=audit).first()
    return existing or SelfAudit(audit=audit, answers=blank_answers(audit))


def editable(audit: Audit) -> bool:
    return audit.status in SELF_REPORTING


@transaction.atomic
def self_audit_save(*, audit: Audit, by: User, answers: Any) -> SelfAudit:
    """Save the form as a draft, as typed, to come back to later."""
    if not editable(audit):
        raise InvalidInput(
            [Problem("audit", gettext("this audit no longer takes changes online: send a message"))]
        )
    form = self_audit_for(audit)
    form.answers = normalised(answers)
    form.status = SelfAuditStatus.DRAFT
    form.updated_by = by
    form.save()
    return form


@transaction.atomic
def self_audit_submit(*, audit: Audit, by: User, answers: Any) -> SelfAudit:
    """Check every answer, put the facts on the audit (replacing the insured's earlier report),
    mark the records received and tell the auditor. All or nothing."""
    form = self_audit_save(audit=audit, by=by, answers=answers)
    checked = check(audit, form.answers, submitting=True)
    if checked.problems:
        raise InvalidInput(checked.problems)
    try:
        preview(audit, checked)
    except WorksheetError as e:
        raise InvalidInput(list(e.problems)) from e
    try:
        audit_reported_facts_replace(
            audit=audit, by=by, facts=checked.facts(), source="the insured's online self-audit"
        )
    except InvalidFacts as e:
        raise InvalidInput(list(e.problems)) from e
    form.status = SelfAuditStatus.SUBMITTED
    form.submitted_at = timezone.now()
    form.submitted_by = by
    form.save()
    if audit.status == Status.RECORDS_REQUESTED:
        audit_transition(
            audit=audit, to=Status.RECORDS_RECEIVED, by=by, reason="online self-audit submitted"
        )
    signed = form.answers["completed_by"]
    system_message(
        audit,
        f"Self-audit submitted by {signed['name']} ({signed['title'] or 'no title given'}): "
        f"{len(checked.payroll)} payroll line(s), {len(checked.owners)} officer(s), "
        f"{len(checked.subcontractors)} subcontractor(s).",
        by,
        kind=Kind.SELF_AUDIT_SUBMITTED,
    )
    return form
