"""The one way to write the audit trail."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from .addresses import client_address
from .models import Action, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from schedules.models import Patient


def printable(text: str, limit: int) -> str:
    """Text fit to store and show: control and format characters (NUL, line breaks, right-to-left
    overrides) become spaces, and it is cut to the column's length."""
    cleaned = "".join(" " if unicodedata.category(char) in {"Cc", "Cf"} else char for char in text)
    return cleaned[:limit]


def record(
    request: HttpRequest | None,
    action: Action | str,
    *,
    patient: Patient | None = None,
    plan: object | None = None,
    detail: str = "",
    user: User | AnonymousUser | None = None,
    username: str = "",
    history_model: str = "",
    history_id: int | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit record: who (the request's user unless given), when (now), from which
    address, what (the action, the patient or plan, a short detail without clinical content) and,
    for administration, why and the values changed."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    signed_in = user if isinstance(user, get_user_model()) else None
    if signed_in is not None and not username:
        username = signed_in.get_username()
    return AuditEvent.objects.create(
        action=Action(action),
        user=signed_in,
        username=printable(username, 150),
        address=client_address(request) if request is not None else None,
        patient=patient,
        plan_id=getattr(plan, "pk", None),
        history_model=history_model,
        history_id=history_id,
        path=printable(request.path, 300) if request is not None else "",
        detail=printable(detail, 300),
        reason=printable(reason, 300),
        changes=changes or {},
    )
