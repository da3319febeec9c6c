"""The portal in Spanish on a 390 px phone, in a real browser: an insured who prefers Spanish
accepts the invitation, finds the audit, completes the self-audit step by step, reads the
glossary and switches back to English. Every page is in Spanish, passes axe-core and does not
scroll sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser import assert_accessible
from tests.portal.conftest import GOOD_PASSWORD
from tests.portal.test_browser import fill_section_ii, media  # noqa: F401  # the upload folder
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.policies.models import Insured
from trueup.portal.services import IssuedInvitation, invitation_issue

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def invited_in_spanish(requested: Audit, auditor: User) -> IssuedInvitation:
    """The insured prefers Spanish, so the invitation staff send is in Spanish."""
    Insured.objects.filter(pk=requested.period.policy.insured_id).update(language="es")
    issued = invitation_issue(audit=Audit.objects.get(pk=requested.pk), by=auditor)
    assert issued is not None and issued.invitation.language == "es"
    return issued


def check(page: Page, name: str) -> None:
    """In Spanish, accessible, and no wider than the phone."""
    assert page.get_attribute("html", "lang") == "es", f"{name}: not in Spanish"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page is {width}px wide on a 390px screen"
    assert_accessible(page, name)


@pytest.mark.django_db(transaction=True)
def test_an_insured_uses_the_whole_portal_in_spanish_on_a_phone_and_switches_back_to_english(
    browser: Browser,
    live_server: object,
    invited_in_spanish: IssuedInvitation,
    media: Path,  # noqa: F811
) -> None:
    audit = invited_in_spanish.invitation.audit
    assert audit is not None
    base = str(live_server)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()

    # The invitation opens in the invitation's language.
    page.goto(f"{base}/portal/invitations/{invited_in_spanish.token}/")
    expect(page.locator("h1")).to_have_text("Configure su acceso")
    expect(page.locator("label[for=pin]")).to_have_text("PIN")
    expect(page.locator("label[for=password_again]")).to_have_text("Repita la contraseña")
    check(page, "invitation")
    page.fill("#pin", invited_in_spanish.pin)
    page.fill("#username", "dana")
    page.fill("#password", GOOD_PASSWORD)
    page.fill("#password_again", GOOD_PASSWORD)
    page.click("button:has-text('Continuar')")
    expect(page).to_have_url(f"{base}/portal/")
    expect(page.locator(".messages")).to_contain_text("Bienvenido. Ahora tiene acceso a")
    expect(page.locator("h1")).to_have_text("Sus auditorías de prima")
    expect(page.locator(".audit-cards")).to_contain_text("Auditoría final")
    expect(page.locator(".audit-cards")).to_contain_text("Registros solicitados")
    check(page, "home")
    assert User.objects.get(username="dana").language == "es"

    # The audit's page: where it stands, the records wanted, the messages.
    page.click(f"a[href='/portal/audits/{audit.pk}/']")
    expect(page.locator("#where")).to_have_text("En qué etapa está su auditoría")
    expect(page.locator(".stage-text")).to_contain_text("Complete la autoauditoría")
    expect(page.locator("#records-heading")).to_contain_text("Registros")
    expect(page.locator("#messages")).to_have_text("Mensajes con el auditor")
    check(page, "audit page")

    # The self-audit, step by step.
    page.click("a:has-text('Comenzar la autoauditoría')")
    expect(page.locator("h1")).to_contain_text("Autoauditoría:")
    expect(page.locator(".step-progress")).to_contain_text("Paso 1 de 6")
    expect(page.locator("h2.step-title")).to_have_text("Su negocio y el período de la póliza")
    check(page, "self-audit: the business")
    page.fill("textarea[name='business.operations']", "Carpintería de estructuras y acabados")
    page.click(".step-actions button[value=next]")

    expect(page.locator("h2.step-title")).to_have_text("Nómina por clasificación")
    expect(page.locator("a[href='/portal/glossary/#payroll']")).to_have_text("nómina")
    expect(page.locator("fieldset.pay-row legend").first).to_contain_text("Trimestre 1")
    check(page, "self-audit: payroll")
    fill_section_ii(page)
    page.click(".step-actions button[value=next]")

    expect(page.locator("h2.step-title")).to_have_text("Propietarios y funcionarios ejecutivos")
    page.click("button:has-text('Agregar un funcionario ejecutivo o propietario')")
    page.fill("input[name='owners.0.name']", "Dana Hoosier")
    page.fill("input[name='owners.0.title']", "Socia gerente")
    page.select_option("select[name='owners.0.role']", label="Miembro o gerente de una LLC")
    page.select_option("select[name='owners.0.included']", "included")
    page.select_option("select[name='owners.0.state']", "IN")
    page.fill("input[name='owners.0.class_code']", "8810")
    page.fill("input[name='owners.0.payroll']", "52,000")
    page.fill("input[name='owners.0.ownership_percent']", "100")
    check(page, "self-audit: owners")
    page.click(".step-actions button[value=next]")

    expect(page.locator("h2.step-title")).to_have_text("Subcontratistas y trabajo temporal")
    page.click("button:has-text('Agregar un contratista o una agencia')")
    page.fill("input[name='contractors.0.name']", "Ace Drywall")
    page.select_option("select[name='contractors.0.kind']", "subcontractor")
    page.select_option("select[name='contractors.0.state']", "IN")
    page.fill("input[name='contractors.0.class_code']", "5645")
    page.select_option("select[name='contractors.0.contract_type']", "labor_and_materials")
    page.fill("input[name='contractors.0.amount_paid']", "40,000")
    page.fill("input[name='contractors.0.labor_amount']", "25,000")
    page.select_option("select[name='contractors.0.has_certificate']", "no")
    check(page, "self-audit: subcontractors")
    page.click(".step-actions button[value=next]")

    expect(page.locator("h2.step-title")).to_have_text("Algo más, y quién llena este formulario")
    page.fill("input[name='completed_by.name']", "Dana Hoosier")
    page.fill("input[name='completed_by.title']", "Socia gerente")
    page.fill("input[name='completed_by.phone']", "317-555-0142")
    page.fill("input[name='completed_by.email']", "dana@hoosier.example")
    check(page, "self-audit: contact")
    page.click(".step-actions button[value=next]")

    # The summary: the likely result in Spanish, the dollars as every US form writes them.
    expect(page.locator("h2.step-title")).to_have_text("Revise sus respuestas y envíelas")
    expect(page.locator("section.preview")).to_contain_text(
        "Según lo que escribió, su prima sería aproximadamente $5,622 más que la estimada "
        "($25,277 frente a $19,655 estimados), porque:"
    )
    check(page, "self-audit: summary")
    page.click("button:has-text('Enviar al auditor')")
    expect(page.locator("#problems")).to_contain_text(
        "marque la casilla para confirmar que la información es verdadera"
    )
    check(page, "self-audit with mistakes")
    page.check("#attest")
    page.fill("#signature", "Dana Hoosier")
    page.click("button:has-text('Enviar al auditor')")
    expect(page).to_have_url(f"{base}/portal/audits/{audit.pk}/")
    expect(page.locator(".messages")).to_contain_text(
        "Gracias: se envió su autoauditoría y avisamos al auditor."
    )
    check(page, "audit page after the self-audit")
    audit.refresh_from_db()
    assert audit.status == Status.RECORDS_RECEIVED

    # The glossary, from the menu.
    page.click("nav a:has-text('Términos de auditoría')")
    expect(page.locator("h1")).to_have_text("Términos de auditoría explicados")
    expect(page.locator("dt#payroll")).to_have_text("Nómina")
    expect(page.locator("dt#certificate-of-insurance")).to_have_text("Certificado de seguro")
    check(page, "glossary")

    # Back to English with the switch, which names English in English; the login remembers it.
    switch = page.locator("form.language-switch button[lang=en]")
    expect(switch).to_have_text("English")
    switch.click()
    expect(page.locator("h1")).to_have_text("Audit terms explained")
    expect(page.locator("dt#payroll")).to_have_text("Payroll")
    assert page.get_attribute("html", "lang") == "en"
    assert_accessible(page, "glossary in English")
    assert User.objects.get(username="dana").language == "en"
    expect(page.locator("form.language-switch button[lang=es]")).to_have_text("Español")
    context.close()
