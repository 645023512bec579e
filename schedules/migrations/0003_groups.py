"""The three roles: Prescriber, Clinic staff and Administrator, with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REFERENCE_MODELS = ("drug", "formulation", "equivalencetable", "equivalence")

ROLE_PERMISSIONS = {
    "Prescriber": [
        *(f"schedules.view_{model}" for model in (*REFERENCE_MODELS, "clinic")),
        "schedules.view_patient",
        "schedules.add_patient",
        "schedules.change_patient",
        "schedules.view_regimenitem",
        "schedules.add_regimenitem",
        "schedules.change_regimenitem",
        "schedules.delete_regimenitem",
    ],
    "Clinic staff": [
        *(f"schedules.view_{model}" for model in (*REFERENCE_MODELS, "clinic")),
        "schedules.view_patient",
        "schedules.view_regimenitem",
    ],
    "Administrator": [
        *(
            f"schedules.{action}_{model}"
            for model in (*REFERENCE_MODELS, "clinic")
            for action in ("view", "add", "change", "delete")
        ),
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("schedules", "0002_reference_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
