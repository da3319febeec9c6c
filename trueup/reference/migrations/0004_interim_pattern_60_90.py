from django.db import migrations

# Interim audits shipped due 30 days after their span, never past 45; they are due like final
# audits: 60 days, never past 90. A pattern edited in the admin is kept.
SHIPPED = {
    "due_after_days": 30,
    "latest_due_after_days": 45,
    "source": "Interim audits during the term",
}
NOW = {
    "due_after_days": 60,
    "latest_due_after_days": 90,
    "source": (
        "Interim audits (quarterly or semi-annual during the term, on underwriter request or a "
        "bankruptcy filing): target 60 days after the span audited ends, never past 90 "
        "(the carrier's choice)"
    ),
}


def interim_due(apps, schema_editor):
    SchedulePattern = apps.get_model("reference", "SchedulePattern")
    SchedulePattern.objects.filter(audit_type="interim", **SHIPPED).update(**NOW)


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_schedule_pattern_public_sources")]
    operations = [migrations.RunPython(interim_due, migrations.RunPython.noop)]
