"""The daily batch's bulk path: the same files, byte for byte, as the one-report service; the
policies it cannot report named with the reason and nothing written for them; the batch split
in parts that cover every period once; a retried part that writes nothing new; and the
corrections pending found from the reports' basis digests exactly as by recomputing every
report."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from django.test import override_settings

from tests.reporting.statistical.test_golden import (
    MULTISTATE,
    SINGLE_STATE,
    as_file,
    control,
)
from trueup.accounts.models import User
from trueup.audits import services as audit_services
from trueup.audits.models import Audit, AuditType, ResultSnapshot
from trueup.audits.workflow import Status
from trueup.policies.models import Insured, Policy, PolicyPeriod
from trueup.rating.engine import rate_worksheet
from trueup.rating.jsonio import to_jsonable, worksheet_from_dict
from trueup.rating.rates import demo_rates
from trueup.reference.selectors import rates_in_use
from trueup.reporting import tasks
from trueup.reporting.models import StatReport, StatRun
from trueup.reporting.statistical import batch, generate, rules, selectors, services
from trueup.reporting.statistical.generate import Unreportable

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def september() -> StatRun:
    """The batch of the reports due in September 2026 (the first example's)."""
    return batch.reports_generate_due(due_from=date(2026, 9, 1), due_to=date(2026, 9, 30))


def every(part: int = 0, parts: int = 1) -> StatRun:
    """The batch of every due date of the periods made here (effective 2025-01 to 2025-03)."""
    return batch.reports_generate_due(
        due_from=date(2026, 9, 1), due_to=date(2026, 11, 30), part=part, parts=parts
    )


def pinned(
    number: str,
    result: dict[str, Any],
    *,
    effective: date,
    states: list[str],
    mods: list[dict[str, str]],
    status: str = Status.COMPLETED,
    name: str = "River Valley Mechanical Inc.",
) -> PolicyPeriod:
    """A workers' compensation period whose final audit is closed with ``result`` pinned."""
    insured = Insured.objects.create(name=name, entity_type="corporation")
    policy = Policy.objects.create(insured=insured, number=number, line="WC")
    period = PolicyPeriod.objects.create(
        policy=policy,
        effective=effective,
        expiration=effective.replace(year=effective.year + 1),
        states=states,
        experience_mods=mods,
    )
    closed(period, result, status)
    return period


def closed(period: PolicyPeriod, result: dict[str, Any], status: str = Status.COMPLETED) -> Audit:
    """A final audit of the period, closed with ``result`` pinned."""
    audit = Audit.objects.create(period=period, type=AuditType.FINAL, status=status)
    snapshot = ResultSnapshot.objects.create(
        audit=audit,
        engine_version="test",
        rulebook_version="test",
        rates_version="demo",
        worksheet={},
        result=result,
        estimated_premium=Decimal("0"),
        audited_premium=Decimal("0"),
        adjustment=Decimal("0"),
        outcome="balanced",
    )
    Audit.objects.filter(pk=audit.pk).update(final_result=snapshot)
    return audit


def example_2() -> tuple[dict[str, Any], dict[str, Any]]:
    example = json.loads((EXAMPLES / "02-multistate-officers-subcontractor.json").read_text())
    result = to_jsonable(rate_worksheet(worksheet_from_dict(example), rates=demo_rates()))
    return example["policy"], result


def multistate(number: str = "WC-2025-02002", **how: Any) -> PolicyPeriod:
    """The second example (Indiana and Kentucky, a mod split on 2025-09-01), closed."""
    policy, result = example_2()
    return pinned(
        number,
        result,
        effective=date(2025, 3, 1),
        states=policy["states"],
        mods=policy["experience_mods"],
        **how,
    )


def files() -> dict[tuple[int, str], bytes]:
    return {(r.period_id, r.state): bytes(r.content) for r in StatReport.objects.all()}


def one_by_one(keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], bytes]:
    """The same reports again from the one-report service, after the batch's are deleted."""
    StatReport.objects.all().delete()
    for period_id, state in keys:
        period = PolicyPeriod.objects.get(pk=period_id)
        services.report_generate(period=period, state=state, by=None)
    return files()


@pytest.fixture
def book(completed: Audit, manager: User) -> dict[str, PolicyPeriod]:
    """A mixed book: the first example (one state), the second (two states, a split mod), a
    copy of the second whose audit was estimated, a period with no closed audit, one with a
    class Indiana's code system lacks, and the first example's policy audited in Indiana and
    Ohio (a monopolistic fund state: no report)."""
    policy, result = example_2()
    odd = json.loads(json.dumps(result))
    [indiana] = [s for s in odd["audited"]["states"] if s["state"] == "IN"]
    indiana["classes"][0]["class"] = "0001"
    ohio = completed.period
    ohio.states = ["IN", "OH"]
    ohio.save()
    return {
        "single": ohio,
        "multistate": multistate(),
        "estimated": multistate("WC-2025-02003", status=Status.ESTIMATED),
        "open": multistate("WC-2025-02004", status=Status.IN_PROGRESS),
        "odd": pinned(
            "WC-2025-02005",
            odd,
            effective=date(2025, 2, 1),
            states=["IN"],
            mods=policy["experience_mods"],
        ),
    }


def test_the_batch_writes_the_single_state_golden_file_byte_for_byte(completed: Audit) -> None:
    run = september()
    assert (run.status, run.generated, run.problems) == ("done", 1, [])
    report = StatReport.objects.get()
    assert bytes(report.content) == as_file(SINGLE_STATE)
    assert (report.audit_id, report.result_id) == (completed.pk, completed.final_result_id)
    assert (report.valued_on, report.due_on, report.records) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
        8,
    )


def test_the_batch_writes_the_multistate_split_mod_golden_files_byte_for_byte(db: None) -> None:
    period = multistate()
    run = batch.reports_generate_due(due_from=date(2026, 11, 1), due_to=date(2026, 11, 30))
    assert (run.generated, run.problems) == (2, [])
    written = files()
    assert written == {
        (period.pk, "IN"): as_file([control("ICRB", 9), *MULTISTATE["IN"]]),
        (period.pk, "KY"): as_file([control("NCCI", 7), *MULTISTATE["KY"]]),
    }
    assert one_by_one(written) == written


def test_the_batch_reports_a_revision_that_moved_payroll_as_the_one_report_service_does(
    completed: Audit, manager: User
) -> None:
    revision = audit_services.audit_revise(audit=completed, by=manager, reason="clerical work")
    crew = revision.payroll.get(employee="Finish crew")
    crew.class_code = "8810"
    crew.save()
    audit_services.audit_submit(audit=revision, by=manager)

    september()

    report = StatReport.objects.get()
    assert report.audit_id == revision.pk
    lines = bytes(report.content).decode().splitlines()
    exposures = [line[34:] for line in lines if line[:2] == "04"]
    assert [line[:6] for line in exposures] == ["IN5645", "IN8810", "IN9740", "IN9741"]
    assert exposures[1][10:23] == "+000007175000"  # 8810 with the finish crew's $10,500
    written = files()
    assert one_by_one(written) == written


def test_a_mixed_book_is_written_as_the_one_report_service_writes_it_and_refusals_named(
    book: dict[str, PolicyPeriod],
) -> None:
    run = every()

    written = files()
    assert sorted((PolicyPeriod.objects.get(pk=p).policy.number, s) for p, s in written) == [
        ("WC-2025-01001", "IN"),
        ("WC-2025-02002", "IN"),
        ("WC-2025-02002", "KY"),
        ("WC-2025-02003", "IN"),
        ("WC-2025-02003", "KY"),
    ]
    assert run.generated == 5
    version = rates_in_use().version
    assert run.problems == [
        {
            "policy": "WC-2025-02005",
            "period": book["odd"].pk,
            "state": "IN",
            "reason": f"class 0001 is not in IN's class code system (rate table {version}) "
            "on 2025-02-01",
        },
        {
            "policy": "WC-2025-02004",
            "period": book["open"].pk,
            "state": "IN",
            "reason": "no completed or estimated final audit with a pinned result",
        },
        {
            "policy": "WC-2025-02004",
            "period": book["open"].pk,
            "state": "KY",
            "reason": "no completed or estimated final audit with a pinned result",
        },
    ]
    estimated = StatReport.objects.get(period=book["estimated"], state="KY")
    assert estimated.estimated is True
    assert one_by_one(written) == written
    for name in ("odd", "open"):
        with pytest.raises(Unreportable):
            services.report_generate(period=book[name], state="IN", by=None)
    assert StatReport.objects.filter(period__in=[book["odd"], book["open"]]).count() == 0


def test_without_a_carrier_code_every_policy_is_named_and_no_file_is_written(
    book: dict[str, PolicyPeriod],
) -> None:
    with override_settings(TRUEUP_CARRIER_CODE=""):
        run = every()
    assert run.generated == 0
    no_code = "no carrier code: set TRUEUP_CARRIER_CODE to the five-digit code NCCI assigned"
    assert [(p["policy"], p["state"], p["reason"]) for p in run.problems] == [
        ("WC-2025-01001", "IN", no_code),
        ("WC-2025-02005", "IN", no_code),
        ("WC-2025-02002", "IN", no_code),
        ("WC-2025-02002", "KY", no_code),
        ("WC-2025-02003", "IN", no_code),
        ("WC-2025-02003", "KY", no_code),
        ("WC-2025-02004", "IN", generate.NO_AUDIT),
        ("WC-2025-02004", "KY", generate.NO_AUDIT),
    ]
    assert StatReport.objects.count() == 0


def test_the_parts_of_a_batch_cover_every_period_once_and_write_the_same_files(
    book: dict[str, PolicyPeriod],
) -> None:
    whole = every()
    expected = files()
    StatReport.objects.all().delete()

    runs = []
    for k in range(3):
        before = set(files())
        runs.append(every(part=k, parts=3))
        assert {period_id % 3 for period_id, _ in set(files()) - before} <= {k}
        assert {p["period"] % 3 for p in runs[-1].problems} <= {k}
        assert (runs[-1].part, runs[-1].parts) == (k, 3)

    assert files() == expected
    assert sum(r.generated for r in runs) == whole.generated
    assert sorted((p["period"], p["state"]) for r in runs for p in r.problems) == sorted(
        (p["period"], p["state"]) for p in whole.problems
    )
    with pytest.raises(ValueError, match="part 3 of 3"):
        every(part=3, parts=3)


def test_a_retried_part_writes_nothing_new(book: dict[str, PolicyPeriod]) -> None:
    first = every(part=0, parts=2)
    second = every(part=1, parts=2)
    written = files()
    again = [every(part=k, parts=2) for k in (0, 1)]
    assert first.generated + second.generated == 5
    assert [r.generated for r in again] == [0, 0]
    assert files() == written


def test_a_report_written_meanwhile_by_another_run_is_not_written_twice(
    book: dict[str, PolicyPeriod],
) -> None:
    """Two runs of the same part at once: the second reads the periods due before the first
    writes, then meets the first's reports and writes only the others."""
    services.report_generate(period=book["multistate"], state="IN", by=None)
    read = selectors.reports_due

    def stale(*args: Any, **kwargs: Any) -> Iterator[selectors.Due]:
        return (replace(d, report_id=None) for d in read(*args, **kwargs))

    with patch.object(batch, "reports_due", stale):
        run = every()

    assert run.generated == 4
    assert StatReport.objects.count() == 5
    assert StatReport.objects.filter(period=book["multistate"], state="IN").count() == 1


def recomputed(rates: Any = None) -> list[tuple[int, str]]:
    """The corrections pending as found before the digests: every latest report recomputed."""
    rates = rates or rates_in_use()
    latest: dict[tuple[int, str], StatReport] = {}
    for report in (
        StatReport.objects.filter(report_level=1).exclude(status="rejected").order_by("id")
    ):
        latest[(report.period_id, report.state)] = report
    pending = []
    for report in latest.values():
        try:
            built = generate.content(report.period, report.state, rates=rates)
        except Unreportable as error:
            pending.append((report.pk, f"cannot be corrected: {error.message}"))
            continue
        reason = selectors.correction_reason(report, built)
        if reason:
            pending.append((report.pk, reason))
    return pending


def found() -> list[tuple[int, str]]:
    return [(p.report.pk, p.reason) for p in selectors.corrections_pending()]


def test_the_corrections_pending_are_found_from_the_digests_as_by_recomputing_every_report(
    book: dict[str, PolicyPeriod], completed: Audit, manager: User
) -> None:
    every()
    with patch.object(generate, "content", side_effect=AssertionError("recomputed")):
        assert found() == []  # every basis stands: nothing is recomputed

    # A revision that moves payroll, a revised mod, a final audit replacing the estimate, and a
    # revision whose exposure is the same (a new result, nothing to correct). (Ohio, a state
    # fund state, is taken off the first period: the engine does not rate it.)
    PolicyPeriod.objects.filter(pk=completed.period_id).update(states=["IN"])
    revision = audit_services.audit_revise(audit=completed, by=manager, reason="clerical work")
    crew = revision.payroll.get(employee="Finish crew")
    crew.class_code = "8810"
    crew.save()
    audit_services.audit_submit(audit=revision, by=manager)
    PolicyPeriod.objects.filter(pk=book["multistate"].pk).update(
        experience_mods=[{"factor": "1.05", "effective": "2025-03-01"}]
    )
    Audit.objects.filter(period=book["estimated"]).update(status=Status.COMPLETED)
    same = multistate("WC-2025-02006")
    every()
    closed(same, example_2()[1])

    pending = found()

    assert pending == recomputed()
    reasons = {
        (StatReport.objects.get(pk=pk).period.policy.number, StatReport.objects.get(pk=pk).state): r
        for pk, r in pending
    }
    moved = "a revision moved exposure between classes or changed exposure or premium"
    assert reasons == {
        ("WC-2025-01001", "IN"): moved,
        ("WC-2025-02002", "IN"): "the experience mod was revised",
        ("WC-2025-02002", "KY"): "the experience mod was revised",
        ("WC-2025-02003", "IN"): "a final audit replaced the reported estimated exposure",
        ("WC-2025-02003", "KY"): "a final audit replaced the reported estimated exposure",
    }
    with override_settings(TRUEUP_CARRIER_CODE=""):
        assert found() == recomputed()
        assert len(found()) == 7


def test_a_report_kept_without_a_basis_digest_is_recomputed(completed: Audit) -> None:
    september()
    StatReport.objects.update(basis="")
    recompute = patch.object(generate, "content", side_effect=AssertionError("recomputed"))
    with recompute, pytest.raises(AssertionError, match="recomputed"):
        found()
    assert found() == []
    period = completed.period
    period.experience_mods = [{"factor": "0.95", "effective": "2025-01-01"}]
    period.save()
    [(_, reason)] = found()
    assert reason == "the experience mod was revised"


def test_the_daily_task_splits_the_batch_into_the_parts_statistical_toml_gives(
    book: dict[str, PolicyPeriod], django_capture_on_commit_callbacks: Any
) -> None:
    assert rules.batch_parts(date(2026, 9, 15)) == 1
    with (
        patch.object(rules, "batch_parts", lambda today: 3),
        django_capture_on_commit_callbacks(execute=True),
    ):
        done = tasks.generate_stat_reports.call("2026-09-01", "2026-11-30")
    assert done == {"parts": 3}
    runs = list(StatRun.objects.order_by("part"))
    assert [(r.part, r.parts, r.due_from, r.due_to) for r in runs] == [
        (k, 3, date(2026, 9, 1), date(2026, 11, 30)) for k in range(3)
    ]
    assert sum(r.generated for r in runs) == 5
    assert StatReport.objects.count() == 5
