"""The one loader of the apps' rule data: dated editions, the approved one in force is used."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from trueup.core import clock, ruledata
from trueup.core.ruledata import RuleDataError

TWO_EDITIONS = """
[[edition]]
effective = 2024-01-01
source = "The carrier's first dispute window"
status = "approved"
[edition.disputes]
default_days = 30
growth = 1.10

[[edition]]
effective = 2025-07-01
source = "The carrier's decision to allow 45 days"
status = "approved"
[edition.disputes]
default_days = 45
growth = 1.25

[[edition]]
effective = 2025-10-01
source = "A change still under discussion"
status = "proposed"
[edition.disputes]
default_days = 90
growth = 2.0
"""


def write(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_edition_in_force_on_the_day_is_the_latest_approved_one_effective_by_then(
    tmp_path: Path,
) -> None:
    data = ruledata.load(write(tmp_path, TWO_EDITIONS))
    assert data.on(date(2024, 1, 1))["disputes"]["default_days"] == 30
    assert data.on(date(2025, 6, 30))["disputes"]["default_days"] == 30
    assert data.on(date(2025, 7, 1))["disputes"]["default_days"] == 45


def test_a_proposed_edition_is_never_used_even_after_its_date(tmp_path: Path) -> None:
    data = ruledata.load(write(tmp_path, TWO_EDITIONS))
    assert data.on(date(2026, 1, 1)) == {
        "disputes": {"default_days": 45, "growth": Decimal("1.25")}
    }


def test_a_withdrawn_edition_is_never_used(tmp_path: Path) -> None:
    text = TWO_EDITIONS.replace(
        'status = "approved"\n[edition.disputes]\ndefault_days = 45',
        ('status = "withdrawn"\n[edition.disputes]\ndefault_days = 45'),
    )
    data = ruledata.load(write(tmp_path, text))
    assert data.on(date(2026, 1, 1))["disputes"]["default_days"] == 30


def test_numbers_with_a_fraction_are_read_as_decimal_and_whole_numbers_stay_whole(
    tmp_path: Path,
) -> None:
    rules = ruledata.load(write(tmp_path, TWO_EDITIONS)).on(date(2024, 3, 1))["disputes"]
    assert rules["growth"] == Decimal("1.10")
    assert type(rules["growth"]) is Decimal
    assert str(rules["growth"]) == "1.10"
    assert type(rules["default_days"]) is int


def test_a_day_before_every_edition_is_refused_with_the_file_named(tmp_path: Path) -> None:
    path = write(tmp_path, TWO_EDITIONS, "billing.toml")
    with pytest.raises(RuleDataError) as e:
        ruledata.load(path).on(date(2023, 12, 31))
    assert str(e.value) == f"{path}: no approved edition is in force on 2023-12-31"


@pytest.mark.parametrize("field", ["effective", "source", "status"])
def test_an_edition_without_its_date_source_or_status_is_refused_with_the_file_named(
    tmp_path: Path, field: str
) -> None:
    lines = TWO_EDITIONS.splitlines(keepends=True)
    # Drop the field from the second edition only.
    second = [i for i, line in enumerate(lines) if line.startswith(field)][1]
    path = write(tmp_path, "".join(lines[:second] + lines[second + 1 :]), "letters.toml")
    with pytest.raises(RuleDataError) as e:
        ruledata.load(path)
    assert str(e.value) == f"{path}: edition 2 lacks {field}"


def test_an_unknown_status_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TWO_EDITIONS.replace('"proposed"', '"draft"'))
    with pytest.raises(RuleDataError) as e:
        ruledata.load(path)
    assert str(e.value) == (
        f"{path}: edition 3's status must be one of approved, proposed, withdrawn"
    )


def test_rules_outside_an_edition_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[disputes]\ndefault_days = 30\n")
    with pytest.raises(RuleDataError) as e:
        ruledata.load(path)
    assert str(e.value) == f"{path}: no [[edition]] found; rule data is kept as dated editions"


def test_two_approved_editions_from_the_same_day_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TWO_EDITIONS.replace("2025-07-01", "2024-01-01"))
    with pytest.raises(RuleDataError) as e:
        ruledata.load(path)
    assert str(e.value) == f"{path}: two approved editions take effect on the same day"


@pytest.mark.parametrize(
    "name",
    [
        "billing/billing.toml",
        "letters/letters.toml",
        "portal/portal.toml",
        "payroll/reconcile.toml",
        "audits/schedule.toml",
        "reporting/reporting.toml",
        "notifications/notifications.toml",
        "renewals/renewals.toml",
        "premium_reports/premium_reports.toml",
    ],
)
def test_every_app_s_rule_data_has_an_approved_edition_in_force_today(name: str) -> None:
    path = Path(ruledata.__file__).parents[1] / name
    data = ruledata.load(path)
    assert data.editions[0].effective == date(2024, 1, 1)
    assert data.editions[0].status == "approved"
    assert data.on(date(2024, 1, 1)) is data.on(clock.today())
