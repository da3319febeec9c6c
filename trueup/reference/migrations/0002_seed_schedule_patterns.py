from django.db import migrations

# The department's starting patterns; change them in the admin afterwards.
PATTERNS = (
    ("final", 0, 60, 90, False,
     "Final audits: target 60 days after expiry, never past 90 (WORKFLOW.md §1; seed 002)"),
    ("cancellation", 0, 30, 45, True, "Cancellation audits are rush (WORKFLOW.md §1)"),
    ("preliminary", 0, 15, 30, True, "Preliminary audits are rush (WORKFLOW.md §1)"),
    ("interim", 0, 30, 45, False, "Interim audits during the term (WORKFLOW.md §1)"),
)


def seed(apps, schema_editor):
    SchedulePattern = apps.get_model("reference", "SchedulePattern")
    for audit_type, start, due, latest, rush, source in PATTERNS:
        SchedulePattern.objects.get_or_create(
            audit_type=audit_type,
            defaults={
                "start_after_days": start,
                "due_after_days": due,
                "latest_due_after_days": latest,
                "rush": rush,
                "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_rate_tables_and_schedule_patterns")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
