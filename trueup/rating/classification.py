"""Classification checks on audited payroll: non-hourly pay apportioned by earnings, standard
exceptions, division of payroll without records, dual-wage classes, per-employee payroll caps."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from operator import attrgetter
from typing import Any

from trueup.rating.context import Context, PayItem, cite, usd
from trueup.rating.errors import Problem, WorksheetError
from trueup.rating.money import ZERO, allocate
from trueup.rating.rulebook import RuleVersion


def classify(ctx: Context, items: list[PayItem]) -> list[PayItem]:
    items = _apportion_unclassified(ctx, items)
    # Only employees with pay in more than one class can need a standard-exception or division
    # check; most registers have none, so find them first.
    groups = _working_in_several_classes(items)
    if groups:
        _standard_exceptions(ctx, groups)
        _division_without_records(ctx, groups)
    _dual_wage(ctx, items)
    _payroll_caps(ctx, items)
    return items


def _working_in_several_classes(items: list[PayItem]) -> dict[tuple[str, str], list[PayItem]]:
    """The payroll of each employee paid in more than one class of a state, by (state,
    employee); found first by each employee's first class, without grouping everyone."""
    first: dict[tuple[str, str], str] = {}
    several: set[tuple[str, str]] = set()
    for item in items:
        if item.employee is not None and item.kind == "payroll" and item.class_code is not None:
            key = (item.state, item.employee)
            if first.setdefault(key, item.class_code) != item.class_code:
                several.add(key)
    if not several:
        return {}
    return {key: group for key, group in _by_employee(items).items() if key in several}


def _by_employee(
    items: list[PayItem], kinds: tuple[str, ...] = ("payroll",)
) -> dict[tuple[str, str], list[PayItem]]:
    groups: dict[tuple[str, str], list[PayItem]] = defaultdict(list)
    for item in items:
        if item.employee is not None and item.kind in kinds and item.class_code is not None:
            groups[(item.state, item.employee)].append(item)
    return groups


def _highest_rated(ctx: Context, state: str, codes: set[str]) -> str:
    # Ties go to the lower class code, so the choice never depends on line order.
    return max(sorted(codes), key=lambda code: ctx.rate_value(state, code))


_CLASS_CODE = attrgetter("class_code")


def _apportion_unclassified(ctx: Context, items: list[PayItem]) -> list[PayItem]:
    """Non-hourly pay (vacation, holiday, bonus) goes to the employee's classes by earnings."""
    if None not in map(_CLASS_CODE, items):
        return items
    groups = _by_employee(items)
    kept: list[PayItem] = []
    added: list[PayItem] = []
    for item in items:
        if item.class_code is not None:
            kept.append(item)
            continue
        assert item.employee is not None  # validation requires an employee on unclassified pay
        earning = sorted(groups[(item.state, item.employee)], key=lambda i: i.class_code or "")
        earnings_by_class: dict[str, Decimal] = defaultdict(lambda: ZERO)
        # A share of non-hourly pay keeps the hourly wage shown for the work in its class, so a
        # verified high-wage class (dual wage) stays verified.
        wages: dict[str, list[tuple[Decimal, Decimal]]] = defaultdict(list)
        for other in earning:
            earnings_by_class[other.class_code or ""] += other.amount
            if other.hourly_rate is not None:
                wages[other.class_code or ""].append((other.amount, other.hourly_rate))
        wage_by_class = {code: _average_wage(pairs) for code, pairs in wages.items()}
        codes = sorted(earnings_by_class)
        shares = allocate(item.amount, [earnings_by_class[c] for c in codes])
        for code, share in zip(codes, shares, strict=True):
            rule = ctx.rules(item.state).require("classification")
            # The amount is the change from the whole pay to this share, so the reasons on the
            # share still add up to it.
            reason = cite(
                rule,
                "{}: non-hourly pay {} apportioned by earnings: {} to class {}",
                state=item.state,
                amount=share - item.amount,
                inputs=(("earnings_in_class", str(earnings_by_class[code])),),
                path=item.path,
                args=(item.employee, item.amount, share, code),
            )
            added.append(
                PayItem(
                    state=item.state,
                    class_code=code,
                    amount=share,
                    reasons=[*item.reasons, reason],
                    path=item.path,
                    employee=item.employee,
                    records_support_division=item.records_support_division,
                    hourly_rate=wage_by_class.get(code),
                    split_period=item.split_period,
                )
            )
    return kept + added


def _average_wage(pairs: list[tuple[Decimal, Decimal]]) -> Decimal:
    """The earnings-weighted hourly wage of an employee's work in one class (the highest wage
    when there are no earnings to weigh), whatever the order of the lines."""
    earned = sum((amount for amount, _ in pairs), ZERO)
    if not earned:
        return max(rate for _, rate in pairs)
    return sum((amount * rate for amount, rate in pairs), ZERO) / earned


def _move(
    ctx: Context,
    item: PayItem,
    to_class: str,
    text: str,
    code: str,
    rule_id: str = "classification",
    inputs: tuple[tuple[str, str], ...] = (),
    figures: tuple[tuple[str, object], ...] = (),
) -> None:
    """Move an item of payroll to another class. The reason's amount is zero: the payroll is
    moved, not changed, so the reasons on each exposure line still add up to it."""
    if ctx.rate(item.state, to_class) is None:
        raise WorksheetError(
            [
                Problem(
                    f"{item.path}.class",
                    f"the rules move this payroll to class {to_class} ({text}), but the rate "
                    f"table has no rate for {to_class} in {item.state} on {ctx.rating_date}",
                )
            ]
        )
    rule = ctx.rules(item.state).require(rule_id)
    moved = (
        ("employee", item.employee or ""),
        ("amount", item.amount),
        ("to_class", to_class),
        *figures,
    )
    item.reasons.append(
        cite(
            rule,
            text,
            state=item.state,
            amount=ZERO,
            inputs=(
                ("from_class", item.class_code or ""),
                ("to_class", to_class),
                ("amount_moved", str(item.amount)),
                *inputs,
            ),
            path=item.path,
            code=code,
            figures=moved,
        )
    )
    ctx.find(code, text, item.state, item.path, moved)
    item.class_code = to_class


def _standard_exceptions(ctx: Context, groups: dict[tuple[str, str], list[PayItem]]) -> None:
    for (state, employee), group in groups.items():
        rule = ctx.rules(state).require("classification")
        if rule.flag("standard_exception_split", False):
            continue
        exceptions = set(rule.items("standard_exceptions"))
        codes = {i.class_code for i in group if i.class_code}
        other = codes - exceptions
        if not other or not (codes & exceptions):
            continue
        target = _highest_rated(ctx, state, other)
        for item in group:
            if item.class_code in exceptions:
                _move(
                    ctx,
                    item,
                    target,
                    f"{employee} also works in class {', '.join(sorted(other))}: a standard "
                    f"exception ({item.class_code}) applies only to employees who never do "
                    f"other work, so {usd(item.amount)} moves to class {target}",
                    "standard_exception_split",
                    figures=(("other", ", ".join(sorted(other))), ("from_class", item.class_code)),
                )


def _division_without_records(ctx: Context, groups: dict[tuple[str, str], list[PayItem]]) -> None:
    for (state, employee), group in groups.items():
        codes = {i.class_code for i in group if i.class_code}
        if len(codes) < 2 or all(i.records_support_division for i in group):
            continue
        rule = ctx.rules(state).require("classification")
        if rule.text("division_without_records") != "highest_rated":
            continue
        target = _highest_rated(ctx, state, codes)
        for item in group:
            if item.class_code != target:
                _move(
                    ctx,
                    item,
                    target,
                    f"{employee}: time records do not support dividing payroll between "
                    f"classes {', '.join(sorted(codes))}, so {usd(item.amount)} is assigned "
                    f"to the highest-rated class {target}",
                    "division_not_supported",
                    figures=(("classes", ", ".join(sorted(codes))),),
                )


def _dual_wage(ctx: Context, items: list[PayItem]) -> None:
    pairs_by_state: dict[str, tuple[RuleVersion | None, list[Any]]] = {}
    for item in items:
        if item.kind != "payroll" or item.class_code is None:
            continue
        if item.state not in pairs_by_state:
            found = ctx.rules(item.state).get("dual_wage")
            pairs_by_state[item.state] = (found, found.items("pairs") if found else [])
        rule, pairs = pairs_by_state[item.state]
        if rule is None:
            continue
        for pair in pairs:
            high, low = str(pair["high"]), str(pair["low"])
            if item.class_code not in (high, low):
                continue
            threshold = Decimal(str(pair["threshold"]))
            who = item.employee or "payroll line"
            if item.hourly_rate is None:
                if item.class_code == high:
                    _move(
                        ctx,
                        item,
                        low,
                        f"{who}: no hourly wage shown to verify the high-wage class {high} "
                        f"(${threshold}/hour or more), so {usd(item.amount)} goes to the "
                        f"low-wage class {low}",
                        "dual_wage_unverified",
                        "dual_wage",
                        (("threshold", str(threshold)),),
                        (("high", high), ("threshold", threshold)),
                    )
            else:
                wage = _wage(item.hourly_rate)
                target = high if item.hourly_rate >= threshold else low
                if target != item.class_code:
                    _move(
                        ctx,
                        item,
                        target,
                        f"{who}: regular hourly wage ${wage} is "
                        f"{'at or above' if target == high else 'below'} the "
                        f"${threshold} threshold for {pair.get('trade', 'this trade')}, so "
                        f"{usd(item.amount)} belongs in class {target}",
                        "dual_wage_reclass",
                        "dual_wage",
                        (("threshold", str(threshold)), ("hourly_wage", str(item.hourly_rate))),
                        (("wage", wage), ("threshold", threshold), ("above", target == high)),
                    )
            break


def _wage(rate: Decimal) -> str:
    """An hourly wage for people: cents, or four places when cents would hide the comparison."""
    cents_shown = rate.quantize(Decimal("0.01"))
    return str(cents_shown if cents_shown == rate else rate.quantize(Decimal("0.0001")))


def _payroll_caps(ctx: Context, items: list[PayItem]) -> None:
    states = {item.state for item in items}
    for state in sorted(states):
        rule = ctx.rules(state).get("payroll_cap")
        if rule is None:
            continue
        for cap in rule.items("caps"):
            limit = Decimal(str(cap["per_employee_annual"]))
            classes = {str(c) for c in cap.get("classes", [])}
            applicable = [
                i
                for i in items
                if i.state == state
                and i.kind in ("payroll", "owner")
                and (not classes or i.class_code in classes)
            ]
            anonymous = [i for i in applicable if i.employee is None]
            if anonymous:
                ctx.find(
                    "cap_not_applied",
                    f"{len(anonymous)} {state} payroll line(s) name no employee, so the "
                    f"{usd(limit)} per-employee cap could not be applied to them",
                    state,
                    anonymous[0].path,
                    (("lines", len(anonymous)), ("cap", limit)),
                )
            by_employee: dict[str, list[PayItem]] = defaultdict(list)
            for item in applicable:
                if item.employee is not None:
                    by_employee[item.employee].append(item)
            for employee, group in by_employee.items():
                total = sum((i.amount for i in group), ZERO)
                if total <= limit:
                    continue
                # Sorted so that the cents left over by the split never depend on line order.
                group.sort(key=lambda i: (i.class_code or "", -i.amount, i.path))
                capped = allocate(limit, [i.amount for i in group])
                scope = "every class" if not classes else "class " + ", ".join(sorted(classes))
                for item, new_amount in zip(group, capped, strict=True):
                    item.reasons.append(
                        cite(
                            rule,
                            "{}: payroll of {} is capped at {} per employee ({}); this line "
                            "{} → {}",
                            state=state,
                            args=(employee, total, limit, scope, item.amount, new_amount),
                            amount=new_amount - item.amount,
                            inputs=(("employee_total", str(total)), ("cap", str(limit))),
                            path=item.path,
                            code="payroll_cap",
                            figures=(
                                ("employee", employee),
                                ("total", total),
                                ("cap", limit),
                                ("before", item.amount),
                                ("after", new_amount),
                            ),
                        )
                    )
                    item.amount = new_amount
                ctx.find(
                    "payroll_cap",
                    f"{employee}: {usd(total)} of payroll capped at {usd(limit)}",
                    state,
                    group[0].path,
                    (("employee", employee), ("total", total), ("cap", limit)),
                )
