"""The roles and their permissions. The migrations that create the groups call this module, and so
can anything that needs the groups back (e.g. tests on a flushed database): `ROLE_PERMISSIONS` for the
clinical data (schedules), `ACCOUNT_ROLE_PERMISSIONS` for this app and the audit trail."""

from __future__ import annotations

from typing import Any

PRESCRIBER = "Prescriber"
CLINIC_STAFF = "Clinic staff"
ADMINISTRATOR = "Administrator"
# The privacy officer: reads and searches the whole audit trail, and no patient record otherwise.
AUDITOR = "Auditor"

REFERENCE_MODELS = ("drug", "formulation", "equivalencetable", "equivalence", "clinic")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    PRESCRIBER: [
        *(f"schedules.view_{model}" for model in REFERENCE_MODELS),
        "schedules.view_patient",
        "schedules.add_patient",
        "schedules.change_patient",
        "schedules.view_regimenitem",
        "schedules.add_regimenitem",
        "schedules.change_regimenitem",
        "schedules.delete_regimenitem",
        "schedules.view_plan",
        "schedules.add_plan",
        "schedules.change_plan",
    ],
    CLINIC_STAFF: [
        *(f"schedules.view_{model}" for model in REFERENCE_MODELS),
        "schedules.view_patient",
        "schedules.view_regimenitem",
        "schedules.view_plan",
    ],
    ADMINISTRATOR: [
        *(
            f"schedules.{action}_{model}"
            for model in REFERENCE_MODELS
            for action in ("view", "add", "change", "delete")
        ),
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}


def ensure_roles(*, group_model: Any, permission_model: Any) -> None:
    """Create each role's group (if missing) and give it its permissions.

    A migration runs this before later models exist: permissions of a model that has none yet
    are left to the migration that creates it, which runs this again. A misspelt permission of
    an existing model still fails."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            model = codename.split("_", 1)[1]
            found = permission_model.objects.filter(content_type__app_label=app_label, codename=codename)
            if (
                not found.exists()
                and not permission_model.objects.filter(
                    content_type__app_label=app_label, content_type__model=model
                ).exists()
            ):
                continue
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )


ACCOUNT_ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Administrators read the administrative part of the audit trail (no patient in it), see who
    # manages each clinic, and unlock a locked-out sign-in (deleting its failed attempts).
    ADMINISTRATOR: [
        "audit.view_auditevent",
        "accounts.view_clinicmanager",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ],
    AUDITOR: ["audit.view_auditevent", "audit.audit_patients"],
}


def ensure_account_roles(*, group_model: Any, permission_model: Any) -> None:
    for role, names in ACCOUNT_ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
