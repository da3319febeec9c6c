"""Each metric on the small book of conftest.py, with the answers worked out by hand there."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from tests.reporting.conftest import PERIOD_END, TODAY, Book, on
from trueup.core.errors import InvalidInput
from trueup.reporting import figures, metrics
from trueup.reporting.models import AuditFigures, FiguresRun, MetricsSnapshot
from trueup.reporting.shapes import Dashboard, Filters

WINDOW = Filters(start=PERIOD_END, end=TODAY)


def computed(filters: Filters = WINDOW) -> Dashboard:
    with on(TODAY):
        figures.refresh()
        return metrics.compute(filters, TODAY)


def values(d: Dashboard) -> dict[str, Decimal | int | None]:
    return {f.key: f.value for f in d.figures}


def table(d: Dashboard, key: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in next(t for t in d.tables if t.key == key).rows]


def chart_points(d: Dashboard, key: str) -> dict[str, list[tuple[str, object]]]:
    chart = next(c for c in d.charts if c.key == key)
    return {s.label: list(s.points) for s in chart.series}


def test_cycle_time_is_the_median_and_90th_percentile_of_days_from_period_end(book: Book) -> None:
    v = values(computed())
    assert v["cycle_median"] == Decimal("70")
    assert v["cycle_p90"] == Decimal("130")


def test_completed_within_each_number_of_days_counts_against_the_five_final_results(
    book: Book,
) -> None:
    d = computed()
    v = values(d)
    assert (v["within_30"], v["within_60"], v["within_90"], v["within_120"]) == (
        Decimal("20.00"),
        Decimal("40.00"),
        Decimal("60.00"),
        Decimal("80.00"),
    )
    within_60 = next(f for f in d.figures if f.key == "within_60")
    assert within_60.why == "2 of 5 audits that became final in the window"
    assert "The department's target is 60 days." in within_60.definition


def test_completion_waived_and_estimated_rates_count_the_audits_due_in_the_window(
    book: Book,
) -> None:
    v = values(computed())
    # Due: a1–a7 (a8 is due in August). Waived left out: 6; completed 4; estimated 1.
    assert v["completion_rate"] == Decimal("66.67")
    assert v["waived_rate"] == Decimal("14.29")
    assert v["estimated_rate"] == Decimal("16.67")


def test_the_backlog_is_aged_from_the_period_end_and_overdue_against_the_due_date(
    book: Book,
) -> None:
    d = computed()
    v = values(d)
    assert (v["backlog"], v["overdue"]) == (2, 1)
    assert table(d, "backlog") == [
        ("Scheduled", 0, 0, 0, 1, 1, 0),
        ("In progress", 0, 0, 0, 1, 1, 1),
    ]
    aging = chart_points(d, "backlog_aging")
    assert aging["In progress"] == [
        ("0–30 days", 0),
        ("31–60 days", 0),
        ("61–90 days", 0),
        ("over 90 days", 1),
    ]


def test_billing_instructions_waiting_are_the_released_results_not_yet_acknowledged(
    book: Book,
) -> None:
    assert values(computed())["billing_waiting"] == 2


def test_additional_and_return_premium_come_from_the_pinned_results(book: Book) -> None:
    d = computed()
    v = values(d)
    assert (v["ap_count"], v["ap_dollars"]) == (4, Decimal("53035.00"))
    assert (v["rp_count"], v["rp_dollars"]) == (1, Decimal("-7928.00"))
    # Net $45,107 on five estimates of $19,655 ($98,275).
    assert v["net_ap_share"] == Decimal("45.90")
    assert table(d, "premium_by_month")[:5] == [
        ("Jan 2026", 1, Decimal("4575.00"), 0, Decimal("0"), Decimal("4575.00")),
        ("Feb 2026", 1, Decimal("4575.00"), 0, Decimal("0"), Decimal("4575.00")),
        ("Mar 2026", 1, Decimal("4575.00"), 0, Decimal("0"), Decimal("4575.00")),
        ("Apr 2026", 0, Decimal("0"), 1, Decimal("-7928.00"), Decimal("-7928.00")),
        ("May 2026", 1, Decimal("39310.00"), 0, Decimal("0"), Decimal("39310.00")),
    ]


def test_exposure_variance_is_shown_by_state_and_class_with_the_band(book: Book) -> None:
    d = computed()
    assert values(d)["variance_in_band"] == Decimal("60.00")
    assert table(d, "variance") == [
        (
            "IN",
            "5645",
            5,
            Decimal("1750000.00"),
            Decimal("1859500.00"),
            Decimal("106.26"),
            Decimal("20.00"),
        ),
        (
            "IN",
            "8810",
            5,
            Decimal("300000.00"),
            Decimal("305000.00"),
            Decimal("101.67"),
            Decimal("100.00"),
        ),
    ]
    assert chart_points(d, "variance_distribution")["Class lines"] == [
        ("under 90 %", 1),
        ("90–110 %", 6),
        ("over 110 %", 3),
    ]


def test_disputes_revisions_reversals_and_review_are_counted(book: Book) -> None:
    v = values(computed())
    assert v["dispute_rate"] == Decimal("50.00")  # one dispute on two released results
    assert (v["revision_rate"], v["reversal_rate"]) == (Decimal("0.00"), Decimal("0.00"))
    assert v["review_median_days"] == Decimal("13.50")  # 15 and 12 days
    assert v["returned_rate"] == Decimal("50.00")


def test_outreach_before_billing_is_counted_over_the_results_released(book: Book) -> None:
    v = values(computed())
    assert v["explained_before_billing"] == Decimal("50.00")
    assert v["attempts_per_result"] == Decimal("1.00")
    assert v["release_median_days"] == Decimal("5")


def test_the_vendor_firm_is_set_against_the_department_s_own_auditors(book: Book) -> None:
    d = computed()
    rows = {row[0]: row for row in table(d, "vendors")}
    assert list(rows) == ["In-house", "Field Audit Co"]
    in_house, firm = rows["In-house"], rows["Field Audit Co"]
    assert in_house[1:5] == (4, Decimal("57.50"), Decimal("130"), Decimal("57.50"))
    assert firm[1:5] == (1, Decimal("100"), Decimal("100"), Decimal("100"))
    assert chart_points(d, "vendors")["Median"] == [
        ("In-house", Decimal("57.50")),
        ("Field Audit Co", Decimal("100")),
    ]


def test_each_auditor_s_work_counts_final_open_overdue_and_referred(book: Book) -> None:
    assert table(computed(), "auditors") == [("auditor", 4, 1, 1, 2)]


def test_the_trend_shows_each_month_s_median_and_90th_percentile(book: Book) -> None:
    trend = chart_points(computed(), "cycle_trend")
    assert trend["Median"] == [
        ("Jan 2026", Decimal("20")),
        ("Feb 2026", Decimal("45")),
        ("Mar 2026", Decimal("70")),
        ("Apr 2026", Decimal("100")),
        ("May 2026", Decimal("130")),
        ("Jun 2026", None),
        ("Jul 2026", None),
    ]


@pytest.mark.parametrize(
    ("change", "final"),
    [
        ({"vendor": "in_house"}, 4),
        ({"vendor": "FAC"}, 1),
        ({"state": "IN"}, 5),
        ({"state": "KY"}, 0),
        ({"assignee": "auditor"}, 4),
        ({"agency": "MS"}, 5),
        ({"line": "GL"}, 0),
        ({"method": "mail"}, 5),
        ({"type": "interim"}, 0),
        ({"start": date(2026, 2, 1), "end": date(2026, 4, 30)}, 3),
    ],
)
def test_every_filter_narrows_the_audits_counted(
    book: Book, change: dict[str, object], final: int
) -> None:
    d = computed(replace(WINDOW, **change))  # type: ignore[arg-type]
    assert sum(int(str(row[1])) for row in table(d, "vendors")) == final


def test_nothing_to_count_gives_no_value_rather_than_zero(db: None) -> None:
    v = values(computed())
    assert v["cycle_median"] is None
    assert v["completion_rate"] is None
    assert v["backlog"] == 0


def test_a_rebuild_replaces_the_figures_whole_and_records_its_run(book: Book) -> None:
    with on(TODAY):
        first = figures.refresh()
        second = figures.refresh()
    assert (first.status, first.audits, second.audits) == ("done", 8, 8)
    assert AuditFigures.objects.count() == 8
    assert FiguresRun.objects.count() == 2


def test_the_dashboard_is_answered_from_its_snapshot_until_the_next_rebuild(book: Book) -> None:
    with on(TODAY):
        run = figures.refresh()
        fresh = metrics.dashboard(WINDOW, TODAY)
        kept = metrics.dashboard(WINDOW, TODAY)
        assert kept == fresh
        assert kept.as_of == run.finished_at
        assert MetricsSnapshot.objects.filter(run=run).count() == 1
        figures.refresh()
    assert MetricsSnapshot.objects.count() == 0


def test_a_failed_rebuild_is_recorded_and_leaves_the_last_figures(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    with on(TODAY):
        figures.refresh()

        def broken() -> dict[int, object]:
            raise RuntimeError("the database went away")

        monkeypatch.setattr(figures, "_disputes", broken)
        with pytest.raises(RuntimeError):
            figures.refresh()
    failed = FiguresRun.objects.first()
    assert failed is not None
    assert (failed.status, failed.error) == ("failed", "the database went away")
    assert AuditFigures.objects.count() == 8
    assert metrics.latest_run() == FiguresRun.objects.filter(status="done").get()


def test_the_default_window_is_the_last_twelve_months_to_today() -> None:
    assert metrics.default_filters(date(2026, 12, 4)) == Filters(
        start=date(2025, 12, 5), end=date(2026, 12, 4)
    )
    assert metrics.months_before(date(2026, 3, 31), 1) == date(2026, 3, 1)


def test_bad_filters_are_refused_naming_each_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        metrics.parse_filters(
            {"start": "2026-13-01", "end": "2026-01-01", "line": "XX", "state": "Kentucky"},
            TODAY,
        )
    assert [(p.path, p.reason) for p in refused.value.problems] == [
        ("start", "must be a date as YYYY-MM-DD, like 2026-01-31"),
        ("state", "must be a two-letter state code, like KY"),
        ("line", "must be one of WC, GL"),
    ]
    with pytest.raises(InvalidInput, match="end: must be on or after the start"):
        metrics.parse_filters({"start": "2026-02-01", "end": "2026-01-01"}, TODAY)


def test_the_charts_summaries_say_in_words_what_they_show(book: Book) -> None:
    summaries = {c.key: c.summary for c in computed().charts}
    assert summaries == {
        "cycle_distribution": "Of 5 audits that became final in the window, by days from the "
        "period's end: 1 in 0–30 days, 1 in 31–60 days, 1 in 61–90 days, 1 in 91–120 days, 1 "
        "in over 120 days.",
        "cycle_trend": "The median cycle time went from 20 days in Jan 2026 to 130 days in "
        "May 2026.",
        "backlog_aging": "2 audits are open; 2 of them more than 90 days past the period's "
        "end, and 1 past their due date.",
        "premium_by_month": "Additional premium $53,035 on 4 results; return premium $7,928 on "
        "1 result; net $45,107.",
        "variance_distribution": "6 of 10 class lines were within 90–110 % of their "
        "estimate; 1 under and 3 over.",
        "vendors": "In-house: median 57.50 days; Field Audit Co: median 100 days.",
    }
