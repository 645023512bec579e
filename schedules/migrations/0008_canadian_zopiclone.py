"""Add the reference data records that are missing (issue 14: zopiclone 5 and 7.5 mg tablets are
marketed in Canada, Imovane product monograph), each with its first history entry. Records that
exist, including any an administrator corrected, are left as they are."""

from django.db import migrations
from django.utils import timezone

from schedules.reference.data import load_in_migration


def add_missing(apps, schema_editor):
    load_in_migration(apps, now=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("schedules", "0007_plan_steps_and_list_columns")]

    operations = [migrations.RunPython(add_missing, migrations.RunPython.noop)]
