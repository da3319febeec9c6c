"""The figures' rebuild feeds the underwriter's referrals: a class audited outside the variance
band is referred with its reason, from the same rows the dashboard counts."""

from __future__ import annotations

from tests.reporting.conftest import TODAY, Book, on
from trueup.flows.queues import referral_rows, underwriting_queue
from trueup.reporting import figures


def test_after_a_rebuild_the_classes_outside_the_band_and_the_estimate_are_referred(
    book: Book,
) -> None:
    with on(TODAY):
        figures.refresh()
        rows = referral_rows(underwriting_queue(book.manager))
    referred = {row.audit.pk: row.reasons for row in rows}
    a = book.audits
    assert list(referred) == [a[n].pk for n in ("a5", "a4", "a3", "a2", "a1")]
    assert referred[a["a4"].pk] == [
        "IN 5645: audited 200,000 against 350,000 estimated, 57% of the estimate (below the "
        "90%–110% band)"
    ]
    assert referred[a["a1"].pk] == [
        "IN 5645: audited 436,500 against 350,000 estimated, 125% of the estimate (above the "
        "90%–110% band)"
    ]
    assert referred[a["a5"].pk] == ["estimated: the insured did not provide records"]
