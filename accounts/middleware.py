"""Session rules for every signed-in request: the idle timeout, the absolute lifetime, the second
factor (nothing but the second-factor pages opens on a password alone), the forced password change,
and no caching of pages (they carry patient data)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from .signals import LAST_SEEN, MUST_CHANGE_PASSWORD, SIGNED_IN_AT

# The idle clock is moved on at most once a minute, so that most requests write nothing to the
# session table (the database session's own expiry follows with each of those writes).
TOUCH_SECONDS = 60

SECOND_FACTOR_PAGES = (
    "two_factor_verify",
    "two_factor_enrol",
    "logout",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
)


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if self._expired(request):
                logout(request)
                return redirect(f"{reverse('login')}?expired=1")
            if not user.is_verified() and not self._second_factor_page(request):  # type: ignore[attr-defined]
                return redirect(
                    f"{reverse('two_factor_verify')}?{urlencode({'next': request.get_full_path()})}"
                )
            if request.session.get(MUST_CHANGE_PASSWORD) and not self._may_pass(request):
                messages.info(request, "Your password was set by someone else: choose your own to continue.")
                return redirect("password_change")
        response = self.get_response(request)
        if user.is_authenticated:
            add_never_cache_headers(response)
        return response

    def _expired(self, request: HttpRequest) -> bool:
        now = int(time.time())
        signed_in_at = request.session.get(SIGNED_IN_AT)
        last_seen = request.session.get(LAST_SEEN, signed_in_at)
        if not isinstance(signed_in_at, int) or not isinstance(last_seen, int):
            return True
        if now - signed_in_at > settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
            return True
        if now - last_seen > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
            return True
        if now - last_seen >= TOUCH_SECONDS:
            request.session[LAST_SEEN] = now
        return False

    def _second_factor_page(self, request: HttpRequest) -> bool:
        """The pages that verify or enrol a second factor (passkeys' ceremonies included), and
        signing out. The verify page sends a user with no second factor yet to enrol."""
        return request.path in {reverse(name) for name in SECOND_FACTOR_PAGES} or request.path.startswith(
            settings.STATIC_URL
        )

    def _may_pass(self, request: HttpRequest) -> bool:
        allowed = {reverse("password_change"), reverse("logout")}
        return request.path in allowed or request.path.startswith(settings.STATIC_URL)
