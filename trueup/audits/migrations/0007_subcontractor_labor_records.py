# What a subcontractor's records show of the labor. Subcontractors entered before it was asked
# keep rating as they did: "stated" where a labor amount was entered, "none" where not.

from django.db import migrations, models


def from_stated_labor(apps, schema_editor):
    SubcontractorEntry = apps.get_model("audits", "SubcontractorEntry")
    SubcontractorEntry.objects.filter(stated_labor__isnull=False).update(labor_records="stated")


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0006_rerate_batch'),
    ]

    operations = [
        migrations.AddField(
            model_name='subcontractorentry',
            name='labor_records',
            field=models.CharField(choices=[('none', 'No records of the labor: the full contract cost is charged'), ('contract_only', "Contract on record, but no labor figure on it: the state's labor share is charged"), ('stated', 'Labor amount shown: the stated labor is charged')], default='none', max_length=14, verbose_name='records of the labor'),
            preserve_default=False,
        ),
        migrations.RunPython(from_stated_labor, migrations.RunPython.noop),
    ]
