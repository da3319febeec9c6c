"""Subcontractors: uninsured ones are charged as payroll (NCCI 2-H-2 and state variations)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from trueup.rating.context import Context, PayItem, cite, usd
from trueup.rating.money import ONE, ZERO, cents
from trueup.rating.periods import Period
from trueup.rating.rulebook import RuleVersion
from trueup.rating.worksheet import Subcontractor

CONTRACT_LABELS = {
    "labor_only": "labor only",
    "labor_and_materials": "labor and materials",
    "equipment_with_operator": "equipment with operator",
}


def subcontractor_items(ctx: Context) -> list[PayItem]:
    items: list[PayItem] = []
    audit_period = ctx.worksheet.policy.audit_period
    for index, sub in enumerate(ctx.worksheet.audited.subcontractors):
        path = f"$.audited.subcontractors[{index}]"
        rule = ctx.rules(sub.state).require("subcontractors")
        state = sub.state
        if sub.exempt:
            ctx.exclusions.append(
                cite(
                    rule,
                    f"subcontractor {sub.name} is exempt (exemption certificate): "
                    f"{usd(sub.contract_cost)} not charged",
                    state=state,
                    amount=sub.contract_cost,
                    path=f"{path}.exempt",
                    code="subcontractor.exempt",
                    figures=(("name", sub.name), ("amount", sub.contract_cost)),
                )
            )
            continue
        if sub.sole_proprietor and not rule.flag("sole_proprietor_charged", True):
            ctx.exclusions.append(
                cite(
                    rule,
                    f"subcontractor {sub.name} is a sole proprietor, not charged in {state}",
                    state=state,
                    amount=sub.contract_cost,
                    path=path,
                    code="subcontractor.sole_proprietor",
                    figures=(("name", sub.name),),
                )
            )
            continue

        work = sub.work_period(audit_period)
        uninsured_fraction = ONE
        cover_text = "no certificate of insurance"
        cover: tuple[tuple[str, object], ...] = (("cover", "none"),)
        if sub.certificate_from is not None and sub.certificate_to is not None:
            certificate = Period(sub.certificate_from, sub.certificate_to)
            covered_days = work.overlap_days(certificate)
            if covered_days >= work.days:
                ctx.exclusions.append(
                    cite(
                        rule,
                        f"subcontractor {sub.name}: certificate {certificate.start} to "
                        f"{certificate.end} covers the work {work.start} to "
                        f"{work.end - timedelta(days=1)}: {usd(sub.contract_cost)} not charged",
                        state=state,
                        amount=sub.contract_cost,
                        path=f"{path}.certificate_from",
                        code="subcontractor.covered",
                        figures=(
                            ("name", sub.name),
                            ("certificate_from", certificate.start),
                            ("certificate_to", certificate.end),
                            ("work_from", work.start),
                            ("work_to", work.end - timedelta(days=1)),
                            ("amount", sub.contract_cost),
                        ),
                    )
                )
                continue
            uninsured_fraction = Decimal(work.days - covered_days) / Decimal(work.days)
            cover_text = (
                f"certificate covers {covered_days} of {work.days} days of the work; "
                f"the other {work.days - covered_days} days are uninsured"
            )
            cover = (
                ("cover", "partial"),
                ("covered_days", covered_days),
                ("work_days", work.days),
                ("uninsured_days", work.days - covered_days),
            )

        labor, labor_text, inputs, labor_figures = _labor(rule, sub, work)
        charged = cents(labor * uninsured_fraction)
        said = (("name", sub.name), ("charged", charged), *cover, *labor_figures)
        reason = cite(
            rule,
            f"uninsured subcontractor {sub.name} ({cover_text}): {labor_text}"
            + (
                ""
                if uninsured_fraction == ONE
                else f"; charged for the uninsured days: {usd(charged)}"
            ),
            state=state,
            amount=charged,
            inputs=(("contract_cost", str(sub.contract_cost)), *inputs),
            path=path,
            code="subcontractor.uninsured" + ("" if uninsured_fraction == ONE else ".partial"),
            figures=said,
        )
        ctx.find(
            "uninsured_subcontractor",
            f"subcontractor {sub.name} ({cover_text}): {usd(charged)} charged as payroll in "
            f"class {sub.class_code}; {labor_text}",
            state,
            path,
            (*said, ("class", sub.class_code)),
        )
        items.append(
            PayItem(
                state=state,
                class_code=sub.class_code,
                amount=charged,
                reasons=[reason],
                path=path,
                employee=None,
                kind="subcontractor",
            )
        )
    return items


# The labor charged, the words saying why, the inputs, and the same words as a code with figures.
Labor = tuple[Decimal, str, tuple[tuple[str, str], ...], tuple[tuple[str, object], ...]]


def _labor(rule: RuleVersion, sub: Subcontractor, work: Period) -> Labor:
    """The subcontractor's labor charged as payroll, the words saying why, and the inputs."""
    if sub.sole_proprietor and rule.has("deemed_unlicensed_monthly"):
        return _deemed_wages(rule, sub, work)
    records = sub.records_of_labor
    if records == "contract_only":
        return _contract_without_labor(rule, sub)
    if records == "none" or sub.stated_labor is None:
        return _without_records(sub)
    return _stated_labor(rule, sub, sub.stated_labor)


def _deemed_wages(rule: RuleVersion, sub: Subcontractor, work: Period) -> Labor:
    kind = "licensed" if sub.licensed else "unlicensed"
    monthly = rule.decimal(f"deemed_{kind}_monthly")
    daily = rule.decimal(f"deemed_{kind}_daily")
    if sub.months_worked is not None:
        amount = cents(monthly * sub.months_worked)
        return (
            amount,
            f"deemed wages of a {kind} sole proprietor: {usd(monthly)}/month × {sub.months_worked}",
            (("monthly", str(monthly)),),
            (
                ("labor", f"deemed_monthly.{kind}"),
                ("monthly", monthly),
                ("months", sub.months_worked),
            ),
        )
    days = sub.days_worked if sub.days_worked is not None else Decimal(work.days)
    amount = cents(daily * days)
    return (
        amount,
        f"deemed wages of a {kind} sole proprietor: {usd(daily)}/day × {days}",
        (("daily", str(daily)),),
        (("labor", f"deemed_daily.{kind}"), ("daily", daily), ("days", days)),
    )


def _without_records(sub: Subcontractor) -> Labor:
    return (
        sub.contract_cost,
        (
            f"no records of the labor portion: the full contract cost {usd(sub.contract_cost)} "
            "is charged"
        ),
        (),
        (("labor", "no_records"), ("contract_cost", sub.contract_cost)),
    )


def _contract_without_labor(rule: RuleVersion, sub: Subcontractor) -> Labor:
    """The contract is on record but shows no labor amount: the state's labor share of the
    contract cost for the contract type, or the full cost where the state sets none."""
    key = f"stated_labor_floor_{sub.contract_type}"
    kind = CONTRACT_LABELS[sub.contract_type]
    on_record = f"the {kind} contract of {usd(sub.contract_cost)} is on record but shows no labor"
    if rule.decimal(key) == ZERO:
        return (
            sub.contract_cost,
            (
                f"{on_record} figure, and {sub.state} sets no labor share for {kind} contracts: "
                f"the full contract cost {usd(sub.contract_cost)} is charged"
            ),
            (("labor_records", "contract_only"),),
            (
                ("labor", "contract_full"),
                ("contract", sub.contract_type),
                ("contract_cost", sub.contract_cost),
                ("state", sub.state),
            ),
        )
    share = cents(sub.contract_cost * rule.decimal(key))
    return (
        share,
        (
            f"{on_record} figure: the state's labor share for {kind} contracts is charged "
            f"({rule.text(key)} of {usd(sub.contract_cost)} = {usd(share)})"
        ),
        (("labor_records", "contract_only"), ("labor_share", str(share))),
        (
            ("labor", "contract_share"),
            ("contract", sub.contract_type),
            ("share_rate", rule.text(key)),
            ("contract_cost", sub.contract_cost),
            ("share", share),
        ),
    )


def _stated_labor(rule: RuleVersion, sub: Subcontractor, stated: Decimal) -> Labor:
    floor_fraction = rule.decimal(f"stated_labor_floor_{sub.contract_type}")
    floor = cents(sub.contract_cost * floor_fraction)
    if stated < floor:
        return (
            floor,
            (
                f"stated labor {usd(stated)} is below the state's floor for "
                f"{CONTRACT_LABELS[sub.contract_type]} contracts "
                f"({rule.text(f'stated_labor_floor_{sub.contract_type}')} of "
                f"{usd(sub.contract_cost)} = {usd(floor)}): {usd(floor)} charged"
            ),
            (("stated_labor", str(stated)), ("floor", str(floor))),
            (
                ("labor", "stated_floor"),
                ("stated", stated),
                ("contract", sub.contract_type),
                ("floor_rate", rule.text(f"stated_labor_floor_{sub.contract_type}")),
                ("contract_cost", sub.contract_cost),
                ("floor", floor),
            ),
        )
    return (
        stated,
        (
            f"stated labor {usd(stated)} of a {CONTRACT_LABELS[sub.contract_type]} "
            f"contract of {usd(sub.contract_cost)} is charged"
        ),
        (("stated_labor", str(stated)),),
        (
            ("labor", "stated"),
            ("stated", stated),
            ("contract", sub.contract_type),
            ("contract_cost", sub.contract_cost),
        ),
    )
