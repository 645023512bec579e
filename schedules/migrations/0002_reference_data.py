"""Load the reference data carried in schedules/data/reference (drugs, formulations, tables), and
give every record its first history entry, so the audit trail starts at the source."""

from django.db import migrations
from django.utils import timezone

from schedules.reference.data import LOAD_REASON, load_reference_data


def load(apps, schema_editor):
    now = timezone.now()

    def record_history(record):
        model = type(record)
        historical = apps.get_model("schedules", f"Historical{model.__name__}")
        historical.objects.create(
            history_date=now,
            history_type="+",
            history_change_reason=LOAD_REASON,
            **{field.attname: getattr(record, field.attname) for field in model._meta.concrete_fields},
        )

    load_reference_data(
        drug_model=apps.get_model("schedules", "Drug"),
        formulation_model=apps.get_model("schedules", "Formulation"),
        table_model=apps.get_model("schedules", "EquivalenceTable"),
        equivalence_model=apps.get_model("schedules", "Equivalence"),
        on_created=record_history,
    )


class Migration(migrations.Migration):
    dependencies = [("schedules", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
