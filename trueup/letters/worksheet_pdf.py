"""The audit worksheet as a PDF for the insured and their agent: the stored result of a completed
audit in plain words, each figure with the reasons the engine recorded for it.

Everything shown comes from one :class:`ResultSnapshot` (its result and the worksheet it was
rated from), never from the audit's current facts or rates: the PDF must say what the audit
decided, even after the facts are edited for a revision or a new rate table is put in use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trueup.audits.explanations import Explanation, Reason, explain
from trueup.audits.models import Audit, ResultSnapshot
from trueup.core.money import as_decimal, usd
from trueup.core.pdf import render_pdf
from trueup.rating.worksheet import PAYROLL_PARTS

TEMPLATE = "letters/worksheet.html"

# The engine's step and charge codes in a policyholder's words; a code not listed (a state's
# premium adjustment such as increased limits) is shown with its underscores as spaces.
STEP_LABELS: dict[str, Any] = {
    "manual": _("Manual premium (payroll × rate)"),
    "subject": _("Subject premium"),
    "experience_mod": _("Experience modification"),
    "modified": _("Modified premium"),
    "schedule_rating": _("Schedule rating"),
    "assigned_risk_surcharge": _("Assigned risk surcharge"),
    "standard": _("Standard premium"),
    "premium_discount": _("Premium discount"),
    "short_rate": _("Short-rate cancellation charge"),
    "expense_constant": _("Expense constant"),
    "terrorism": _("Terrorism charge"),
    "catastrophe": _("Catastrophe charge"),
    "minimum_premium": _("Minimum premium"),
    "non_compliance": _("Non-compliance charge (records not provided)"),
    "one_way_audit": _("One-way audit (no return premium)"),
    "rounding": _("Rounding"),
    "total": _("Total premium"),
    # Officers' roles and coverage, subcontracts and labor, as the facts tables name them.
    "executive_officer": _("Executive officer"),
    "llc_member": _("LLC member"),
    "sole_proprietor": _("Sole proprietor"),
    "partner": _("Partner"),
    "included": _("Included"),
    "excluded": _("Excluded"),
    "elected": _("Elected"),
    "labor_only": _("Labor only"),
    "labor_and_materials": _("Labor and materials"),
    "equipment_with_operator": _("Equipment with operator"),
    "temporary": _("Temporary"),
    "leased": _("Leased"),
}

# The amounts a payroll line may carry besides gross pay, as the insured's records call them.
PAYROLL_PART_LABELS: dict[str, Any] = {
    "overtime_premium": _("overtime premium portion"),
    "overtime_total": _("total overtime pay"),
    "double_time_total": _("total double-time pay"),
    "tips": _("tips"),
    "severance": _("severance"),
    "military_pay": _("military pay"),
    "section_125": _("Section 125 reductions"),
    "deferred_401k": _("401(k) deferrals"),
    "employer_benefits": _("employer-paid benefits"),
    "reimbursements_substantiated": _("documented expense reimbursements"),
    "reimbursements_unsubstantiated": _("undocumented expense reimbursements"),
    "meals_lodging": _("meals and lodging"),
}

DATE_KEYS = (
    "covered_from",
    "covered_to",
    "work_from",
    "work_to",
    "certificate_from",
    "certificate_to",
)

OUTCOME_LABELS: dict[str, Any] = {
    "additional": _("Additional premium due"),
    "return": _("Return premium"),
}

# The rate reason's source is "rate table <version> (<class description>)" (rating/standard.py);
# versions are slugs with a hash, so they hold no spaces.
_RATE_SOURCE = re.compile(r"^rate table \S+ \((?P<description>.*)\)$")
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def plain(code: str) -> str:
    """An engine code (a step, a role, a contract type) in words."""
    return str(STEP_LABELS.get(code, code.replace("_", " ").capitalize()))


def _money(value: Any) -> str:
    amount = as_decimal(value)
    return "" if amount is None else usd(amount)


@dataclass
class ClassLine:
    """One row of the table by state and class (or a state charge, without exposure or rate)."""

    state: str
    item: str
    code: str
    description: str
    is_class: bool
    estimated_exposure: str | None
    audited_exposure: str | None
    rate: str
    rate_per: str
    estimated_premium: str | None
    audited_premium: str | None
    difference: str | None
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class PayrollFact:
    state: str
    class_code: str
    employee: str
    gross: str
    other: list[str]


def _rates_and_descriptions(
    result: dict[str, Any],
) -> tuple[dict[tuple[str, str], list[tuple[str, str]]], dict[tuple[str, str], str]]:
    """The rates (with what they are per) and class descriptions, by state and class.

    The audited side first: its rates are the ones the audited premium was figured with. A class
    only estimated (no payroll found in it) still shows the rate of the estimate.
    """
    rates: dict[tuple[str, str], list[tuple[str, str]]] = {}
    descriptions: dict[tuple[str, str], str] = {}
    for side in ("audited", "estimated"):
        seen = set(rates)
        for state in result.get(side, {}).get("states", []):
            for premium in state.get("classes", []):
                key = (premium["state"], premium["class"])
                reason = premium.get("reason") or {}
                if key not in seen:
                    rate = (str(premium["rate"]), str(reason.get("inputs", {}).get("per", "")))
                    # A class rated in several periods (a rate or mod change) lists each rate once.
                    if rate not in rates.setdefault(key, []):
                        rates[key].append(rate)
                match = _RATE_SOURCE.match(str(reason.get("source", "")))
                if match and key not in descriptions:
                    descriptions[key] = match["description"]
    return rates, descriptions


def _unique(reasons: list[Reason]) -> list[Reason]:
    """Each reason once: a class rated in two experience-mod periods carries the reasons of a
    payroll line spread over both periods on each of them, word for word."""
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for reason in reasons:
        key = (str(reason.get("rule")), str(reason.get("text")), str(reason.get("path")))
        if key not in seen:
            seen.add(key)
            unique.append(reason)
    return unique


def class_lines(result: dict[str, Any], explanation: Explanation) -> list[ClassLine]:
    rates, descriptions = _rates_and_descriptions(result)
    lines = []
    for row in explanation.rows:
        key = (row.state, row.item)
        found = rates.get(key, []) if row.is_class else []
        lines.append(
            ClassLine(
                state=row.state,
                item=row.item,
                code=row.item if row.is_class else "",
                description=descriptions.get(key, "") if row.is_class else plain(row.item),
                is_class=row.is_class,
                estimated_exposure=row.estimated_exposure,
                audited_exposure=row.audited_exposure,
                rate=" / ".join(rate for rate, _ in found),
                rate_per=" / ".join(dict.fromkeys(per for _, per in found if per)),
                estimated_premium=row.estimated_premium,
                audited_premium=row.audited_premium,
                difference=row.difference,
                reasons=_unique(row.audited_reasons or row.estimated_reasons),
            )
        )
    # Classes first, by state and code; a state's charges after them, in the order the steps
    # apply them (expense constant before rounding), which the engine's lines do not keep.
    order = {
        (state.state, step["code"]): index
        for side in (explanation.estimated_states, explanation.audited_states)
        for state in side
        for index, step in enumerate(state.steps)
    }
    return sorted(
        lines,
        key=lambda line: (
            not line.is_class,
            line.state,
            line.code if line.is_class else "",
            order.get((line.state, line.item), len(order)),
        ),
    )


def payroll_facts(worksheet: dict[str, Any]) -> list[PayrollFact]:
    facts = []
    for line in worksheet.get("audited", {}).get("payroll", []):
        other = [
            f"{PAYROLL_PART_LABELS[part]} {_money(line[part])}"
            for part in PAYROLL_PARTS
            if line.get(part) not in (None, "") and Decimal(str(line[part])) != 0
        ]
        # The flags that change how the line is rated, only when they are not the usual.
        if line.get("overtime_records") is False:
            other.append(gettext("no overtime records"))
        if line.get("records_support_division") is False:
            other.append(gettext("records do not divide the pay by class"))
        if line.get("labor_source", "employee") != "employee":
            other.append(
                gettext("labor: %(source)s") % {"source": plain(str(line["labor_source"])).lower()}
            )
        if line.get("covered_elsewhere"):
            other.append(gettext("insured elsewhere"))
        if line.get("wrap_up"):
            other.append(gettext("covered by a wrap-up policy"))
        if line.get("split_period"):
            split = date.fromisoformat(str(line["split_period"]))
            other.append(
                gettext("experience-mod period from %(date)s")
                % {"date": formats.date_format(split, gettext("M j, Y"))}
            )
        facts.append(
            PayrollFact(
                state=line["state"],
                # No class: pay such as bonuses, shared out over the classes by earnings.
                class_code=line.get("class") or gettext("shared by earnings"),
                employee=line.get("employee") or "",
                gross=_money(line["gross"]),
                other=other,
            )
        )
    return facts


def _people(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Officers' and subcontractors' facts with their codes in words."""
    shown = []
    for row in rows:
        item = dict(row)
        # The engine's JSON says "class"; one name for the template, whichever was stored.
        item["class_code"] = item.pop("class", None) or item.get("class_code", "")
        for key in ("role", "contract_type", "coverage"):
            if item.get(key):
                item[key] = plain(str(item[key])).lower()
        for key in DATE_KEYS:
            if item.get(key):
                item[key] = date.fromisoformat(str(item[key]))
        shown.append(item)
    return shown


# What a subcontractor's records show when they show no labor amount, in words.
NO_LABOR_AMOUNT: dict[str, Any] = {
    "none": _("no records of the labor"),
    "contract_only": _("no labor figure on the contract"),
}


def _subcontractors(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Subcontractors' facts, with what their records show of the labor when no amount is
    given (worksheets stored before it was asked say nothing: no amount is no records)."""
    shown = _people(rows)
    for item in shown:
        records = item.get("labor_records") or ("none" if item.get("stated_labor") is None else "")
        item["no_labor_amount"] = str(NO_LABOR_AMOUNT.get(records, ""))
    return shown


def worksheet_context(audit: Audit, snapshot: ResultSnapshot) -> dict[str, Any]:
    """What the worksheet template shows, all of it from the snapshot but the audit's names."""
    result: dict[str, Any] = snapshot.result
    worksheet: dict[str, Any] = snapshot.worksheet
    explanation = explain(result)
    period = audit.period
    audited = worksheet.get("audited", {})
    lines = class_lines(result, explanation)
    return {
        "audit": audit,
        "snapshot": snapshot,
        "insured": period.policy.insured.name,
        "policy_number": period.policy.number,
        "period": period,
        "audit_type": audit.get_type_display(),
        "outcome_label": str(OUTCOME_LABELS.get(snapshot.outcome) or gettext("No change")),
        # A return is money back: said in the label, so the amount is shown without a minus.
        "adjustment_amount": abs(snapshot.adjustment),
        "explanation": explanation,
        "classes": [line for line in lines if line.is_class],
        "charges": [line for line in lines if not line.is_class],
        "why": [line for line in lines if line.is_class and line.reasons],
        "steps": [
            {
                "state": state.state,
                "premium": state.premium,
                "steps": [{**step, "label": plain(step["code"])} for step in state.steps],
            }
            for state in explanation.audited_states
        ],
        "payroll": payroll_facts(worksheet),
        # Stored worksheets name officers "owners" (the engine's field); imported JSON "officers".
        "officers": _people(audited.get("owners") or audited.get("officers") or []),
        "subcontractors": _subcontractors(audited.get("subcontractors", [])),
    }


def worksheet_pdf(
    audit: Audit,
    snapshot: ResultSnapshot,
    *,
    dispute_by: date | None = None,
    language: str | None = None,
) -> bytes:
    """The worksheet of the audit's stored result, as PDF bytes. ``dispute_by``: the last day
    the result may be disputed, as billing counts it (None when it cannot be). Written in
    ``language``, by default the insured's preferred one (English where it is neither)."""
    language = language or audit.period.policy.insured.language
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = "en"
    with translation.override(language):
        context = worksheet_context(audit, snapshot) | {"dispute_by": dispute_by}
        return render_pdf(TEMPLATE, context)


def worksheet_filename(audit: Audit) -> str:
    """worksheet-WC-1001-2025-01-01.pdf: the policy number and the period's effective date."""
    number = _UNSAFE_IN_FILENAME.sub("-", audit.period.policy.number).strip("-")
    return f"worksheet-{number}-{audit.period.effective.isoformat()}.pdf"
