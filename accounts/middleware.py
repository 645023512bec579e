"""Session rules for every signed-in request: the absolute lifetime, the forced password change,
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

from .models import OneTimePassword
from .signals import SIGNED_IN_AT


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            lifetime = settings.SESSION_ABSOLUTE_LIFETIME_SECONDS
            if not isinstance(signed_in_at, int) or time.time() - signed_in_at > lifetime:
                logout(request)
                return redirect(f"{reverse('login')}?expired=1")
            if self._must_change_password(request):
                messages.info(request, "Your password was set by someone else: choose your own to continue.")
                return redirect("password_change")
        response = self.get_response(request)
        if user.is_authenticated:
            add_never_cache_headers(response)
        return response

    def _must_change_password(self, request: HttpRequest) -> bool:
        allowed = {reverse("password_change"), reverse("logout")}
        if request.path in allowed or request.path.startswith(settings.STATIC_URL):
            return False
        return OneTimePassword.objects.filter(user_id=request.user.pk).exists()
