"""Letters in Spanish for an insured who prefers it: every kind printed to PDF, read back and
fitting the page, with its dates in Spanish words and its dollars as US forms write them; the
archived letter keeps its language, an agent's copy is in the agent's, and staff preview either."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from tests.letters.test_pdf_layout import (  # noqa: F401  (portal: the portal's address)
    LETTER_MARGIN,
    LETTERS,
    WORKSHEET_MARGIN,
    off_the_margins,
    portal,
    results,
    spread_over_three_states,
    text_of,
)
from trueup.accounts.models import Role, User
from trueup.audits.services import audit_rate
from trueup.billing.selectors import dispute_terms
from trueup.core import clock
from trueup.core.pdf import html_to_pdf
from trueup.letters.models import Letter
from trueup.letters.services import letter_render, letter_send
from trueup.letters.worksheet_pdf import worksheet_pdf

pytestmark = pytest.mark.django_db

MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def in_spanish(day: date) -> str:
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


@pytest.fixture
def spanish(insured):
    insured.language = "es"
    insured.save()
    return insured


def what_each_letter_says(kind: str) -> list[str]:
    today = clock.today()
    return {
        "records_request": [
            "Llegó el momento de la auditoría de prima de su póliza de compensación para "
            "trabajadores.",
            "Envíenos por favor estos registros del 1 de enero de 2025 al 1 de enero de 2026:",
            "Registro de nómina Nómina por empleado: pago bruto, horas extra por separado",
            f"Envíe por favor los registros a más tardar el {in_spanish(today + timedelta(30))}.",
        ],
        "reminder_1": [
            f"Le escribimos el {in_spanish(today)} para pedirle registros para la auditoría de "
            "prima de su póliza. Todavía no hemos recibido todo lo que necesitamos.",
        ],
        "reminder_2": ["Este es nuestro segundo recordatorio sobre la auditoría de prima"],
        "reminder_final": [
            f"Si no recibimos los registros a más tardar el {in_spanish(today + timedelta(14))}, "
            "podremos completar la auditoría sin ellos.",
        ],
        "waiver": [
            "La prima estimada de $19,655 cobrada por la póliza se mantiene",
            f"es decir, a más tardar el {in_spanish(today + timedelta(60))}.",
        ],
        "estimated": [
            "Prima estimada cobrada $19,655 Prima según la auditoría estimada $58,965 de la "
            "cual, cargo por incumplimiento $39,310 Prima adicional a pagar $39,310",
        ],
        "results": [
            "Estado Clase Descripción Exposición estimada Exposición auditada Prima estimada "
            "Prima auditada Diferencia",
            "Su prima aumentó $315,424 respecto a la estimación, principalmente por la clase "
            "5645 (Framing and carpentry on houses) en IL.",
            "Se excluyó 1/3 del pago total de horas extra de $48,000 a tiempo y medio: $16,000.",
            "Subcontratista Blue Ridge Excavating and Site Development Company (sin certificado "
            "de seguro): $1,265,000 cobrados como nómina en la clase 5645; no hay registros de la "
            "parte de mano de obra: se cobra el costo total del contrato, $1,265,000.",
            "Subcontratista sin seguro Blue Ridge Excavating and Site Development Company (sin "
            "certificado de seguro): no hay registros de la parte de mano de obra",
        ],
        "dispute_ack": [
            "La parte del ajuste que usted no disputa, $1,575, se debe pagar ahora",
            "Total en disputa $3,000",
        ],
        "dispute_outcome": [
            "Resultado: la auditoría se mantiene",
            "La prima auditada de $791,479 se mantiene, con prima adicional a pagar de $315,424.",
        ],
        "payment_plan": [
            f"Esta carta confirma el plan de pagos acordado el {in_spanish(today)} para la prima "
            "adicional de $2,575",
            "un pago inicial de $575 y 2 cuotas.",
            "Pago inicial 1 de febrero de 2026 $575 Cuota 1 1 de marzo de 2026 $1,000 Cuota 2 1 "
            "de abril de 2026 $1,000 Total $2,575",
        ],
        "policy_changes": [
            "Clase 5190 en KY: The insured now does the electrical work",
            "la exposición auditada superó la estimación en más del 10%.",
        ],
        "future_changes": [
            "para el período que comienza el 1 de enero de 2026.",
            "La nómina estimada de la clase 5645 (Framing and carpentry on houses) en IN cambia "
            "de $350,000 a $436,500, para que coincida con lo que encontró la auditoría.",
            "Su prima estimada sube $310,081 al año.",
        ],
    }[kind]


@pytest.mark.parametrize("kind", list(LETTERS))
def test_every_kind_of_letter_is_written_in_spanish_and_fits_the_page(
    kind, audit, auditor, manager, spanish
):
    extra = LETTERS[kind](audit, auditor, manager)
    audit.refresh_from_db()
    rendered = letter_render(audit=audit, kind=kind, extra=extra)
    data = html_to_pdf(rendered.html)
    text = text_of(data)
    assert rendered.language == "es"
    assert "Auditoría de Prima Departamento de Auditoría de Primas" in text
    assert f"{in_spanish(clock.today())} Hoosier Home Builders LLC Atención:" in text
    assert "Asunto: póliza WC-2025-01001, del 1 de enero de 2025 al 1 de enero de 2026" in text
    assert "Estimado(a) Alexandra Montgomery-Fitzgerald:" in text
    assert "Atentamente, Departamento de Auditoría de Primas" in text
    assert "Página 1 de" in text
    for said in what_each_letter_says(kind):
        assert said in text
    for english in ("Dear ", "Sincerely", "Page 1 of", "Policy WC-2025-01001"):
        assert english not in text
    assert off_the_margins(data, LETTER_MARGIN) == []


def test_the_subject_is_in_the_insured_s_language(audit, auditor, manager, spanish):
    rendered = letter_render(audit=audit, kind="results", extra=results(audit, auditor, manager))
    assert rendered.subject == "Resultados de la auditoría de prima: póliza WC-2025-01001"


def test_an_insured_with_english_gets_the_letter_in_english(audit, auditor, manager, insured):
    rendered = letter_render(audit=audit, kind="results", extra=results(audit, auditor, manager))
    assert rendered.language == "en"
    assert rendered.subject == "Premium audit results: policy WC-2025-01001"
    assert "Your premium rose $315,424 from the estimate, mainly because of class 5645" in (
        text_of(html_to_pdf(rendered.html))
    )


def test_a_letter_is_archived_in_its_language_and_its_cover_note_is_in_it_too(
    audit, auditor, manager, spanish, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    results(audit, auditor, manager)
    mail.outbox.clear()
    letter = letter_send(audit=audit, kind="results", by=auditor, extra=dispute_terms(audit))
    letter.refresh_from_db()
    assert letter.language == "es"
    assert letter.subject == "Resultados de la auditoría de prima: póliza WC-2025-01001"
    assert "Su prima aumentó $315,424 respecto a la estimación" in " ".join(letter.text.split())
    # The agent has no account saying otherwise, so reads English: a copy of their own.
    message, agent_message = mail.outbox
    assert message.to == ["dana@hoosier.example"]
    assert agent_message.to == ["pat@mainstreet.example"]
    assert agent_message.body.startswith("Dear Alexandra Montgomery-Fitzgerald,")
    assert message.body.startswith("Estimado(a) Alexandra Montgomery-Fitzgerald:\n\nAdjuntamos")
    assert "(del 1 de enero de 2025 al 1 de enero de 2026): Resumen de resultados" in message.body


def test_the_agent_s_copy_is_in_the_agent_s_language(
    audit, auditor, manager, spanish, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    User.objects.create_user(
        "pat", email="pat@mainstreet.example", role=Role.AGENT, agency=spanish.agency
    )
    results(audit, auditor, manager)
    letter_send(audit=audit, kind="results", by=auditor, extra=dispute_terms(audit))
    insured_copy, agent_copy = Letter.objects.order_by("id")
    assert (insured_copy.language, insured_copy.recipients) == ("es", ["dana@hoosier.example"])
    assert (agent_copy.language, agent_copy.recipients) == ("en", ["pat@mainstreet.example"])
    assert agent_copy.subject == "Premium audit results: policy WC-2025-01001"
    assert "Your premium rose $315,424" in " ".join(agent_copy.text.split())


def test_an_agent_who_reads_spanish_shares_the_insured_s_spanish_letter(
    audit, auditor, manager, spanish, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    User.objects.create_user("pat", email="PAT@mainstreet.example", role=Role.AGENT, language="es")
    results(audit, auditor, manager)
    letter = letter_send(audit=audit, kind="results", by=auditor, extra=dispute_terms(audit))
    assert Letter.objects.get() == letter
    assert letter.recipients == ["dana@hoosier.example", "pat@mainstreet.example"]


def test_staff_preview_a_letter_in_either_language(client, audit, auditor, manager, insured):
    results(audit, auditor, manager)
    client.force_login(auditor)
    url = reverse("billing:letter_preview", args=[audit.pk, "results"])
    english = client.get(url).content.decode()
    assert "Premium audit results: policy WC-2025-01001" in english
    assert "<dt>Sent in</dt><dd>English, the insured's preferred language" in english
    spanish = client.get(url, {"language": "es"}).content.decode()
    assert "Resultados de la auditoría de prima: póliza WC-2025-01001" in spanish
    assert "Su prima aumentó $315,424 respecto a la estimación" in spanish
    assert '<option value="es" selected>Español</option>' in spanish


def test_the_worksheet_is_written_in_spanish_and_fits_the_page(audit, auditor, spanish):
    data = worksheet_pdf(audit, audit_rate(audit=spread_over_three_states(audit), by=auditor))
    text = text_of(data)
    for said in (
        "Hoja de cálculo de la auditoría de prima Asegurado Hoosier Home Builders LLC",
        "Período de la póliza 1 de enero de 2025 – 1 de enero de 2026",
        "Prima auditada de $791,479 − prima estimada de $476,055 = $315,424: prima adicional.",
        "KY crew 8810: pago bruto de $1,849,567.89 Se excluyó 1/3 del pago total de horas extra "
        "de $48,000 a tiempo y medio: $16,000",
        "vigente desde el 1 de enero de 1990",
        "Alexandra Montgomery-Fitzgerald (funcionario ejecutivo), incluido (en este estado, este "
        "cargo está incluido de forma predeterminada): pago real de $310,000 (el libro de reglas "
        "no fija límites)",
        "Clase 8810: $2,143,567.89 × 0.160 por cada $100 de nómina = $3,429.71",
        "Prima según el manual de $27,575.30: la suma de nómina × tarifa ÷ 100 de cada clase",
        "Modificación por experiencia: $27,575.30 × 0.92 = $25,369.28",
        "Cargo fijo por gastos de $160 (el más alto de los estados de la póliza, cobrado una sola "
        "vez)",
        "1 de agosto de 2025 – 30 de septiembre de 2025 no hay en el archivo",
        "Página 1 de 6",
    ):
        assert said in text
    assert off_the_margins(data, WORKSHEET_MARGIN) == []


def test_staff_see_the_language_each_letter_was_written_in(
    client, audit, auditor, manager, spanish, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    results(audit, auditor, manager)
    letter_send(audit=audit, kind="results", by=auditor, extra=dispute_terms(audit))
    client.force_login(auditor)
    page = " ".join(client.get(reverse("audits:audit", args=[audit.pk])).content.decode().split())
    assert "to dana@hoosier.example · in Español</li>" in page
    assert "to pat@mainstreet.example · in English</li>" in page
