"""The dashboard's sections, each computed from the selected audits' figures: cycle time,
completion, backlog, premium, exposure variance, quality, outreach, billing, vendor firms against
in-house, and each auditor's work. Every figure says what it was counted from.

The rows are read once (only the audits some window or the backlog needs) and counted here, in
exact decimals on every database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from trueup.accounts.models import User, VendorFirm
from trueup.audits.workflow import CLOSED, Status
from trueup.billing.models import OutboxMessage
from trueup.core.money import figure as amount
from trueup.core.money import usd
from trueup.reporting.definitions import Definition, band_labels, by_key
from trueup.reporting.models import AuditFigures, ExposureVariance
from trueup.reporting.rules import rules
from trueup.reporting.shapes import Cell, Chart, Dashboard, Figure, Filters, Series, Table
from trueup.reporting.stats import median, percent_of, percentile, ratio

# Results that closed an audit with a premium: the population of cycle time, premium and quality.
RESULTS = frozenset({Status.COMPLETED, Status.ESTIMATED})
STATUS_LABELS = dict(Status.choices)
FIELDS = (
    "audit_id",
    "status",
    "closed_as",
    "assignee_id",
    "vendor_id",
    "period_end",
    "due_date",
    "assigned_on",
    "closed_on",
    "cycle_days",
    "estimated_premium",
    "adjustment",
    "review_entered_at",
    "review_days",
    "returned",
    "released_on",
    "explained_before_billing",
    "attempts",
    "disputes",
    "revised",
    "reversed",
)


@dataclass
class Rows:
    """The selected audits, split by the windows the metrics count over."""

    start: date
    end: date
    today: date
    results: list[Any] = field(default_factory=list)  # became final in the window
    due: list[Any] = field(default_factory=list)  # due in the window
    released: list[Any] = field(default_factory=list)  # released to billing in the window
    open: list[Any] = field(default_factory=list)  # not closed when the figures were rebuilt
    reviewed: list[Any] = field(default_factory=list)  # went to review in the window

    def in_window(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass
class Part:
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


def dashboard(
    filters: Filters, selected: QuerySet[AuditFigures], today: date, as_of: datetime | None
) -> Dashboard:
    rows = read(filters, selected, today)
    r = rules(today)
    defs = by_key(today)
    names = Names.of(rows)
    parts = [
        cycle(rows, r, defs),
        completion(rows, defs),
        backlog(rows, r, defs, selected),
        premium(rows, defs),
        variance(rows, r, defs, selected),
        quality(rows, defs),
        outreach(rows, defs),
        vendors(rows, r, names),
        auditors(rows, names),
    ]
    return Dashboard(
        start=filters.start,
        end=filters.end,
        filters={k: v for k, v in vars(filters).items() if v and k not in ("start", "end")},
        figures=tuple(f for p in parts for f in p.figures),
        tables=tuple(t for p in parts for t in p.tables),
        charts=tuple(c for p in parts for c in p.charts),
        as_of=as_of,
        notes=() if as_of else ("The figures have not been computed yet.",),
    )


def read(filters: Filters, selected: QuerySet[AuditFigures], today: date) -> Rows:
    window = (filters.start, filters.end)
    wanted = (
        Q(closed_on__range=window)
        | Q(due_date__range=window)
        | Q(released_on__range=window)
        | ~Q(status__in=sorted(CLOSED))
    )
    rows = Rows(start=filters.start, end=filters.end, today=today)
    for row in selected.filter(wanted).values_list(*FIELDS, named=True).iterator(2000):
        if row.closed_as in RESULTS and rows.in_window(row.closed_on):
            rows.results.append(row)
            if row.review_entered_at is not None:
                rows.reviewed.append(row)
        if rows.in_window(row.due_date):
            rows.due.append(row)
        if rows.in_window(row.released_on):
            rows.released.append(row)
        if row.status not in CLOSED:
            rows.open.append(row)
    return rows


def figure(d: Definition, value: Decimal | int | None, why: str) -> Figure:
    return Figure(d.key, d.label, d.definition, value, d.unit, why)


def table(
    key: str, title: str, definition: str, columns: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> Table:
    return Table(key, title, definition, tuple(columns), tuple(tuple(r) for r in rows))


def share(part: int, whole: int, what: str) -> tuple[Decimal | None, str]:
    return percent_of(part, whole), f"{part:,} of {whole:,} {what}"


# ------------------------------------------------------------------------------------------
# Cycle time


def cycle(rows: Rows, r: dict[str, Any], defs: dict[str, Definition]) -> Part:
    days = [row.cycle_days for row in rows.results]
    n = len(days)
    part = Part(
        figures=[
            figure(
                defs["cycle_median"],
                median(days),
                f"the middle of the cycle times of {counted(n, 'audit')}",
            ),
            figure(defs["cycle_p90"], percentile(days, 90), f"over {counted(n, 'audit')}"),
        ]
    )
    within_rows = []
    for limit in r["cycle"]["within_days"]:
        met = sum(1 for d in days if d <= limit)
        value, why = share(met, n, "audits that became final in the window")
        part.figures.append(figure(defs[f"within_{limit}"], value, why))
        within_rows.append((f"{limit} days", met, value))
    part.tables.append(
        table(
            "within",
            "Completed within a number of days of the period's end",
            defs[f"within_{r['cycle']['target_days']}"].definition,
            ("Within", "Audits", "Share (%)"),
            within_rows,
        )
    )
    part.charts.append(distribution_chart(days, r["cycle"]["within_days"]))
    part.charts.append(trend_chart(rows))
    return part


def distribution_chart(days: list[int], limits: list[int]) -> Chart:
    labels = [label.replace(" days", "") for label in band_labels(limits)]
    counts = [0] * len(labels)
    for d in days:
        counts[band_of(d, limits)] += 1
    points = tuple(zip(labels, counts, strict=True))
    bands = ", ".join(f"{n:,} in {label} days" for label, n in points)
    summary = (
        f"Of {counted(len(days), 'audit')} that became final in the window, by days from the "
        f"period's end: {bands}."
        if days
        else "No audit became final in the window."
    )
    return chart(
        "cycle_distribution",
        "Cycle time: audits by days from the period's end to the final result",
        "bar",
        ("Days", "Audits", "count"),
        (Series("Audits", points),),
        summary,
    )


def trend_chart(rows: Rows) -> Chart:
    by_month: dict[str, list[int]] = defaultdict(list)
    for row in rows.results:
        by_month[month_key(row.closed_on)].append(row.cycle_days)
    months = month_keys(rows.start, rows.end)
    medians = tuple((month_label(m), median(by_month.get(m, []))) for m in months)
    p90s = tuple((month_label(m), percentile(by_month.get(m, []), 90)) for m in months)
    known = [(m, amount(v)) for m, v in medians if v is not None]
    if not known:
        summary = "No audit became final in the window."
    elif len(known) == 1:
        summary = f"The median cycle time was {known[0][1]} days, all in {known[0][0]}."
    else:
        summary = (
            f"The median cycle time went from {known[0][1]} days in {known[0][0]} to "
            f"{known[-1][1]} days in {known[-1][0]}."
        )
    return chart(
        "cycle_trend",
        "Cycle time by month the result became final",
        "line",
        ("Month", "Days", "days"),
        (Series("Median", medians), Series("90th percentile", p90s)),
        summary,
    )


# ------------------------------------------------------------------------------------------
# Completion


def completion(rows: Rows, defs: dict[str, Definition]) -> Part:
    due = [row for row in rows.due if row.closed_as != Status.WAIVED]
    waived = sum(1 for row in rows.due if row.closed_as == Status.WAIVED)
    completed = sum(1 for row in due if row.closed_as == Status.COMPLETED)
    estimated = sum(1 for row in due if row.closed_as == Status.ESTIMATED)
    what = "audits due in the window (waived left out)"
    return Part(
        figures=[
            figure(defs["completion_rate"], *share(completed, len(due), what)),
            figure(defs["waived_rate"], *share(waived, len(rows.due), "audits due in the window")),
            figure(defs["estimated_rate"], *share(estimated, len(due), what)),
        ]
    )


# ------------------------------------------------------------------------------------------
# Backlog


def backlog(
    rows: Rows, r: dict[str, Any], defs: dict[str, Definition], selected: QuerySet[AuditFigures]
) -> Part:
    limits = r["backlog"]["age_limits"]
    bands = band_labels(limits)
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(bands))
    overdue: dict[str, int] = defaultdict(int)
    for row in rows.open:
        counts[row.status][band_of((rows.today - row.period_end).days, limits)] += 1
        if row.due_date is not None and row.due_date < rows.today:
            overdue[row.status] += 1
    statuses = [s for s in Status.values if s in counts]
    table_rows: list[tuple[Cell, ...]] = [
        (str(STATUS_LABELS[s]), *counts[s], sum(counts[s]), overdue[s]) for s in statuses
    ]
    total_overdue = sum(overdue.values())
    waiting = OutboxMessage.objects.filter(
        delivered_at__isnull=True, instruction__audit_id__in=selected.values("audit_id")
    ).count()
    series = tuple(
        Series(STATUS_LABELS[s], tuple(zip(bands, counts[s], strict=True))) for s in statuses
    )
    oldest = sum(counts[s][-1] for s in statuses)
    return Part(
        figures=[
            figure(
                defs["backlog"], len(rows.open), f"{counted(len(rows.open), 'audit')} not yet final"
            ),
            figure(defs["overdue"], total_overdue, f"{total_overdue:,} of {len(rows.open):,} open"),
            figure(
                defs["billing_waiting"],
                waiting,
                f"{counted(waiting, 'instruction')} not yet acknowledged by billing",
            ),
        ],
        tables=[
            table(
                "backlog",
                "Open audits by status and days past the period's end",
                defs["backlog"].definition,
                ("Status", *bands, "Total", "Overdue"),
                table_rows,
            )
        ],
        charts=[
            chart(
                "backlog_aging",
                "Open audits by days past the period's end",
                "stacked",
                ("Days past the period's end", "Audits", "count"),
                series,
                f"{counted(len(rows.open), 'audit')} {'is' if len(rows.open) == 1 else 'are'} "
                f"open; {oldest:,} of them more than "
                f"{limits[-1]} days past the period's end, and {total_overdue:,} past their "
                "due date.",
            )
        ],
    )


# ------------------------------------------------------------------------------------------
# Premium


@dataclass
class Month:
    """One month's additional (ap) and return (rp) premium: dollars and results."""

    ap: Decimal = Decimal(0)
    rp: Decimal = Decimal(0)
    ap_count: int = 0
    rp_count: int = 0

    def add(self, adjustment: Decimal) -> None:
        if adjustment > 0:
            self.ap += adjustment
            self.ap_count += 1
        elif adjustment < 0:
            self.rp += adjustment
            self.rp_count += 1


def premium(rows: Rows, defs: dict[str, Definition]) -> Part:
    priced = [row for row in rows.results if row.adjustment is not None]
    additional = [row.adjustment for row in priced if row.adjustment > 0]
    returned = [row.adjustment for row in priced if row.adjustment < 0]
    estimated = sum((row.estimated_premium or Decimal(0) for row in priced), Decimal(0))
    net = sum(additional, Decimal(0)) + sum(returned, Decimal(0))
    by_month = {m: Month() for m in month_keys(rows.start, rows.end)}
    for row in priced:
        month = by_month.get(month_key(row.closed_on))
        if month is not None:
            month.add(row.adjustment)
    table_rows = [
        (month_label(m), v.ap_count, v.ap, v.rp_count, v.rp, v.ap + v.rp)
        for m, v in by_month.items()
    ]
    ap_points = tuple((month_label(m), v.ap) for m, v in by_month.items())
    rp_points = tuple((month_label(m), v.rp) for m, v in by_month.items())
    return Part(
        figures=[
            figure(defs["ap_count"], len(additional), f"of {counted(len(priced), 'result')}"),
            figure(
                defs["ap_dollars"],
                sum(additional, Decimal(0)),
                f"{counted(len(additional), 'result')} owing more",
            ),
            figure(defs["rp_count"], len(returned), f"of {counted(len(priced), 'result')}"),
            figure(
                defs["rp_dollars"],
                sum(returned, Decimal(0)),
                f"{counted(len(returned), 'result')} owed back",
            ),
            figure(
                defs["net_ap_share"],
                percent_of(net, estimated),
                f"net {usd(net)} on {usd(estimated)} estimated premium",
            ),
        ],
        tables=[
            table(
                "premium_by_month",
                "Additional and return premium by month the result became final",
                defs["net_ap_share"].definition,
                (
                    "Month",
                    "Additional: audits",
                    "Additional ($)",
                    "Return: audits",
                    "Return ($)",
                    "Net ($)",
                ),
                table_rows,
            )
        ],
        charts=[
            chart(
                "premium_by_month",
                "Additional and return premium by month",
                "bar",
                ("Month", "Dollars", "usd"),
                (Series("Additional premium", ap_points), Series("Return premium", rp_points)),
                f"Additional premium {usd(sum(additional, Decimal(0)))} on "
                f"{counted(len(additional), 'result')}; return premium "
                f"{usd(-sum(returned, Decimal(0)))} on {counted(len(returned), 'result')}; "
                f"net {usd(net)}.",
            )
        ],
    )


# ------------------------------------------------------------------------------------------
# Exposure variance


def variance(
    rows: Rows, r: dict[str, Any], defs: dict[str, Definition], selected: QuerySet[AuditFigures]
) -> Part:
    low, high = Decimal(r["variance"]["low_percent"]), Decimal(r["variance"]["high_percent"])
    closed = selected.filter(closed_as__in=sorted(RESULTS), closed_on__range=(rows.start, rows.end))
    lines = ExposureVariance.objects.filter(
        audit_id__in=closed.values("audit_id"), ratio_percent__isnull=False
    ).values_list("state", "class_code", "estimated", "audited", "ratio_percent")
    groups: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    bands = [0, 0, 0]  # under, within, over
    for state, class_code, estimated, audited, percent in lines:
        assert percent is not None  # lines with nothing estimated were left out above
        where = 0 if percent < low else 2 if percent > high else 1
        bands[where] += 1
        g = groups[(state, class_code)]
        g[0] += 1
        g[1] += estimated
        g[2] += audited
        g[3] += where == 1
    total = sum(bands)
    labels = (f"under {low} %", f"{low}–{high} %", f"over {high} %")
    table_rows = [
        (state, code, int(g[0]), g[1], g[2], percent_of(g[2], g[1]), percent_of(g[3], g[0]))
        for (state, code), g in sorted(groups.items())
    ]
    value, why = share(bands[1], total, "class lines")
    return Part(
        figures=[figure(defs["variance_in_band"], value, why)],
        tables=[
            table(
                "variance",
                "Audited ÷ estimated exposure by state and class",
                defs["variance_in_band"].definition,
                (
                    "State",
                    "Class",
                    "Lines",
                    "Estimated",
                    "Audited",
                    "Audited ÷ estimated (%)",
                    "Within the band (%)",
                ),
                table_rows,
            )
        ],
        charts=[
            chart(
                "variance_distribution",
                "Class lines by audited ÷ estimated exposure",
                "bar",
                ("Audited ÷ estimated", "Class lines", "count"),
                (Series("Class lines", tuple(zip(labels, bands, strict=True))),),
                f"{bands[1]:,} of {total:,} class lines were within {low}–{high} % of their "
                f"estimate; {bands[0]:,} under and {bands[2]:,} over.",
            )
        ],
    )


# ------------------------------------------------------------------------------------------
# Quality: disputes, revisions, reversals, review


def quality(rows: Rows, defs: dict[str, Definition]) -> Part:
    n, released = len(rows.results), len(rows.released)
    disputes = sum(row.disputes for row in rows.released)
    revised = sum(1 for row in rows.results if row.revised)
    reversed_ = sum(1 for row in rows.results if row.reversed)
    returned = sum(1 for row in rows.reviewed if row.returned)
    in_review = [row.review_days for row in rows.reviewed]
    final = "results that became final in the window"
    return Part(
        figures=[
            figure(
                defs["dispute_rate"],
                percent_of(disputes, released),
                f"disputes opened: {disputes:,}; results released: {released:,}",
            ),
            figure(defs["revision_rate"], *share(revised, n, final)),
            figure(defs["reversal_rate"], *share(reversed_, n, final)),
            figure(
                defs["review_median_days"],
                median(in_review),
                f"the middle of {counted(len(in_review), 'audit')} that went to review",
            ),
            figure(defs["returned_rate"], *share(returned, len(rows.reviewed), "reviewed audits")),
        ]
    )


# ------------------------------------------------------------------------------------------
# Before billing


def outreach(rows: Rows, defs: dict[str, Definition]) -> Part:
    released = rows.released
    explained = sum(1 for row in released if row.explained_before_billing)
    attempts = sum(row.attempts for row in released)
    to_release = [
        (row.released_on - row.closed_on).days for row in released if row.closed_on is not None
    ]
    return Part(
        figures=[
            figure(
                defs["explained_before_billing"],
                *share(explained, len(released), "results released in the window"),
            ),
            figure(
                defs["attempts_per_result"],
                ratio(attempts, len(released)),
                f"{counted(attempts, 'attempt')} for {counted(len(released), 'result')}",
            ),
            figure(
                defs["release_median_days"],
                median(to_release),
                f"the middle of {counted(len(to_release), 'result')} released",
            ),
        ]
    )


# ------------------------------------------------------------------------------------------
# Vendor firms against in-house, and each auditor


@dataclass
class Names:
    users: dict[int, str]
    vendors: dict[int, str]

    @classmethod
    def of(cls, rows: Rows) -> Names:
        every = rows.results + rows.open + rows.due + rows.released
        user_ids = {row.assignee_id for row in every if row.assignee_id}
        vendor_ids = {row.vendor_id for row in every if row.vendor_id}
        return cls(
            dict(User.objects.filter(id__in=user_ids).values_list("id", "username")),
            dict(VendorFirm.objects.filter(id__in=vendor_ids).values_list("id", "name")),
        )


IN_HOUSE_LABEL = "In-house"


def vendors(rows: Rows, r: dict[str, Any], names: Names) -> Part:
    target = r["cycle"]["target_days"]

    def group(row: Any) -> str:
        return names.vendors.get(row.vendor_id, IN_HOUSE_LABEL) if row.vendor_id else IN_HOUSE_LABEL

    results, due, released = (
        grouped(rows.results, group),
        grouped(rows.due, group),
        grouped(rows.released, group),
    )
    keys = sorted(set(results) | set(due) | set(released), key=lambda k: (k != IN_HOUSE_LABEL, k))
    table_rows = [vendor_row(k, results[k], due[k], released[k], target) for k in keys]
    medians = tuple((k, median([x.cycle_days for x in results[k]])) for k in keys)
    p90s = tuple((k, percentile([x.cycle_days for x in results[k]], 90)) for k in keys)
    summary = "; ".join(f"{k}: median {amount(v)} days" for k, v in medians if v is not None)
    return Part(
        tables=[
            table(
                "vendors",
                "Vendor firms against in-house",
                "Each metric as defined above, for the audits of each vendor firm and for the "
                "department's own auditors. Assignment to final result counts whole days from "
                "the day the audit was last assigned.",
                (
                    "Auditors",
                    "Became final",
                    "Cycle median (days)",
                    "Cycle 90th percentile (days)",
                    "Assignment to final, median (days)",
                    f"Within {target} days (%)",
                    "Completion rate (%)",
                    "Estimated rate (%)",
                    "Net additional premium (%)",
                    "Dispute rate (%)",
                    "Revision rate (%)",
                    "Time in review, median (days)",
                    "Returned by a reviewer (%)",
                    "Explained before billing (%)",
                    "Attempts per result",
                ),
                table_rows,
            )
        ],
        charts=[
            chart(
                "vendors",
                "Cycle time: vendor firms against in-house",
                "bar",
                ("Auditors", "Days", "days"),
                (Series("Median", medians), Series("90th percentile", p90s)),
                (summary + ".") if summary else "No audit became final in the window.",
            )
        ],
    )


def vendor_row(
    name: str, results: list[Any], due: list[Any], released: list[Any], target: int
) -> tuple[Cell, ...]:
    counted = [row for row in due if row.closed_as != Status.WAIVED]
    priced = [row for row in results if row.adjustment is not None]
    reviewed = [row for row in results if row.review_entered_at is not None]
    net = sum((row.adjustment for row in priced), Decimal(0))
    estimated = sum((row.estimated_premium or Decimal(0) for row in priced), Decimal(0))
    return (
        name,
        len(results),
        median([row.cycle_days for row in results]),
        percentile([row.cycle_days for row in results], 90),
        median([(row.closed_on - row.assigned_on).days for row in results if row.assigned_on]),
        percent_of(sum(1 for row in results if row.cycle_days <= target), len(results)),
        percent_of(sum(1 for row in counted if row.closed_as == Status.COMPLETED), len(counted)),
        percent_of(sum(1 for row in counted if row.closed_as == Status.ESTIMATED), len(counted)),
        percent_of(net, estimated),
        percent_of(sum(row.disputes for row in released), len(released)),
        percent_of(sum(1 for row in results if row.revised), len(results)),
        median([row.review_days for row in reviewed]),
        percent_of(sum(1 for row in reviewed if row.returned), len(reviewed)),
        percent_of(sum(1 for row in released if row.explained_before_billing), len(released)),
        ratio(sum(row.attempts for row in released), len(released)),
    )


def auditors(rows: Rows, names: Names) -> Part:
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows.results:
        if row.assignee_id:
            counts[row.assignee_id][0] += 1
    for row in rows.open:
        if row.assignee_id:
            counts[row.assignee_id][1] += 1
            counts[row.assignee_id][2] += row.due_date is not None and row.due_date < rows.today
    for row in rows.reviewed:
        if row.assignee_id:
            counts[row.assignee_id][3] += 1
    ordered = sorted(counts.items(), key=lambda item: names.users.get(item[0], ""))
    return Part(
        tables=[
            table(
                "auditors",
                "Each auditor's work",
                "For each assigned auditor: audits that became final in the window, audits open "
                "now and how many of those are overdue, and results referred to a reviewer "
                "because the adjustment was above the auditor's authority (among those that "
                "became final in the window).",
                ("Auditor", "Became final", "Open", "Overdue", "Referred above authority"),
                [(names.users.get(uid, ""), *c) for uid, c in ordered],
            )
        ]
    )


# ------------------------------------------------------------------------------------------
# Helpers


def chart(
    key: str,
    title: str,
    kind: str,
    axes: tuple[str, str, str],
    series: tuple[Series, ...],
    summary: str,
) -> Chart:
    """A chart and the same data as a table: one row per x label, one column per series."""
    x_label, y_label, unit = axes
    xs = [x for x, _ in series[0].points] if series else []
    columns = (x_label, *(s.label for s in series))
    rows: list[tuple[Cell, ...]] = [
        (x, *(s.points[i][1] for s in series)) for i, x in enumerate(xs)
    ]
    data = Table(f"{key}_data", title, summary, columns, tuple(rows))
    return Chart(key, title, kind, x_label, y_label, unit, series, summary, data)


def counted(n: int, thing: str) -> str:
    """1 result, 4 results."""
    return f"{n:,} {thing}" if n == 1 else f"{n:,} {thing}s"


def grouped(rows: list[Any], key: Callable[[Any], str]) -> defaultdict[str, list[Any]]:
    groups: defaultdict[str, list[Any]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups


def band_of(days: int, limits: list[int]) -> int:
    """The index of the band ``days`` falls in (the last band is over the last limit)."""
    return next((i for i, limit in enumerate(limits) if days <= limit), len(limits))


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_keys(start: date, end: date) -> list[str]:
    keys, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def month_label(key: str) -> str:
    year, month = key.split("-")
    return date(int(year), int(month), 1).strftime("%b %Y")
