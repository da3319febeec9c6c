"""The unit statistical report's byte layout, read from ``layout.toml``: record types, their
fields' positions, lengths, types, padding and justification. Writing a record, checking one and
reading one back all go through the same table, so what the generator writes is what the parser
reads. Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from trueup.core import ruledata

LAYOUT_FILE = Path(__file__).parent / "layout.toml"
TYPES = ("N", "AN", "A", "D")
# What each type is padded with and to which side it is justified, unless the table says.
PADDING = {"N": "0", "D": "0", "AN": " ", "A": " "}
JUSTIFY = {"N": "right", "D": "right", "AN": "left", "A": "left"}
# The characters a file may hold: printable ASCII.
PRINTABLE = frozenset(chr(c) for c in range(32, 127))

Value = str | int | Decimal | date | None


class LayoutError(ValueError):
    """A layout table that cannot be used: the table itself is wrong."""


class RecordError(ValueError):
    """A value or a record that does not fit the layout; names the record and the field."""


@dataclass(frozen=True)
class Field:
    name: str
    start: int  # 1-based, as the manuals number positions
    length: int
    type: str
    required: bool = False
    decimals: int = 0
    signed: bool = False
    value: str | None = None  # a constant the field always holds
    padding: str = " "
    justify: str = "left"

    @property
    def end(self) -> int:
        """The last position (1-based, inclusive)."""
        return self.start + self.length - 1

    def encode(self, value: Value, where: str) -> str:
        """The field's bytes for ``value``; a missing optional value is all padding."""
        if self.value is not None:
            value = self.value
        if value is None or value == "":
            if self.required:
                raise RecordError(f"{where}: {self.name} is required")
            return self.padding * self.length
        if self.type == "D":
            if not isinstance(value, date):
                raise RecordError(f"{where}: {self.name} must be a date, not {value!r}")
            return value.strftime("%y%m%d")
        if self.type == "N":
            return self._number(value, where)
        text = str(value).upper()
        bad = sorted({c for c in text if c not in PRINTABLE})
        if bad:
            raise RecordError(f"{where}: {self.name} holds characters a file cannot carry: {bad}")
        if self.type == "A" and not all(c.isalpha() or c == " " for c in text):
            raise RecordError(f"{where}: {self.name} takes letters only, not {text!r}")
        if len(text) > self.length:
            raise RecordError(
                f"{where}: {self.name} {text!r} is longer than its {self.length} positions"
            )
        return (
            text.ljust(self.length, self.padding)
            if self.justify == "left"
            else (text.rjust(self.length, self.padding))
        )

    def _number(self, value: Value, where: str) -> str:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise RecordError(f"{where}: {self.name} must be a number, not {value!r}") from None
        scaled = amount.scaleb(self.decimals)
        if scaled != scaled.to_integral_value():
            raise RecordError(
                f"{where}: {self.name} {amount} has more than {self.decimals} decimal places"
            )
        if amount < 0 and not self.signed:
            raise RecordError(f"{where}: {self.name} cannot be negative ({amount})")
        digits = str(abs(int(scaled)))
        width = self.length - (1 if self.signed else 0)
        if len(digits) > width:
            raise RecordError(f"{where}: {self.name} {amount} does not fit its {width} digits")
        text = digits.rjust(width, "0")
        return (("-" if amount < 0 else "+") + text) if self.signed else text

    def decode(self, text: str) -> Value:
        """The value of the field's bytes: the reverse of ``encode``."""
        if not self.required and self.value is None and text == self.padding * self.length:
            return None
        if self.type == "D":
            if text == "0" * 6:
                return None
            return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
        if self.type == "N":
            sign = 1
            if self.signed:
                sign, text = (-1 if text[0] == "-" else 1), text[1:]
            if not text.isdigit():
                raise RecordError(f"{self.name}: {text!r} is not a number")
            if self.decimals or self.signed:
                return (sign * Decimal(int(text))).scaleb(-self.decimals)
            # Codes and counts come back as the digits written: a class or carrier code keeps
            # its leading zeros.
            return text
        return text.rstrip(" ") if self.justify == "left" else text.lstrip(" ")

    def check(self, text: str, where: str) -> list[str]:
        """What is wrong with the field's bytes in a written record (nothing: an empty list)."""
        if self.type in ("N", "D"):
            body = text[1:] if self.signed else text
            if self.signed and text[0] not in "+-":
                return [f"{where}: {self.name} has no sign"]
            if not body.isdigit():
                return [f"{where}: {self.name} {text!r} is not numeric"]
        if self.type == "A" and not all(c.isalpha() or c == " " for c in text):
            return [f"{where}: {self.name} {text!r} is not alphabetic"]
        if self.required and text == self.padding * self.length and self.type != "N":
            return [f"{where}: {self.name} is required and empty"]
        if self.value is not None and text != self.value:
            return [f"{where}: {self.name} must be {self.value!r}, not {text!r}"]
        return []


@dataclass(frozen=True)
class RecordType:
    kind: str
    code: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise LayoutError(f"record {self.kind} has no field {name}")


@dataclass(frozen=True)
class Layout:
    name: str
    illustrative: bool
    record_length: int
    effective: date
    source: str
    records: tuple[RecordType, ...]

    @property
    def version(self) -> str:
        return f"{self.name} {self.effective.isoformat()}"

    def record(self, kind: str) -> RecordType:
        for r in self.records:
            if r.kind == kind:
                return r
        raise LayoutError(f"the layout has no {kind} record")

    def by_code(self, code: str) -> RecordType:
        for r in self.records:
            if r.code == code:
                return r
        raise RecordError(f"record type {code!r} is not in the layout")

    def write(self, kind: str, values: dict[str, Value], where: str) -> str:
        """One record of ``kind`` from ``values``, checked against the table."""
        record = self.record(kind)
        unknown = sorted(set(values) - {f.name for f in record.fields})
        if unknown:
            raise RecordError(f"{where}: {kind} record has no field {', '.join(unknown)}")
        line = [" "] * self.record_length
        for f in record.fields:
            line[f.start - 1 : f.end] = f.encode(values.get(f.name), f"{where}, {kind}")
        text = "".join(line)
        problems = self.check(text, where)
        if problems:
            raise RecordError("; ".join(problems))
        return text

    def check(self, text: str, where: str = "record") -> list[str]:
        """Everything wrong with one written record: its length, type code, field types and
        required fields."""
        if len(text) != self.record_length:
            return [f"{where}: {len(text)} bytes, not {self.record_length}"]
        bad = sorted({c for c in text if c not in PRINTABLE})
        if bad:
            return [f"{where}: characters a file cannot carry: {bad}"]
        try:
            record = self.by_code(text[:2])
        except RecordError as error:
            return [f"{where}: {error}"]
        problems: list[str] = []
        for f in record.fields:
            problems += f.check(text[f.start - 1 : f.end], f"{where}, {record.kind}")
        return problems

    def read(self, text: str) -> tuple[str, dict[str, Value]]:
        """A record's kind and its fields' values."""
        problems = self.check(text)
        if problems:
            raise RecordError("; ".join(problems))
        record = self.by_code(text[:2])
        return record.kind, {f.name: f.decode(text[f.start - 1 : f.end]) for f in record.fields}


def load(on: date, path: Path = LAYOUT_FILE) -> Layout:
    """The layout edition in force on the day, checked as a table before any record is written."""
    data = ruledata.load(path)
    rules = data.on(on)
    edition = next(e for e in data.editions if e.rules is rules)
    key = (path, edition.effective)
    if key not in _LOADED:  # checked once per edition: the table changes with a release
        _LOADED[key] = _layout(rules, edition.effective, edition.source, path)
    return _LOADED[key]


_LOADED: dict[tuple[Path, date], Layout] = {}


def _layout(rules: dict[str, Any], effective: date, source: str, path: Path) -> Layout:
    meta = rules.get("file") or {}
    length = int(meta.get("record_length", 0))
    if length <= 0:
        raise LayoutError(f"{path}: file.record_length must be a positive number of bytes")
    records = []
    for n, raw in enumerate(rules.get("records") or (), start=1):
        kind, code = raw.get("kind"), raw.get("code")
        if not kind or not code or len(str(code)) != 2:
            raise LayoutError(f"{path}: record {n} needs a kind and a two-character code")
        fields = tuple(_field(path, kind, f) for f in raw.get("fields") or ())
        _check_positions(path, kind, fields, length)
        if not fields or fields[0].start != 1 or fields[0].value != code:
            raise LayoutError(f"{path}: {kind} must begin with its record type {code} at 1")
        records.append(RecordType(kind, str(code), fields))
    kinds = [r.kind for r in records]
    codes = [r.code for r in records]
    if len(set(kinds)) != len(kinds) or len(set(codes)) != len(codes):
        raise LayoutError(f"{path}: each record kind and code appears once")
    return Layout(
        name=str(meta.get("name", "")),
        illustrative=bool(meta.get("illustrative", False)),
        record_length=length,
        effective=effective,
        source=source,
        records=tuple(records),
    )


def _field(path: Path, kind: str, raw: dict[str, Any]) -> Field:
    name = raw.get("name")
    where = f"{path}: {kind}.{name}"
    type_ = raw.get("type")
    if type_ not in TYPES:
        raise LayoutError(f"{where}: type must be one of {', '.join(TYPES)}")
    start, length = raw.get("start"), raw.get("length")
    if not isinstance(start, int) or not isinstance(length, int) or start < 1 or length < 1:
        raise LayoutError(f"{where}: start and length must be positive whole numbers")
    if type_ == "D" and length != 6:
        raise LayoutError(f"{where}: a date is written YYMMDD in 6 positions")
    decimals, signed = int(raw.get("decimals", 0)), bool(raw.get("signed", False))
    if (decimals or signed) and type_ != "N":
        raise LayoutError(f"{where}: only a numeric field has decimals or a sign")
    padding = str(raw.get("padding", PADDING[type_]))
    justify = str(raw.get("justify", JUSTIFY[type_]))
    if len(padding) != 1 or justify not in ("left", "right"):
        raise LayoutError(f"{where}: padding is one character; justify is left or right")
    value = raw.get("value")
    return Field(
        name=str(name),
        start=start,
        length=length,
        type=type_,
        required=bool(raw.get("required", False)),
        decimals=decimals,
        signed=signed,
        value=None if value is None else str(value),
        padding=padding,
        justify=justify,
    )


def _check_positions(path: Path, kind: str, fields: tuple[Field, ...], length: int) -> None:
    taken: dict[int, str] = {}
    for f in fields:
        if f.end > length:
            raise LayoutError(f"{path}: {kind}.{f.name} ends at {f.end}, past {length}")
        for position in range(f.start, f.end + 1):
            if position in taken:
                raise LayoutError(
                    f"{path}: {kind}.{f.name} overlaps {taken[position]} at {position}"
                )
            taken[position] = f.name
