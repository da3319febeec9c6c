"""Reads for endorsements: a period's terms as the engine rates them, the estimated premium of
those terms, and which periods and endorsements a user may see."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from trueup.accounts.models import User
from trueup.audits.worksheet import engine_mods, period_worksheet
from trueup.endorsements.models import Endorsement, EndorsementStatus, Kind
from trueup.policies.models import PolicyPeriod
from trueup.rating import rate_worksheet
from trueup.rating import worksheet as ws
from trueup.rating.money import cents
from trueup.reference.selectors import rates_in_use

# The kinds whose premium effect billing hears of (an insured's details change no premium).
PREMIUM_KINDS = frozenset(Kind.values) - {Kind.INSURED_CORRECTION}


def key(state: str, class_code: str) -> str:
    """An estimate row's name in an endorsement's before and after: "IN 5645"."""
    return f"{state} {class_code}"


@dataclass(frozen=True)
class Terms:
    """What of a period an endorsement changes: the estimate rows by state and class, the
    states, the experience mods, the schedule rating by state and the insured's details."""

    states: list[str]
    estimates: dict[str, dict[str, str]]
    experience_mods: list[dict[str, Any]]
    schedule: dict[str, str]
    insured: dict[str, str]
    # What an endorsement touched, to show and apply only those parts.
    touched: frozenset[str] = field(default_factory=frozenset)

    def exposure(self, state: str, class_code: str) -> Decimal:
        row = self.estimates.get(key(state, class_code))
        return Decimal(row["exposure"]) if row else Decimal(0)

    def with_estimate(self, state: str, class_code: str, exposure: Decimal | None) -> Terms:
        rows = dict(self.estimates)
        where = key(state, class_code)
        basis = rows.get(where, {}).get("basis", "payroll")
        if exposure is None or exposure <= 0:
            rows.pop(where, None)
        else:
            rows[where] = {"basis": basis, "exposure": str(cents(exposure))}
        return replace(self, estimates=rows, touched=self.touched | {f"estimates:{where}"})

    def with_state(self, state: str) -> Terms:
        return replace(self, states=[*self.states, state], touched=self.touched | {"states"})

    def without_state(self, state: str) -> Terms:
        states = [s for s in self.states if s != state]
        return replace(self, states=states, touched=self.touched | {"states"})

    def with_mod(self, factor: Decimal | None, state: str | None, effective: date) -> Terms:
        # For a year's rating the new factor stands for the whole term; the period keeps it
        # from its effective date (``blended``).
        mods = [m for m in self.experience_mods if m.get("state") != state]
        mod: dict[str, Any] = {"factor": str(factor), "effective": effective.isoformat()}
        if state:
            mod["state"] = state
        return replace(self, experience_mods=[*mods, mod], touched=self.touched | {"mods"})

    def with_schedule(self, state: str, factor: Decimal | None) -> Terms:
        schedule = {**self.schedule, state: str(factor)}
        return replace(self, schedule=schedule, touched=self.touched | {"schedule"})

    def with_insured(self, fields: dict[str, str]) -> Terms:
        return replace(self, insured={**self.insured, **fields}, touched=self.touched | {"insured"})

    def _parts(self, touched: frozenset[str]) -> dict[str, Any]:
        shown: dict[str, Any] = {}
        rows = [t.split(":", 1)[1] for t in sorted(touched) if t.startswith("estimates:")]
        if rows:
            shown["estimates"] = {where: self.estimates.get(where) for where in rows}
        if "states" in touched:
            shown["states"] = self.states
        if "mods" in touched:
            shown["experience_mods"] = self.experience_mods
        if "schedule" in touched:
            shown["schedule_rating"] = self.schedule
        if "insured" in touched:
            shown["insured"] = self.insured
        return shown

    def shown(self, after: Terms) -> dict[str, Any]:
        """These terms (before), in the parts ``after`` changes."""
        return self._parts(after.touched)

    def blended(self, after: Terms, period: PolicyPeriod, effective: date) -> dict[str, Any]:
        """The parts ``after`` changes, as the period keeps them for its term: an estimate row
        changed mid-term holds the old exposure until the effective date and the new one after
        (pro rata by days), a mod is kept from its effective date; a state with exposure left on
        it stays on the period."""
        shown = after._parts(after.touched)
        days = (period.expiration - period.effective).days
        left = (coverage_ends(period) - effective).days
        for where, row in shown.get("estimates", {}).items():
            old = self.estimates.get(where)
            old_amount = Decimal(old["exposure"]) if old else Decimal(0)
            new_amount = Decimal(row["exposure"]) if row else Decimal(0)
            term = cents(old_amount + (new_amount - old_amount) * left / days)
            basis = (row or old or {}).get("basis", "payroll")
            shown["estimates"][where] = (
                {"basis": basis, "exposure": str(term)} if term > 0 else None
            )
        if "states" in shown:
            kept = {where.split(" ")[0] for where, row in shown.get("estimates", {}).items() if row}
            shown["states"] = [s for s in self.states if s in kept or s in after.states] + [
                s for s in after.states if s not in self.states
            ]
        if "experience_mods" in shown and effective != period.effective:
            shown["experience_mods"] = [
                *self.experience_mods,
                *[m for m in after.experience_mods if m not in self.experience_mods],
            ]
        return shown


def coverage_ends(period: PolicyPeriod) -> date:
    """The day coverage ends: the cancellation date of a cancelled period, else expiration. A
    change mid-term is in force from its effective date to here."""
    return period.cancellation_date or period.expiration


def terms_of(period: PolicyPeriod) -> Terms:
    insured = period.policy.insured
    return Terms(
        states=list(period.states),
        estimates={
            key(e.state, e.class_code): {"basis": e.basis, "exposure": str(e.exposure)}
            for e in period.estimates.order_by("id")
        },
        experience_mods=list(period.experience_mods),
        schedule=schedule_in_force(period),
        insured={"name": insured.name, "fein": insured.fein, "entity_type": insured.entity_type},
    )


def schedule_in_force(period: PolicyPeriod) -> dict[str, str]:
    """The schedule rating by state, as the issued endorsements left it (the period keeps none
    of its own)."""
    schedule: dict[str, str] = {}
    issued = Endorsement.objects.filter(
        period=period, kind=Kind.SCHEDULE_RATING_CHANGE, status=EndorsementStatus.ISSUED
    ).order_by("id")
    for endorsement in issued:
        schedule.update(endorsement.after.get("schedule_rating", {}))
    return {state: factor for state, factor in schedule.items() if factor is not None}


def worksheet_of(period: PolicyPeriod, terms: Terms) -> ws.Worksheet:
    """The worksheet of a period's estimate on ``terms``, with no audited facts: the period as
    the engine reads it, for a whole year (no cancellation), with the terms in its place."""
    policy = replace(
        period_worksheet(period).policy,
        states=tuple(terms.states),
        insured_name=terms.insured.get("name", ""),
        experience_mods=engine_mods(terms.experience_mods),
        schedule_rating=tuple(
            ws.ScheduleRating(state, Decimal(factor))
            for state, factor in sorted(terms.schedule.items())
        ),
        cancellation=None,
    )
    estimates = tuple(
        ws.Estimate(state, code, Decimal(row["exposure"]), row["basis"])
        for (state, code), row in _rows(terms)
    )
    return ws.Worksheet(policy, estimates, ws.AuditFacts())


def _rows(terms: Terms) -> list[tuple[tuple[str, str], dict[str, str]]]:
    rows = []
    for where, row in terms.estimates.items():
        state, code = where.split(" ")
        rows.append(((state, code), row))
    return rows


def estimated_premium(period: PolicyPeriod, terms: Terms) -> Decimal:
    """The engine's estimated premium for a year on ``terms``, with the rate table in use."""
    return rate_worksheet(worksheet_of(period, terms), rates=rates_in_use()).estimated_premium


def officer_payroll(
    period: PolicyPeriod, terms: Terms, owner: ws.Owner
) -> tuple[Decimal, list[str]]:
    """The payroll an officer or owner counts for in their class, as the engine rates it with the
    state's limits (a minimum and a maximum a year), and the engine's reasons."""
    worksheet = replace(worksheet_of(period, terms), audited=ws.AuditFacts(owners=(owner,)))
    result = rate_worksheet(worksheet, rates=rates_in_use())
    lines = [
        line
        for line in result.audited.exposures
        if (line.state, line.class_code) == (owner.state, owner.class_code)
    ]
    amount = sum((line.amount for line in lines), Decimal(0))
    return cents(amount), [reason.text for line in lines for reason in line.reasons]


def periods_visible_to(user: User) -> QuerySet[PolicyPeriod]:
    """Every period for the department's own staff; those with an audit assigned to the firm
    for a vendor's auditor; none for an inactive account or a portal user."""
    periods = PolicyPeriod.objects.all()
    if not user.is_active or user.is_portal_user:
        return periods.none()
    if user.vendor_id is not None:
        return periods.filter(audits__vendor_id=user.vendor_id).distinct()
    return periods


def endorsements_of(period: PolicyPeriod) -> QuerySet[Endorsement]:
    return (
        Endorsement.objects.filter(period=period)
        .select_related("made_by")
        .order_by("effective", "id")
    )


def premium_endorsements(period: PolicyPeriod) -> QuerySet[Endorsement]:
    """The issued endorsements of the period that change premium (correcting ones included),
    for billing."""
    return (
        Endorsement.objects.filter(
            period=period,
            kind__in=sorted(PREMIUM_KINDS),
            status__in=[EndorsementStatus.ISSUED, EndorsementStatus.REVERSED],
        )
        .exclude(premium_effect=0)
        .order_by("effective", "id")
    )
