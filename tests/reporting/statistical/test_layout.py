"""The layout table, the records written through it and read back, routing by state, the
report's timing and the correction sequence: plain Python, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from trueup.reporting.statistical import layout, records, rules
from trueup.reporting.statistical.layout import LayoutError, RecordError

DAY = date(2025, 1, 1)
ALL_STATES = [
    "AK",
    "AL",
    "AR",
    "AZ",
    "CA",
    "CO",
    "CT",
    "DC",
    "DE",
    "FL",
    "GA",
    "HI",
    "IA",
    "ID",
    "IL",
    "IN",
    "KS",
    "KY",
    "LA",
    "MA",
    "MD",
    "ME",
    "MI",
    "MN",
    "MO",
    "MS",
    "MT",
    "NC",
    "ND",
    "NE",
    "NH",
    "NJ",
    "NM",
    "NV",
    "NY",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VA",
    "VT",
    "WA",
    "WI",
    "WV",
    "WY",
]


def sample(field: layout.Field) -> layout.Value:
    """A value that fills the field, of its type."""
    if field.value is not None:
        return field.value
    if field.type == "D":
        return date(2025, 12, 31)
    if field.type == "N":
        if field.decimals or field.signed:
            return (
                -Decimal(12).scaleb(-field.decimals)
                if field.signed
                else Decimal("1").scaleb(-field.decimals)
            )
        return "7" * field.length
    if field.type == "A":
        return "Z" * field.length
    return ("X1 " * field.length)[: field.length - 1] + "9"


def test_the_shipped_layout_is_marked_illustrative_and_every_record_is_250_bytes() -> None:
    table = layout.load(DAY)
    assert table.illustrative is True
    assert "ILLUSTRATIVE" in table.name
    assert table.record_length == 250
    assert [r.kind for r in table.records] == [
        "file_control",
        "header",
        "name",
        "address",
        "exposure",
        "unit_totals",
    ]
    for record in table.records:
        assert all(f.end <= 250 for f in record.fields)


def test_every_field_of_every_record_is_read_back_as_it_was_written() -> None:
    table = layout.load(DAY)
    for record in table.records:
        values = {f.name: sample(f) for f in record.fields}
        text = table.write(record.kind, values, "test")
        assert len(text) == 250
        kind, read = table.read(text)
        assert kind == record.kind
        assert read == values, record.kind


def test_numbers_are_zero_filled_with_implied_decimals_and_a_sign() -> None:
    table = layout.load(DAY)
    premium = table.record("exposure").field("premium")  # 12 bytes, signed, 2 decimals
    assert premium.encode(Decimal("27490.77"), "t") == "+00002749077"
    assert premium.encode(Decimal("-12.5"), "t") == "-00000001250"
    mod = table.record("exposure").field("experience_mod")  # 4 bytes, 3 decimals
    assert mod.encode(Decimal("0.92"), "t") == "0920"
    assert mod.encode(None, "t") == "0000"
    assert mod.decode("0000") is None
    name = table.record("name").field("insured_name")
    assert name.encode("Acme", "t") == "ACME" + " " * 86


@pytest.mark.parametrize(
    ("kind", "name", "value", "says"),
    [
        ("exposure", "class_code", "58A3", "must be a number"),
        ("exposure", "manual_rate", Decimal("2.21845"), "more than 4 decimal places"),
        ("exposure", "class_code", "123456", "does not fit its 4 digits"),
        ("exposure", "manual_rate", Decimal("-1"), "cannot be negative"),
        ("header", "state", "I1", "letters only"),
        ("header", "policy_number", "P" * 19, "longer than its 18 positions"),
        ("header", "policy_effective_date", "2025-01-01", "must be a date"),
        ("header", "carrier_code", None, "carrier_code is required"),
    ],
)
def test_a_value_that_does_not_fit_its_field_is_refused_naming_the_field(
    kind: str, name: str, value: layout.Value, says: str
) -> None:
    field = layout.load(DAY).record(kind).field(name)
    with pytest.raises(RecordError, match=says):
        field.encode(value, "WC-1 IN")


def test_a_record_of_the_wrong_length_or_with_a_bad_field_is_found_by_the_check() -> None:
    table = layout.load(DAY)
    good = table.write(
        "file_control",
        {
            "carrier_code": "12345",
            "bureau": "NCCI",
            "file_date": DAY,
            "report_count": 1,
            "record_count": 5,
            "layout_name": "X",
        },
        "t",
    )
    assert table.check(good) == []
    assert table.check(good[:-1]) == ["record: 249 bytes, not 250"]
    broken = good[:2] + "12A45" + good[7:]
    assert table.check(broken) == ["record, file_control: carrier_code '12A45' is not numeric"]
    with pytest.raises(RecordError, match="'99' is not in the layout"):
        table.read("99" + good[2:])


def test_a_layout_with_overlapping_fields_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "layout.toml"
    bad.write_text(
        '[[edition]]\neffective = 2020-01-01\nsource = "test"\nstatus = "approved"\n'
        "[edition.file]\nrecord_length = 250\n"
        '[[edition.records]]\nkind = "header"\ncode = "01"\nfields = [\n'
        '  { name = "record_type", start = 1, length = 2, type = "N", value = "01" },\n'
        '  { name = "a", start = 3, length = 5, type = "N" },\n'
        '  { name = "b", start = 6, length = 5, type = "AN" },\n]\n'
    )
    with pytest.raises(LayoutError, match=r"header\.b overlaps a at 6"):
        layout.load(DAY, bad)


def test_corrections_are_numbered_1_to_9_then_a_to_z_within_a_report_level() -> None:
    used = [""]
    for _ in range(35):
        used.append(rules.next_sequence(used, DAY))
    assert "".join(used) == "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    with pytest.raises(ValueError, match="every correction sequence"):
        rules.next_sequence(used, DAY)


def test_each_state_goes_to_its_bureau_and_the_monopolistic_states_to_none() -> None:
    expected = {
        "CA": "WCIRB",
        "NY": "NYCIRB",
        "PA": "PCRB",
        "DE": "DCRB",
        "NJ": "NJCRIB",
        "MN": "MWCIA",
        "MI": "CAOM",
        "MA": "WCRIBMA",
        "NC": "NCRB",
        "IN": "ICRB",
        "WI": "WCRB",
        "KY": "NCCI",
        "TX": "NCCI",
        "FL": "NCCI",
    }
    for state, bureau in expected.items():
        found = rules.route(state, DAY)
        assert found is not None and found.bureau == bureau, state
        assert found.source
    for state in ("ND", "OH", "WA", "WY"):
        found = rules.route(state, DAY)
        assert found is not None and not found.reported and found.bureau == ""
    assert rules.route("PR", DAY) is None
    assert all(rules.route(s, DAY) is not None for s in ALL_STATES)


def test_the_first_report_is_valued_at_18_months_and_due_by_the_end_of_the_20th() -> None:
    timing = rules.first_report(date(2025, 3, 15))
    assert timing.valued_on == date(2026, 9, 1)
    assert timing.due_on == date(2026, 11, 30)
    assert rules.effective_months_due(date(2026, 11, 1), date(2026, 11, 30), DAY) == (
        date(2025, 3, 1),
        date(2025, 3, 31),
    )


def test_names_and_addresses_are_written_as_plain_ascii_on_one_line() -> None:
    assert records.ascii_text("Café Müller\n12 Rue  d'Été\n") == "Cafe Muller, 12 Rue d'Ete"


def test_the_parser_names_the_record_that_does_not_fit_the_layout() -> None:
    table = layout.load(DAY)
    good = table.write(
        "file_control",
        {
            "carrier_code": "12345",
            "bureau": "NCCI",
            "file_date": DAY,
            "report_count": 0,
            "record_count": 0,
            "layout_name": "X",
        },
        "t",
    )
    content = (good + "\n" + good[:200] + "\n").encode("ascii")
    with pytest.raises(RecordError, match="record 2: record: 200 bytes, not 250"):
        records.read_file(table, content)
