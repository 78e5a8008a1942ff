from django.db import migrations

from keyclusters.domain.registry import VOIVODESHIPS


def create_voivodeships(apps, schema_editor):
    Voivodeship = apps.get_model("registry", "Voivodeship")
    for code in VOIVODESHIPS:
        Voivodeship.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(create_voivodeships, migrations.RunPython.noop)]
