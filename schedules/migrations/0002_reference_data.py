"""Load the reference data carried in schedules/data/reference (drugs, formulations, tables), and
give every record its first history entry, so the audit trail starts at the source."""

from django.db import migrations
from django.utils import timezone

from schedules.reference.data import load_in_migration


def load(apps, schema_editor):
    load_in_migration(apps, now=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("schedules", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
