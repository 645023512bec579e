"""At sign-in the session remembers when (for the absolute lifetime and the idle timeout) and
whether the password must be changed first (a one-time password)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from .models import OneTimePassword

SIGNED_IN_AT = "accounts_signed_in_at"
LAST_SEEN = "accounts_last_seen"
MUST_CHANGE_PASSWORD = "accounts_must_change_password"


@receiver(user_logged_in)
def _stamp_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    # Setting someone's password ends their sessions (Django checks the password hash), so the
    # flag set here is current for as long as the session lasts.
    if OneTimePassword.objects.filter(user_id=user.pk).exists():
        request.session[MUST_CHANGE_PASSWORD] = True
