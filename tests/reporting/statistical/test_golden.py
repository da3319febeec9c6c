"""Golden files: the records TrueUp writes, compared byte for byte with records put together by
hand from the layout table (``trueup/reporting/statistical/layout.toml``), field by field, in
position order. The figures are the engine's, from each example's pinned result.

Link data at the start of every report record: record type (1–2), carrier code (3–7), policy
number (8–25), policy effective date YYMMDD (26–31), report level (32–33), correction sequence
(34)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from trueup.accounts.models import User
from trueup.audits import services as audit_services
from trueup.audits.models import Audit
from trueup.policies.models import PolicyPeriod
from trueup.rating.engine import rate_worksheet
from trueup.rating.jsonio import to_jsonable, worksheet_from_dict
from trueup.rating.rates import demo_rates
from trueup.reporting.models import StatReport
from trueup.reporting.statistical import generate, layout, records, rules, services

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
LAYOUT = "TRUEUP ILLUSTRATIVE WCSTAT LAYOUT".ljust(40)


def rec(*parts: str) -> str:
    """One record from its fields as written by hand; the bytes after the last field are
    spaces to 250."""
    text = "".join(parts)
    assert len(text) <= 250
    return text.ljust(250)


def control(bureau: str, records_: int) -> str:
    # 00 | carrier | bureau (8) | file date 2026-09-15 | reports | records | layout name (40)
    return rec("00", "12345", bureau.ljust(8), "260915", "000001", f"{records_:08d}", LAYOUT)


def as_file(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("ascii")


# fmt: off
# The first example: WC-2025-01001, Indiana only, effective 2025-01-01, mod 0.92 all year.
LINK_1 = "12345" + "WC-2025-01001".ljust(18) + "250101" + "01"
SINGLE_STATE = [
    control("ICRB", 8),
    # header: sequence, correction type, replacement code blank | IN | expires 260101 | Audited
    rec("01", LINK_1, " ", " ", " ", "IN", "260101", "A"),
    # name (35–124) | FEIN (125–133)
    rec("02", LINK_1, " ", "HOOSIER HOME BUILDERS LLC".ljust(90), "351234567"),
    # address (35–154)
    rec("03", LINK_1, " ", "120 MONUMENT CIRCLE, INDIANAPOLIS, IN 46204"),
    # exposure: state | class | act 01 | coverage 01 | exposure ±12 digits, 2 decimals |
    # rate 8 digits, 4 decimals | premium ±11 digits, 2 decimals | mod 4 digits, 3 decimals |
    # mod effective | rate effective
    rec("04", LINK_1, " ", "IN", "5645", "01", "01", "+000043650000", "00062980", "+00002749077",
        "0920", "250101", "250101"),
    rec("04", LINK_1, " ", "IN", "8810", "01", "01", "+000006125000", "00001380", "+00000008453",
        "0920", "250101", "250101"),
    # terrorism and catastrophe under their statistical codes: premium only, no mod
    rec("04", LINK_1, " ", "IN", "9740", "01", "01", "+000000000000", "00000000", "+00000004978",
        "0000", "000000", "250101"),
    rec("04", LINK_1, " ", "IN", "9741", "01", "01", "+000000000000", "00000000", "+00000004978",
        "0000", "000000", "250101"),
    # unit totals: exposure records | total exposure ±14 | total premium ±12 | records in report
    rec("06", LINK_1, " ", "0004", "+00000049775000", "+000002767486", "0008"),
]
# fmt: on


def test_a_single_state_policy_is_reported_byte_for_byte_as_the_layout_says(
    completed: Audit, manager: User
) -> None:
    report = services.report_generate(period=completed.period, state="IN", by=manager)
    assert bytes(report.content) == as_file(SINGLE_STATE)
    assert report.bureau == "ICRB"
    assert report.records == 8
    assert report.digest == records.digest(as_file(SINGLE_STATE))
    assert (report.valued_on, report.due_on) == (date(2026, 7, 1), date(2026, 9, 30))


# fmt: off
# A revision moves the finish crew ($10,500 of payroll after its overtime premium) from 5645 to
# 8810: the correction carries sequence 1, type E and the complete revised exposure set.
LINK_1C = LINK_1 + "1"
CORRECTION = [
    control("ICRB", 8),
    rec("01", LINK_1C, "E", " ", "IN", "260101", "A"),
    rec("02", LINK_1C, "HOOSIER HOME BUILDERS LLC".ljust(90), "351234567"),
    rec("03", LINK_1C, "120 MONUMENT CIRCLE, INDIANAPOLIS, IN 46204"),
    rec("04", LINK_1C, "IN", "5645", "01", "01", "+000042600000", "00062980", "+00002682948",
        "0920", "250101", "250101"),
    rec("04", LINK_1C, "IN", "8810", "01", "01", "+000007175000", "00001380", "+00000009902",
        "0920", "250101", "250101"),
    rec("04", LINK_1C, "IN", "9740", "01", "01", "+000000000000", "00000000", "+00000004978",
        "0000", "000000", "250101"),
    rec("04", LINK_1C, "IN", "9741", "01", "01", "+000000000000", "00000000", "+00000004978",
        "0000", "000000", "250101"),
    rec("06", LINK_1C, "0004", "+00000049775000", "+000002702806", "0008"),
]
# fmt: on


def test_a_revision_moving_payroll_between_classes_is_corrected_with_sequence_1(
    completed: Audit, manager: User
) -> None:
    first = services.report_generate(period=completed.period, state="IN", by=manager)
    revision = audit_services.audit_revise(audit=completed, by=manager, reason="clerical work")
    crew = revision.payroll.get(employee="Finish crew")
    crew.class_code = "8810"
    crew.save()
    audit_services.audit_submit(audit=revision, by=manager)

    correction = services.correction_generate(period=completed.period, state="IN", by=manager)

    assert bytes(correction.content) == as_file(CORRECTION)
    assert correction.audit_id == revision.pk
    assert correction.reason == (
        "a revision moved exposure between classes or changed exposure or premium"
    )
    assert StatReport.objects.get(pk=first.pk).content == first.content  # kept as it was


# fmt: off
# The second example: WC-2025-02002, Indiana and Kentucky, effective 2025-03-01, mod 1.08 from
# 2025-03-01 and 0.97 from 2025-09-01: a split period, one exposure set per mod.
LINK_2 = "12345" + "WC-2025-02002".ljust(18) + "250301" + "01" + " "
MULTISTATE = {
    "IN": [
        rec("01", LINK_2, " ", " ", "IN", "260301", "A"),
        # no FEIN on file: a numeric field left empty is zero-filled
        rec("02", LINK_2, "RIVER VALLEY MECHANICAL INC.".ljust(90), "000000000"),
        rec("04", LINK_2, "IN", "5183", "01", "01", "+000065951781", "00022180", "+00001462811",
            "1080", "250301", "250101"),
        rec("04", LINK_2, "IN", "5183", "01", "01", "+000050848219", "00022180", "+00001127813",
            "0970", "250901", "250101"),
        rec("04", LINK_2, "IN", "8810", "01", "01", "+000016897753", "00001380", "+00000023319",
            "1080", "250301", "250101"),
        rec("04", LINK_2, "IN", "8810", "01", "01", "+000016622247", "00001380", "+00000022939",
            "0970", "250901", "250101"),
        rec("04", LINK_2, "IN", "9740", "01", "01", "+000000000000", "00000000", "+00000015032",
            "0000", "000000", "250301"),
        rec("04", LINK_2, "IN", "9741", "01", "01", "+000000000000", "00000000", "+00000015032",
            "0000", "000000", "250301"),
        rec("06", LINK_2, "0006", "+00000150320000", "+000002666946", "0009"),
    ],
    "KY": [
        rec("01", LINK_2, " ", " ", "KY", "260301", "A"),
        # no FEIN on file: a numeric field left empty is zero-filled
        rec("02", LINK_2, "RIVER VALLEY MECHANICAL INC.".ljust(90), "000000000"),
        rec("04", LINK_2, "KY", "5183", "01", "01", "+000022584110", "00024190", "+00000546310",
            "1080", "250301", "250101"),
        rec("04", LINK_2, "KY", "5183", "01", "01", "+000022215890", "00024190", "+00000537402",
            "0970", "250901", "250101"),
        rec("04", LINK_2, "KY", "9740", "01", "01", "+000000000000", "00000000", "+00000004480",
            "0000", "000000", "250301"),
        rec("04", LINK_2, "KY", "9741", "01", "01", "+000000000000", "00000000", "+00000004480",
            "0000", "000000", "250301"),
        rec("06", LINK_2, "0004", "+00000044800000", "+000001092672", "0007"),
    ],
}
# fmt: on


def test_a_multistate_policy_with_a_split_mod_reports_a_set_per_mod_in_each_state() -> None:
    example = json.loads((EXAMPLES / "02-multistate-officers-subcontractor.json").read_text())
    result = to_jsonable(rate_worksheet(worksheet_from_dict(example), rates=demo_rates()))
    p = example["policy"]
    period = PolicyPeriod(
        effective=date(2025, 3, 1),
        expiration=date(2026, 3, 1),
        experience_mods=p["experience_mods"],
    )
    table = layout.load(period.effective)
    for state, expected in MULTISTATE.items():
        rows = generate.exposure_rows(period, state, result, rates=demo_rates(), estimated=False)
        report = records.UnitReport(
            carrier_code="12345",
            policy_number=p["number"],
            effective=period.effective,
            expiration=period.expiration,
            state=state,
            estimated=False,
            insured_name=p["insured_name"],
            exposures=rows,
            codes=rules.rules(period.effective)["codes"],
        )
        assert records.report_records(table, report) == expected, state
    assert rules.route("IN", period.effective).bureau == "ICRB"
    assert rules.route("KY", period.effective).bureau == "NCCI"
    assert sum(
        (
            r.exposure
            for r in generate.exposure_rows(
                period, "IN", result, rates=demo_rates(), estimated=False
            )
        ),
        Decimal(0),
    ) == Decimal("1503200.00")
