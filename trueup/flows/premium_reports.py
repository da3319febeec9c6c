"""A premium report from a payroll export: the importer reads the file as it reads an audit's
register, and what it takes is summarised by state and class for the days the report covers, to
be confirmed (or corrected) and then filed. Reading files nothing and keeps nothing."""

from __future__ import annotations

from dataclasses import dataclass

from trueup.accounts.models import User
from trueup.audits.services import may
from trueup.core.errors import NotAllowed
from trueup.core.money import usd_of_cents
from trueup.payroll.ingest import Ingested
from trueup.payroll.services import engine_line, period_register_read
from trueup.portal.access import insureds_for, may_report
from trueup.premium_reports.models import PremiumReport
from trueup.premium_reports.rating import Line, payroll_exposures
from trueup.premium_reports.services import report_check_due

# Exceptions that leave out no pay of the report's: pay earned on other days belongs to another
# report, a totals row sums rows read on their own, a row of taxes or zeros holds no pay, a code
# excluded with a reason is no payroll, a negative amount is kept; pay in codes the import does
# not know is named once a code (``_unmapped``), not at each of its rows.
NOT_REFUSALS = frozenset(
    {
        "outside_period",
        "totals_row",
        "not_pay",
        "zero_amount",
        "excluded_code",
        "negative_amount",
        "unmapped_code",
    }
)


@dataclass(frozen=True)
class RefusedRow:
    """A row of the export whose pay is not in the summary, and why."""

    row: int | None  # the file's row (None: the file as a whole)
    column: str
    reason: str

    @property
    def where(self) -> str:
        if self.row is None:
            return "the file"
        return f"row {self.row}" + (f", column {self.column}" if self.column else "")


@dataclass(frozen=True)
class ExportSummary:
    """What the export says was paid over the report's days, by state and class, and the rows
    whose pay is not in it."""

    filename: str
    lines: tuple[Line, ...]
    refused: tuple[RefusedRow, ...]
    rows_read: int
    rows_used: int
    rows_other_days: int  # rows of pay earned outside the report's days
    notes: tuple[str, ...]


def report_may_be_filed_by(report: PremiumReport, by: User) -> None:
    """A policyholder (or their delegate) files their own insured's reports; staff who enter
    audit facts file any. Refused for a report that is final or a plan that is closed."""
    if by.is_portal_user:
        insured_id = report.plan.period.policy.insured_id
        if not may_report(by) or not insureds_for(by).filter(pk=insured_id).exists():
            raise NotAllowed("this portal login may not file that policy's payroll reports")
    elif not may(by, "edit_facts"):
        raise NotAllowed(
            f"a user with the {by.get_role_display()} role may not file a premium report"
        )
    report_check_due(report)


def report_export_read(
    *, report: PremiumReport, by: User, data: bytes, filename: str
) -> ExportSummary:
    """The payroll export read for the report's days: its pay by state and class as the engine
    takes it (each state's rules on overtime and the rest), every row it leaves out named with
    its row and reason. ``RegisterError`` when the file cannot be read at all."""
    # As it is now (the caller's copy may be older than a filing or the plan's closing).
    report = PremiumReport.objects.select_related("plan__period__policy").get(pk=report.pk)
    report_may_be_filed_by(report, by)
    period = report.plan.period
    found = period_register_read(
        period=period,
        data=data,
        filename=filename,
        covers_from=report.covers_from,
        covers_to=report.covers_to,
    )
    refused = [*_exceptions(found), *_unmapped(found)]
    lines: list[Line] = []
    if found.lines:
        lines, problems = payroll_exposures(period, [engine_line(x) for x in found.lines])
        for problem in problems:
            if problem.index is None:
                refused.append(RefusedRow(None, "", problem.reason))
                continue
            line = found.lines[problem.index]
            who = f"{line['employee']}, {line['state']} {line['class_code']}"
            cells = found.cells_of(problem.index, problem.field or "gross")
            row, column = cells[0] if cells else (None, "")
            refused.append(RefusedRow(row, str(column), f"{who}: {problem.reason}"))
    other_days = found.exceptions.filter(found.exceptions["kind"] == "outside_period")
    return ExportSummary(
        filename=filename,
        lines=tuple(lines),
        refused=tuple(sorted(refused, key=lambda r: (r.row or 0, r.column))),
        rows_read=found.rows_read,
        rows_used=found.rows_used,
        rows_other_days=other_days["row"].n_unique(),
        notes=tuple(found.notes),
    )


def _exceptions(found: Ingested) -> list[RefusedRow]:
    """The importer's exceptions, once a row (the first reason given for it)."""
    named = found.exceptions.filter(~found.exceptions["kind"].is_in(list(NOT_REFUSALS)))
    seen: set[int] = set()
    rows = []
    for row, column, message in named.select("row", "column", "message").iter_rows():
        if int(row) in seen:
            continue
        seen.add(int(row))
        rows.append(RefusedRow(int(row), str(column or ""), str(message)))
    return rows


def _unmapped(found: Ingested) -> list[RefusedRow]:
    """Pay in a kind of pay no mapping names, once a code (rows without a state or class are
    named in the exceptions, each row)."""
    return [
        RefusedRow(
            int(str(item["first_row"])),
            str(item.get("column") or ""),
            f"{usd_of_cents(int(str(item['cents'])))} in {item['rows']} row(s) is in the pay "
            f"code {item['code']}, which the payroll import does not know: left out",
        )
        for item in found.unmapped
    ]
