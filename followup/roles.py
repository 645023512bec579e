"""What each role may do with follow-up data: everyone reads the scales, administrators maintain
them; prescribers and clinic staff record check-ins, and only prescribers decide (confirm) a change
to the plan. The group rows themselves are made by accounts/roles.py."""

from __future__ import annotations

from typing import Any

from accounts.roles import ADMINISTRATOR, CLINIC_STAFF, PRESCRIBER

SCALE_MODELS = ("scale", "scaleitem", "scaleband")

SCALE_PERMISSIONS: dict[str, list[str]] = {
    PRESCRIBER: [f"followup.view_{model}" for model in SCALE_MODELS],
    CLINIC_STAFF: [f"followup.view_{model}" for model in SCALE_MODELS],
    ADMINISTRATOR: [
        f"followup.{action}_{model}"
        for model in SCALE_MODELS
        for action in ("view", "add", "change", "delete")
    ],
}

CHECKIN_PERMISSIONS: dict[str, list[str]] = {
    PRESCRIBER: [
        "followup.view_checkin",
        "followup.add_checkin",
        "followup.decide_checkin",
        "followup.view_followupsettings",
        "followup.change_followupsettings",
    ],
    CLINIC_STAFF: ["followup.view_checkin", "followup.add_checkin", "followup.view_followupsettings"],
}


def grant(*, group_model: Any, permission_model: Any, permissions: dict[str, list[str]]) -> None:
    for role, names in permissions.items():
        group, _ = group_model.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
