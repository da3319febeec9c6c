"""Payment plans and business days: pure functions (no Django), Decimal to the cent.

A plan's down payment and instalments sum exactly to the total: every instalment but the last is
the even share rounded half up to the cent, and the last absorbs what rounding left over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from trueup.core.errors import Refused
from trueup.rating.money import CENT, quantize
from trueup.rating.periods import add_months

ZERO = Decimal(0)


@dataclass(frozen=True)
class Instalment:
    number: int  # 0 for the down payment
    due: date
    amount: Decimal


class PlanRefused(Refused):
    """A plan that cannot be made, with the reason for the user."""

    code = "plan_refused"


def schedule(
    total: Decimal,
    instalments: int,
    first_due: date,
    down_payment: Decimal = ZERO,
    *,
    minimum: int,
    maximum: int,
) -> list[Instalment]:
    """The plan's payments: the down payment (if any) on ``first_due`` and the instalments
    monthly from then on (from a month later when there is a down payment). ``minimum`` and
    ``maximum`` instalments are billing.toml's."""
    if total != quantize(total, CENT) or down_payment != quantize(down_payment, CENT):
        raise PlanRefused("amounts are in whole cents")
    if total <= 0:
        raise PlanRefused("only an amount due can be paid in instalments")
    if not minimum <= instalments <= maximum:
        raise PlanRefused(f"choose from {minimum} to {maximum} instalments")
    if not ZERO <= down_payment < total:
        raise PlanRefused("the down payment must be less than the total, and not negative")
    rest = total - down_payment
    share = quantize(rest / instalments, CENT)
    if share <= 0:
        raise PlanRefused(f"{rest} cannot be split into {instalments} payments of a cent or more")
    payments = []
    if down_payment:
        payments.append(Instalment(0, first_due, down_payment))
    offset = 1 if down_payment else 0
    for n in range(1, instalments + 1):
        amount = share if n < instalments else rest - share * (instalments - 1)
        payments.append(Instalment(n, add_months(first_due, n - 1 + offset), amount))
    if payments[-1].amount <= 0:
        raise PlanRefused(f"{rest} cannot be split into {instalments} payments of a cent or more")
    return payments


def add_business_days(start: date, days: int) -> date:
    """The day ``days`` business days (Monday to Friday) after ``start``."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


@dataclass(frozen=True)
class History:
    """The insured's payments in the look-back period."""

    late: int
    returned: int


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str]  # why not, or what was checked


def eligibility(
    total: Decimal, history: History, policy_status: str, rules: dict[str, object]
) -> Eligibility:
    """Whether a payment plan may be offered, by the rules in ``billing.toml``."""
    minimum = Decimal(str(rules["minimum_amount"]))
    max_late = int(str(rules["max_late_payments"]))
    max_returned = int(str(rules["max_returned_payments"]))
    months = int(str(rules["history_months"]))
    statuses = list(rules["policy_statuses"])  # type: ignore[call-overload]
    problems = []
    if total < minimum:
        problems.append(f"the amount ${total:,.2f} is under the ${minimum:,.2f} minimum for a plan")
    if history.late > max_late:
        problems.append(
            f"{history.late} late payments in the last {months} months (at most {max_late})"
        )
    if history.returned > max_returned:
        problems.append(
            f"{history.returned} returned payments in the last {months} months "
            f"(at most {max_returned})"
        )
    if policy_status not in statuses:
        problems.append(f"the policy is {policy_status.replace('_', ' ')}")
    if problems:
        return Eligibility(False, problems)
    return Eligibility(
        True,
        [
            f"${total:,.2f} is at least ${minimum:,.2f}",
            f"{history.late} late and {history.returned} returned payments in the last "
            f"{months} months",
            f"the policy is {policy_status.replace('_', ' ')}",
        ],
    )
