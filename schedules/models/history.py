"""What was saved to a record since someone opened it, from its django-simple-history records.

Forms that edit a record without a version of its own (reference data in the admin, a plan's
check-in cadence) carry the id of the latest history record they were opened on; a save from an
older page is refused with these lines, naming who changed what, when and why."""

from __future__ import annotations

from typing import Any

from django.utils import timezone


def latest_history_id(instance: Any) -> int:
    """The newest history record's id, 0 for a record not saved yet."""
    if instance.pk is None:
        return 0
    return instance.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


def saves_since(instance: Any, seen: int) -> list[str]:
    """One line per save after history record ``seen``: who, when, each field old → new, why."""
    if instance.pk is None:
        return []
    later = instance.history.filter(history_id__gt=seen).select_related("history_user").order_by("history_id")
    lines = []
    for record in later:
        previous = record.prev_record
        if previous is None:
            what = f"created it: {record.instance}"
        else:
            changes = record.diff_against(previous).changes
            what = (
                "; ".join(f"{c.field} {_shown(c.old)} → {_shown(c.new)}" for c in changes)
                or "saved it unchanged"
            )
        who = record.history_user.get_username() if record.history_user else "someone"
        when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
        why = record.history_change_reason or "no reason given"
        lines.append(f"{who} at {when}: {what} ({why})")
    return lines


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    normalize = getattr(value, "normalize", None)  # a Decimal reads as typed: 1.2, not 1.200
    return f"{normalize():f}" if normalize is not None else str(value)
