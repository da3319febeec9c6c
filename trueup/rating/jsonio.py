"""Worksheets from JSON, results to JSON.

Reading never raises on bad data: it collects every problem with its JSON path and raises one
:class:`WorksheetError`. Money and other decimals are read from JSON strings or numbers (numbers
are read as Decimal, never float) and written as strings. JSON nested deeper than
:data:`MAX_NESTING` lists and objects is refused before it is parsed, with the path of the first
list or object too deep.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import accumulate
from typing import Any, TypeVar

from trueup.rating.errors import Problem, WorksheetError
from trueup.rating.money import ZERO
from trueup.rating.result import Reason
from trueup.rating.worksheet import (
    PAYROLL_PARTS,
    Audit,
    AuditFacts,
    Cancellation,
    Estimate,
    ExperienceMod,
    GLExposure,
    Interim,
    Owner,
    PayrollLine,
    Policy,
    PremiumAdjustment,
    ScheduleRating,
    Subcontractor,
    Worksheet,
)

T = TypeVar("T")


class _JsonFraction(Decimal):
    """A JSON number with a fraction or exponent, kept apart so the reader can refuse it."""


class _JsonLongInteger(Decimal):
    """A JSON integer too long for Python's int (over 4,300 digits): read as a Decimal, so that the
    limits on amounts name it, and refused where a whole number is expected."""


PLAIN_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_MISSING = object()

# A worksheet nests lists and objects four deep ($.policy.experience_mods[0]); 32 leaves room for
# any future field and stays far below the depth at which Python's JSON parser, or repr() of a
# value in a message, raises RecursionError.
MAX_NESTING = 32
# A JSON string, escapes included: brackets inside strings are not nesting.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_STRINGS = re.compile(_STRING, re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_TOKENS = re.compile(_STRING + r"|[\[\]{},]", re.DOTALL)
# Python refuses to convert longer digit strings to int (a guard against slow conversion).
_LONGEST_INT = 4300


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def obj(self, value: Any, path: str, allowed: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        for key in sorted(set(value) - allowed):
            self.fail(_member(path, key), "is not a known field")
        return value

    def get(self, data: Mapping[str, Any], key: str, path: str, required: bool) -> Any:
        value = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(f"{path}.{key}", "is required")
            return _MISSING
        return value

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        default: str | None = None,
    ) -> str | None:
        value = self.get(data, key, path, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{path}.{key}", "must be a non-empty string")
            return default
        # JSON may escape half of a UTF-16 pair ("\ud800"); such text cannot be written out as
        # UTF-8, so the result could not be printed.
        if _LONE_SURROGATE.search(value):
            self.fail(
                f"{path}.{key}",
                "is not valid text: it has an unpaired surrogate (\\ud800 to \\udfff)",
            )
            return default
        return value.strip()

    def decimal(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        default: Decimal | None = ZERO,
    ) -> Decimal | None:
        value = self.get(data, key, path, required)
        if value is _MISSING:
            return default
        # JSON numbers with a fraction are refused too: other systems would read them as binary
        # floats, so amounts with cents travel as strings ("1234.56").
        if isinstance(value, bool | float | _JsonFraction):
            self.fail(
                f"{path}.{key}",
                'write amounts as strings ("1234.56") or whole numbers, never fractional '
                "JSON numbers",
            )
            return default
        if isinstance(value, int | Decimal):  # Python callers may pass Decimals
            return Decimal(value)
        if isinstance(value, str):
            text = value.strip()
            if not PLAIN_NUMBER.match(text):
                self.fail(f"{path}.{key}", f"{value!r} is not a plain number such as 1234.56")
                return default
            return Decimal(text)
        self.fail(f"{path}.{key}", "must be a number written as a string")
        return default

    def date(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> date | None:
        value = self.get(data, key, path, required)
        if value is _MISSING:
            return None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(f"{path}.{key}", f"{value!r} is not a date (YYYY-MM-DD)")
        return None

    def flag(self, data: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = self.get(data, key, path, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", "must be true or false")
            return default
        return value

    def integer(self, data: Mapping[str, Any], key: str, path: str) -> int | None:
        value = self.get(data, key, path, False)
        if value is _MISSING:
            return None
        if isinstance(value, _JsonLongInteger):
            self.fail(f"{path}.{key}", "is too large a number")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{path}.{key}", "must be a whole number")
            return None
        return value

    def items(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        read: Callable[[Any, str], T | None],
        *,
        required: bool = False,
    ) -> tuple[T, ...]:
        value = self.get(data, key, path, required)
        if value is _MISSING:
            return ()
        if not isinstance(value, list):
            self.fail(f"{path}.{key}", "must be a list")
            return ()
        out = []
        for index, item in enumerate(value):
            parsed = read(item, f"{path}.{key}[{index}]")
            if parsed is not None:
                out.append(parsed)
        return tuple(out)

    def state(self, data: Mapping[str, Any], key: str, path: str) -> str:
        return (self.text(data, key, path) or "").upper()


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def worksheet_from_dict(data: Any) -> Worksheet:
    """Read a worksheet (parsed JSON), or raise WorksheetError listing every problem."""
    r = _Reader()
    root = r.obj(data, "$", {"schema_version", "policy", "estimated", "audited", "audit"})
    if root is None:
        raise WorksheetError(r.problems)
    policy = _policy(r, root.get("policy"), "$.policy")
    estimated = r.items(root, "estimated", "$", lambda v, p: _estimate(r, v, p), required=True)
    facts = AuditFacts()
    if root.get("audited") is not None:
        facts = _facts(r, root["audited"], "$.audited") or facts
    audit = Audit()
    if root.get("audit") is not None:
        audit = _audit(r, root["audit"], "$.audit") or audit
    if r.problems or policy is None:
        raise WorksheetError(r.problems)
    return Worksheet(policy=policy, estimated=estimated, audited=facts, audit=audit)


def worksheet_from_json(text: str) -> Worksheet:
    too_deep = _too_deep(text)
    if too_deep is not None:
        raise WorksheetError(
            [
                Problem(
                    too_deep,
                    f"is nested too deep: a worksheet nests lists and objects at most "
                    f"{MAX_NESTING} deep",
                )
            ]
        )
    try:
        data = json.loads(text, parse_float=_json_fraction, parse_int=_json_integer)
    except json.JSONDecodeError as exc:
        raise WorksheetError(
            [Problem("$", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        ) from exc
    return worksheet_from_dict(data)


def _json_fraction(text: str) -> Decimal:
    try:
        return _JsonFraction(text)
    except InvalidOperation:
        # An exponent past what Decimal can hold (1e9999999999999999999999999): refused as a
        # fractional JSON number all the same.
        return _JsonFraction("-Infinity" if text.startswith("-") else "Infinity")


def _json_integer(digits: str) -> int | Decimal:
    return _JsonLongInteger(digits) if len(digits) > _LONGEST_INT else int(digits)


def _too_deep(text: str) -> str | None:
    """The JSON path of the first list or object nested more than MAX_NESTING deep, if any.

    Works on the text, without recursion, so that it also answers for text Python's parser would
    give up on. Invalid JSON is measured as far as its brackets go; the parser then names its error.
    """
    # Quick check for every worksheet: the deepest the brackets outside strings go.
    brackets = _BRACKETS.findall(_STRINGS.sub("", text))
    if max(accumulate(1 if b in "[{" else -1 for b in brackets), default=0) <= MAX_NESTING:
        return None
    # Too deep: walk the tokens again, keeping each open list's index and each object's key.
    # Each entry: [True, key] for an object, [False, index] for a list.
    open_: list[list[Any]] = []
    expecting_key = False
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            if len(open_) == MAX_NESTING:
                return _path(open_)
            open_.append([token == "{", "" if token == "{" else 0])
            expecting_key = token == "{"
        elif token in ("]", "}"):
            if open_:
                open_.pop()
            expecting_key = False
        elif token == ",":
            if open_ and open_[-1][0]:
                expecting_key = True
            elif open_:
                open_[-1][1] += 1
        elif expecting_key:
            open_[-1][1] = _key(token)
            expecting_key = False
    return _path(open_)  # not reached: the quick check counts the same brackets


def _key(token: str) -> str:
    try:
        return str(json.loads(token))
    except ValueError:  # an invalid escape: the parser will say so if the depth is fixed
        return token[1:-1]


def _path(open_: list[list[Any]]) -> str:
    path = "$"
    for is_object, at in open_:
        path = _member(path, at) if is_object else f"{path}[{at}]"
    return path


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _member(path: str, key: object) -> str:
    """``$.policy`` for a name, ``$["two words"]`` for any other key: a key with a space, a dot
    or a line break must not make the path ambiguous or split a problem over two lines."""
    name = str(key)  # Python callers may use keys that are not strings
    if _NAME.fullmatch(name):
        return f"{path}.{name}"
    return f"{path}[{json.dumps(name)}]"


def _policy(r: _Reader, value: Any, path: str) -> Policy | None:
    data = r.obj(value, path, _fields(Policy) - {"term"})
    if data is None:
        return None
    line = r.text(data, "line", path)
    number = r.text(data, "number", path)
    effective = r.date(data, "effective", path, required=True)
    expiration = r.date(data, "expiration", path, required=True)
    states = data.get("states")
    if not isinstance(states, list) or not all(isinstance(s, str) for s in states):
        r.fail(f"{path}.states", "must be a list of state codes")
        states = []
    cancellation = None
    if data.get("cancellation") is not None:
        c = r.obj(data["cancellation"], f"{path}.cancellation", {"date", "basis"})
        if c is not None:
            when = r.date(c, "date", f"{path}.cancellation", required=True)
            basis = r.text(c, "basis", f"{path}.cancellation")
            if when and basis:
                cancellation = Cancellation(when, basis)
    interim = None
    if data.get("interim") is not None:
        i = r.obj(data["interim"], f"{path}.interim", {"start", "end"})
        if i is not None:
            start = r.date(i, "start", f"{path}.interim", required=True)
            end = r.date(i, "end", f"{path}.interim", required=True)
            if start and end:
                interim = Interim(start, end)

    def mod(v: Any, p: str) -> ExperienceMod | None:
        d = r.obj(v, p, {"factor", "effective", "state"})
        if d is None:
            return None
        factor = r.decimal(d, "factor", p, required=True, default=None)
        when = r.date(d, "effective", p, required=True)
        state = r.text(d, "state", p, required=False)
        if factor is None or when is None:
            return None
        return ExperienceMod(factor, when, state.upper() if state else None)

    def schedule(v: Any, p: str) -> ScheduleRating | None:
        d = r.obj(v, p, {"state", "factor"})
        if d is None:
            return None
        factor = r.decimal(d, "factor", p, required=True, default=None)
        return None if factor is None else ScheduleRating(r.state(d, "state", p), factor)

    def adjustment(v: Any, p: str) -> PremiumAdjustment | None:
        d = r.obj(v, p, {"state", "kind", "rate"})
        if d is None:
            return None
        rate = r.decimal(d, "rate", p, required=True, default=None)
        kind = r.text(d, "kind", p)
        if rate is None or kind is None:
            return None
        return PremiumAdjustment(r.state(d, "state", p), kind, rate)

    insured_name = r.text(data, "insured_name", path, required=False, default="") or ""
    mods = r.items(data, "experience_mods", path, mod)
    schedules = r.items(data, "schedule_rating", path, schedule)
    adjustments = r.items(data, "premium_adjustments", path, adjustment)
    discount = r.flag(data, "premium_discount", path, True)
    discount_type = r.text(data, "premium_discount_type", path, required=False) or "type_a"
    assigned_risk = r.flag(data, "assigned_risk", path, False)
    deposit = r.decimal(data, "deposit_premium", path, default=None)
    billed = r.decimal(data, "billed_premium", path, default=None)
    gl_audit = r.text(data, "gl_audit", path, required=False) or "two_way"
    gl_minimum = r.decimal(data, "gl_minimum_premium", path, default=None)
    if not (line and number and effective and expiration):
        return None
    return Policy(
        line=line.upper(),
        number=number,
        effective=effective,
        expiration=expiration,
        states=tuple(s.upper() for s in states),
        insured_name=insured_name,
        cancellation=cancellation,
        experience_mods=mods,
        schedule_rating=schedules,
        premium_adjustments=adjustments,
        premium_discount=discount,
        premium_discount_type=discount_type,
        assigned_risk=assigned_risk,
        deposit_premium=deposit,
        billed_premium=billed,
        gl_audit=gl_audit,
        gl_minimum_premium=gl_minimum,
        interim=interim,
    )


def _estimate(r: _Reader, value: Any, path: str) -> Estimate | None:
    data = r.obj(value, path, {"state", "class", "exposure", "basis"})
    if data is None:
        return None
    class_code = r.text(data, "class", path)
    exposure = r.decimal(data, "exposure", path, required=True, default=None)
    basis = r.text(data, "basis", path, required=False, default="payroll") or "payroll"
    if class_code is None or exposure is None:
        return None
    return Estimate(r.state(data, "state", path), class_code, exposure, basis)


def _payroll(r: _Reader, value: Any, path: str) -> PayrollLine | None:
    allowed = (_fields(PayrollLine) - {"class_code"}) | {"class"}
    data = r.obj(value, path, allowed)
    if data is None:
        return None
    gross = r.decimal(data, "gross", path, required=True, default=None)
    amounts = {name: r.decimal(data, name, path) for name in PAYROLL_PARTS}
    class_code = r.text(data, "class", path, required=False)
    employee = r.text(data, "employee", path, required=False)
    if gross is None:
        return None
    return PayrollLine(
        state=r.state(data, "state", path),
        class_code=class_code,
        gross=gross,
        employee=employee,
        overtime_records=r.flag(data, "overtime_records", path, True),
        hours=r.decimal(data, "hours", path, default=None),
        hourly_rate=r.decimal(data, "hourly_rate", path, default=None),
        records_support_division=r.flag(data, "records_support_division", path, True),
        labor_source=r.text(data, "labor_source", path, required=False, default="employee")
        or "employee",
        covered_elsewhere=r.flag(data, "covered_elsewhere", path, False),
        wrap_up=r.flag(data, "wrap_up", path, False),
        split_period=r.date(data, "split_period", path),
        **amounts,  # type: ignore[arg-type]
    )


def _owner(r: _Reader, value: Any, path: str) -> Owner | None:
    allowed = (_fields(Owner) - {"class_code"}) | {"class"}
    data = r.obj(value, path, allowed)
    if data is None:
        return None
    name = r.text(data, "name", path)
    role = r.text(data, "role", path)
    class_code = r.text(data, "class", path)
    pay = r.decimal(data, "actual_pay", path, required=True, default=None)
    if not (name and role and class_code) or pay is None:
        return None
    return Owner(
        name=name,
        role=role,
        state=r.state(data, "state", path),
        class_code=class_code,
        actual_pay=pay,
        coverage=r.text(data, "coverage", path, required=False),
        ownership_percent=r.decimal(data, "ownership_percent", path, default=None),
        covered_from=r.date(data, "covered_from", path),
        covered_to=r.date(data, "covered_to", path),
        weeks_covered=r.integer(data, "weeks_covered", path),
        duties=r.text(data, "duties", path, required=False, default="") or "",
    )


def _subcontractor(r: _Reader, value: Any, path: str) -> Subcontractor | None:
    allowed = (_fields(Subcontractor) - {"class_code"}) | {"class"}
    data = r.obj(value, path, allowed)
    if data is None:
        return None
    name = r.text(data, "name", path)
    class_code = r.text(data, "class", path)
    cost = r.decimal(data, "contract_cost", path, required=True, default=None)
    contract_type = r.text(data, "contract_type", path)
    if not (name and class_code and contract_type) or cost is None:
        return None
    return Subcontractor(
        name=name,
        state=r.state(data, "state", path),
        class_code=class_code,
        contract_cost=cost,
        contract_type=contract_type,
        stated_labor=r.decimal(data, "stated_labor", path, default=None),
        labor_records=r.text(data, "labor_records", path, required=False),
        work_from=r.date(data, "work_from", path),
        work_to=r.date(data, "work_to", path),
        certificate_from=r.date(data, "certificate_from", path),
        certificate_to=r.date(data, "certificate_to", path),
        exempt=r.flag(data, "exempt", path, False),
        sole_proprietor=r.flag(data, "sole_proprietor", path, False),
        licensed=r.flag(data, "licensed", path, True),
        months_worked=r.decimal(data, "months_worked", path, default=None),
        days_worked=r.decimal(data, "days_worked", path, default=None),
    )


def _gl(r: _Reader, value: Any, path: str) -> GLExposure | None:
    data = r.obj(value, path, {"state", "class", "basis", "amount"})
    if data is None:
        return None
    class_code = r.text(data, "class", path)
    basis = r.text(data, "basis", path)
    amount = r.decimal(data, "amount", path, required=True, default=None)
    if not (class_code and basis) or amount is None:
        return None
    return GLExposure(r.state(data, "state", path), class_code, basis, amount)


def _facts(r: _Reader, value: Any, path: str) -> AuditFacts | None:
    data = r.obj(value, path, {"payroll", "officers", "subcontractors", "gl_exposures"})
    if data is None:
        return None
    return AuditFacts(
        payroll=r.items(data, "payroll", path, lambda v, p: _payroll(r, v, p)),
        owners=r.items(data, "officers", path, lambda v, p: _owner(r, v, p)),
        subcontractors=r.items(data, "subcontractors", path, lambda v, p: _subcontractor(r, v, p)),
        gl_exposures=r.items(data, "gl_exposures", path, lambda v, p: _gl(r, v, p)),
    )


def _audit(r: _Reader, value: Any, path: str) -> Audit | None:
    data = r.obj(value, path, {"type", "non_compliance_multiplier", "audit_costs"})
    if data is None:
        return None
    return Audit(
        type=r.text(data, "type", path, required=False, default="final") or "final",
        non_compliance_multiplier=r.decimal(data, "non_compliance_multiplier", path, default=None),
        audit_costs=r.decimal(data, "audit_costs", path) or ZERO,
    )


def to_jsonable(value: Any) -> Any:
    """Dataclasses → dicts, Decimal → string, date → ISO string, tuples → lists.

    ``inputs`` pairs become objects; ``class_code`` is written as ``class``."""
    kind = type(value)
    convert = _CONVERTERS.get(kind)
    if convert is None:
        # Decided once per type: a result has tens of thousands of values of a dozen types, and
        # asking each value what it is costs more than the engine's own arithmetic.
        convert = _CONVERTERS[kind] = _converter(kind)
    return convert(value)


def _same(value: Any) -> Any:
    return value


def _decimal(value: Decimal) -> str:
    return format(value, "f")  # plain notation, never 1E+3


def _sequence(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [v if type(v) in _PLAIN else to_jsonable(v) for v in value]


def _reason(value: Reason) -> dict[str, Any]:
    """A reason rendered: its text, not its template and arguments."""
    fields = value._asdict()
    fields["text"] = value.text
    fields["code"] = value.code or None
    del fields["template"], fields["args"]
    return _record({"rule": fields.pop("rule"), "text": fields.pop("text"), **fields})


def _fields_of(names: tuple[str, ...]) -> Callable[[Any], dict[str, Any]]:
    def convert(value: Any) -> dict[str, Any]:
        return _record({name: getattr(value, name) for name in names})

    return convert


def _converter(kind: type) -> Callable[[Any], Any]:
    if issubclass(kind, Decimal):
        return _decimal
    if issubclass(kind, date):
        return lambda value: value.isoformat()
    if dataclasses.is_dataclass(kind):
        return _fields_of(tuple(f.name for f in dataclasses.fields(kind)))
    if issubclass(kind, Reason):
        return _reason
    if issubclass(kind, tuple) and hasattr(kind, "_asdict"):  # a NamedTuple (Step)
        return lambda value: _record(value._asdict())
    if issubclass(kind, list | tuple):
        return _sequence
    return _same


_CONVERTERS: dict[type, Callable[[Any], Any]] = {}


# Written as they are: most of a result's values (names, codes, counts, flags).
_PLAIN = frozenset({str, int, bool, type(None)})


def _figure(value: object) -> str:
    """A reason's figure as text: an amount in plain notation, a flag as true or false."""
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _record(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, item in fields.items():
        key = "class" if name == "class_code" else name
        if name == "inputs":
            out[key] = dict(item)
        elif name == "figures":
            out[key] = {figure: _figure(amount) for figure, amount in item}
        elif type(item) in _PLAIN:
            out[key] = item
        else:
            out[key] = to_jsonable(item)
    return out


def result_to_json(result: Any, indent: int | None = 2) -> str:
    return json.dumps(to_jsonable(result), indent=indent, ensure_ascii=False)
