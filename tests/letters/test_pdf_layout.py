"""Every PDF TrueUp makes fits its page: the worksheet, each kind of letter and the redacted copy
of an upload are read back with pypdf, each run of text placed where the PDF draws it (its start
from the text matrix, its end from the font's glyph widths), and no run may start left of the
left margin, end right of the right margin or fall off the page's top or bottom."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

import pypdf
import pytest
from django.utils import timezone
from pypdf.generic import ArrayObject, DictionaryObject

from tests.letters.test_letters import dispute_of
from trueup.accounts.models import User
from trueup.audits.models import (
    Audit,
    Finding,
    OwnerEntry,
    PayrollEntry,
    ResultSnapshot,
    SubcontractorEntry,
)
from trueup.audits.services import (
    audit_approve,
    audit_estimate,
    audit_rate,
    audit_request_records,
    audit_submit,
    audit_waive,
)
from trueup.audits.workflow import Status
from trueup.billing.models import DisputeStatus, PaymentPlan
from trueup.billing.selectors import dispute_terms
from trueup.core.pdf import html_to_pdf
from trueup.core.redaction import redact
from trueup.core.uploads import Sniffed
from trueup.letters.models import LetterKind
from trueup.letters.services import letter_render
from trueup.letters.worksheet_pdf import worksheet_pdf
from trueup.policies.models import EstimatedExposure, PolicyPeriod
from trueup.renewals.services import recommendation_accept, recommendation_make

pytestmark = pytest.mark.django_db

POINTS_PER_INCH = Decimal(72)
# Each document's page margin, as its style sheet sets it (@page { margin: … }).
WORKSHEET_MARGIN = Decimal("0.6") * POINTS_PER_INCH
LETTER_MARGIN = Decimal("0.8") * POINTS_PER_INCH
REDACTED_MARGIN = Decimal("0.75") * POINTS_PER_INCH
# A glyph's side bearing may reach a hair past its box; anything more is text off the margin.
TOLERANCE = Decimal("0.5")


@dataclass(frozen=True)
class Run:
    """One text-showing operation of a page, in PDF points from the page's bottom-left."""

    page: int
    text: str
    left: Decimal
    right: Decimal
    baseline: Decimal
    size: Decimal


@dataclass(frozen=True)
class Page:
    width: Decimal
    height: Decimal
    runs: list[Run]


def _matrix(values: Any) -> list[Decimal]:
    return [Decimal(str(value)) for value in values]


def _apply(matrix: list[Decimal], x: Decimal, y: Decimal) -> tuple[Decimal, Decimal]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _times(first: list[Decimal], second: list[Decimal]) -> list[Decimal]:
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = second
    return [
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    ]


class _Font:
    """A font as WeasyPrint embeds it, for the width and text of each glyph: composite (Type0,
    Identity-H: two bytes a glyph, widths in /W) or simple (one byte, widths in /Widths)."""

    def __init__(self, font: DictionaryObject) -> None:
        self.widths: dict[int, Decimal] = {}
        if "/DescendantFonts" in font:
            descendant = cast(ArrayObject, font["/DescendantFonts"])[0].get_object()
            self.bytes_per_glyph = 2
            self.default_width = Decimal(str(descendant.get("/DW", 1000)))
            self._read_w(descendant.get("/W", ArrayObject()))
        else:
            self.bytes_per_glyph = 1
            self.default_width = Decimal(0)
            first = int(font.get("/FirstChar", 0))
            for offset, width in enumerate(font.get("/Widths", ArrayObject())):
                self.widths[first + offset] = Decimal(str(width))
        self.text: dict[int, str] = {}
        if "/ToUnicode" in font:
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for glyph, unicode in re.findall(r"<([0-9A-Fa-f]{2,4})>\s*<([0-9A-Fa-f]+)>", cmap):
                self.text[int(glyph, 16)] = bytes.fromhex(unicode).decode("utf-16-be")

    def _read_w(self, entries: ArrayObject) -> None:
        """/W: "first [w1 w2 …]" or "first last w" entries, one after another."""
        index = 0
        while index < len(entries):
            first = int(entries[index])
            following = entries[index + 1]
            if isinstance(following, ArrayObject):
                for offset, width in enumerate(following):
                    self.widths[first + offset] = Decimal(str(width))
                index += 2
            else:
                for glyph in range(first, int(following) + 1):
                    self.widths[glyph] = Decimal(str(entries[index + 2]))
                index += 3

    def glyphs(self, data: bytes) -> list[int]:
        step = self.bytes_per_glyph
        return [int.from_bytes(data[i : i + step], "big") for i in range(0, len(data), step)]


class _Reader:
    """Follows a page's text state through pypdf's operator callback."""

    def __init__(self, page: pypdf.PageObject, number: int) -> None:
        self.number = number
        self.fonts = {
            name: _Font(font.get_object())
            for name, font in cast(DictionaryObject, page["/Resources"]).get("/Font", {}).items()
        }
        self.font: _Font | None = None
        self.size = Decimal(0)
        self.char_spacing = Decimal(0)
        self.scale = Decimal(1)
        self.runs: list[Run] = []

    def operator(self, op: bytes, args: list[Any], cm: Any, tm: Any) -> None:
        if op == b"Tf":
            self.font = self.fonts[args[0]]
            self.size = Decimal(str(args[1]))
        elif op == b"Tc":
            self.char_spacing = Decimal(str(args[0]))
        elif op == b"Tz":
            self.scale = Decimal(str(args[0])) / 100
        elif op in (b"TJ", b"Tj"):
            parts = args[0] if op == b"TJ" else [args[0]]
            self._show(parts, _times(_matrix(tm), _matrix(cm)))

    def _show(self, parts: list[Any], matrix: list[Decimal]) -> None:
        assert self.font is not None, "text shown before a font was set"
        advance = Decimal(0)
        text = []
        for part in parts:
            if isinstance(part, bytes | pypdf.generic.ByteStringObject):
                for glyph in self.font.glyphs(bytes(part)):
                    width = self.font.widths.get(glyph, self.font.default_width)
                    advance += (width / 1000 * self.size + self.char_spacing) * self.scale
                    text.append(self.font.text.get(glyph, "?"))
            else:
                advance -= Decimal(str(part)) / 1000 * self.size * self.scale
        left, baseline = _apply(matrix, Decimal(0), Decimal(0))
        right, _ = _apply(matrix, advance, Decimal(0))
        size = self.size * abs(matrix[3])  # the font size as drawn on the page
        self.runs.append(
            Run(self.number, "".join(text), min(left, right), max(left, right), baseline, size)
        )


def pages_of(data: bytes) -> list[Page]:
    pages = []
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(data)).pages, start=1):
        reader = _Reader(page, number)
        page.extract_text(visitor_operand_before=reader.operator)
        box = page.mediabox
        pages.append(Page(Decimal(str(box.width)), Decimal(str(box.height)), reader.runs))
    return pages


def off_the_margins(data: bytes, margin: Decimal) -> list[str]:
    """Each run of text that is not inside the page's margins left and right, or not on the
    page at all, named with its page and where it runs to."""
    wrong = []
    for page in pages_of(data):
        for run in page.runs:
            if not run.text.strip():
                continue
            if run.right > page.width - margin + TOLERANCE or run.left < margin - TOLERANCE:
                wrong.append(
                    f"page {run.page}: {run.text!r} from x={run.left:.1f} to {run.right:.1f}"
                )
            elif run.baseline - run.size / 4 < 0 or run.baseline + run.size > page.height:
                wrong.append(f"page {run.page}: {run.text!r} off the page at y={run.baseline:.1f}")
    return wrong


def widest(data: bytes) -> Decimal:
    return max(run.right for page in pages_of(data) for run in page.runs)


def text_of(data: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split())
        for page in pypdf.PdfReader(io.BytesIO(data)).pages
    )


# The worksheet -----------------------------------------------------------------------------------

# Descriptions as long as the longest a bureau's class table has.
LONG_DESCRIPTIONS = {
    "5645": "Carpentry: construction of detached one or two family dwellings, not exceeding "
    "three stories in height, including framing, sheathing and finish carpentry",
    "8810": "Clerical office employees, including bookkeepers, payroll clerks and the "
    "office manager, working in the insured's own office",
    "5190": "Electrical wiring within buildings, including the installation of fixtures, "
    "panels and low voltage systems, and the repair of the same",
}


def spread_over_three_states(audit: Audit) -> Audit:
    """The example audit in Indiana, Kentucky and Illinois with payrolls in the millions, an
    officer and a subcontractor: every column as wide as a large audit makes it."""
    period = audit.period
    period.states = ["IN", "KY", "IL"]
    period.save()
    for state in ("KY", "IL"):
        for code, exposure in (("5645", "2750000"), ("5190", "1840000"), ("8810", "615000")):
            EstimatedExposure.objects.create(
                period=period, state=state, class_code=code, exposure=Decimal(exposure)
            )
            PayrollEntry.objects.create(
                audit=audit,
                state=state,
                class_code=code,
                employee=f"{state} crew {code}",
                gross=Decimal(exposure) + Decimal("1234567.89"),
                overtime_total=Decimal("48000"),
                section_125=Decimal("4100"),
            )
    OwnerEntry.objects.create(
        audit=audit,
        name="Alexandra Montgomery-Fitzgerald",
        role="executive_officer",
        state="KY",
        class_code="8810",
        actual_pay=Decimal("310000"),
        ownership_percent=Decimal("60"),
        covered_from=date(2025, 1, 1),
        covered_to=date(2025, 10, 31),
        duties="President, chief estimator and safety director for all field operations",
    )
    SubcontractorEntry.objects.create(
        audit=audit,
        name="Blue Ridge Excavating and Site Development Company",
        state="IL",
        class_code="5645",
        contract_cost=Decimal("1265000"),
        contract_type="equipment_with_operator",
        work_from=date(2025, 8, 1),
        work_to=date(2025, 9, 30),
    )
    return audit


def with_long_descriptions(snapshot: ResultSnapshot) -> ResultSnapshot:
    """The snapshot with its classes described at the length of the longest in a class table.
    The description is the one in the rate reason's source: "rate table <version> (<words>)"."""
    for side in ("audited", "estimated"):
        for state in snapshot.result[side]["states"]:
            for premium in state["classes"]:
                reason = premium.get("reason") or {}
                version = str(reason.get("source", "")).split(" ")[2:3]
                if version and premium["class"] in LONG_DESCRIPTIONS:
                    words = LONG_DESCRIPTIONS[premium["class"]]
                    reason["source"] = f"rate table {version[0]} ({words})"
    # A snapshot is never saved twice: the stored copy is replaced as a new rating would.
    ResultSnapshot.objects.filter(pk=snapshot.pk).update(result=snapshot.result)
    return snapshot


@pytest.fixture
def wide(audit: Audit, auditor: User) -> ResultSnapshot:
    return with_long_descriptions(audit_rate(audit=spread_over_three_states(audit), by=auditor))


def test_the_worksheet_of_the_example_audit_fits_the_page(audit, auditor):
    data = worksheet_pdf(audit, audit_rate(audit=audit, by=auditor))
    assert off_the_margins(data, WORKSHEET_MARGIN) == []


def test_the_worksheet_of_a_wide_multi_state_audit_fits_the_page(audit, wide):
    data = worksheet_pdf(audit, wide, dispute_by=date(2026, 2, 2))
    assert len(pages_of(data)) >= 3  # the tables run over pages: each page is checked
    assert off_the_margins(data, WORKSHEET_MARGIN) == []


def test_the_worksheet_shows_the_difference_column_with_its_figures(audit, wide):
    text = text_of(worksheet_pdf(audit, wide))
    assert (
        "State Class Description Estimated exposure Audited exposure Rate "
        "Estimated premium Audited premium Difference"
    ) in text
    assert (
        "IL 5190 Electrical wiring within buildings, including the installation of fixtures, "
        "panels and low voltage systems, and the repair of the same 1,840,000 3,058,567.89 "
        "3.152 per $100 of payroll $47,864.21 $79,205.37 $31,341.16"
    ) in text
    assert "Total $476,055 $791,479 $315,424" in text


def test_the_worksheet_s_difference_column_is_the_rightmost_and_on_the_page(audit, wide):
    first = pages_of(worksheet_pdf(audit, wide))[0]
    heading = next(run for run in first.runs if run.text == "Difference")
    figure = next(run for run in first.runs if run.text == "$31,341.16")
    audited = next(run for run in first.runs if run.text == "$79,205.37")
    assert audited.right < figure.left
    assert figure.right <= first.width - WORKSHEET_MARGIN
    # Figures are right-aligned under their heading.
    assert abs(heading.right - figure.right) < Decimal("0.5")


# Letters -----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def portal(settings):
    settings.TRUEUP_PORTAL_URL = "https://audit.example.com/"


def approved(audit: Audit, auditor: User, manager: User) -> ResultSnapshot:
    """The wide audit submitted and approved, its final result with the long descriptions."""
    audit_approve(audit=audit_submit(audit=spread_over_three_states(audit), by=auditor), by=manager)
    audit.refresh_from_db()
    assert audit.final_result is not None
    return with_long_descriptions(audit.final_result)


def records_requested(audit, auditor, manager):
    audit_request_records(audit=audit, by=auditor)
    return {}


def reminded_finally(audit, auditor, manager):
    audit_request_records(audit=audit, by=auditor)
    return {"respond_by": timezone.localdate() + timedelta(days=14)}


def waived(audit, auditor, manager):
    Audit.objects.filter(pk=audit.pk).update(status=Status.SCHEDULED)
    audit.refresh_from_db()
    audit_waive(audit=audit, by=manager, reason="small premium")
    return {}


def estimated(audit, auditor, manager):
    audit_request_records(audit=audit, by=auditor)
    audit_estimate(audit=audit, by=auditor, reason="no records after reminders")
    return {}


def results(audit, auditor, manager):
    approved(audit, auditor, manager)
    return dispute_terms(audit)


def dispute_acknowledged(audit, auditor, manager):
    dispute = dispute_of(audit, approved(audit, auditor, manager), auditor)
    return {"dispute": dispute, "undisputed": Decimal("1575.00")}


def dispute_upheld(audit, auditor, manager):
    dispute = dispute_of(
        audit,
        approved(audit, auditor, manager),
        auditor,
        status=DisputeStatus.UPHELD,
        resolution="The overtime was already excluded at time and a half.",
    )
    return {"dispute": dispute}


def plan_agreed(audit, auditor, manager):
    approved(audit, auditor, manager)
    schedule = [{"number": 0, "due": "2026-02-01", "amount": "575.00"}]
    schedule += [{"number": n, "due": f"2026-0{n + 2}-01", "amount": "1000.00"} for n in (1, 2)]
    plan = PaymentPlan.objects.create(
        audit=audit,
        total=Decimal("2575.00"),
        down_payment=Decimal("575.00"),
        instalments=2,
        schedule=schedule,
        agreed_by=manager,
    )
    return {"plan": plan}


def policy_changed(audit, auditor, manager):
    Finding.objects.create(
        audit=audit,
        kind="policy_change",
        state="KY",
        class_code="5190",
        text="The insured now does the electrical work on its houses in Kentucky and Illinois.",
        recommendation="Add class 5190 in Kentucky and Illinois with the payroll found.",
        by=auditor,
    )
    approved(audit, auditor, manager)
    return {}


def renewal_accepted(audit, auditor, manager):
    """The wide audit's renewal recommendation, accepted: its changes in the letter."""
    approved(audit, auditor, manager)
    period = audit.period
    renewal = PolicyPeriod.objects.create(
        policy=period.policy,
        effective=period.expiration,
        expiration=period.expiration.replace(year=period.expiration.year + 1),
        states=period.states,
        experience_mods=period.experience_mods,
    )
    for e in period.estimates.all():
        EstimatedExposure.objects.create(
            period=renewal, state=e.state, class_code=e.class_code, exposure=e.exposure
        )
    made = recommendation_make(audit=Audit.objects.get(pk=audit.pk))
    return {"recommendation": recommendation_accept(recommendation=made, by=manager)}


# What each kind of letter needs before it can be written, and what it is given.
LETTERS = {
    LetterKind.RECORDS_REQUEST: records_requested,
    LetterKind.REMINDER_1: records_requested,
    LetterKind.REMINDER_2: records_requested,
    LetterKind.REMINDER_FINAL: reminded_finally,
    LetterKind.WAIVER: waived,
    LetterKind.ESTIMATED: estimated,
    LetterKind.RESULTS: results,
    LetterKind.DISPUTE_ACK: dispute_acknowledged,
    LetterKind.DISPUTE_OUTCOME: dispute_upheld,
    LetterKind.PAYMENT_PLAN: plan_agreed,
    LetterKind.POLICY_CHANGES: policy_changed,
    LetterKind.FUTURE_CHANGES: renewal_accepted,
}


def test_every_kind_of_letter_is_checked():
    assert set(LETTERS) == set(LetterKind.values)


@pytest.mark.parametrize("kind", list(LETTERS))
def test_every_kind_of_letter_fits_the_page(kind, audit, auditor, manager, insured):
    extra = LETTERS[kind](audit, auditor, manager)
    audit.refresh_from_db()
    data = html_to_pdf(letter_render(audit=audit, kind=kind, extra=extra).html)
    assert off_the_margins(data, LETTER_MARGIN) == []


def test_the_results_letter_shows_the_difference_column_with_its_figures(
    audit, auditor, manager, insured
):
    extra = results(audit, auditor, manager)
    text = text_of(html_to_pdf(letter_render(audit=audit, kind="results", extra=extra).html))
    assert (
        "State Class Description Estimated exposure Audited exposure Estimated premium "
        "Audited premium Difference"
    ) in text
    assert (
        "IL 5190 Electrical wiring within buildings, including the installation of fixtures, "
        "panels and low voltage systems, and the repair of the same 1,840,000 3,058,567.89 "
        "$47,864.21 $79,205.37 $31,341.16"
    ) in text


# Redacted copies of uploads -------------------------------------------------------------------

# A payroll register as a payroll system exports it: a wide landscape page, rows of figures
# with no spaces in them, social security numbers in the second column.
REGISTER_ROWS = [
    "Employee,SSN,Class,Q1gross,Q1overtime,Q2gross,Q2overtime,Q3gross,Q3overtime,Q4gross,"
    "Q4overtime,Section125,401k,Tips,Severance,Reimbursements,Notes",
    *(
        f"Framing crew member {n},123-45-{6780 + n},5645,110000.00,7500.00,110000.00,7500.00,"
        "110000.00,7500.00,110000.00,7500.00,2000.00,600.00,0.00,0.00,1800.00,"
        "overtime-at-time-and-a-half-paid-weekly-by-direct-deposit-to-the-employees-account"
        for n in range(1, 4)
    ),
]


def register_pdf() -> bytes:
    rows = "".join(f"<p>{row}</p>" for row in REGISTER_ROWS)
    return html_to_pdf(
        "<style>@page { size: 30in 8.5in; margin: 0.5in } p { font: 8pt monospace }</style>"
        f"<body>{rows}</body>"
    )


def test_the_redacted_copy_of_a_wide_payroll_register_fits_the_page():
    redaction = redact(register_pdf(), Sniffed("pdf", "application/pdf", "pdf", "register.pdf"))
    assert redaction.found == 3
    assert redaction.redacted is not None
    assert off_the_margins(redaction.redacted, REDACTED_MARGIN) == []
    # Every row is there whole, masked, wherever its lines were broken.
    text = text_of(redaction.redacted).replace(" ", "")
    for row in REGISTER_ROWS:
        assert row.replace("123-45-", "***-**-").replace(" ", "") in text
    assert "123-45-" not in text
