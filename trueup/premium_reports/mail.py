"""A late report's reminder by e-mail to the insured's contact, sent after the reminder is
recorded (the report keeps the count whether or not the mail goes)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from trueup.premium_reports.models import PremiumReport


@task()
def email_reminder(report_id: int) -> bool:
    report = PremiumReport.objects.select_related("plan__period__policy__insured").get(pk=report_id)
    insured = report.plan.period.policy.insured
    if not insured.contact_email or report.status != "due":
        return False
    portal = settings.TRUEUP_PORTAL_URL.rstrip("/")
    send_mail(
        f"Your payroll report for policy {report.plan.period.policy.number} is late",
        (
            f"Hello {insured.contact_name or insured.name},\n\n"
            f"We have not received your payroll report for {report.covers_from:%B %-d} to "
            f"{report.covers_to:%B %-d, %Y}. It was due on {report.due_on:%B %-d, %Y}.\n"
            f"You can send it on your page at {portal}/portal/ in a few minutes.\n"
        ),
        None,
        [insured.contact_email],
    )
    return True
