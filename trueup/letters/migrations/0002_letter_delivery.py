"""Letters are written in the business change's transaction and sent by a background task: each
keeps its delivery status. Letters archived before were sent when written."""

import django.utils.timezone
from django.db import migrations, models


def queued_when_sent(apps, schema_editor):
    Letter = apps.get_model("letters", "Letter")
    Letter.objects.update(queued_at=models.F("sent_at"))


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="status",
            field=models.CharField(default="sent", max_length=10),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="letter",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Waiting to be sent"),
                    ("sent", "Sent"),
                    ("failed", "Not sent yet: the e-mail failed and will be tried again"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="letter",
            name="queued_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.RunPython(queued_when_sent, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="letter",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="letter",
            name="attempts",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="letter",
            name="last_error",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="letter",
            name="pdf",
            field=models.FileField(blank=True, upload_to="letters/%Y/%m/"),
        ),
        migrations.AlterModelOptions(name="letter", options={"ordering": ["queued_at", "id"]}),
    ]
