"""The Auditor role (issue 16): the privacy officer reads and searches the whole audit trail, by
user, patient, clinic and date, and sees no patient record otherwise (no clinical permission, no
clinic). Give the role to a staff account (it signs in to the admin, where the trail is)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import AUDITOR, ensure_account_roles


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    ensure_account_roles(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
    )


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=AUDITOR).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_permissions"),
        ("audit", "0003_administration"),
    ]

    operations = [migrations.RunPython(grant, remove)]
