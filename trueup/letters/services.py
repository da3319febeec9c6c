"""Letters about an audit: rendered from a template per kind, previewed by staff, printed to PDF,
e-mailed with the PDF attached and archived as sent.

``letter_render`` is the preview: it refuses only what no letter can be written without (an
unknown kind, a results letter without a result, a dispute letter without the dispute). Whether
there is anyone to e-mail it to is ``letter_send``'s question, so a letter for an insured without
an e-mail address can still be previewed and printed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trueup.accounts.models import Role, User
from trueup.audits.explanations import explain, insured_findings
from trueup.audits.models import (
    Audit,
    Finding,
    FindingKind,
    RecordKind,
    RecordStatus,
    ResultSnapshot,
)
from trueup.audits.reasons import (
    class_words,
    exposure_change,
    finding_text,
    reason_text,
    results_explanation,
    sentence,
)
from trueup.audits.scheduling import checklist_for, estimated_premium, record_reason
from trueup.audits.scheduling import rules as scheduling_rules
from trueup.audits.selectors import class_name, records_requested_on, respond_by
from trueup.audits.workflow import Status
from trueup.core import clock, money
from trueup.core.errors import Refused
from trueup.core.tasks import enqueue_on_commit
from trueup.letters.delivery import deliver_letter
from trueup.letters.models import Letter, LetterKind
from trueup.letters.rules import rules
from trueup.letters.worksheet_pdf import ClassLine, class_lines, plain
from trueup.policies.models import Agent, Line

NO_EMAIL = "the insured has no e-mail address on file: add one or print the letter"

SUBJECTS: dict[str, Any] = {
    LetterKind.RECORDS_REQUEST: gettext_lazy(
        "Premium audit: records requested for policy %(policy)s"
    ),
    LetterKind.REMINDER_1: gettext_lazy("Reminder: premium audit records for policy %(policy)s"),
    LetterKind.REMINDER_2: gettext_lazy(
        "Second reminder: premium audit records for policy %(policy)s"
    ),
    LetterKind.REMINDER_FINAL: gettext_lazy(
        "Final notice: premium audit records for policy %(policy)s"
    ),
    LetterKind.WAIVER: gettext_lazy("Premium audit waived: policy %(policy)s"),
    LetterKind.ESTIMATED: gettext_lazy(
        "Estimated premium audit and non-compliance charge: policy %(policy)s"
    ),
    LetterKind.RESULTS: gettext_lazy("Premium audit results: policy %(policy)s"),
    LetterKind.DISPUTE_ACK: gettext_lazy("We have received your audit dispute: policy %(policy)s"),
    LetterKind.DISPUTE_OUTCOME: gettext_lazy("Outcome of your audit dispute: policy %(policy)s"),
    LetterKind.PAYMENT_PLAN: gettext_lazy("Payment plan agreement: policy %(policy)s"),
    LetterKind.POLICY_CHANGES: gettext_lazy("Policy changes found at audit: policy %(policy)s"),
    LetterKind.FUTURE_CHANGES: gettext_lazy("Changes to your policy at renewal: policy %(policy)s"),
}

OUTCOME_LABELS = {
    "additional": gettext_lazy("Additional premium due"),
    "return": gettext_lazy("Return premium"),
}

# A policy's line as a letter names it ("your workers' compensation policy").
LINE_WORDS: dict[str, Any] = {
    Line.WC: gettext_lazy("workers' compensation"),
    Line.GL: gettext_lazy("general liability"),
}

# The languages letters are written in; anything else is written in English.
LANGUAGES = {code for code, _name in settings.LANGUAGES}
ENGLISH = "en"


ZERO = Decimal(0)


class LetterRefused(Refused):
    """A letter that cannot be written or sent as asked, with what to do instead."""

    code = "letter_refused"


@dataclass(frozen=True)
class Rendered:
    kind: str
    subject: str
    html: str
    recipients: list[str]
    language: str = ENGLISH


def letter_language(code: str | None) -> str:
    """A language letters are written in: the one asked for, or English."""
    code = (code or "").split("-")[0].lower()
    return code if code in LANGUAGES else ENGLISH


def agent_language(address: str) -> str:
    """The language of the agent who reads this address: their portal account's, or English."""
    found = (
        User.objects.filter(email__iexact=address.strip(), role=Role.AGENT)
        .order_by("id")
        .values_list("language", flat=True)
        .first()
    )
    return letter_language(found)


# Recipients -----------------------------------------------------------------------------------


def default_recipients(audit: Audit) -> list[str]:
    """The insured's contact and the e-mail addresses of its agency's agents, each once."""
    insured = audit.period.policy.insured
    found = [insured.contact_email]
    if insured.agency_id is not None:
        found += (
            Agent.objects.filter(agency_id=insured.agency_id)
            .order_by("id")
            .values_list("email", flat=True)
        )
    return _unique_addresses(found)


def _unique_addresses(addresses: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for address in (a.strip() for a in addresses):
        if address and address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique


# Figures and lines from a result ---------------------------------------------------------------


def as_decimal(value: Any) -> Decimal:
    """A figure of a stored result; zero where there is none."""
    return money.as_decimal(value) or ZERO


def adjustment_words(outcome: str, adjustment: Decimal) -> dict[str, Any]:
    # A return is money back: said in the label, so the amount is shown without a minus.
    return {
        "outcome": outcome,
        "label": OUTCOME_LABELS.get(outcome) or _("No change in premium"),
        "amount": abs(adjustment),
    }


def _final_result(audit: Audit, kind: str) -> ResultSnapshot:
    """The result pinned when the audit became final: letters never show a later rating."""
    snapshot = audit.final_result
    if snapshot is None:
        with translation.override(ENGLISH):  # said to staff
            label = str(LetterKind(kind).label).lower()
        raise LetterRefused(
            f"the audit has no final result yet: the {label} is sent once it is completed"
        )
    return snapshot


def _class_table(audit: Audit, snapshot: ResultSnapshot) -> tuple[list[ClassLine], list[ClassLine]]:
    """The result's lines as the worksheet PDF shows them: classes, then each state's charges.
    A description the stored result lacks comes from the rates in use."""
    lines = [
        replace(line, description=class_name(audit, line.state, line.code))
        if line.is_class and not line.description
        else line
        for line in class_lines(snapshot.result, explain(snapshot.result))
    ]
    return [line for line in lines if line.is_class], [line for line in lines if not line.is_class]


def _main_reasons(snapshot: ResultSnapshot, classes: list[ClassLine]) -> list[str]:
    """Why the audited premium differs from the estimate, in plain sentences in the active
    language: each class whose exposure changed, then the engine's findings."""
    result: dict[str, Any] = snapshot.result
    bases = {
        (e["state"], e["class"]): str(e.get("basis", "payroll"))
        for side in ("estimated", "audited")
        for e in result.get(side, {}).get("exposures", [])
    }
    reasons = []
    for line in classes:
        estimated = as_decimal(line.estimated_exposure)
        audited = as_decimal(line.audited_exposure)
        if estimated == audited:
            continue
        basis = bases.get((line.state, line.code), "payroll")
        where = class_words(line.state, line.code, line.description)
        reasons.append(exposure_change(where[:1].upper() + where[1:], basis, estimated, audited))
    # The engine's findings (a reclassification, an uninsured subcontractor, an officer's pay
    # limit); the non-compliance one has its own letter.
    for finding in insured_findings(result.get("findings", [])):
        if finding.get("code") != "non_compliance":
            reasons.append(sentence(finding_text(finding)))
    return reasons


def _counting_notes(snapshot: ResultSnapshot) -> list[str]:
    """How the audited payroll was counted where it is not simply gross pay (overtime premium
    left out, reimbursements excluded), each once."""
    notes: list[str] = []
    for exposure in snapshot.result.get("audited", {}).get("exposures", []):
        for reason in exposure.get("reasons", []):
            if reason.get("rule") == "worksheet" or as_decimal(reason.get("amount")) == ZERO:
                continue
            note = sentence(reason_text(reason))
            if note not in notes:
                notes.append(note)
    return notes


def _non_compliance_charge(snapshot: ResultSnapshot) -> Decimal:
    return sum(
        (
            as_decimal(step.get("amount"))
            for state in snapshot.result.get("audited", {}).get("states", [])
            for step in state.get("steps", [])
            if step.get("code") == "non_compliance"
        ),
        ZERO,
    )


def item_description(audit: Audit, state: str, item: str, classes: set[tuple[str, str]]) -> str:
    """A result line's item (a class code or a state charge's code) in words."""
    if (state, item) in classes:
        name = class_name(audit, state, item)
        if name:
            return _("Class %(code)s (%(name)s)") % {"code": item, "name": name}
        return _("Class %(code)s") % {"code": item}
    return plain(item)


# Records --------------------------------------------------------------------------------------


def _checklist(audit: Audit, *, missing_only: bool) -> list[dict[str, str]]:
    """The records asked for; before the checklist is made, the records it will ask for."""
    items = [
        {
            "kind": item.kind,
            "label": item.get_kind_display(),
            "why": record_reason(item.kind, translation.get_language() or ENGLISH, item.why),
            "status": item.status,
            "note": item.note if item.status == RecordStatus.REJECTED else "",
        }
        for item in audit.records.all()
    ] or [
        {
            "kind": kind,
            "label": str(RecordKind(kind).label),
            "why": record_reason(kind, translation.get_language() or ENGLISH, why),
            "status": RecordStatus.NEEDED,
            "note": "",
        }
        for kind, why in checklist_for(audit)
    ]
    wanted = (
        {RecordStatus.NEEDED, RecordStatus.REJECTED}
        if missing_only
        else {RecordStatus.NEEDED, RecordStatus.REJECTED, RecordStatus.RECEIVED}
    )
    return [item for item in items if item["status"] in wanted]


def _records_context(audit: Audit, kind: str, extra: Mapping[str, Any]) -> dict[str, Any]:
    reminder = kind != LetterKind.RECORDS_REQUEST
    records = _checklist(audit, missing_only=reminder)
    if reminder and not records:
        raise LetterRefused(
            "nothing is missing: every record asked for has been received, so there is nothing "
            "to remind the insured of"
        )
    return {
        "records": records,
        "requested_on": records_requested_on(audit),
        # A reminder may set a new date; otherwise the records request's own.
        "respond_by": extra.get("respond_by") or respond_by(audit),
        "respond_within_days": int(scheduling_rules()["records_reply"]["respond_within_days"]),
    }


# Each kind's context ----------------------------------------------------------------------------


def _waiver_context(audit: Audit, extra: Mapping[str, Any]) -> dict[str, Any]:
    if audit.status != Status.WAIVED:
        raise LetterRefused(
            f"the audit is {Status(audit.status).label.lower()}, not waived: waive it before "
            "sending the waiver letter"
        )
    window = int(scheduling_rules()["waiver"]["request_window_days"])
    waived = (
        audit.status_changes.filter(to_status=Status.WAIVED)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    # audit_reopen counts the window from the day the audit was waived: the letter says so.
    waived_on = timezone.localdate(waived) if waived is not None else clock.today()
    return {
        "estimated_premium": estimated_premium(audit.period),
        "request_window_days": window,
        "request_by": waived_on + timedelta(days=window),
    }


def _estimated_context(audit: Audit, extra: Mapping[str, Any]) -> dict[str, Any]:
    snapshot = _final_result(audit, LetterKind.ESTIMATED)
    if snapshot.worksheet.get("audit", {}).get("type") != "estimated":
        raise LetterRefused(
            "the audit's final result is not an estimated audit: send the results letter instead"
        )
    return {
        "snapshot": snapshot,
        "adjustment": adjustment_words(snapshot.outcome, snapshot.adjustment),
        "non_compliance_charge": _non_compliance_charge(snapshot),
        "records": _checklist(audit, missing_only=True),
    }


def _results_context(audit: Audit, extra: Mapping[str, Any]) -> dict[str, Any]:
    snapshot = _final_result(audit, LetterKind.RESULTS)
    classes, charges = _class_table(audit, snapshot)
    # The window is billing's (it refuses disputes after it): a letter that worked out a date
    # of its own could promise the insured a day billing would refuse.
    dispute_by = extra.get("dispute_by")
    dispute_days = extra.get("dispute_days")
    if not isinstance(dispute_by, date) or dispute_days is None:
        raise LetterRefused(
            "say until when the result may be disputed: the results letter gives the insured "
            "the dispute window billing keeps"
        )
    return {
        "snapshot": snapshot,
        "classes": classes,
        "charges": charges,
        "adjustment": adjustment_words(snapshot.outcome, snapshot.adjustment),
        "explanation": results_explanation(
            snapshot.result, lambda state, code: class_name(audit, state, code)
        ),
        "reasons": _main_reasons(snapshot, classes),
        "counting_notes": _counting_notes(snapshot),
        "dispute_days": int(dispute_days),
        "dispute_by": dispute_by,
    }


def _policy_changes_context(audit: Audit, extra: Mapping[str, Any]) -> dict[str, Any]:
    findings: list[Finding] = list(audit.findings.filter(kind=FindingKind.POLICY_CHANGE))
    estimates: dict[tuple[str, str], Decimal] = {}
    for estimate in audit.period.estimates.all():
        key = (estimate.state, estimate.class_code)
        estimates[key] = estimates.get(key, ZERO) + estimate.exposure
    new_classes = []
    growth = []
    worth_reporting = Decimal(str(rules()["policy_changes"]["growth_worth_reporting"]))
    snapshot = audit.final_result
    for line in snapshot.result.get("adjustments", []) if snapshot is not None else []:
        if not line.get("is_class"):
            continue
        key = (line["state"], line["item"])
        audited = as_decimal(line.get("audited_exposure"))
        row = {
            "state": line["state"],
            "class_code": line["item"],
            "description": class_name(audit, line["state"], line["item"]),
            "audited": audited,
            "estimated": estimates.get(key, ZERO),
        }
        if key not in estimates:
            if audited > ZERO:
                new_classes.append(row)
        elif row["estimated"] > ZERO and audited > row["estimated"] * worth_reporting:
            percent = (audited - row["estimated"]) * 100 / row["estimated"]
            row["percent"] = percent.quantize(Decimal(1), rounding=ROUND_HALF_UP)
            growth.append(row)
    if not (findings or new_classes or growth):
        raise LetterRefused("no policy changes were found at this audit: there is nothing to send")
    return {"findings": findings, "new_classes": new_classes, "growth": growth}


def _records_builder(kind: str) -> Callable[[Audit, Mapping[str, Any]], dict[str, Any]]:
    return lambda audit, extra: _records_context(audit, kind, extra)


BUILDERS: dict[str, Callable[[Audit, Mapping[str, Any]], dict[str, Any]]] = {
    LetterKind.RECORDS_REQUEST: _records_builder(LetterKind.RECORDS_REQUEST),
    LetterKind.REMINDER_1: _records_builder(LetterKind.REMINDER_1),
    LetterKind.REMINDER_2: _records_builder(LetterKind.REMINDER_2),
    LetterKind.REMINDER_FINAL: _records_builder(LetterKind.REMINDER_FINAL),
    LetterKind.WAIVER: _waiver_context,
    LetterKind.ESTIMATED: _estimated_context,
    LetterKind.RESULTS: _results_context,
    LetterKind.POLICY_CHANGES: _policy_changes_context,
}


def register_context(
    kind: str, build: Callable[[Audit, Mapping[str, Any]], dict[str, Any]]
) -> None:
    """What a letter of another app says (billing's dispute and plan letters) is built by that
    app, registered when it loads: this app prints, archives and sends every letter."""
    BUILDERS[kind] = build


# What another app adds to a letter of this one: billing's standing (the held part, the plan)
# in the results letter. This app cannot read billing's records, so billing brings them.
ADDITIONS: dict[str, Callable[[Audit, Mapping[str, Any]], dict[str, Any]]] = {}


def register_addition(
    kind: str, build: Callable[[Audit, Mapping[str, Any]], dict[str, Any]]
) -> None:
    """Add to what a letter of this app says, from another app's records, when it loads."""
    ADDITIONS[kind] = build


def _common(audit: Audit, kind: str) -> dict[str, Any]:
    period = audit.period
    policy = period.policy
    insured = policy.insured
    return {
        "audit": audit,
        "period": period,
        "policy": policy,
        "insured": insured,
        "address_lines": [line.strip() for line in insured.mailing_address.splitlines() if line],
        "salutation": insured.contact_name or insured.name,
        "today": clock.today(),
        "kind": kind,
        "kind_label": LetterKind(kind).label,
        "subject": SUBJECTS[kind] % {"policy": policy.number},
        "portal_url": f"{settings.TRUEUP_PORTAL_URL.rstrip('/')}/portal/",
        "line_label": str(LINE_WORDS.get(policy.line, "")),
    }


# The API -----------------------------------------------------------------------------------------


def letter_render(
    *,
    audit: Audit,
    kind: str,
    extra: Mapping[str, Any] | None = None,
    language: str | None = None,
) -> Rendered:
    """The letter as HTML, with its subject and the addresses it would go to: the preview.
    Written in ``language``, by default the insured's preferred one."""
    if kind not in LetterKind.values:
        raise LetterRefused(f"{kind!r} is not a kind of letter")
    language = letter_language(language or audit.period.policy.insured.language)
    with translation.override(language):
        context = _common(audit, kind) | BUILDERS[kind](audit, extra or {})
        if kind in ADDITIONS:
            context |= ADDITIONS[kind](audit, extra or {})
        context["language"] = language
        html = render_to_string(f"letters/{kind}.html", context)
        subject = str(context["subject"])
    return Rendered(
        kind=kind,
        subject=subject,
        html=html,
        recipients=default_recipients(audit),
        language=language,
    )


def _recipients(audit: Audit, recipients: list[str] | None, default: list[str]) -> list[str]:
    if recipients is None:
        # The letter is to the insured: a copy to the agent alone could leave the insured
        # without notice (a records request, a non-compliance charge), so it goes by post.
        if not audit.period.policy.insured.contact_email.strip():
            raise LetterRefused(NO_EMAIL)
        return default
    chosen = _unique_addresses(recipients)
    if not chosen:
        raise LetterRefused("no recipients: give at least one e-mail address or print the letter")
    for address in chosen:
        try:
            validate_email(address)
        except ValidationError as error:
            raise LetterRefused(f"{address!r} is not an e-mail address") from error
    return chosen


@transaction.atomic
def letter_send(
    *,
    audit: Audit,
    kind: str,
    by: User | None,
    extra: Mapping[str, Any] | None = None,
    recipients: list[str] | None = None,
    language: str | None = None,
) -> Letter:
    """Write one letter now, in the transaction of the change that calls for it (its words are
    what is true at this moment), and send it once that change is committed: printing and
    e-mail are a background task (``trueup.letters.delivery``), tried again if the mail server
    fails, so the change stands whatever the mail server does.

    ``recipients`` replaces the default (the insured's contact and its agents). The letter is
    written in the insured's preferred language, or ``language``; with the default recipients,
    an agent who reads another language gets a copy of their own in it. Returns the letter to
    the insured.
    """
    rendered = letter_render(audit=audit, kind=kind, extra=extra, language=language)
    to = _recipients(audit, recipients, rendered.recipients)
    # The agents' copy is written in each agent's language when it is not the insured's.
    by_language: dict[str, list[str]] = {rendered.language: []}
    agents = {a.lower() for a in rendered.recipients[1:]} if recipients is None else set()
    for address in to:
        own = agent_language(address) if address.lower() in agents and not language else None
        by_language.setdefault(own or rendered.language, []).append(address)
    letters = []
    for written_in, addresses in by_language.items():
        if not addresses:
            continue
        copy = (
            rendered
            if written_in == rendered.language
            else letter_render(audit=audit, kind=kind, extra=extra, language=written_in)
        )
        letter = Letter.objects.create(
            audit=audit,
            kind=kind,
            subject=copy.subject,
            recipients=addresses,
            language=written_in,
            html=copy.html,
            text="",
            sent_by=by,
        )
        enqueue_on_commit(deliver_letter, letter.pk)
        letters.append(letter)
    return letters[0]
