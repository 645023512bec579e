"""Administrators read the audit trail, see who manages each clinic and unlock locked-out sign-ins."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import ACCOUNT_ROLE_PERMISSIONS, ensure_account_roles


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    ensure_account_roles(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ACCOUNT_ROLE_PERMISSIONS.items():
        for name in names:
            app_label, codename = name.split(".")
            for group in Group.objects.filter(name=role):
                group.permissions.remove(
                    *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
                )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0001_initial"),
        ("schedules", "0003_groups"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
