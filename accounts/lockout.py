"""The lockout (django-axes): how it names the user of a sign-in attempt, and what it locks."""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from audit.actions import printable


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The name as typed, made storable: the sign-in form does not limit its length, and axes
    keeps it in a 255-character column (PostgreSQL refuses longer values, and NUL characters)."""
    source = credentials if credentials else getattr(request, "POST", {})
    return printable(str(source.get("username", "") or ""), 150)


class LockoutHandler(AxesDatabaseHandler):
    """Two locks from axes' two lockout parameters: a user name from one address
    (`AXES_FAILURE_LIMIT` failures), and an address whatever the user name
    (`AXES_ADDRESS_FAILURE_LIMIT`, many more, as a clinic's staff may share one address).

    Someone guessing a colleague's password is locked at their own address only, so the real user
    still signs in from theirs; a guesser trying many names from one address is locked too."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        name_and_address, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            # Counted as reaching the (smaller) limit axes compares every count with.
            return max(name_and_address, get_failure_limit(request, credentials))
        return name_and_address
