from django.db import migrations

from core.reference import load_provinces


def load(apps, schema_editor):
    load_provinces(apps.get_model("core", "Province"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
