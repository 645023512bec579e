"""How the lockout (django-axes) names the user of a sign-in attempt."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from audit.actions import printable


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The name as typed, made storable: the sign-in form does not limit its length, and axes
    keeps it in a 255-character column (PostgreSQL refuses longer values, and NUL characters)."""
    source = credentials if credentials else getattr(request, "POST", {})
    return printable(str(source.get("username", "") or ""), 150)
