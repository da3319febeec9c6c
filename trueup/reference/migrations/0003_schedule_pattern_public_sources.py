from django.db import migrations

# The starting patterns first cited the team's own notes, which no user can open. A pattern still
# carrying the text it shipped with gets the plain one; a pattern edited in the admin is kept.
SOURCES = {
    "Final audits: target 60 days after expiry, never past 90 (WORKFLOW.md §1; seed 002)": (
        "Final audits: target 60 days after expiry, never past 90 (the carrier's choice)"
    ),
    "Cancellation audits are rush (WORKFLOW.md §1)": "Cancellation audits are rush",
    "Preliminary audits are rush (WORKFLOW.md §1)": "Preliminary audits are rush",
    "Interim audits during the term (WORKFLOW.md §1)": "Interim audits during the term",
}


def plain_sources(apps, schema_editor):
    SchedulePattern = apps.get_model("reference", "SchedulePattern")
    for old, new in SOURCES.items():
        SchedulePattern.objects.filter(source=old).update(source=new)


class Migration(migrations.Migration):
    dependencies = [("reference", "0002_seed_schedule_patterns")]
    operations = [migrations.RunPython(plain_sources, migrations.RunPython.noop)]
