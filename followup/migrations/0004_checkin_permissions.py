"""Prescribers and clinic staff record check-ins; only prescribers decide a change to the plan."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from followup.roles import CHECKIN_PERMISSIONS, grant


def grant_permissions(apps, schema_editor):
    app_config = apps.get_app_config("followup")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    grant(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        permissions=CHECKIN_PERMISSIONS,
    )


class Migration(migrations.Migration):
    dependencies = [("followup", "0003_checkins")]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
