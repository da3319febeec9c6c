"""Unit statistical reports kept, read back, corrected, answered by the bureau and replaced; the
reports due; a policy that lacks what its report needs, named with the reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings

from trueup.accounts.models import User
from trueup.audits import services as audit_services
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.core.errors import InvalidInput, Refused
from trueup.rating.rates import RateTable
from trueup.reporting.models import StatReport, StatStatus
from trueup.reporting.statistical import batch, layout, records, selectors, services
from trueup.reporting.statistical.generate import Unreportable

DEMO_RATES = Path(__file__).resolve().parents[3] / "trueup" / "rating" / "rates" / "demo_rates.csv"


def estimated(audit: Audit, manager: User) -> Audit:
    audit_services.audit_transition(audit=audit, to=Status.RECORDS_REQUESTED, by=manager)
    return audit_services.audit_estimate(audit=audit, by=manager, reason="no records came")


def test_the_parser_reads_every_field_of_a_generated_file_back(
    completed: Audit, manager: User
) -> None:
    report = services.report_generate(period=completed.period, state="IN", by=manager)
    read = records.read_file(layout.load(date(2025, 1, 1)), bytes(report.content))
    kinds = [kind for kind, _ in read]
    assert kinds == ["file_control", "header", "name", "address"] + ["exposure"] * 4 + [
        "unit_totals"
    ]
    control, header, name, address = (fields for _, fields in read[:4])
    assert control["carrier_code"] == "12345" and control["bureau"] == "ICRB"
    assert control["file_date"] == date(2026, 9, 15) and control["record_count"] == "00000008"
    assert header == {
        "record_type": "01",
        "carrier_code": "12345",
        "policy_number": "WC-2025-01001",
        "policy_effective_date": date(2025, 1, 1),
        "report_level": "01",
        "correction_sequence": None,
        "correction_type": None,
        "replacement_code": None,
        "state": "IN",
        "policy_expiration_date": date(2026, 1, 1),
        "estimated_audit_code": "A",
    }
    assert name["insured_name"] == "HOOSIER HOME BUILDERS LLC" and name["fein"] == "351234567"
    assert address["address"] == "120 MONUMENT CIRCLE, INDIANAPOLIS, IN 46204"
    exposure = read[4][1]
    assert {k: exposure[k] for k in list(exposure)[6:]} == {
        "state": "IN",
        "class_code": "5645",
        "exposure_act_code": "01",
        "exposure_coverage_code": "01",
        "exposure_amount": Decimal("436500.00"),
        "manual_rate": Decimal("6.2980"),
        "premium": Decimal("27490.77"),
        "experience_mod": Decimal("0.920"),
        "experience_mod_effective_date": date(2025, 1, 1),
        "rate_effective_date": date(2025, 1, 1),
    }
    # What the report kept to compare later results with is what the file says.
    assert report.exposures[0] == {
        "state": "IN",
        "class": "5645",
        "exposure": "436500.00",
        "rate": "6.298",
        "premium": "27490.77",
        "rate_effective": "2025-01-01",
        "mod": "0.92",
        "mod_effective": "2025-01-01",
    }
    totals = read[-1][1]
    assert totals["total_premium"] == Decimal("27674.86")
    assert totals["record_count"] == "0008"


def test_an_estimated_audit_is_marked_estimated_and_implies_no_experience_rating(
    audit: Audit, manager: User
) -> None:
    estimated(audit, manager)
    report = services.report_generate(period=audit.period, state="IN", by=manager)
    read = records.read_file(layout.load(date(2025, 1, 1)), bytes(report.content))
    assert report.estimated is True
    assert read[1][1]["estimated_audit_code"] == "E"
    exposures = [fields for kind, fields in read if kind == "exposure"]
    assert all(e["experience_mod"] is None for e in exposures)
    assert all(e["experience_mod_effective_date"] is None for e in exposures)


def test_a_final_audit_replacing_the_reported_estimate_is_a_correction(
    audit: Audit, manager: User
) -> None:
    estimated(audit, manager)
    services.report_generate(period=audit.period, state="IN", by=manager)
    revision = audit_services.audit_revise(audit=audit, by=manager, reason="records came")
    audit_services.audit_submit(audit=revision, by=manager)
    [pending] = selectors.corrections_pending()
    assert pending.reason == "a final audit replaced the reported estimated exposure"
    correction = services.correction_generate(period=audit.period, state="IN", by=manager)
    assert (correction.correction_sequence, correction.correction_type) == ("1", "E")
    assert correction.estimated is False
    assert correction.exposures[0]["mod"] == "0.92"
    assert selectors.corrections_pending() == []


def test_a_revised_mod_is_a_correction_and_the_sequence_goes_on(
    completed: Audit, manager: User
) -> None:
    services.report_generate(period=completed.period, state="IN", by=manager)
    assert selectors.corrections_pending() == []
    with pytest.raises(Refused, match="the reported exposure still stands"):
        services.correction_generate(period=completed.period, state="IN", by=manager)
    period = completed.period
    for n, factor in enumerate(["0.95", "0.97"], start=1):
        period.experience_mods = [{"factor": factor, "effective": "2025-01-01"}]
        period.save()
        [pending] = selectors.corrections_pending()
        assert pending.reason == "the experience mod was revised"
        correction = services.correction_generate(period=period, state="IN", by=manager)
        assert correction.correction_sequence == str(n)
        assert {row["mod"] for row in correction.exposures} == {factor, None}


def test_a_report_is_sent_answered_and_a_rejected_one_replaced_with_the_replacement_code(
    completed: Audit, manager: User
) -> None:
    report = services.report_generate(period=completed.period, state="IN", by=manager)
    with pytest.raises(Refused, match="cannot become rejected"):
        services.report_move(report=report, to=StatStatus.REJECTED, by=manager, note="x")
    sent = services.report_move(report=report, to=StatStatus.SENT, by=manager)
    assert sent.sent_at is not None
    with pytest.raises(Refused, match="say why the bureau rejected"):
        services.report_move(report=sent, to=StatStatus.REJECTED, by=manager)
    rejected = services.report_move(
        report=sent, to=StatStatus.REJECTED, by=manager, note="E123 policy number not found"
    )
    assert [c.to_status for c in rejected.changes.all()] == ["sent", "rejected"]

    replacement = services.report_replace(report=rejected, by=manager)

    assert replacement.replacement_code == "R"
    assert replacement.replaces == rejected
    assert replacement.correction_sequence == ""
    header = bytes(replacement.content).decode("ascii").splitlines()[1]
    assert header[33:36] == "  R"  # sequence, correction type, replacement code
    assert bytes(rejected.content) == bytes(report.content)  # kept as sent
    with pytest.raises(Refused, match="already replaced"):
        services.report_replace(report=rejected, by=manager)
    assert selectors.latest_report(completed.period, "IN") == replacement


def test_reports_due_in_a_month_are_listed_with_their_bureau(completed: Audit) -> None:
    period = completed.period
    period.states = ["IN", "OH"]
    period.save()
    due = list(selectors.reports_due(date(2026, 9, 1), date(2026, 9, 30)))
    assert [(d.state, d.bureau, d.due_on, d.report_id) for d in due] == [
        ("IN", "ICRB", date(2026, 9, 30), None),
        ("OH", "", date(2026, 9, 30), None),
    ]
    assert list(selectors.reports_due(date(2026, 10, 1), date(2026, 10, 31))) == []


def test_a_policy_without_a_carrier_code_is_listed_with_the_reason_and_no_file_is_written(
    completed: Audit,
) -> None:
    with override_settings(TRUEUP_CARRIER_CODE=""):
        run = batch.reports_generate_due(due_from=date(2026, 9, 1), due_to=date(2026, 9, 30))
    assert run.generated == 0
    assert run.problems == [
        {
            "policy": "WC-2025-01001",
            "period": completed.period.pk,
            "state": "IN",
            "reason": "no carrier code: set TRUEUP_CARRIER_CODE to the five-digit code NCCI "
            "assigned",
        }
    ]
    assert StatReport.objects.count() == 0


def test_a_class_not_in_the_states_code_system_is_listed_and_no_file_is_written(
    completed: Audit, manager: User
) -> None:
    text = DEMO_RATES.read_text()
    without = "\n".join(line for line in text.splitlines() if not line.startswith("IN,WC,8810"))
    rates = RateTable.from_csv_text(without, "without-8810")
    with pytest.raises(Unreportable, match="class 8810 is not in IN's class code system"):
        services.report_generate(period=completed.period, state="IN", by=manager, rates=rates)
    assert StatReport.objects.count() == 0


def test_the_batch_generates_each_report_due_once(completed: Audit) -> None:
    run = batch.reports_generate_due(due_from=date(2026, 9, 1), due_to=date(2026, 9, 30))
    assert (run.status, run.generated, run.problems) == ("done", 1, [])
    again = batch.reports_generate_due(due_from=date(2026, 9, 1), due_to=date(2026, 9, 30))
    assert again.generated == 0
    assert StatReport.objects.count() == 1
    with pytest.raises(Refused, match="already generated"):
        services.report_generate(period=completed.period, state="IN", by=None)


def test_a_monopolistic_fund_state_gets_no_report(completed: Audit, manager: User) -> None:
    with pytest.raises(Unreportable, match="OH is a monopolistic state fund state"):
        services.report_generate(period=completed.period, state="OH", by=manager)


def test_the_bureaus_answers_are_imported_all_or_nothing_naming_each_bad_row(
    completed: Audit, manager: User
) -> None:
    report = services.report_generate(period=completed.period, state="IN", by=manager)
    services.report_move(report=report, to=StatStatus.SENT, by=manager)
    bad = f"digest,status,note\n{report.digest},rejected,\n{'0' * 64},accepted,\n"
    with pytest.raises(InvalidInput) as found:
        services.answers_import(text=bad, by=manager)
    assert [(p.path, p.reason) for p in found.value.problems] == [
        ("row 2.note", "say why the bureau rejected the report"),
        ("row 3.digest", f"no report was sent with digest {'0' * 64}"),
    ]
    assert StatReport.objects.get().status == "sent"

    good = f"digest,status,note\n{report.digest},Accepted with warnings,W07 class 5645\n"
    [answered] = services.answers_import(text=good, by=manager)

    assert (answered.status, answered.bureau_note) == ("accepted_warnings", "W07 class 5645")
