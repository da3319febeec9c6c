"""Officers, LLC members, sole proprietors and partners: coverage and the state's payroll limits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from trueup.rating.context import Context, PayItem, cite, usd
from trueup.rating.money import cents, quantize
from trueup.rating.periods import Period
from trueup.rating.rulebook import RuleVersion
from trueup.rating.worksheet import Owner

ROLE_LABELS = {
    "executive_officer": "executive officer",
    "llc_member": "LLC member",
    "sole_proprietor": "sole proprietor",
    "partner": "partner",
}
WEEKS_IN_YEAR = Decimal(52)


def owner_items(ctx: Context) -> list[PayItem]:
    items: list[PayItem] = []
    audit_period = ctx.worksheet.policy.audit_period
    for index, owner in enumerate(ctx.worksheet.audited.owners):
        path = f"$.audited.officers[{index}]"
        rules = ctx.rules(owner.state)
        role_rule = rules.require(f"officers.{owner.role}")
        label = f"{owner.name} ({ROLE_LABELS[owner.role]})"

        coverage, why = _coverage(owner, role_rule)
        if coverage == "excluded":
            ctx.exclusions.append(
                cite(
                    role_rule,
                    f"{label} is excluded from coverage ({why}): pay of "
                    f"{usd(owner.actual_pay)} not rated",
                    state=owner.state,
                    amount=owner.actual_pay,
                    path=f"{path}.coverage",
                    code="officer.excluded",
                    figures=(
                        ("name", owner.name),
                        ("role", owner.role),
                        ("pay", owner.actual_pay),
                        *_why_excluded(owner, role_rule),
                    ),
                )
            )
            continue
        rule = role_rule
        if coverage == "elected":
            rule = rules.get(f"officers.{owner.role}_elected") or role_rule

        covered = _covered_period(owner, audit_period)
        part_week = rules.get("officers.part_week")
        weeks = owner.weeks_covered or (
            covered.weeks_counting_part_weeks()
            if part_week is None or part_week.flag("counts_as_full_week", True)
            else covered.days // 7
        )
        amount, text, how, inputs = _limited_pay(rule, owner, weeks, covered.days)
        reason = cite(
            rule,
            f"{label}, {coverage} ({why}): {text}",
            code="officer.covered",
            figures=(
                ("name", owner.name),
                ("role", owner.role),
                ("coverage", coverage),
                ("basis", "endorsement" if owner.coverage is not None else "state_default"),
                ("pay", owner.actual_pay),
                ("rated", amount),
                ("how", how),
                ("weeks", weeks),
                ("days", covered.days),
                *((name, Decimal(value)) for name, value in inputs),
            ),
            state=owner.state,
            amount=amount,
            inputs=(
                ("actual_pay", str(owner.actual_pay)),
                ("weeks_covered", str(weeks)),
                ("days_covered", str(covered.days)),
                *inputs,
            ),
            path=path,
        )
        if amount != owner.actual_pay:
            ctx.find(
                "owner_limit",
                f"{label}: actual pay {usd(owner.actual_pay)} rated at {usd(amount)}: {text}",
                owner.state,
                path,
                (
                    ("name", owner.name),
                    ("role", owner.role),
                    ("pay", owner.actual_pay),
                    ("rated", amount),
                ),
            )
        items.append(
            PayItem(
                state=owner.state,
                class_code=owner.class_code,
                amount=amount,
                reasons=[reason],
                path=path,
                employee=owner.name,
                kind="owner",
            )
        )
    return items


def _why_excluded(owner: Owner, rule: RuleVersion) -> tuple[tuple[str, object], ...]:
    """Why an owner is excluded, as figures: by endorsement, by the share owned, or by the
    state's default for the role (as ``_coverage`` decides)."""
    if owner.coverage is not None:
        return (("basis", "endorsement"),)
    threshold = rule.optional_decimal("ownership_exclusion_threshold")
    owns = owner.ownership_percent
    if threshold is not None and owns is not None and owns >= threshold:
        return (("basis", "ownership"), ("owns", owns), ("threshold", threshold))
    return (("basis", "state_default"),)


def _coverage(owner: Owner, rule: RuleVersion) -> tuple[str, str]:
    if owner.coverage is not None:
        words = {
            "included": "included",
            "excluded": "excluded by endorsement",
            "elected": "coverage elected by endorsement",
        }
        return owner.coverage, words[owner.coverage]
    threshold = rule.optional_decimal("ownership_exclusion_threshold")
    if (
        threshold is not None
        and owner.ownership_percent is not None
        and owner.ownership_percent >= threshold
    ):
        return "excluded", f"owns {owner.ownership_percent}%, at or above {threshold}%, not elected"
    default = rule.text("default_coverage", "included")
    return default, f"state default for the role is {default}"


def _covered_period(owner: Owner, audit_period: Period) -> Period:
    start = max(owner.covered_from or audit_period.start, audit_period.start)
    end = min(
        owner.covered_to + timedelta(days=1) if owner.covered_to else audit_period.end,
        audit_period.end,
    )
    return Period(start, end) if end > start else Period(start, start + timedelta(days=1))


def _limited_pay(
    rule: RuleVersion, owner: Owner, weeks: int, days: int
) -> tuple[Decimal, str, str, tuple[tuple[str, str], ...]]:
    """The pay rated, its sentence, the sentence's code (for the reader's language) and the
    figures the rule used."""
    method = rule.text("method")
    pay = owner.actual_pay
    if method == "actual_pay":
        return pay, f"actual pay {usd(pay)} (no limits in the rule book)", "actual", ()
    if method == "flat_annual":
        flat = rule.decimal("flat_annual")
        amount = min(flat, cents(flat * weeks / WEEKS_IN_YEAR))
        return (
            amount,
            f"flat annual amount {usd(flat)} for {weeks} week(s)",
            "flat_annual",
            (("flat_annual", str(flat)),),
        )
    if method == "flat_daily":
        daily = rule.decimal("daily")
        flat = rule.decimal("flat_annual")
        amount = min(flat, cents(daily * days))
        return (
            amount,
            f"{usd(daily)} a day for {days} day(s), at most {usd(flat)}",
            "flat_daily",
            (("daily", str(daily)), ("flat_annual", str(flat))),
        )
    if method == "weekly_min_max":
        weekly_min, weekly_max = rule.decimal("weekly_min"), rule.decimal("weekly_max")
        annual_min, annual_max = rule.decimal("annual_min"), rule.decimal("annual_max")
    elif method == "saww":
        saww = rule.decimal("saww")
        weekly_min = saww * rule.decimal("min_multiple")
        weekly_max = quantize(saww * rule.decimal("max_multiple"), rule.decimal("max_round_to"))
        annual_min, annual_max = weekly_min * WEEKS_IN_YEAR, weekly_max * WEEKS_IN_YEAR
    else:
        raise ValueError(f"unknown officer method {method!r} in {rule.cite()}")
    low = min(weekly_min * weeks, annual_min)
    high = min(weekly_max * weeks, annual_max)
    inputs = (
        ("weekly_min", str(weekly_min)),
        ("weekly_max", str(weekly_max)),
        ("minimum", str(low)),
        ("maximum", str(high)),
    )
    if pay < low:
        if low == annual_min:
            return (
                low,
                f"raised to the minimum {usd(low)} (annual minimum)",
                "raised.annual",
                inputs,
            )
        how = f"{usd(weekly_min)}/week × {weeks} weeks"
        return low, f"raised to the minimum {usd(low)} ({how})", "raised.weekly", inputs
    if pay > high:
        if high == annual_max:
            return (
                high,
                f"capped at the maximum {usd(high)} (annual maximum)",
                "capped.annual",
                inputs,
            )
        how = f"{usd(weekly_max)}/week × {weeks} weeks"
        return high, f"capped at the maximum {usd(high)} ({how})", "capped.weekly", inputs
    return pay, f"actual pay {usd(pay)} is within {usd(low)}–{usd(high)}", "within", inputs
