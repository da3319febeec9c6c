"""Every metric, defined once: its label, its unit and the sentence that defines it. The
dashboard shows the sentence beside the figure, the metrics page lists them all, the exports and
the API carry them. Figures the definitions count against (days, bands) come from
``reporting.toml`` for the day asked about, never from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from trueup.reporting.rules import rules


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    unit: str  # "days", "percent", "usd", "count", "ratio"
    definition: str


def catalogue(on: date | None = None) -> tuple[Definition, ...]:
    """Every metric as defined on the day (today by default)."""
    r = rules(on)
    return (
        *_cycle(r),
        *_rates(),
        *_backlog(r),
        *_premium(),
        *_variance(r),
        *_quality(),
        *_outreach(),
    )


def by_key(on: date | None = None) -> dict[str, Definition]:
    return {d.key: d for d in catalogue(on)}


CLOSED_IN_WINDOW = (
    "audits whose result became final (completed, or closed on an estimate when records were "
    "not provided) between the window's first and last day"
)


def _cycle(r: dict[str, Any]) -> tuple[Definition, ...]:
    target = r["cycle"]["target_days"]
    within = tuple(
        Definition(
            f"within_{days}",
            f"Completed within {days} days",
            "percent",
            f"Share of the {CLOSED_IN_WINDOW} that became final within {days} days of the "
            f"period's end (or cancellation)."
            + (f" The department's target is {target} days." if days == target else ""),
        )
        for days in r["cycle"]["within_days"]
    )
    return (
        Definition(
            "cycle_median",
            "Cycle time, median",
            "days",
            "Whole days from the period's end (or its cancellation) to the day the result became "
            f"final, over the {CLOSED_IN_WINDOW}: the middle value (the mean of the two middle "
            "values when their count is even).",
        ),
        Definition(
            "cycle_p90",
            "Cycle time, 90th percentile",
            "days",
            "The cycle time that 90 % of the same audits met or beat (nearest rank).",
        ),
        *within,
    )


def _rates() -> tuple[Definition, ...]:
    due = "audits due in the window (due date between its first and last day)"
    return (
        Definition(
            "completion_rate",
            "Completion rate",
            "percent",
            f"Completed ÷ {due}, waived audits left out of both.",
        ),
        Definition("waived_rate", "Waived rate", "percent", f"Waived ÷ all {due}."),
        Definition(
            "estimated_rate",
            "Estimated (non-compliance) rate",
            "percent",
            f"Closed on an estimate because records were not provided ÷ {due}, waived audits "
            "left out of both.",
        ),
    )


def _backlog(r: dict[str, Any]) -> tuple[Definition, ...]:
    limits = r["backlog"]["age_limits"]
    bands = ", ".join(band_labels(limits))
    return (
        Definition(
            "backlog",
            "Open audits",
            "count",
            "Audits not yet final, revised or reversed when the figures were last rebuilt, by "
            f"status and by days past the period's end ({bands}).",
        ),
        Definition(
            "overdue",
            "Overdue",
            "count",
            "Open audits whose due date has passed.",
        ),
        Definition(
            "billing_waiting",
            "Billing instructions waiting for delivery",
            "count",
            "Instructions released to billing that the billing system has not yet acknowledged "
            "(counted live, not from the rebuilt figures).",
        ),
    )


def _premium() -> tuple[Definition, ...]:
    over = f"over the {CLOSED_IN_WINDOW}, from each audit's reviewed (pinned) result"
    return (
        Definition(
            "ap_count", "Additional premium: audits", "count", f"Results owing more, {over}."
        ),
        Definition(
            "ap_dollars",
            "Additional premium: dollars",
            "usd",
            f"The sum of the additional premium, {over}.",
        ),
        Definition("rp_count", "Return premium: audits", "count", f"Results owed back, {over}."),
        Definition(
            "rp_dollars",
            "Return premium: dollars",
            "usd",
            f"The sum of the return premium (shown as a negative amount), {over}.",
        ),
        Definition(
            "net_ap_share",
            "Net additional premium, share of estimated",
            "percent",
            f"(Additional − return premium) ÷ estimated (deposit) premium, {over}.",
        ),
    )


def _variance(r: dict[str, Any]) -> tuple[Definition, ...]:
    low, high = r["variance"]["low_percent"], r["variance"]["high_percent"]
    return (
        Definition(
            "variance_in_band",
            f"Exposure within {low}–{high} % of the estimate",
            "percent",
            "Audited ÷ estimated exposure for each state and class of the "
            f"{CLOSED_IN_WINDOW}: the share of those class lines from {low} % to {high} %. "
            "Classes with nothing estimated are left out.",
        ),
    )


def _quality() -> tuple[Definition, ...]:
    return (
        Definition(
            "dispute_rate",
            "Dispute rate",
            "percent",
            "Disputes opened ÷ results released to billing in the window.",
        ),
        Definition(
            "revision_rate",
            "Revision rate",
            "percent",
            f"Results later revised ÷ the {CLOSED_IN_WINDOW}.",
        ),
        Definition(
            "reversal_rate",
            "Reversal rate",
            "percent",
            f"Results later reversed ÷ the {CLOSED_IN_WINDOW}.",
        ),
        Definition(
            "review_median_days",
            "Time in review, median",
            "days",
            f"Days each of the {CLOSED_IN_WINDOW} spent waiting for a reviewer (its adjustment "
            "was above its preparer's authority), all its stays together.",
        ),
        Definition(
            "returned_rate",
            "Returned by a reviewer",
            "percent",
            "Audits a reviewer sent back to their preparer at least once ÷ the audits that went "
            "to review, among the audits that became final in the window.",
        ),
    )


def _outreach() -> tuple[Definition, ...]:
    released = "results released to billing in the window"
    return (
        Definition(
            "explained_before_billing",
            "Explained before billing",
            "percent",
            f"Share of the {released} that someone explained to the insured or agent (an "
            "outreach call or e-mail that reached them) before the release.",
        ),
        Definition(
            "attempts_per_result",
            "Outreach attempts per result",
            "ratio",
            f"Outreach attempts (calls and e-mails) ÷ the {released}.",
        ),
        Definition(
            "release_median_days",
            "Time to release, median",
            "days",
            f"Days from the result becoming final to its release to billing, over the {released}.",
        ),
    )


def band_labels(limits: list[int]) -> list[str]:
    """Age bands in words from their upper limits: [30, 60, 90] → 0–30 days, 31–60 days,
    61–90 days, over 90 days."""
    labels, low = [], 0
    for limit in limits:
        labels.append(f"{low}–{limit} days")
        low = limit + 1
    labels.append(f"over {limits[-1]} days")
    return labels
