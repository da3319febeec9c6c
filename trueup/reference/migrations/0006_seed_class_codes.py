import csv
from pathlib import Path

from django.db import migrations

# TrueUp's own plain descriptions and keywords (never a bureau's licensed phraseology); a carrier
# loads its own over them in the admin.
DATA = Path(__file__).resolve().parents[1] / "data" / "classes.csv"


def seed(apps, schema_editor):
    ClassCode = apps.get_model("reference", "ClassCode")
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            ClassCode.objects.get_or_create(
                code_system=row["code_system"],
                code=row["code"],
                defaults={
                    "line": row["line"],
                    "description": row["description"],
                    "basis": row["basis"],
                    "standard_exception": row["standard_exception"] == "yes",
                    "dual_wage_pair": row["dual_wage_pair"],
                    "industry": row["industry"],
                    "keywords": row["keywords"],
                    "source": "shipped",
                },
            )


def unseed(apps, schema_editor):
    apps.get_model("reference", "ClassCode").objects.filter(source="shipped").delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0005_class_codes")]
    operations = [migrations.RunPython(seed, unseed)]
