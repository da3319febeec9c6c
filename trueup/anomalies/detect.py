"""Anomaly flags: the figures that make an audit worth a second look, from its worksheet and rated
result (the JSON the engine reads and writes), the audit before it on the same policy, and the
tax filings that do not reconcile. Pure: no database, so a whole generated book can be checked
(``bench/anomalies.py``). Each flag's threshold and source is data (``anomalies.toml``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from trueup.core.money import usd
from trueup.rating.money import HUNDRED, ZERO, cents

Json = Mapping[str, Any]
DAYS_IN_YEAR = 365


@dataclass(frozen=True)
class Audited:
    """One audit as the engine saw it: its worksheet and its result, as JSON."""

    worksheet: Json
    result: Json


@dataclass(frozen=True)
class Flag:
    code: str
    key: str  # the flag within its audit: a decision about it is kept under this key
    title: str
    text: str
    source: str
    state: str = ""
    class_code: str = ""


@dataclass(frozen=True)
class Inputs:
    current: Audited
    prior: Audited | None  # the completed audit of the policy's term before, if any
    unreconciled: Sequence[str]  # tax filings the register does not reconcile to, in words
    rules: Json


def detect(inputs: Inputs) -> list[Flag]:
    """Every flag the audit raises, in the order of ``CHECKS``."""
    return [flag for check in CHECKS for flag in check(inputs)]


def _flag(inputs: Inputs, code: str, text: str, where: str = "", **at: str) -> Flag:
    rule = inputs.rules[code]
    return Flag(
        code, f"{code}:{where}" if where else code, rule["title"], text, rule["source"], **at
    )


def _d(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal(1))} %"


# --- what the result says, by state and class ---------------------------------------------------


def exposures(audited: Audited, side: str) -> dict[tuple[str, str], Decimal]:
    """Estimated or audited exposure by (state, class), from the result's adjustment lines."""
    found: dict[tuple[str, str], Decimal] = {}
    for line in audited.result.get("adjustments", []):
        amount = line.get(f"{side}_exposure")
        if line.get("is_class") and amount is not None:
            found[(line["state"], line["item"])] = _d(amount)
    return found


def _days(audited: Audited) -> int:
    start, end = audited.result.get("period_start"), audited.result.get("period_end")
    if not (start and end):
        return DAYS_IN_YEAR
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


def _is_estimated(audited: Audited) -> bool:
    return audited.result.get("audit_type") == "estimated"


# --- the checks ----------------------------------------------------------------------------------


def pay_per_employee(inputs: Inputs) -> list[Flag]:
    rule, norms = inputs.rules["pay_per_employee"], inputs.rules["norms"]["classes"]
    pay: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    people: dict[tuple[str, str], set[str]] = defaultdict(set)
    for line in inputs.current.worksheet["audited"]["payroll"]:
        where = (line["state"], line.get("class") or "")
        pay[where] += _d(line["gross"])
        if line.get("employee"):
            people[where].add(line["employee"].strip().lower())
    flags, share = [], Decimal(_days(inputs.current)) / DAYS_IN_YEAR
    for (state, code), names in sorted(people.items()):
        norm = norms.get(code)
        if norm is None or len(names) < rule["min_employees"]:
            continue
        expected = _d(norm["annual"]) * share
        each = cents(pay[(state, code)] / len(names))
        ratio = each / expected
        if _d(rule["low_share"]) <= ratio <= _d(rule["high_share"]):
            continue
        text = (
            f"{state} {code}: {usd(each)} a worker over {len(names)} workers is "
            f"{_percent(ratio * HUNDRED)} of the norm {usd(cents(expected))} for the "
            f"{_days(inputs.current)} days audited ({norm['occupation']})"
        )
        flags.append(
            _flag(inputs, "pay_per_employee", text, f"{state}-{code}", state=state, class_code=code)
        )
    return flags


def _clerical_share(
    found: Mapping[tuple[str, str], Decimal], classes: Sequence[str]
) -> Decimal | None:
    total = sum(found.values(), ZERO)
    if not total:
        return None
    clerical = sum((v for (_, code), v in found.items() if code in classes), ZERO)
    return clerical * HUNDRED / total


def clerical_share(inputs: Inputs) -> list[Flag]:
    rule = inputs.rules["clerical_share"]
    if _is_estimated(inputs.current):
        return []
    now = _clerical_share(exposures(inputs.current, "audited"), rule["classes"])
    if now is None:
        return []
    against = [
        ("the estimate", _clerical_share(exposures(inputs.current, "estimated"), rule["classes"]))
    ]
    if inputs.prior is not None:
        against.append(
            (
                "the prior audit",
                _clerical_share(exposures(inputs.prior, "audited"), rule["classes"]),
            )
        )
    flags = []
    for name, before in against:
        if before is not None and now - before >= rule["grown_points"]:
            text = (
                f"clerical ({', '.join(rule['classes'])}) is {_percent(now)} of the audited "
                f"payroll against {_percent(before)} on {name}"
            )
            flags.append(_flag(inputs, "clerical_share", text, name.split()[-1]))
    return flags


def _payroll_total(audited: Audited) -> Decimal:
    return sum((_d(line["gross"]) for line in audited.worksheet["audited"]["payroll"]), ZERO)


def subcontracting(inputs: Inputs) -> list[Flag]:
    subs = inputs.current.worksheet["audited"]["subcontractors"]
    cost = sum((_d(s["contract_cost"]) for s in subs), ZERO)
    payroll = _payroll_total(inputs.current)
    if not cost or not payroll:
        return []
    percent = cost * HUNDRED / payroll
    if percent <= inputs.rules["subcontracting"]["high_percent"]:
        return []
    text = f"subcontracts of {usd(cost)} are {_percent(percent)} of the {usd(payroll)} payroll"
    return [_flag(inputs, "subcontracting", text)]


def _name(value: str) -> str:
    return " ".join(value.lower().replace(",", " ").replace(".", " ").split())


def subcontractor_was_employee(inputs: Inputs) -> list[Flag]:
    if inputs.prior is None:
        return []
    employees = {
        _name(line["employee"])
        for line in inputs.prior.worksheet["audited"]["payroll"]
        if line.get("employee")
    }
    flags = []
    for sub in inputs.current.worksheet["audited"]["subcontractors"]:
        if _name(sub["name"]) in employees:
            text = (
                f"{sub['name']} was paid {usd(_d(sub['contract_cost']))} as a subcontractor and "
                "was on the payroll at the prior audit"
            )
            flags.append(_flag(inputs, "subcontractor_was_employee", text, _name(sub["name"])))
    return flags


def uncertified_1099(inputs: Inputs) -> list[Flag]:
    bare = [
        s
        for s in inputs.current.worksheet["audited"]["subcontractors"]
        if not s.get("certificate_from") and not s.get("exempt")
    ]
    if len(bare) < inputs.rules["uncertified_1099"]["min_count"]:
        return []
    cost = sum((_d(s["contract_cost"]) for s in bare), ZERO)
    names = ", ".join(s["name"] for s in bare)
    text = f"{len(bare)} subcontractor(s) paid {usd(cost)} with no certificate on file: {names}"
    return [_flag(inputs, "uncertified_1099", text)]


def exposure_ratio(inputs: Inputs) -> list[Flag]:
    rule = inputs.rules["exposure_ratio"]
    if _is_estimated(inputs.current):
        return []
    estimated, audited = (
        exposures(inputs.current, "estimated"),
        exposures(inputs.current, "audited"),
    )
    flags = []
    for (state, code), before in sorted(estimated.items()):
        now = audited.get((state, code), ZERO)
        if not before or not now:
            continue  # a class missing on one side is the state check's, or the engine's finding
        percent = now * HUNDRED / before
        if rule["low_percent"] <= percent <= rule["high_percent"]:
            continue
        text = (
            f"{state} {code}: audited {usd(now)} is {_percent(percent)} of the estimated "
            f"{usd(before)}"
        )
        flags.append(
            _flag(inputs, "exposure_ratio", text, f"{state}-{code}", state=state, class_code=code)
        )
    return flags


def _at_limit(audited: Audited) -> dict[str, str]:
    """Officers whose actual pay is exactly a limit: name → which limit, with its amount."""
    owners = audited.worksheet["audited"]["owners"]
    found: dict[str, str] = {}
    for exposure in audited.result.get("audited", {}).get("exposures", []):
        for reason in exposure.get("reasons", []):
            path, inputs = reason.get("path") or "", reason.get("inputs") or {}
            if not reason["rule"].startswith("officers.") or "actual_pay" not in inputs:
                continue
            index = (
                int(path.split("[")[1].rstrip("]"))
                if path.startswith("$.audited.officers[")
                else None
            )
            name = owners[index]["name"] if index is not None and index < len(owners) else None
            pay = _d(inputs["actual_pay"])
            for limit in ("minimum", "maximum"):
                if name and limit in inputs and pay == _d(inputs[limit]):
                    found[_name(name)] = f"the {limit} {usd(pay)}"
    return found


def officer_at_limit(inputs: Inputs) -> list[Flag]:
    running = inputs.rules["officer_at_limit"]["years_running"]
    now = _at_limit(inputs.current)
    before = _at_limit(inputs.prior) if inputs.prior is not None else {}
    names = [name for name in now if running <= 1 or name in before]
    return [
        _flag(
            inputs,
            "officer_at_limit",
            f"{name.title()}'s pay is exactly {now[name]} in this audit"
            + (f" and was {before[name]} in the prior one" if name in before else ""),
            name,
        )
        for name in sorted(names)
    ]


def state_mismatch(inputs: Inputs) -> list[Flag]:
    estimated = {s for (s, _), v in exposures(inputs.current, "estimated").items() if v}
    audited = {s for (s, _), v in exposures(inputs.current, "audited").items() if v}
    flags = [
        _flag(
            inputs,
            "state_mismatch",
            f"{state}: payroll audited where nothing was estimated",
            f"{state}-audited",
            state=state,
        )
        for state in sorted(audited - estimated)
    ]
    if not _is_estimated(inputs.current):
        flags += [
            _flag(
                inputs,
                "state_mismatch",
                f"{state}: estimated on the policy, no payroll found",
                f"{state}-estimated",
                state=state,
            )
            for state in sorted(estimated - audited)
        ]
    return flags


def unreconciled_941(inputs: Inputs) -> list[Flag]:
    return [
        _flag(inputs, "unreconciled_941", text, str(n))
        for n, text in enumerate(inputs.unreconciled)
    ]


def identical_to_estimate(inputs: Inputs) -> list[Flag]:
    if _is_estimated(inputs.current):
        return []
    estimated, audited = (
        exposures(inputs.current, "estimated"),
        exposures(inputs.current, "audited"),
    )
    dollars = Decimal(1)
    if not estimated or any(
        v.quantize(dollars) != audited.get(k, ZERO).quantize(dollars) for k, v in estimated.items()
    ):
        return []
    if set(audited) - set(estimated) or not any(estimated.values()):
        return []
    total = sum(audited.values(), ZERO)
    text = f"every class's audited exposure equals its estimate to the dollar ({usd(total)} in all)"
    return [_flag(inputs, "identical_to_estimate", text)]


CHECKS: tuple[Callable[[Inputs], list[Flag]], ...] = (
    pay_per_employee,
    clerical_share,
    subcontracting,
    subcontractor_was_employee,
    uncertified_1099,
    exposure_ratio,
    officer_at_limit,
    state_mismatch,
    unreconciled_941,
    identical_to_estimate,
)
