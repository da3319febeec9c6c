"""The engine's reasons and findings in the reader's language.

The engine (which knows nothing of languages) records each reason an insured reads as a code with
its figures beside the English ``text``. Here the code and figures become a sentence in the active
language, so the English and the Spanish say the same thing from the same data. A reason without
a code (a result stored before codes were recorded, or a step only staff read) is shown by its
stored text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trueup.core.money import usd

# The figures that are dollars: shown as the US writes them in both languages ($1,234.56).
MONEY = frozenset(
    {
        "amount",
        "premium",
        "total",
        "excluded",
        "pay",
        "rated",
        "charged",
        "cap",
        "before",
        "after",
        "audited",
        "estimated",
        "difference",
        "exposure",
        "manual",
        "weekly_min",
        "weekly_max",
        "minimum",
        "maximum",
        "flat_annual",
        "daily",
        "monthly",
        "contract_cost",
        "share",
        "stated",
        "floor",
        "threshold",
        "wage",
        "subject",
        "modified",
        "discount",
        "standard",
        "graded_annual",
        "payroll",
        "whole",
        "annualized",
        "earned",
        "costs",
        "class_minimum",
        "term_minimum",
        "prorated",
    }
)

# Remuneration items, as the engine's reasons name them.
ITEMS = {
    "tips": gettext_lazy("tips and gratuities"),
    "severance": gettext_lazy("severance pay"),
    "military_pay": gettext_lazy("active military duty pay"),
    "section_125": gettext_lazy("Section 125 salary reductions"),
    "deferred_401k": gettext_lazy("401(k) salary deferrals"),
    "employer_benefits": gettext_lazy("employer group insurance/pension contributions"),
    "reimbursements_substantiated": gettext_lazy("substantiated expense reimbursements"),
    "reimbursements_unsubstantiated": gettext_lazy("expense reimbursements without records"),
    "meals_lodging": gettext_lazy("value of meals and lodging"),
}

ROLES = {
    "executive_officer": gettext_lazy("executive officer"),
    "llc_member": gettext_lazy("LLC member"),
    "sole_proprietor": gettext_lazy("sole proprietor"),
    "partner": gettext_lazy("partner"),
}

LABOR = {"temporary": gettext_lazy("temporary"), "leased": gettext_lazy("leased")}

# Each code's sentence; the figures fill the %(name)s places.
SENTENCES = {
    "remuneration.excluded": gettext_lazy("%(item)s %(amount)s excluded"),
    "remuneration.included": gettext_lazy("%(item)s %(amount)s stay in payroll"),
    "remuneration.added": gettext_lazy("%(item)s %(amount)s added to payroll"),
    "remuneration.not_payroll": gettext_lazy("%(item)s %(amount)s not payroll"),
    "overtime.included": gettext_lazy("overtime pay stays in payroll in full in this state"),
    "overtime.no_records": gettext_lazy(
        "no adequate overtime records: nothing excluded for overtime"
    ),
    "overtime.premium_excluded": gettext_lazy("overtime premium portion %(premium)s excluded"),
    "overtime.premium_of_total_excluded": gettext_lazy(
        "overtime premium portion %(premium)s of total overtime pay %(total)s excluded"
    ),
    "overtime.overtime_total_excluded": gettext_lazy(
        "%(fraction)s of total overtime pay %(total)s at time-and-a-half excluded: %(excluded)s"
    ),
    "overtime.double_time_total_excluded": gettext_lazy(
        "%(fraction)s of double-time pay %(total)s excluded: %(excluded)s"
    ),
    "wrap_up": gettext_lazy(
        "%(who)s%(amount)s of %(state)s payroll is covered by a wrap-up (OCIP/CCIP) policy and "
        "is not rated on this policy"
    ),
    "labor_contractor.temporary": gettext_lazy(
        "%(who)s%(amount)s of temporary labor is insured by the labor contractor (certificate "
        "on file) and is not rated on this policy"
    ),
    "labor_contractor.leased": gettext_lazy(
        "%(who)s%(amount)s of leased labor is insured by the labor contractor (certificate on "
        "file) and is not rated on this policy"
    ),
    "officer.excluded": gettext_lazy(
        "%(name)s (%(role)s) is excluded from coverage (%(why)s): pay of %(pay)s not rated"
    ),
    "payroll_cap": gettext_lazy(
        "%(employee)s: payroll of %(total)s is capped at %(cap)s per employee; this line "
        "%(before)s → %(after)s"
    ),
    "standard_exception_split": gettext_lazy(
        "%(employee)s also works in class %(other)s: a standard exception (%(from_class)s) "
        "applies only to employees who never do other work, so %(amount)s moves to class "
        "%(to_class)s"
    ),
    "division_not_supported": gettext_lazy(
        "%(employee)s: time records do not support dividing payroll between classes "
        "%(classes)s, so %(amount)s is assigned to the highest-rated class %(to_class)s"
    ),
    "dual_wage_unverified": gettext_lazy(
        "%(employee)s: no hourly wage shown to verify the high-wage class %(high)s "
        "(%(threshold)s/hour or more), so %(amount)s goes to the low-wage class %(to_class)s"
    ),
    "dual_wage_reclass.above": gettext_lazy(
        "%(employee)s: regular hourly wage %(wage)s is at or above the %(threshold)s threshold, "
        "so %(amount)s belongs in class %(to_class)s"
    ),
    "dual_wage_reclass.below": gettext_lazy(
        "%(employee)s: regular hourly wage %(wage)s is below the %(threshold)s threshold, so "
        "%(amount)s belongs in class %(to_class)s"
    ),
}

# The premium's steps and the adjustment (the worksheet's "how it is figured").
SENTENCES |= {
    "premium.manual": gettext_lazy(
        "manual premium %(amount)s: the sum of payroll × rate ÷ 100 for each class"
    ),
    "premium.subject": gettext_lazy("subject premium %(amount)s"),
    "premium.modified": gettext_lazy("modified premium %(amount)s"),
    "premium.standard": gettext_lazy("standard premium %(amount)s"),
    "premium.total": gettext_lazy("%(state)s premium %(amount)s"),
    "experience_mod": gettext_lazy(
        "experience modification: %(subject)s × %(factor)s = %(modified)s"
    ),
    "experience_mod.split": gettext_lazy("experience modification: %(parts)s = %(modified)s"),
    "premium_discount.single": gettext_lazy(
        "premium discount on standard premium %(standard)s%(annual)s: average %(percent)s%% = "
        "%(amount)s"
    ),
    "premium_discount.multistate": gettext_lazy(
        "premium discount: this state's table on the policy's total standard premium "
        "%(total)s%(annual)s gives %(discount)s, an average of %(percent)s%%%(rounded)s, applied "
        "to %(standard)s = %(amount)s"
    ),
    "expense_constant": gettext_lazy("expense constant %(amount)s"),
    "expense_constant.highest": gettext_lazy(
        "expense constant %(amount)s (the highest of the policy's states, charged once)"
    ),
    "expense_constant.interim": gettext_lazy(
        "expense constant %(whole)s for the term, earned for the %(days)s of its %(term_days)s "
        "days this interim audit covers: %(amount)s"
    ),
    "expense_constant.interim.highest": gettext_lazy(
        "expense constant %(whole)s for the term (the highest of the policy's states, charged "
        "once), earned for the %(days)s of its %(term_days)s days this interim audit covers: "
        "%(amount)s"
    ),
    "minimum_premium": gettext_lazy(
        "the premium %(premium)s is below the minimum premium %(minimum)s (%(of)s%(prorate)s): "
        "%(amount)s added"
    ),
    "short_rate": gettext_lazy(
        "short-rate cancellation after %(days)s days: %(percent)s%% of the annualized premium "
        "%(annualized)s = %(earned)s"
    ),
    "non_compliance.total": gettext_lazy(
        "non-compliance: premium is %(multiplier)s × the estimated annual premium %(estimated)s, "
        "a charge of %(amount)s"
    ),
    "non_compliance.total.costs": gettext_lazy(
        "non-compliance: premium is %(multiplier)s × the estimated annual premium %(estimated)s, "
        "a charge of %(amount)s, plus audit costs %(costs)s"
    ),
    "non_compliance.charge": gettext_lazy(
        "non-compliance charge %(multiplier)s × the estimated annual premium %(estimated)s = "
        "%(amount)s"
    ),
    "non_compliance.charge.costs": gettext_lazy(
        "non-compliance charge %(multiplier)s × the estimated annual premium %(estimated)s = "
        "%(amount)s, plus audit costs %(costs)s"
    ),
    "charge.terrorism": gettext_lazy(
        "terrorism (statistical code 9740): %(payroll)s × %(rate)s per $100 = %(amount)s"
    ),
    "charge.catastrophe": gettext_lazy(
        "catastrophe (statistical code 9741): %(payroll)s × %(rate)s per $100 = %(amount)s"
    ),
    "rounding": gettext_lazy("premium %(before)s rounded to %(after)s"),
    "adjustment.additional": gettext_lazy(
        "audited premium %(audited)s − estimated premium %(estimated)s = %(difference)s: "
        "additional premium"
    ),
    "adjustment.return": gettext_lazy(
        "audited premium %(audited)s − estimated premium %(estimated)s = %(difference)s: return "
        "premium"
    ),
    "adjustment.zero": gettext_lazy(
        "audited premium %(audited)s − estimated premium %(estimated)s = %(difference)s: no "
        "change in premium"
    ),
    "adjustment.return.one_way": gettext_lazy(
        "audited premium %(audited)s − estimated premium %(estimated)s = %(difference)s: return "
        "premium (one-way audit: premium is never returned below the estimate)"
    ),
    "adjustment.zero.one_way": gettext_lazy(
        "audited premium %(audited)s − estimated premium %(estimated)s = %(difference)s: no "
        "change in premium (one-way audit: premium is never returned below the estimate)"
    ),
    "adjustment.additional.one_way": gettext_lazy(
        "audited premium %(audited)s − estimated premium %(estimated)s = %(difference)s: "
        "additional premium (one-way audit: premium is never returned below the estimate)"
    ),
}

# What a rate is per, as the rate tables say it.
PER = {
    "$100 of payroll": gettext_lazy("$100 of payroll"),
    "1,000 sq ft": gettext_lazy("1,000 sq ft"),
    "1,000 admissions": gettext_lazy("1,000 admissions"),
    "each": gettext_lazy("each"),
    "unit": gettext_lazy("unit"),
}

SENTENCES |= {
    "gross_pay": gettext_lazy("%(who)sgross pay %(amount)s"),
    "gross_pay.temporary": gettext_lazy("%(who)sgross pay (temporary labor) %(amount)s"),
    "gross_pay.leased": gettext_lazy("%(who)sgross pay (leased labor) %(amount)s"),
    "rate": gettext_lazy("class %(class)s: %(exposure)s × %(rate)s per %(per)s = %(manual)s"),
    "rate.units": gettext_lazy("class %(class)s: %(units)s × %(rate)s per %(per)s = %(manual)s"),
}

# Findings whose sentence is not the reason's of the same code.
FINDINGS = {
    "owner_limit": gettext_lazy("%(name)s (%(role)s): actual pay %(pay)s rated at %(rated)s"),
    "uninsured_subcontractor": gettext_lazy(
        "subcontractor %(name)s (%(cover)s): %(charged)s charged as payroll in class %(class)s; "
        "%(labor)s"
    ),
    "payroll_cap": gettext_lazy("%(employee)s: %(total)s of payroll capped at %(cap)s"),
    "cap_not_applied": gettext_lazy(
        "%(lines)s payroll line(s) name no employee, so the %(cap)s per-employee cap could not "
        "be applied to them"
    ),
    "non_compliance": gettext_lazy(
        "records were not provided: estimated audit with a non-compliance charge of %(amount)s"
    ),
}

WHY_EXCLUDED = {
    "endorsement": gettext_lazy("excluded by endorsement"),
    "ownership": gettext_lazy("owns %(owns)s%%, at or above %(threshold_percent)s%%, not elected"),
    "state_default": gettext_lazy("state default for the role is excluded"),
}


# What a minimum premium is (the policy's own, a class's from the rate table or by the state's
# formula), and how it was prorated for the days it covers.
MINIMUM_OF = {
    "policy": gettext_lazy("policy minimum premium %(class_minimum)s"),
    "rate_table": gettext_lazy("class %(class)s minimum premium %(class_minimum)s"),
    "formula": gettext_lazy("class %(class)s rate %(rate)s × %(multiplier)s"),
    "formula.expense": gettext_lazy(
        "class %(class)s rate %(rate)s × %(multiplier)s + expense constant"
    ),
    "formula.capped": gettext_lazy(
        "class %(class)s rate %(rate)s × %(multiplier)s, capped at %(maximum)s"
    ),
    "formula.expense.capped": gettext_lazy(
        "class %(class)s rate %(rate)s × %(multiplier)s + expense constant, capped at %(maximum)s"
    ),
}
PRORATED = {
    "interim": gettext_lazy(
        ", %(term_minimum)s for the term, earned for the %(days)s of its %(term_days)s days this "
        "interim audit covers = %(prorated)s"
    ),
    "cancelled": gettext_lazy(
        ", %(term_minimum)s prorated for %(days)s of %(term_days)s days = %(prorated)s"
    ),
}


# An officer's or owner's coverage, and how their pay was rated (the officers rules' methods).
COVERAGE = {"included": gettext_lazy("included"), "elected": gettext_lazy("elected")}
WHY_COVERED = {
    "endorsement.included": gettext_lazy("included"),
    "endorsement.elected": gettext_lazy("coverage elected by endorsement"),
    "state_default.included": gettext_lazy("state default for the role is included"),
    "state_default.elected": gettext_lazy("state default for the role is elected"),
}
HOW_RATED = {
    "actual": gettext_lazy("actual pay %(pay)s (no limits in the rule book)"),
    "within": gettext_lazy("actual pay %(pay)s is within %(minimum)s–%(maximum)s"),
    "flat_annual": gettext_lazy("flat annual amount %(flat_annual)s for %(weeks)s week(s)"),
    "flat_daily": gettext_lazy("%(daily)s a day for %(days)s day(s), at most %(flat_annual)s"),
    "raised.annual": gettext_lazy("raised to the minimum %(rated)s (annual minimum)"),
    "raised.weekly": gettext_lazy(
        "raised to the minimum %(rated)s (%(weekly_min)s/week × %(weeks)s weeks)"
    ),
    "capped.annual": gettext_lazy("capped at the maximum %(rated)s (annual maximum)"),
    "capped.weekly": gettext_lazy(
        "capped at the maximum %(rated)s (%(weekly_max)s/week × %(weeks)s weeks)"
    ),
    # Results stored before the minimum and maximum said which limit applied.
    "raised": gettext_lazy("raised to the minimum %(rated)s"),
    "capped": gettext_lazy("capped at the maximum %(rated)s"),
}
# Subcontractors: whether a certificate covers the work, and how the labor charged was found.
CONTRACTS = {
    "labor_only": gettext_lazy("labor only"),
    "labor_and_materials": gettext_lazy("labor and materials"),
    "equipment_with_operator": gettext_lazy("equipment with operator"),
}
COVER = {
    "none": gettext_lazy("no certificate of insurance"),
    "partial": gettext_lazy(
        "certificate covers %(covered_days)s of %(work_days)s days of the work; the other "
        "%(uninsured_days)s days are uninsured"
    ),
}
LABOR_CHARGED = {
    "deemed_monthly.licensed": gettext_lazy(
        "deemed wages of a licensed sole proprietor: %(monthly)s/month × %(months)s"
    ),
    "deemed_monthly.unlicensed": gettext_lazy(
        "deemed wages of a unlicensed sole proprietor: %(monthly)s/month × %(months)s"
    ),
    "deemed_daily.licensed": gettext_lazy(
        "deemed wages of a licensed sole proprietor: %(daily)s/day × %(days)s"
    ),
    "deemed_daily.unlicensed": gettext_lazy(
        "deemed wages of a unlicensed sole proprietor: %(daily)s/day × %(days)s"
    ),
    "no_records": gettext_lazy(
        "no records of the labor portion: the full contract cost %(contract_cost)s is charged"
    ),
    "contract_full": gettext_lazy(
        "the %(contract)s contract of %(contract_cost)s is on record but shows no labor figure, "
        "and %(state)s sets no labor share for %(contract)s contracts: the full contract cost "
        "%(contract_cost)s is charged"
    ),
    "contract_share": gettext_lazy(
        "the %(contract)s contract of %(contract_cost)s is on record but shows no labor figure: "
        "the state's labor share for %(contract)s contracts is charged (%(share_rate)s of "
        "%(contract_cost)s = %(share)s)"
    ),
    "stated_floor": gettext_lazy(
        "stated labor %(stated)s is below the state's floor for %(contract)s contracts "
        "(%(floor_rate)s of %(contract_cost)s = %(floor)s): %(floor)s charged"
    ),
    "stated": gettext_lazy(
        "stated labor %(stated)s of a %(contract)s contract of %(contract_cost)s is charged"
    ),
}
SENTENCES |= {
    "subcontractor.uninsured": gettext_lazy(
        "uninsured subcontractor %(name)s (%(cover)s): %(labor)s"
    ),
    "subcontractor.uninsured.partial": gettext_lazy(
        "uninsured subcontractor %(name)s (%(cover)s): %(labor)s; charged for the uninsured "
        "days: %(charged)s"
    ),
    "subcontractor.covered": gettext_lazy(
        "subcontractor %(name)s: certificate %(certificate_from)s to %(certificate_to)s covers "
        "the work %(work_from)s to %(work_to)s: %(amount)s not charged"
    ),
    "subcontractor.exempt": gettext_lazy(
        "subcontractor %(name)s is exempt (exemption certificate): %(amount)s not charged"
    ),
    "subcontractor.sole_proprietor": gettext_lazy(
        "subcontractor %(name)s is a sole proprietor, not charged in %(state)s"
    ),
}
SENTENCES["officer.covered"] = gettext_lazy("%(name)s (%(role)s), %(coverage)s (%(why)s): %(how)s")


def _figures(found: Mapping[str, Any], state: str | None) -> dict[str, str]:
    """The figures as the sentence shows them: dollars, the words for an item or a role."""
    shown: dict[str, str] = {"state": state or ""}
    for name, value in found.items():
        shown[name] = usd(Decimal(value)) if name in MONEY and value != "" else str(value)
    if "item" in found:
        shown["item"] = str(ITEMS.get(found["item"], str(found["item"]).replace("_", " ")))
    if "per" in found:
        shown["per"] = per_words(str(found["per"]))
    if "exposure" in found:
        shown["units"] = f"{Decimal(found['exposure']):,}"
    if "role" in found:
        shown["role"] = str(ROLES.get(found["role"], str(found["role"]).replace("_", " ")))
    employee = found.get("employee", "")
    shown["who"] = f"{employee}: " if employee else ""
    if not employee:
        shown["employee"] = _("payroll line")
    if "contract" in found:
        shown["contract"] = str(CONTRACTS.get(found["contract"], found["contract"]))
    if "cover" in found:
        shown["cover"] = str(COVER[found["cover"]]) % shown
    if "labor" in found:
        shown["labor"] = str(LABOR_CHARGED[found["labor"]]) % shown
    if "parts" in found:  # a split period's mods, each with the day it starts
        shown["parts"] = "; ".join(
            _("%(subject)s × %(factor)s from %(from)s")
            % {
                "subject": usd(Decimal(found[f"subject_{n}"])),
                "factor": found[f"factor_{n}"],
                "from": found[f"from_{n}"],
            }
            for n in range(1, int(found["parts"]) + 1)
        )
    if "minimum_of" in found:
        shown["of"] = str(MINIMUM_OF[found["minimum_of"]]) % shown
        prorate = found.get("prorate")
        shown["prorate"] = str(PRORATED[prorate]) % shown if prorate else ""
    if "standard" in found:  # the premium discount: an interim audit's grading, the rounding
        shown["annual"] = (
            _(
                " (graded as %(graded_annual)s for a full year: this interim audit covers "
                "%(days)s of the term's %(term_days)s days)"
            )
            % shown
            if "graded_annual" in found
            else ""
        )
        shown["rounded"] = (
            _(" (rounded to the nearest %(rounded_to)s%%)") % shown if "rounded_to" in found else ""
        )
    if "coverage" in found:
        shown["why"] = str(WHY_COVERED[f"{found['basis']}.{found['coverage']}"])
        shown["coverage"] = str(COVERAGE[found["coverage"]])
        shown["how"] = str(HOW_RATED[found["how"]]) % shown
    elif "basis" in found:
        shown["threshold_percent"] = str(found.get("threshold", ""))
        shown["why"] = str(WHY_EXCLUDED[found["basis"]]) % shown
    return shown


def per_words(per: str) -> str:
    """What a rate is per, in the active language; one not known as the rate table says it."""
    return str(PER.get(per, per))


def _code(code: str, found: Mapping[str, Any]) -> str:
    if code == "dual_wage_reclass":
        return code + (".above" if found.get("above") == "true" else ".below")
    return code


def _say(table: Mapping[str, Any], item: Mapping[str, Any], fallback: str) -> str:
    found = item.get("figures") or {}
    code = _code(str(item.get("code") or ""), found)
    sentence = table.get(code)
    if sentence is None or (not found and "%(" in str(sentence)):
        return fallback
    try:
        return str(sentence) % _figures(found, item.get("state"))
    except (KeyError, ArithmeticError, ValueError):
        # Figures from an older engine that lack one the sentence names: the stored words.
        return fallback


def reason_text(reason: Mapping[str, Any]) -> str:
    """A reason in the active language; one without a code by its stored text."""
    return _say(SENTENCES, reason, str(reason.get("text", "")))


def finding_text(finding: Mapping[str, Any]) -> str:
    """A finding in the active language; one without figures by its stored message."""
    table = {**SENTENCES, **FINDINGS}
    return _say(table, finding, str(finding.get("message", "")))


def sentence(text: str) -> str:
    """Capitalised and ended with a full stop, as a line of a letter."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# The results explanation ------------------------------------------------------------------------


def class_words(state: str, code: str, name: str) -> str:
    """A class as an insured reads it: "class 8810 (Clerical) in CA"."""
    if name:
        return _("class %(code)s (%(name)s) in %(state)s") % {
            "code": code,
            "name": name,
            "state": state,
        }
    return _("class %(code)s in %(state)s") % {"code": code, "state": state}


def exposure_words(basis: str, value: Decimal) -> str:
    """An exposure with its basis: "payroll of $52,000", "gross sales of 120,000"."""
    if basis == "payroll":
        return _("payroll of %(amount)s") % {"amount": usd(value)}
    words = {
        "gross_sales": _("gross sales of %(amount)s"),
        "total_cost": _("total cost of %(amount)s"),
        "area": _("area of %(amount)s"),
        "admissions": _("admissions of %(amount)s"),
    }.get(basis, _("units of %(amount)s"))
    return words % {"amount": f"{value:,}"}


def exposure_change(where: str, basis: str, estimated: Decimal, audited: Decimal) -> str:
    """Why one class's premium moved: its exposure found at the audit against the estimate."""
    if not estimated:
        return _(
            "%(class)s: %(found)s was found at the audit; this class was not in the estimate "
            "when the policy was written."
        ) % {"class": where, "found": exposure_words(basis, audited)}
    if not audited:
        return _("%(class)s: none was found at the audit; %(estimated)s had been estimated.") % {
            "class": where,
            "estimated": exposure_words(basis, estimated),
        }
    shown = usd(estimated) if basis == "payroll" else str(estimated)
    if audited > estimated:
        text = _(
            "%(class)s: %(found)s was found at the audit, more than the %(estimated)s estimated "
            "when the policy was written."
        )
    else:
        text = _(
            "%(class)s: %(found)s was found at the audit, less than the %(estimated)s estimated "
            "when the policy was written."
        )
    return text % {"class": where, "found": exposure_words(basis, audited), "estimated": shown}


def results_explanation(result: Mapping[str, Any], class_name: Callable[[str, str], str]) -> str:
    """One sentence on the outcome and its largest driver: "Your premium rose $4,459 from the
    estimate, mainly because of the payroll in class 8810 (Clerical) in CA." """
    adjustment = Decimal(result["adjustment"])
    lines = [
        line
        for line in result.get("adjustments", [])
        if line.get("is_class") and Decimal(line.get("difference") or 0)
    ]
    if not adjustment:
        return _("Your premium did not change: the audit came to the estimated premium.")
    amount = usd(abs(adjustment))
    # The class whose premium moved most in the same direction as the whole.
    same_way = [line for line in lines if (Decimal(line["difference"]) > 0) == (adjustment > 0)]
    if not same_way:
        if adjustment > 0:
            return _("Your premium rose %(amount)s from the estimate.") % {"amount": amount}
        return _("Your premium fell %(amount)s from the estimate.") % {"amount": amount}
    main = max(same_way, key=lambda line: (abs(Decimal(line["difference"])), line["item"]))
    where = class_words(main["state"], main["item"], class_name(main["state"], main["item"]))
    if adjustment > 0:
        text = _("Your premium rose %(amount)s from the estimate, mainly because of %(class)s.")
    else:
        text = _("Your premium fell %(amount)s from the estimate, mainly because of %(class)s.")
    return text % {"amount": amount, "class": where}
