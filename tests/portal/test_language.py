"""The portal in the insured's language: an invitation in the language staff choose (the
insured's preferred one unless they choose another), a new login reading it, the switch on every
portal page that also remembers the choice, the preferred-language page, a language chosen before
signing in kept on the first sign-in, Spanish messages that still name the row and field, and the
workbench left in English for staff."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.portal.conftest import GOOD_PASSWORD, answers
from tests.portal.test_selfaudit_steps import step_data, text, url
from trueup.accounts.models import Role, User
from trueup.audits.models import Audit
from trueup.core import clock
from trueup.policies.models import Insured
from trueup.portal.models import Invitation
from trueup.portal.services import IssuedInvitation, invitation_issue

pytestmark = pytest.mark.django_db

COOKIE = "trueup_language"


def _spanish(insured_of: Audit) -> Audit:
    """The audit again, its insured now preferring Spanish."""
    Insured.objects.filter(pk=insured_of.period.policy.insured_id).update(language="es")
    return Audit.objects.get(pk=insured_of.pk)


def _redeem(client: Client, issued: IssuedInvitation, username: str = "dana") -> None:
    answer = client.post(
        f"/portal/invitations/{issued.token}/",
        {
            "pin": issued.pin,
            "username": username,
            "password": GOOD_PASSWORD,
            "password_again": GOOD_PASSWORD,
        },
    )
    assert answer.status_code == 302, answer.content.decode()


def test_the_invitation_starts_in_the_insured_s_preferred_language(
    requested: Audit, auditor: User
) -> None:
    requested = _spanish(requested)
    mail.outbox.clear()
    issued = invitation_issue(audit=requested, by=auditor)
    assert issued is not None
    assert issued.invitation.language == "es"
    assert "Estimado(a) Dana Hoosier:" in issued.invitation.letter
    assert f"Identificación temporal: {issued.invitation.reference}" in issued.invitation.letter
    [sent] = mail.outbox
    assert sent.subject == (
        f"Su auditoría de prima: configure su acceso en línea ({requested.period.policy.insured})"
    )
    assert "Es hora de la auditoría de prima de su póliza" in sent.body
    assert "de 2025" in sent.body or "de 2026" in sent.body  # the dates in words


def test_staff_choose_the_invitation_s_language_on_the_audit_page(
    requested: Audit, auditor: User
) -> None:
    client = Client()
    client.force_login(auditor)
    page = client.get(f"/audits/{requested.pk}/").content.decode()
    assert '<label for="invitation-language">Language of the invitation' in page
    assert '<option value="es" lang="es">Español</option>' in page
    mail.outbox.clear()
    answer = client.post(f"/audits/{requested.pk}/invitations/", {"language": "es"})
    assert answer.status_code == 302
    newest = Invitation.objects.latest("id")
    assert newest.language == "es"
    assert mail.outbox[0].subject.startswith("Su auditoría de prima:")
    # The workbench itself stays in English for staff.
    page = client.get(f"/audits/{requested.pk}/").content.decode()
    assert '<html lang="en">' in page
    assert "Sent" in page and "Español" in page


def test_a_new_login_from_a_spanish_invitation_reads_the_portal_in_spanish(
    requested: Audit, auditor: User
) -> None:
    issued = invitation_issue(audit=_spanish(requested), by=auditor)
    assert issued is not None
    client = Client()
    page = client.get(f"/portal/invitations/{issued.token}/").content.decode()
    assert '<html lang="es">' in page
    assert "Configure su acceso" in page
    _redeem(client, issued)
    assert User.objects.get(username="dana").language == "es"
    home = client.get("/portal/", follow=True)
    assert "Sus auditorías de prima" in text(home)
    assert "Bienvenido. Ahora tiene acceso a" in text(home)


def test_the_switch_changes_the_language_and_remembers_it_on_the_login(
    requested: Audit, policyholder: User
) -> None:
    client = Client()
    client.force_login(policyholder)
    page = client.get(f"/portal/audits/{requested.pk}/").content.decode()
    assert '<form method="post" action="/portal/language/" class="language-switch"' in page
    assert (
        '<button type="submit" class="link" name="language" value="es" lang="es">Español</button>'
        in page
    )
    answer = client.post(
        "/portal/language/", {"language": "es", "next": f"/portal/audits/{requested.pk}/"}
    )
    assert answer.status_code == 302 and answer["Location"] == f"/portal/audits/{requested.pk}/"
    assert answer.cookies[COOKIE].value == "es"
    policyholder.refresh_from_db()
    assert policyholder.language == "es"
    spanish = client.get(f"/portal/audits/{requested.pk}/")
    assert "En qué etapa está su auditoría" in text(spanish)
    assert (
        '<button type="submit" class="link" name="language" value="en" lang="en">English</button>'
        in spanish.content.decode()
    )
    # A new session on another browser still opens in Spanish: the choice is the login's.
    again = Client()
    again.force_login(policyholder)
    assert "Mensajes con el auditor" in text(again.get(f"/portal/audits/{requested.pk}/"))


def test_the_policyholder_sets_the_preferred_language_for_the_portal_letters_and_e_mails(
    requested: Audit, policyholder: User
) -> None:
    client = Client()
    client.force_login(policyholder)
    page = client.get("/portal/preferences/")
    assert page.status_code == 200
    assert '<label for="preferred-language">Preferred language</label>' in page.content.decode()
    answer = client.post("/portal/preferences/", {"language": "es"})
    assert answer.status_code == 302
    policyholder.refresh_from_db()
    assert policyholder.language == "es"
    assert Insured.objects.get(pk=requested.period.policy.insured_id).language == "es"
    page = client.get("/portal/preferences/")
    assert "Se guardó su idioma preferido." in text(page)
    refused = client.post("/portal/preferences/", {"language": "fr"})
    assert refused.status_code == 422
    assert "Elija un idioma de la lista." in text(refused)


def test_a_language_chosen_before_signing_in_becomes_the_user_s_on_the_first_sign_in(
    requested: Audit, policyholder: User
) -> None:
    policyholder.set_password(GOOD_PASSWORD)
    policyholder.last_login = None
    policyholder.save()
    client = Client()
    client.post("/portal/language/", {"language": "es", "next": "/login/"})
    login = client.get("/login/")
    assert "Iniciar sesión en TrueUp" in text(login)
    client.post("/login/", {"username": policyholder.username, "password": GOOD_PASSWORD})
    policyholder.refresh_from_db()
    assert policyholder.language == "es"
    # Later sign-ins keep the login's own choice, whatever the cookie says.
    client.logout()
    client.post("/portal/language/", {"language": "en", "next": "/login/"})
    client.post("/login/", {"username": policyholder.username, "password": GOOD_PASSWORD})
    policyholder.refresh_from_db()
    assert policyholder.language == "es"


def test_a_staff_user_is_not_given_the_language_of_the_switch(auditor: User) -> None:
    auditor.set_password(GOOD_PASSWORD)
    auditor.last_login = None
    auditor.save()
    client = Client()
    client.post("/portal/language/", {"language": "es", "next": "/login/"})
    client.post("/login/", {"username": auditor.username, "password": GOOD_PASSWORD})
    auditor.refresh_from_db()
    assert auditor.language == "en"
    assert auditor.role == Role.AUDITOR


def test_spanish_self_audit_messages_name_the_row_and_field(
    requested: Audit, policyholder: User
) -> None:
    User.objects.filter(pk=policyholder.pk).update(language="es")
    client = Client()
    client.force_login(policyholder)
    given = answers()
    given["payroll"][0]["gross"] = "1,000"
    answer = client.post(url(requested, "payroll"), step_data("payroll", given))
    page = text(answer)
    assert answer.status_code == 422
    assert (
        "Nómina por clasificación, fila 1 (IN 5645, trimestre 1): la nómina bruta incluye las "
        "horas extra, las propinas, la indemnización por despido y las deducciones antes de "
        "impuestos, así que no puede ser menor que su suma"
    ) in page
    assert "Paso 2 de 6" in page
    assert re.search(r"Trimestre 1 \(\d+ de \w+ – \d+ de \w+ de \d{4}\)", page)


def test_a_spanish_completion_date_is_written_in_words(
    requested: Audit, policyholder: User
) -> None:
    ahead = clock.today() + timedelta(days=9)
    Audit.objects.filter(pk=requested.pk).update(due_date=ahead)
    User.objects.filter(pk=policyholder.pk).update(language="es")
    client = Client()
    client.force_login(policyholder)
    page = text(client.get(f"/portal/audits/{requested.pk}/"))
    months = (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    )
    month = months.split()[ahead.month - 1]
    assert (
        f"Esperamos completar la auditoría a más tardar el {ahead.day} de {month} de {ahead.year}."
        in page
    )


def test_a_policyholder_with_a_login_is_told_of_records_requested_in_their_language(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    User.objects.filter(pk=policyholder.pk).update(language="es")
    mail.outbox.clear()
    assert invitation_issue(audit=requested, by=auditor) is None
    [sent] = mail.outbox
    assert sent.subject == (
        f"Su auditoría de prima: solicitud de registros ({requested.period.policy.insured})"
    )
    assert "Inicie sesión en el portal para completar la autoauditoría" in sent.body


def test_staff_see_and_change_the_insured_s_preferred_language_in_the_admin(
    requested: Audit,
) -> None:
    admin = User.objects.create_superuser("admin", "admin@trueup.example", GOOD_PASSWORD)
    client = Client()
    client.force_login(admin)
    insured = Insured.objects.get(pk=requested.period.policy.insured_id)
    page = client.get(f"/admin/policies/insured/{insured.pk}/change/").content.decode()
    assert re.search(r'<label [^>]*for="id_language">Preferred language:</label>', page)
    assert re.search(r'<select name="language"[^>]*>', page)
    assert '<option value="es">Español</option>' in page


def test_a_spanish_amount_that_is_not_dollars_is_named_by_row_and_field(
    requested: Audit, policyholder: User
) -> None:
    User.objects.filter(pk=policyholder.pk).update(language="es")
    client = Client()
    client.force_login(policyholder)
    given = answers()
    given["payroll"][1]["overtime"] = "mucho"
    page = text(client.post(url(requested, "payroll"), step_data("payroll", given)))
    assert (
        "Nómina por clasificación, fila 2 (IN 8810, trimestre 1): Horas extra (total pagado): "
        "debe ser un monto en dólares, como 12,500.00"
    ) in page


def test_a_spanish_upload_says_what_its_scan_found_in_spanish(
    requested: Audit, policyholder: User, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    User.objects.filter(pk=policyholder.pk).update(language="es")
    client = Client()
    client.force_login(policyholder)
    item = requested.records.get(kind="payroll_register")
    register = SimpleUploadedFile(
        "nomina.csv", b"employee,ssn,gross\nAnn Smith,123-45-6789,52000\n"
    )
    page = client.post(
        f"/portal/audits/{requested.pk}/records/{item.pk}/", {"file": register}, follow=True
    )
    assert (
        "Se subió nomina.csv. Se encontró 1 número de seguro social; se muestra una copia con "
        "los datos ocultos en lugar del original."
    ) in text(page)
    assert "Registro de nómina Recibido" in text(page)


def test_a_spanish_reader_is_told_why_each_record_is_asked_for_in_spanish(
    requested: Audit, policyholder: User
) -> None:
    client = Client()
    client.force_login(policyholder)
    english = text(client.get(f"/portal/audits/{requested.pk}/"))
    User.objects.filter(pk=policyholder.pk).update(language="es")
    spanish = text(client.get(f"/portal/audits/{requested.pk}/"))
    assert "Payroll by employee: gross, overtime separately, duties/class, tips" in english
    assert (
        "Nómina por empleado: pago bruto, horas extra por separado, funciones o clase, propinas"
    ) in spanish
    assert "Payroll by employee" not in spanish
