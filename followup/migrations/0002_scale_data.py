"""Load the shipped symptom scale (followup/scale_data.py) with a first history entry naming its
source, and give the roles their scale permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

from followup.roles import SCALE_PERMISSIONS, grant
from followup.scale_data import LOAD_REASON, load_scales


def load(apps, schema_editor):
    now = timezone.now()

    def record_history(record):
        model = type(record)
        historical = apps.get_model("followup", f"Historical{model.__name__}")
        historical.objects.create(
            history_date=now,
            history_type="+",
            history_change_reason=LOAD_REASON,
            **{field.attname: getattr(record, field.attname) for field in model._meta.concrete_fields},
        )

    load_scales(
        scale_model=apps.get_model("followup", "Scale"),
        item_model=apps.get_model("followup", "ScaleItem"),
        band_model=apps.get_model("followup", "ScaleBand"),
        on_created=record_history,
    )


def grant_permissions(apps, schema_editor):
    app_config = apps.get_app_config("followup")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    grant(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        permissions=SCALE_PERMISSIONS,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0001_scales"),
        ("schedules", "0003_groups"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
