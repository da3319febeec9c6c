"""A state's quarterly wage report (California DE 9C, Rhode Island TX-17), read from its CSV or
XLSX text export: each employee's wages for the quarter (name, the last four digits of the social
security number: a full number is never kept), the page totals and the grand total, checked (each
page's employees add up to its total, the pages to the grand total), the quarter and the state.

The labels each report is read by are in ``wage_reports.toml``, with their sources. Pure Python:
no Django.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from trueup.payroll.ingest.exports import _rows
from trueup.payroll.ingest.readers import RegisterError

HERE = Path(__file__).parent
AMOUNT = re.compile(r"^(\()?-?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(\))?$")
DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})|(\d{4})-(\d{1,2})-(\d{1,2})")
PAGE = re.compile(r"(?i)\bpage(?:\s+number)?\s*:?\s*(\d+)(?:\s+of\s+\d+)?")


@dataclass
class WageReport:
    form: str  # "California DE 9C"
    state: str
    year: int
    quarter: int
    total_wages_cents: int  # the grand total, equal to the pages' and the employees' sum
    # {"employee", "ssn_last4", "total_wages_cents", "page"}
    employees: list[dict[str, object]] = field(default_factory=list)
    pages: list[dict[str, int]] = field(default_factory=list)  # {"page", "row", "total_cents"}


@cache
def layouts() -> dict[str, Any]:
    return tomllib.loads((HERE / "wage_reports.toml").read_text())


def label(cell: str) -> str:
    """A header cell or label as compared: no item letter ("C.", "18."), parentheses or case."""
    text = re.sub(r"^\s*(?:[A-Z]|\d{1,2})\.\s+", "", str(cell))
    return " ".join(text.replace("(", " ").replace(")", " ").split()).casefold()


def _one_of(cell: str, names: Sequence[str]) -> bool:
    return label(cell) in {label(name) for name in names}


def _cents(text: str) -> int | None:
    cell = text.replace("$", "").replace(" ", "").strip()
    match = AMOUNT.match(cell)
    if match is None or bool(match.group(1)) != bool(match.group(4)):
        return None
    whole = int(match.group(2).replace(",", ""))
    value = whole * 100 + int((match.group(3) or "").ljust(2, "0"))
    return -value if match.group(1) or cell.startswith("-") else value


def _usd(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}" if cents >= 0 else "-" + _usd(-cents)


def read_wage_report(data: bytes, filename: str) -> WageReport:
    """The report read and checked; ``RegisterError`` naming the row (and the page) otherwise."""
    rows = [[cell.strip() for cell in row] for row in _rows(data, None)]
    return _Reader(_form(rows), rows).read()


def _form(rows: Sequence[Sequence[str]]) -> dict[str, Any]:
    text = "\n".join(" ".join(c for c in row if c) for row in rows[:30])
    for layout in layouts().values():
        for title in layout["titles"]:
            pattern = r"(?i)(?<!\w)" + r"\s*".join(map(re.escape, title.split())) + r"(?!\w)"
            if re.search(pattern, text):
                return dict(layout)
    names = ", ".join(layout["name"] for layout in layouts().values())
    raise RegisterError(
        f"the file is not a state wage report TrueUp reads ({names}): its title rows name none"
    )


class _Reader:
    """One pass over the rows: headers (one a page), employees, page totals, the grand total."""

    def __init__(self, layout: dict[str, Any], rows: list[list[str]]) -> None:
        self.layout, self.rows = layout, rows
        self.columns: dict[str, int] = {}
        self.names: list[int] = []
        self.page = 1
        self.on_page: list[int] = []  # cents of the current page's employees
        self.report = WageReport(layout["name"], layout["state"], 0, 0, 0)
        self.grand: tuple[int, int] | None = None  # (row, cents)

    def read(self) -> WageReport:
        for index, row in enumerate(self.rows):
            self._row(index + 1, row)
        return self._checked()

    def _row(self, number: int, row: list[str]) -> None:
        joined = " ".join(c for c in row if c)
        if not joined:
            return
        page = PAGE.search(joined)
        if page is not None and not self._amounts(row):
            self.page = int(page.group(1))
            return
        if self._quarter(row, number) or self._header(row):
            return
        total = next((c for c in row if _one_of(c, self.layout["page_total"])), None)
        if total is not None:
            self._page_total(number, row)
            return
        if any(_one_of(c, self.layout["other_totals"]) for c in row):
            return
        if any(_one_of(c, self.layout["grand_total"]) for c in row):
            self.grand = (number, self._total_amount(number, row))
            return
        if self.columns:
            self._employee(number, row)

    def _amounts(self, row: Sequence[str]) -> bool:
        return any(_cents(c) is not None and ("." in c or "," in c) for c in row)

    def _header(self, row: Sequence[str]) -> bool:
        ssn = [i for i, c in enumerate(row) if _one_of(c, self.layout["ssn"])]
        wages = [i for i, c in enumerate(row) if _one_of(c, self.layout["wages"])]
        if not ssn or not wages:
            return False
        self.columns = {"ssn": ssn[0], "wages": wages[0]}
        order = [label(name) for name in self.layout["name_columns"]]
        named = [(order.index(label(c)), i) for i, c in enumerate(row) if label(c) in order]
        self.names = [i for _, i in sorted(named)]
        return True

    def _quarter(self, row: Sequence[str], number: int) -> bool:
        for position, cell in enumerate(row):
            for name in self.layout["quarter"]:
                if not label(cell).startswith(label(name)):
                    continue
                rest = " ".join(row[position:])
                found = DATE.search(rest)
                if found is None:
                    raise RegisterError(
                        f"row {number}: “{cell}” has no date (mm/dd/yyyy) beside it"
                    )
                month, year = (
                    (int(found.group(1)), int(found.group(3)))
                    if found.group(1)
                    else (int(found.group(5)), int(found.group(4)))
                )
                self.report.year, self.report.quarter = year, (month - 1) // 3 + 1
                return True
        return False

    def _employee(self, number: int, row: list[str]) -> None:
        cell = row[self.columns["wages"]] if self.columns["wages"] < len(row) else ""
        ssn = row[self.columns["ssn"]] if self.columns["ssn"] < len(row) else ""
        name = " ".join(row[i] for i in self.names if i < len(row) and row[i])
        if not cell and not ssn:
            return  # a note or a label between the tables: no employee
        cents = _cents(cell)
        digits = re.sub(r"\D", "", ssn)
        if cents is None:
            raise RegisterError(f"row {number}: the wages “{cell[:40]}” are not an amount")
        if len(digits) < 4 or not name:
            raise RegisterError(
                f"row {number}: wages of {_usd(cents)} without an employee's name and social "
                "security number"
            )
        self.on_page.append(cents)
        self.report.employees.append(
            {
                "employee": name,
                "ssn_last4": digits[-4:],
                "total_wages_cents": cents,
                "page": self.page,
            }
        )

    def _total_amount(self, number: int, row: list[str]) -> int:
        wages = self.columns.get("wages")
        cells = [row[wages]] if wages is not None and wages < len(row) and row[wages] else []
        cells += [c for c in row if _cents(c) is not None]
        if not cells or _cents(cells[0]) is None:
            raise RegisterError(f"row {number}: the total has no amount")
        return _cents(cells[0]) or 0

    def _page_total(self, number: int, row: list[str]) -> None:
        stated = self._total_amount(number, row)
        summed = sum(self.on_page)
        if stated != summed:
            raise RegisterError(
                f"page {self.page} (row {number}): its employees' wages add up to {_usd(summed)} "
                f"but the page total says {_usd(stated)}"
            )
        self.report.pages.append({"page": self.page, "row": number, "total_cents": stated})
        self.on_page = []

    def _checked(self) -> WageReport:
        report = self.report
        if not report.year:
            raise RegisterError(
                f"the {report.form} gives no quarter: a “{self.layout['quarter'][0]}” date is "
                "needed"
            )
        if not report.employees:
            raise RegisterError(f"the {report.form} lists no employees")
        if self.on_page:
            raise RegisterError(
                f"page {self.page}: {len(self.on_page)} employee(s) after the last page total, "
                "without a total of their own"
            )
        if self.grand is None:
            raise RegisterError(f"the {report.form} has no grand total")
        row, grand = self.grand
        pages = sum(page["total_cents"] for page in report.pages)
        if pages != grand:
            shown = ", ".join(f"page {p['page']} {_usd(p['total_cents'])}" for p in report.pages)
            raise RegisterError(
                f"row {row}: the grand total says {_usd(grand)} but the pages add up to "
                f"{_usd(pages)} ({shown})"
            )
        report.total_wages_cents = grand
        return report
