"""One unit statistical report as records, and a file of reports with its control record, written
through the layout table. Pure: no Django; the report's figures come in as plain values
(``generate.py`` gathers them from the pinned audit result).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from trueup.reporting.statistical.layout import Layout, RecordError, Value

LINE_END = "\n"


@dataclass(frozen=True)
class ExposureRow:
    """One exposure record: a state, class (or statistical code) and experience mod period."""

    state: str
    class_code: str
    exposure: Decimal
    rate: Decimal
    premium: Decimal
    rate_effective: date
    mod: Decimal | None = None
    mod_effective: date | None = None

    def as_json(self) -> dict[str, str | None]:
        """The row as kept with the report, to compare a later result with what was reported."""
        return {
            "state": self.state,
            "class": self.class_code,
            "exposure": format(self.exposure, "f"),
            "rate": format(self.rate, "f"),
            "premium": format(self.premium, "f"),
            "rate_effective": self.rate_effective.isoformat(),
            "mod": None if self.mod is None else format(self.mod, "f"),
            "mod_effective": None if self.mod_effective is None else self.mod_effective.isoformat(),
        }


@dataclass(frozen=True)
class UnitReport:
    """What one report says: the policy, its state, where in the report's life it stands, and
    the complete exposure set."""

    carrier_code: str
    policy_number: str
    effective: date
    expiration: date
    state: str
    estimated: bool
    insured_name: str
    exposures: tuple[ExposureRow, ...]
    fein: str = ""
    address: str = ""
    report_level: int = 1
    correction_sequence: str = ""
    correction_type: str = ""
    replacement_code: str = ""
    codes: dict[str, str] = field(default_factory=dict)


def ascii_text(text: str) -> str:
    """Text as a fixed-length file can carry it: accents dropped, lines joined, spaces single."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.replace("\n", ", ").split()).replace(", ,", ",").strip(", ")


def report_records(layout: Layout, report: UnitReport) -> list[str]:
    """The report's records in order: header, name, address (when known), exposure records and
    unit totals; each checked against the layout as it is written."""
    where = f"{report.policy_number} {report.state}"
    if not report.exposures:
        raise RecordError(f"{where}: no exposure to report for the state")
    link: dict[str, Value] = {
        "carrier_code": report.carrier_code,
        "policy_number": report.policy_number,
        "policy_effective_date": report.effective,
        "report_level": report.report_level,
        "correction_sequence": report.correction_sequence,
    }
    codes = report.codes
    lines = [
        layout.write(
            "header",
            {
                **link,
                "correction_type": report.correction_type,
                "replacement_code": report.replacement_code,
                "state": report.state,
                "policy_expiration_date": report.expiration,
                "estimated_audit_code": codes["estimated" if report.estimated else "audited"],
            },
            where,
        ),
        layout.write(
            "name",
            {
                **link,
                "insured_name": ascii_text(report.insured_name),
                "fein": "".join(c for c in report.fein if c.isdigit()),
            },
            where,
        ),
    ]
    address = ascii_text(report.address)
    if address:
        lines.append(layout.write("address", {**link, "address": address}, where))
    for n, row in enumerate(report.exposures, start=1):
        lines.append(
            layout.write(
                "exposure",
                {
                    **link,
                    "state": row.state,
                    "class_code": row.class_code,
                    "exposure_act_code": codes["exposure_act"],
                    "exposure_coverage_code": codes["exposure_coverage"],
                    "exposure_amount": row.exposure,
                    "manual_rate": row.rate,
                    "premium": row.premium,
                    "experience_mod": row.mod,
                    "experience_mod_effective_date": row.mod_effective,
                    "rate_effective_date": row.rate_effective,
                },
                f"{where} exposure {n} (class {row.class_code})",
            )
        )
    lines.append(
        layout.write(
            "unit_totals",
            {
                **link,
                "exposure_record_count": len(report.exposures),
                "total_exposure": sum((r.exposure for r in report.exposures), Decimal(0)),
                "total_premium": sum((r.premium for r in report.exposures), Decimal(0)),
                "record_count": len(lines) + 1,
            },
            where,
        )
    )
    return lines


def file_bytes(
    layout: Layout, *, carrier_code: str, bureau: str, day: date, reports: Iterable[list[str]]
) -> bytes:
    """A submission: the file control record, then each report's records; ASCII, each record
    ending with a newline."""
    reports = list(reports)
    control = layout.write(
        "file_control",
        {
            "carrier_code": carrier_code,
            "bureau": bureau,
            "file_date": day,
            "report_count": len(reports),
            "record_count": sum(len(r) for r in reports),
            "layout_name": layout.name,
        },
        f"file for {bureau}",
    )
    lines = [control, *(line for report in reports for line in report)]
    return "".join(line + LINE_END for line in lines).encode("ascii")


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_file(layout: Layout, content: bytes) -> list[tuple[str, dict[str, Value]]]:
    """Every record of a file read back with the same layout: (kind, fields) in order."""
    text = content.decode("ascii")
    lines = text.split(LINE_END)
    if lines and lines[-1] == "":
        lines.pop()
    found = []
    for n, line in enumerate(lines, start=1):
        try:
            found.append(layout.read(line))
        except RecordError as error:
            raise RecordError(f"record {n}: {error}") from None
    return found
