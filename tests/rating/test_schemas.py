"""The published JSON Schemas (schemas/worksheet.schema.json, schemas/result.schema.json) agree with
the worksheet reader and with the results the engine writes."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from jsonschema import Draft202012Validator, ValidationError

from tests.rating.factories import rate_table
from trueup.rating import (
    WorksheetError,
    rate_worksheet,
    result_to_json,
    worksheet_from_dict,
    worksheet_from_json,
)
from trueup.rating.rates import BASES, DEMO_RATES
from trueup.rating.result import (
    AdjustmentLine,
    ClassPremium,
    ExposureLine,
    Finding,
    Rating,
    Reason,
    Result,
    StatePremium,
    Step,
)
from trueup.rating.worksheet import (
    ADJUSTMENT_KINDS,
    AUDIT_TYPES,
    CANCELLATION_BASES,
    CONTRACT_TYPES,
    COVERAGES,
    DISCOUNT_TYPES,
    GL_AUDITS,
    LABOR_RECORDS,
    LABOR_SOURCES,
    LINES,
    OWNER_ROLES,
    Audit,
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
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
EXAMPLES = ROOT / "examples"

Json = dict[str, Any]


def load(name: str) -> Json:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


WORKSHEET_SCHEMA = load("worksheet.schema.json")
RESULT_SCHEMA = load("result.schema.json")
WORKSHEET_VALIDATOR = Draft202012Validator(
    WORKSHEET_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
)
RESULT_VALIDATOR = Draft202012Validator(
    RESULT_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
)

RATES = rate_table(
    "IN WC 5645 5.43",
    "IN WC 5403 4.10",
    "IN WC 8810 0.12",
    "IN WC 5183 3.20 min=750",
    "KY WC 5645 7.10",
    "KY WC 5403 6.20",
    "KY WC 8810 0.20",
    "IN GL 91340 1.80 gross_sales",
    "IN GL 40061 3.50 area",
    "IN GL 49451 95 each min=500",
    effective="2024-01-01",
)


def schema_errors(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(instance)]


def assert_worksheet_matches_schema(data: Json) -> None:
    assert schema_errors(WORKSHEET_VALIDATOR, data) == []


def assert_result_matches_schema(result: Result) -> None:
    assert schema_errors(RESULT_VALIDATOR, json.loads(result_to_json(result))) == []


# --- Inline worksheets ----------------------------------------------------------------------------


def wc_worksheet() -> Json:
    """Two states, split-period mods, and most of what an auditor records for WC."""
    return {
        "schema_version": "1",
        "policy": {
            "line": "WC",
            "number": "WC-2025-0042",
            "insured_name": "Hoosier Framing LLC",
            "effective": "2025-01-01",
            "expiration": "2026-01-01",
            "states": ["IN", "KY"],
            "experience_mods": [
                {"factor": "0.90", "effective": "2025-01-01"},
                {"factor": "0.95", "effective": "2025-01-01", "state": "IN"},
                {"factor": "1.05", "effective": "2025-07-01", "state": "IN"},
            ],
            "schedule_rating": [{"state": "IN", "factor": "-0.10"}],
            "premium_adjustments": [
                {"state": "IN", "kind": "increased_limits", "rate": "0.011"},
                {"state": "KY", "kind": "waiver_of_subrogation", "rate": "0.02"},
            ],
            "premium_discount": True,
            "premium_discount_type": "type_a",
            "assigned_risk": False,
            "deposit_premium": "30000",
            "billed_premium": 42000,
        },
        "estimated": [
            {"state": "IN", "class": "5645", "exposure": "400000", "basis": "payroll"},
            {"state": "IN", "class": "8810", "exposure": 90000},
            {"state": "KY", "class": "5403", "exposure": "120000"},
        ],
        "audited": {
            "payroll": [
                {
                    "state": "IN",
                    "class": "5645",
                    "employee": "framing crew",
                    "gross": "452000.00",
                    "overtime_total": "36000",
                    "double_time_total": "4000",
                    "tips": "0",
                    "section_125": "6500",
                    "deferred_401k": "9000",
                    "employer_benefits": "21000",
                    "reimbursements_substantiated": "3000",
                    "reimbursements_unsubstantiated": "1200",
                    "meals_lodging": "800",
                    "hours": "16000",
                    "overtime_records": True,
                    "records_support_division": True,
                },
                {
                    "state": "IN",
                    "employee": "framing crew",
                    "gross": "12000",
                    "class": None,
                },
                {
                    "state": "IN",
                    "class": "8810",
                    "employee": "office",
                    "gross": "88000",
                    "overtime_premium": "1500",
                    "severance": "4000",
                    "military_pay": "2500",
                    "hourly_rate": "24.50",
                    "split_period": "2025-09-15",
                },
                {
                    "state": "IN",
                    "class": "5645",
                    "employee": "agency framers",
                    "gross": "40000",
                    "labor_source": "leased",
                    "covered_elsewhere": True,
                },
                {
                    "state": "IN",
                    "class": "5645",
                    "employee": "stadium project",
                    "gross": "25000",
                    "wrap_up": True,
                },
                {"state": "KY", "class": "5403", "gross": "131000", "labor_source": "casual"},
            ],
            "officers": [
                {
                    "name": "Pat Doe",
                    "role": "executive_officer",
                    "state": "IN",
                    "class": "8810",
                    "actual_pay": "300000",
                    "ownership_percent": "60",
                    "covered_from": "2025-01-01",
                    "covered_to": "2025-12-31",
                    "duties": "runs the office and bids jobs",
                },
                {
                    "name": "Lee Roe",
                    "role": "executive_officer",
                    "state": "KY",
                    "class": "5403",
                    "actual_pay": "18000",
                    "coverage": "included",
                    "weeks_covered": 20,
                },
                {
                    "name": "Sam Poe",
                    "role": "executive_officer",
                    "state": "IN",
                    "class": "8810",
                    "actual_pay": "50000",
                    "coverage": "excluded",
                },
            ],
            "subcontractors": [
                {
                    "name": "ABC Roofing",
                    "state": "IN",
                    "class": "5645",
                    "contract_cost": "60000",
                    "contract_type": "labor_and_materials",
                    "stated_labor": "15000",
                    "labor_records": "stated",
                    "work_from": "2025-03-01",
                    "work_to": "2025-05-31",
                    "certificate_from": "2024-11-01",
                    "certificate_to": "2025-04-01",
                },
                {
                    "name": "Insured Drywall Inc",
                    "state": "IN",
                    "class": "5645",
                    "contract_cost": "25000",
                    "contract_type": "labor_only",
                    "certificate_from": "2025-01-01",
                    "certificate_to": "2026-01-01",
                },
                {
                    "name": "Exempt Eddie",
                    "state": "KY",
                    "class": "5403",
                    "contract_cost": "8000",
                    "contract_type": "labor_only",
                    "exempt": True,
                },
                {
                    "name": "Monthly Mo",
                    "state": "KY",
                    "class": "5403",
                    "contract_cost": "7000",
                    "contract_type": "labor_only",
                    "sole_proprietor": True,
                    "months_worked": "2.5",
                },
                {
                    "name": "Solo Sal",
                    "state": "KY",
                    "class": "5403",
                    "contract_cost": "9000",
                    "contract_type": "equipment_with_operator",
                    "sole_proprietor": True,
                    "licensed": False,
                    "days_worked": "30",
                },
            ],
        },
        "audit": {"type": "final"},
    }


def gl_worksheet() -> Json:
    return {
        "policy": {
            "line": "GL",
            "number": "GL-77",
            "effective": "2025-04-01",
            "expiration": "2026-04-01",
            "states": ["IN"],
            "gl_audit": "one_way",
            "gl_minimum_premium": "1000",
            "deposit_premium": "6000",
        },
        "estimated": [
            {"state": "IN", "class": "91340", "exposure": "2500000", "basis": "gross_sales"},
            {"state": "IN", "class": "40061", "exposure": "12000", "basis": "area"},
        ],
        "audited": {
            "gl_exposures": [
                {"state": "IN", "class": "91340", "basis": "gross_sales", "amount": "2100000"},
                {"state": "IN", "class": "40061", "basis": "area", "amount": 12000},
                {"state": "IN", "class": "49451", "basis": "each", "amount": "2"},
            ]
        },
    }


def cancellation_worksheet(basis: str) -> Json:
    return {
        "policy": {
            "line": "WC",
            "number": "WC-CX-1",
            "effective": "2025-01-01",
            "expiration": "2026-01-01",
            "states": ["IN"],
            "cancellation": {"date": "2025-07-01", "basis": basis},
        },
        "estimated": [
            {"state": "IN", "class": "5183", "exposure": "200000"},
            {"state": "IN", "class": "8810", "exposure": "40000"},
        ],
        "audited": {
            "payroll": [
                {"state": "IN", "class": "5183", "employee": "plumbers", "gross": "95000"},
                {"state": "IN", "class": "8810", "employee": "office", "gross": "21000"},
            ],
            "officers": [
                {
                    "name": "Kim Lo",
                    "role": "executive_officer",
                    "state": "IN",
                    "class": "8810",
                    "actual_pay": "20000",
                }
            ],
        },
        "audit": {"type": "cancellation"},
    }


def estimated_audit_worksheet() -> Json:
    return {
        "policy": {
            "line": "WC",
            "number": "WC-NC-9",
            "effective": "2025-01-01",
            "expiration": "2026-01-01",
            "states": ["IN"],
            "deposit_premium": "12000",
            "premium_discount": False,
        },
        "estimated": [{"state": "IN", "class": "5645", "exposure": "180000"}],
        "audited": None,
        "audit": {
            "type": "estimated",
            "non_compliance_multiplier": "1.5",
            "audit_costs": "250",
        },
    }


def interim_worksheet() -> Json:
    """An interim audit of the first quarter of the term."""
    data = cancellation_worksheet("pro_rata")
    del data["policy"]["cancellation"]
    data["policy"]["interim"] = {"start": "2025-01-01", "end": "2025-04-01"}
    data["audit"] = {"type": "interim"}
    return data


INLINE: dict[str, Callable[[], Json]] = {
    "wc-payroll-officers-subcontractors": wc_worksheet,
    "gl-one-way": gl_worksheet,
    "cancellation-pro-rata": lambda: cancellation_worksheet("pro_rata"),
    "cancellation-short-rate": lambda: cancellation_worksheet("short_rate"),
    "estimated-audit": estimated_audit_worksheet,
    "interim": interim_worksheet,
}


# --- The schemas themselves -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["worksheet.schema.json", "result.schema.json"])
def test_each_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    schema = load(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(name)
    assert schema["title"] and schema["description"]


def object_schemas(node: Any, where: str = "#") -> Iterator[tuple[str, Json]]:
    """Every subschema that declares properties, with where it is."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield where, node
        for key, value in node.items():
            yield from object_schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from object_schemas(value, f"{where}/{index}")


def declares_object(node: Json) -> bool:
    kind = node.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


@pytest.mark.parametrize("name", ["worksheet.schema.json", "result.schema.json"])
def test_every_object_in_a_schema_rejects_unknown_fields(name: str) -> None:
    objects = [(where, node) for where, node in object_schemas(load(name)) if declares_object(node)]
    assert objects
    open_objects = [
        where for where, node in objects if node.get("additionalProperties") is not False
    ]
    assert open_objects == []


@pytest.mark.parametrize("name", ["worksheet.schema.json", "result.schema.json"])
def test_every_property_in_a_schema_is_described_in_plain_words(name: str) -> None:
    undescribed = [
        f"{where}/{prop}"
        for where, node in object_schemas(load(name))
        if declares_object(node)
        for prop, sub in node["properties"].items()
        if len(sub.get("description", "")) < 15
    ]
    assert undescribed == []


def test_the_worksheet_schema_names_exactly_the_fields_the_reader_reads() -> None:
    def fields(cls: type) -> set[str]:
        names = {f.name for f in dataclasses.fields(cls)}
        return {"class" if n == "class_code" else n for n in names}

    defs = WORKSHEET_SCHEMA["$defs"]
    expected = {
        "policy": fields(Policy),
        "cancellation": fields(Cancellation),
        "interim": fields(Interim),
        "experienceMod": fields(ExperienceMod),
        "scheduleRating": fields(ScheduleRating),
        "premiumAdjustment": fields(PremiumAdjustment),
        "estimate": fields(Estimate),
        "payrollLine": fields(PayrollLine),
        "officer": fields(Owner),
        "subcontractor": fields(Subcontractor),
        "glExposure": fields(GLExposure),
        "audited": {"payroll", "officers", "subcontractors", "gl_exposures"},
        "audit": fields(Audit),
    }
    for name, names in expected.items():
        assert set(defs[name]["properties"]) == names, name
    assert set(WORKSHEET_SCHEMA["properties"]) == {
        "schema_version",
        "policy",
        "estimated",
        "audited",
        "audit",
    }


def records(data: Json) -> list[tuple[str, str, Json]]:
    """Each object in a worksheet: its JSON path, its schema definition ("" for the root), it."""
    found: list[tuple[str, str, Json]] = [("$", "", data), ("$.policy", "policy", data["policy"])]
    policy = data["policy"]
    if policy.get("cancellation"):
        found.append(("$.policy.cancellation", "cancellation", policy["cancellation"]))
    lists = [
        ("$.policy.experience_mods", "experienceMod", policy.get("experience_mods")),
        ("$.policy.schedule_rating", "scheduleRating", policy.get("schedule_rating")),
        ("$.policy.premium_adjustments", "premiumAdjustment", policy.get("premium_adjustments")),
        ("$.estimated", "estimate", data["estimated"]),
    ]
    audited = data.get("audited")
    if audited:
        found.append(("$.audited", "audited", audited))
        lists += [
            ("$.audited.payroll", "payrollLine", audited.get("payroll")),
            ("$.audited.officers", "officer", audited.get("officers")),
            ("$.audited.subcontractors", "subcontractor", audited.get("subcontractors")),
            ("$.audited.gl_exposures", "glExposure", audited.get("gl_exposures")),
        ]
    if data.get("audit"):
        found.append(("$.audit", "audit", data["audit"]))
    for path, name, items in lists:
        found += [(f"{path}[{i}]", name, item) for i, item in enumerate(items or [])]
    return found


def test_a_field_is_required_by_the_schema_exactly_when_the_reader_requires_it() -> None:
    mismatches = []
    for make in INLINE.values():
        for index, (path, name, record) in enumerate(records(make())):
            schema = WORKSHEET_SCHEMA["$defs"][name] if name else WORKSHEET_SCHEMA
            for key in record:
                data = make()
                del records(data)[index][2][key]
                try:
                    worksheet_from_dict(data)
                    refused = False
                except WorksheetError as error:
                    refused = f"{path}.{key}" in [p.path for p in error.problems]
                if refused != (key in schema.get("required", [])):
                    mismatches.append(f"{path}.{key}")
    assert mismatches == []


def written_fields(cls: type) -> set[str]:
    """The JSON field names to_jsonable writes for a result record (a dataclass or NamedTuple)."""
    if cls is Reason:  # written rendered: its text, not its template and arguments
        names = (set(Reason._fields) - {"template", "args"}) | {"text"}
    elif dataclasses.is_dataclass(cls):
        names = {f.name for f in dataclasses.fields(cls)}
    else:
        names = set(cls._fields)  # type: ignore[attr-defined]
    return {"class" if n == "class_code" else n for n in names}


def test_the_result_schema_names_exactly_the_fields_the_engine_writes() -> None:
    defs = RESULT_SCHEMA["$defs"]
    expected = {
        "reason": Reason,
        "finding": Finding,
        "exposureLine": ExposureLine,
        "classPremium": ClassPremium,
        "step": Step,
        "statePremium": StatePremium,
        "rating": Rating,
        "adjustmentLine": AdjustmentLine,
    }
    for name, cls in expected.items():
        assert set(defs[name]["properties"]) == written_fields(cls), name
        assert set(defs[name]["required"]) == written_fields(cls), name
    assert set(RESULT_SCHEMA["properties"]) == written_fields(Result)
    assert set(RESULT_SCHEMA["required"]) == written_fields(Result)


def enum_of(node: Json) -> list[Any]:
    if "enum" in node:
        return [v for v in node["enum"] if v is not None]
    if "$ref" in node:
        return enum_of(WORKSHEET_SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]])
    raise AssertionError(f"no enum in {node}")


def test_the_worksheet_schema_enums_are_the_engine_enums() -> None:
    defs = WORKSHEET_SCHEMA["$defs"]
    pairs = [
        (defs["policy"]["properties"]["line"], LINES),
        (defs["policy"]["properties"]["premium_discount_type"], DISCOUNT_TYPES),
        (defs["policy"]["properties"]["gl_audit"], GL_AUDITS),
        (defs["cancellation"]["properties"]["basis"], CANCELLATION_BASES),
        (defs["premiumAdjustment"]["properties"]["kind"], ADJUSTMENT_KINDS),
        (defs["payrollLine"]["properties"]["labor_source"], LABOR_SOURCES),
        (defs["officer"]["properties"]["role"], OWNER_ROLES),
        (defs["officer"]["properties"]["coverage"], COVERAGES),
        (defs["subcontractor"]["properties"]["contract_type"], CONTRACT_TYPES),
        (defs["subcontractor"]["properties"]["labor_records"], LABOR_RECORDS),
        (defs["audit"]["properties"]["type"], AUDIT_TYPES),
        (defs["estimate"]["properties"]["basis"], tuple(BASES)),
        (defs["glExposure"]["properties"]["basis"], tuple(BASES)),
    ]
    for node, values in pairs:
        assert sorted(enum_of(node)) == sorted(values)
    result = RESULT_SCHEMA["properties"]
    assert result["line"]["enum"] == list(LINES)
    assert result["audit_type"]["enum"] == list(AUDIT_TYPES)


# --- Worksheets the reader accepts ----------------------------------------------------------------


def example_files() -> list[Any]:
    files = sorted(EXAMPLES.glob("*.json"))
    if not files:
        return [pytest.param(None, id="no-examples-yet")]
    return [pytest.param(path, id=path.name) for path in files]


@pytest.mark.parametrize("path", example_files())
def test_every_example_worksheet_matches_the_schema_and_rates_to_a_result_that_matches_too(
    path: Path | None,
) -> None:
    if path is None:
        pytest.skip("examples/ has no worksheets yet")
    text = path.read_text(encoding="utf-8-sig")
    assert_worksheet_matches_schema(json.loads(text))
    worksheet = worksheet_from_json(text)
    if not DEMO_RATES.exists():
        pytest.skip("the demo rate table trueup/rating/rates/demo_rates.csv is not there yet")
    assert_result_matches_schema(rate_worksheet(worksheet))


@pytest.mark.parametrize("name", list(INLINE))
def test_a_complete_worksheet_matches_the_schema_is_read_and_rates_to_a_result_that_matches(
    name: str,
) -> None:
    data = INLINE[name]()
    assert_worksheet_matches_schema(data)
    worksheet = worksheet_from_json(json.dumps(data))
    result = rate_worksheet(worksheet, rates=RATES)
    assert_result_matches_schema(result)


def test_the_inline_worksheets_exercise_every_worksheet_field() -> None:
    """So that a field whose schema disagrees with the reader cannot go unnoticed."""
    seen: set[tuple[str, str]] = set()
    defs = WORKSHEET_SCHEMA["$defs"]
    containers = {
        "policy": lambda d: [d["policy"]],
        "cancellation": lambda d: [d["policy"].get("cancellation") or {}],
        "interim": lambda d: [d["policy"].get("interim") or {}],
        "experienceMod": lambda d: d["policy"].get("experience_mods", []),
        "scheduleRating": lambda d: d["policy"].get("schedule_rating", []),
        "premiumAdjustment": lambda d: d["policy"].get("premium_adjustments", []),
        "estimate": lambda d: d["estimated"],
        "payrollLine": lambda d: (d.get("audited") or {}).get("payroll", []),
        "officer": lambda d: (d.get("audited") or {}).get("officers", []),
        "subcontractor": lambda d: (d.get("audited") or {}).get("subcontractors", []),
        "glExposure": lambda d: (d.get("audited") or {}).get("gl_exposures", []),
        "audited": lambda d: [d.get("audited") or {}],
        "audit": lambda d: [d.get("audit") or {}],
    }
    for make in INLINE.values():
        data = make()
        for name, items in containers.items():
            for item in items(data):
                seen.update((name, key) for key in item)
    missing = [
        f"{name}.{prop}"
        for name in containers
        for prop in defs[name]["properties"]
        if (name, prop) not in seen
    ]
    assert missing == []


def test_a_worksheet_with_nulls_for_optional_fields_matches_the_schema_and_is_read() -> None:
    data = cancellation_worksheet("pro_rata")
    data["policy"].update(
        insured_name=None,
        experience_mods=None,
        premium_discount=None,
        premium_discount_type=None,
        deposit_premium=None,
        gl_audit=None,
    )
    data["estimated"][0]["basis"] = None
    data["audited"]["payroll"][0].update(employee=None, tips=None, labor_source=None, hours=None)
    data["audited"]["officers"][0].update(coverage=None, weeks_covered=None, covered_to=None)
    data["audit"]["non_compliance_multiplier"] = None
    assert_worksheet_matches_schema(data)
    assert_result_matches_schema(rate_worksheet(worksheet_from_dict(data), rates=RATES))


@pytest.mark.parametrize("line", ["WC", "GL"])
def test_a_worksheet_with_audit_and_audited_given_as_null_is_a_final_audit_with_no_facts(
    line: str,
) -> None:
    data = gl_worksheet() if line == "GL" else cancellation_worksheet("pro_rata")
    data["audit"] = None
    data["audited"] = None
    assert_worksheet_matches_schema(data)
    worksheet = worksheet_from_dict(data)
    assert worksheet.audit.type == "final"
    assert_result_matches_schema(rate_worksheet(worksheet, rates=RATES))


# --- Worksheets both the schema and the engine refuse ---------------------------------------------

Edit = Callable[[Json], None]


def drop(*keys: str) -> Edit:
    def edit(data: Json) -> None:
        target = data
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        del target[keys[-1]]

    return edit


def put(value: Any, *keys: str) -> Edit:
    def edit(data: Json) -> None:
        target = data
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[keys[-1]] = value

    return edit


class Bad(NamedTuple):
    what: str
    edit: Edit
    path: str  # the JSON path the engine names
    stage: str  # "read": worksheet_from_dict refuses it; "rate": the checks rate_worksheet runs
    schema_at: str | None = None  # where the schema reports it, when not at path or its holder


MALFORMED = [
    Bad("missing policy number", drop("policy", "number"), "$.policy.number", "read"),
    Bad("missing policy states", drop("policy", "states"), "$.policy.states", "read"),
    Bad("missing estimate list", drop("estimated"), "$.estimated", "read"),
    Bad(
        "missing payroll gross",
        drop("audited", "payroll", "0", "gross"),
        "$.audited.payroll[0].gross",
        "read",
    ),
    Bad(
        "missing officer pay",
        drop("audited", "officers", "1", "actual_pay"),
        "$.audited.officers[1].actual_pay",
        "read",
    ),
    Bad(
        "float amount",
        put(1.5, "audited", "payroll", "0", "tips"),
        "$.audited.payroll[0].tips",
        "read",
    ),
    Bad(
        "float exposure",
        put(250000.75, "estimated", "0", "exposure"),
        "$.estimated[0].exposure",
        "read",
    ),
    Bad(
        "amount with a thousands separator",
        put("12,000", "audited", "payroll", "0", "gross"),
        "$.audited.payroll[0].gross",
        "read",
    ),
    Bad(
        "boolean amount", put(True, "policy", "deposit_premium"), "$.policy.deposit_premium", "read"
    ),
    Bad("unknown policy field", put("x", "policy", "agent"), "$.policy.agent", "read"),
    Bad("unknown root field", put({}, "notes"), "$.notes", "read"),
    Bad(
        "class_code instead of class",
        put("5645", "audited", "payroll", "0", "class_code"),
        "$.audited.payroll[0].class_code",
        "read",
    ),
    Bad("owners instead of officers", put([], "audited", "owners"), "$.audited.owners", "read"),
    Bad("class as a number", put(5645, "estimated", "0", "class"), "$.estimated[0].class", "read"),
    Bad("blank policy number", put("  ", "policy", "number"), "$.policy.number", "read"),
    Bad(
        "flag as a string",
        put("yes", "audited", "payroll", "0", "wrap_up"),
        "$.audited.payroll[0].wrap_up",
        "read",
    ),
    Bad(
        "weeks as a string",
        put("20", "audited", "officers", "1", "weeks_covered"),
        "$.audited.officers[1].weeks_covered",
        "read",
    ),
    Bad("month 13", put("2025-13-01", "policy", "effective"), "$.policy.effective", "read"),
    Bad("30 February", put("2025-02-30", "policy", "expiration"), "$.policy.expiration", "read"),
    Bad(
        "US-style date",
        put("03/01/2025", "audited", "subcontractors", "0", "work_from"),
        "$.audited.subcontractors[0].work_from",
        "read",
    ),
    Bad("bad line", put("AUTO", "policy", "line"), "$.policy.line", "rate"),
    Bad("bad audit type", put("annual", "audit", "type"), "$.audit.type", "rate"),
    Bad(
        "bad cancellation basis",
        put({"date": "2025-07-01", "basis": "flat"}, "policy", "cancellation"),
        "$.policy.cancellation.basis",
        "rate",
    ),
    Bad(
        "bad officer role",
        put("owner", "audited", "officers", "0", "role"),
        "$.audited.officers[0].role",
        "rate",
    ),
    Bad(
        "bad coverage",
        put("waived", "audited", "officers", "0", "coverage"),
        "$.audited.officers[0].coverage",
        "rate",
    ),
    Bad(
        "bad contract type",
        put("materials_only", "audited", "subcontractors", "0", "contract_type"),
        "$.audited.subcontractors[0].contract_type",
        "rate",
    ),
    Bad(
        "bad labor records",
        put("receipts", "audited", "subcontractors", "0", "labor_records"),
        "$.audited.subcontractors[0].labor_records",
        "rate",
    ),
    Bad(
        "bad labor source",
        put("contractor", "audited", "payroll", "0", "labor_source"),
        "$.audited.payroll[0].labor_source",
        "rate",
    ),
    Bad(
        "bad adjustment kind",
        put("surcharge", "policy", "premium_adjustments", "0", "kind"),
        "$.policy.premium_adjustments[0].kind",
        "rate",
    ),
    Bad(
        "bad discount type",
        put("type_c", "policy", "premium_discount_type"),
        "$.policy.premium_discount_type",
        "rate",
    ),
    Bad(
        "bad state code", put(["IN", "KY", "K1"], "policy", "states"), "$.policy.states[2]", "rate"
    ),
    Bad("no estimates", put([], "estimated"), "$.estimated", "rate"),
    Bad(
        "negative gross",
        put("-100", "audited", "payroll", "0", "gross"),
        "$.audited.payroll[0].gross",
        "rate",
    ),
    Bad(
        "zero experience mod",
        put("0", "policy", "experience_mods", "0", "factor"),
        "$.policy.experience_mods[0].factor",
        "rate",
    ),
    Bad(
        "weeks out of range",
        put(60, "audited", "officers", "1", "weeks_covered"),
        "$.audited.officers[1].weeks_covered",
        "rate",
    ),
    Bad(
        "cancellation audit without a cancellation",
        put({"type": "cancellation"}, "audit"),
        "$.audit.type",
        "rate",
        schema_at="$.policy",
    ),
    Bad(
        "estimated audit with audited facts",
        put({"type": "estimated"}, "audit"),
        "$.audited",
        "rate",
        schema_at="$.audited.payroll",
    ),
    Bad(
        "GL exposures on a WC audit",
        put(
            [{"state": "IN", "class": "5645", "basis": "payroll", "amount": "1"}],
            "audited",
            "gl_exposures",
        ),
        "$.audited.gl_exposures",
        "rate",
    ),
]


def error_tree(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    """Every error, with the errors of each branch of an anyOf or oneOf."""
    for error in errors:
        yield error
        yield from error_tree(error.context or ())


def engine_problem_paths(data: Json, stage: str) -> list[str]:
    """The paths the engine names when it refuses ``data``, checking it refuses at ``stage``."""
    if stage == "read":
        with pytest.raises(WorksheetError) as refused:
            worksheet_from_dict(data)
    else:
        worksheet = worksheet_from_dict(data)
        with pytest.raises(WorksheetError) as refused:
            rate_worksheet(worksheet, rates=RATES)
    return [problem.path for problem in refused.value.problems]


@pytest.mark.parametrize("bad", [pytest.param(bad, id=bad.what) for bad in MALFORMED])
def test_a_malformed_worksheet_is_refused_by_the_schema_and_by_the_engine_at_the_same_place(
    bad: Bad,
) -> None:
    data = wc_worksheet()
    bad.edit(data)
    assert bad.path in engine_problem_paths(data, bad.stage)
    places = {error.json_path for error in error_tree(WORKSHEET_VALIDATOR.iter_errors(data))}
    assert places, "the schema accepted it"
    # The schema names the field itself or, for a missing or unknown field, the object holding it.
    expected = {bad.schema_at} if bad.schema_at else {bad.path, bad.path.rsplit(".", 1)[0]}
    assert places & expected, places
