"""Exposure lines: audited facts (or the estimate) summed by state, class and mod period."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from trueup.rating.classification import classify
from trueup.rating.context import Context, PayItem, fact, usd
from trueup.rating.money import ZERO, allocate, cents
from trueup.rating.officers import owner_items
from trueup.rating.payroll import payroll_items
from trueup.rating.periods import Period
from trueup.rating.result import ExposureLine, Reason, new_exposure_line
from trueup.rating.subcontractors import subcontractor_items
from trueup.rating.worksheet import ExperienceMod

Key = tuple[str, str, str, date | None]  # state, class, basis, mod period start


def mod_periods(ctx: Context, state: str) -> list[tuple[Period, ExperienceMod | None]]:
    """The audit period cut at each experience-mod change for ``state`` (split-period rating)."""
    key = ("mod_periods", state)
    if key in ctx.memo:
        return ctx.memo[key]  # type: ignore[return-value]
    mods = ctx.worksheet.policy.experience_mods
    own = [m for m in mods if m.state == state]
    applicable = sorted(own or [m for m in mods if m.state is None], key=lambda m: m.effective)
    audit_period = ctx.worksheet.policy.audit_period
    periods = audit_period.split_at([m.effective for m in applicable])
    result: list[tuple[Period, ExperienceMod | None]] = []
    for period in periods:
        in_force = [m for m in applicable if m.effective <= period.start]
        result.append((period, in_force[-1] if in_force else None))
    ctx.memo[key] = result
    return result


def audited_exposures(ctx: Context) -> list[ExposureLine]:
    worksheet = ctx.worksheet
    if worksheet.is_estimated_audit:
        return estimated_exposures(ctx, audited=True)
    if worksheet.policy.line == "GL":
        return _gl_exposures(ctx)
    items = payroll_items(ctx) + owner_items(ctx) + subcontractor_items(ctx)
    items = classify(ctx, items)
    return _aggregate(ctx, items)


def estimated_exposures(ctx: Context, audited: bool = False) -> list[ExposureLine]:
    policy = ctx.worksheet.policy
    term_days, days = policy.term.days, policy.audit_period.days
    totals: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    reasons: dict[Key, list[Reason]] = defaultdict(list)
    periods = _PeriodsByState(ctx)
    for index, estimate in enumerate(ctx.worksheet.estimated):
        path = f"$.estimated[{index}]"
        amount = estimate.exposure
        if audited:
            said = fact(
                ESTIMATE_STANDS, state=estimate.state, amount=amount, path=path, args=(amount,)
            )
        else:
            basis = estimate.basis.replace("_", " ")
            said = fact(
                ESTIMATED, state=estimate.state, amount=amount, path=path, args=(basis, amount)
            )
        line_reasons = [said]
        if days != term_days:
            prorated = cents(amount * days / term_days)
            interim = policy.interim is not None
            line_reasons.append(
                Reason(
                    rule="interim.pro_rata_estimate"
                    if interim
                    else "cancellation.pro_rata_estimate",
                    template=(
                        f"interim audit of {days} of the term's {term_days} days"
                        if interim
                        else f"policy in force {days} of {term_days} days"
                    )
                    + f": estimate prorated to {usd(prorated)}",
                    amount=prorated - amount,
                    state=estimate.state,
                    status="derived",
                    inputs=(("days_in_force", str(days)), ("term_days", str(term_days))),
                    path=path,
                )
            )
            amount = prorated
        for key, part in _split(
            periods[estimate.state],
            estimate.state,
            estimate.class_code,
            estimate.basis,
            amount,
            None,
        ):
            totals[key] += part
            reasons[key].extend(line_reasons)
    return _lines(totals, reasons)


ESTIMATED = "estimated {} {} on the policy"
ESTIMATE_STANDS = (
    "estimated audit (records not provided): the policy's estimate {} stands as the audited "
    "exposure"
)


class _PeriodsByState(dict[str, list[tuple[Period, ExperienceMod | None]]]):
    """Each state's mod periods, looked up once per rating (none for GL: no split rating)."""

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.wc = ctx.worksheet.policy.line == "WC"

    def __missing__(self, state: str) -> list[tuple[Period, ExperienceMod | None]]:
        found = self[state] = mod_periods(self.ctx, state) if self.wc else []
        return found


def _gl_exposures(ctx: Context) -> list[ExposureLine]:
    totals: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    reasons: dict[Key, list[Reason]] = defaultdict(list)
    for index, exposure in enumerate(ctx.worksheet.audited.gl_exposures):
        key = (exposure.state, exposure.class_code, exposure.basis, None)
        totals[key] += exposure.amount
        reasons[key].append(
            fact(
                f"audited {exposure.basis.replace('_', ' ')} {exposure.amount:,}",
                state=exposure.state,
                amount=exposure.amount,
                path=f"$.audited.gl_exposures[{index}]",
            )
        )
    return _lines(totals, reasons)


def _aggregate(ctx: Context, items: list[PayItem]) -> list[ExposureLine]:
    totals: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    reasons: dict[Key, list[Reason]] = defaultdict(list)
    periods = _PeriodsByState(ctx)
    for item in items:
        assert item.class_code is not None
        in_state = periods[item.state]
        if len(in_state) <= 1:  # one mod period: the item as it is (most states, most policies)
            key: Key = (item.state, item.class_code, "payroll", None)
            totals[key] += item.amount
            reasons[key].extend(item.reasons)
            continue
        for key, part in _split(
            in_state, item.state, item.class_code, "payroll", item.amount, item.split_period
        ):
            totals[key] += part
            reasons[key].extend(item.reasons)
    return _lines(totals, reasons)


def _split(
    periods: list[tuple[Period, ExperienceMod | None]],
    state: str,
    class_code: str,
    basis: str,
    amount: Decimal,
    period_hint: date | None,
) -> list[tuple[Key, Decimal]]:
    if len(periods) <= 1:
        return [((state, class_code, basis, None), amount)]
    if period_hint is not None:
        for period, _ in periods:
            if period.contains(period_hint):
                return [((state, class_code, basis, period.start), amount)]
    # No period named: split by days in each period.
    shares = allocate(amount, [Decimal(p.days) for p, _ in periods])
    return [
        ((state, class_code, basis, p.start), s) for (p, _), s in zip(periods, shares, strict=True)
    ]


def _lines(totals: dict[Key, Decimal], reasons: dict[Key, list[Reason]]) -> list[ExposureLine]:
    return [
        new_exposure_line((k[0], k[1], k[2], totals[k], tuple(reasons[k]), k[3]))
        for k in sorted(totals, key=lambda k: (k[0], k[1], k[2], k[3] or date.min))
    ]
