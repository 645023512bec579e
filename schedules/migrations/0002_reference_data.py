"""Load the reference data carried in schedules/data/reference (drugs, formulations, tables)."""

from django.db import migrations

from schedules.reference_data import load_reference_data


def load(apps, schema_editor):
    load_reference_data(
        drug_model=apps.get_model("schedules", "Drug"),
        formulation_model=apps.get_model("schedules", "Formulation"),
        table_model=apps.get_model("schedules", "EquivalenceTable"),
        equivalence_model=apps.get_model("schedules", "Equivalence"),
    )


class Migration(migrations.Migration):
    dependencies = [("schedules", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
