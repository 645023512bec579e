"""What the roles gain from this app and the audit trail; the data migration and tests call it."""

from __future__ import annotations

from typing import Any

from schedules.roles import ADMINISTRATOR

ACCOUNT_ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Administrators read the audit trail, see who manages each clinic, and unlock a locked-out
    # sign-in (deleting its failed attempts).
    ADMINISTRATOR: [
        "audit.view_auditevent",
        "accounts.view_clinicmanager",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ],
}


def ensure_account_roles(*, group_model: Any, permission_model: Any) -> None:
    for role, names in ACCOUNT_ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
