"""Choosing one's own password (which ends a one-time password), and the second factor: verifying
it at each sign-in, enrolling at the first, and recovery codes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp_webauthn import views as passkey_views

import audit
from audit.models import Action
from schedules.patients.access import AuthenticatedHttpRequest

from . import actions
from .forms import CodeForm, VerifyForm
from .models import OneTimePassword
from .signals import MUST_CHANGE_PASSWORD
from .twofactor import (
    factors_of,
    has_second_factor,
    qr_code_svg,
    remember_browser,
    remembered_device,
    secret_for_typing,
)


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        OneTimePassword.objects.filter(user=form.user).delete()
        self.request.session.pop(MUST_CHANGE_PASSWORD, None)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password chosen from a reset e-mail, kept in the audit trail. The second factor stays:
    an e-mail alone never opens the account."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(
            self.request, Action.CHANGE, user=form.user, detail="chose a new password from a reset e-mail"
        )
        return response


def _next(request: HttpRequest) -> str:
    """Where to go once the second factor is done: the page asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next(request))
    if not has_second_factor(user):
        return redirect(f"{resolve_url('two_factor_enrol')}?{urlencode({'next': _next(request)})}")
    remembered = remembered_device(request) if request.method == "GET" else None
    if remembered is not None:
        otp_login(request, remembered)
        audit.record(request, Action.SIGN_IN, detail="second factor: a remembered browser")
        return redirect(_next(request))
    form = VerifyForm(request.POST or None)
    if form.is_valid():
        if actions.verify_second_factor(request, user, form.cleaned_data["code"]):
            response = redirect(_next(request))
            if form.cleaned_data.get("remember"):
                remember_browser(response, user.otp_device)  # type: ignore[attr-defined]
            return response
        form.add_error(
            "code", "That code is not right, or was used already. Wait for a new code and try again."
        )
    factors = factors_of(user)
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "factors": factors, "next": _next(request)},
    )


@require_http_methods(["GET", "POST"])
def enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add an authenticator app or a passkey: forced at the first sign-in, and open afterwards to a
    verified user (never to someone who has only the password of an enrolled account)."""
    user = request.user
    if not user.is_verified() and has_second_factor(user):  # type: ignore[attr-defined]
        return redirect(f"{resolve_url('two_factor_verify')}?{urlencode({'next': _next(request)})}")
    factors = factors_of(user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if actions.confirm_authenticator(request, user, form.cleaned_data["code"]):
            if factors.recovery_codes_left is None:
                return _show_recovery_codes(request, actions.make_recovery_codes(request, user), first=True)
            return redirect(_next(request))
        form.add_error(
            "code", "That code does not match: check the app shows this account, then type its current code."
        )
    device = actions.pending_authenticator(user)
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "factors": factors,
            "qr_code": qr_code_svg(device.config_url),
            "secret": secret_for_typing(device.bin_key),
            "next": _next(request),
        },
    )


@require_http_methods(["GET", "POST"])
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Recovery codes are shown once, in the answer to the POST that makes them."""
    if request.method == "POST" and "make" in request.POST:
        codes = actions.make_recovery_codes(request, request.user)
        return _show_recovery_codes(request, codes, first=not factors_of(request.user).enrolled)
    return render(request, "registration/recovery_codes.html", {"factors": factors_of(request.user)})


def _show_recovery_codes(request: HttpRequest, codes: list[str], *, first: bool) -> HttpResponse:
    return render(
        request,
        "registration/recovery_codes.html",
        {"codes": codes, "first": first, "next": _next(request), "factors": factors_of(request.user)},  # type: ignore[arg-type]
    )


class PasskeyVerifyView(passkey_views.CompleteCredentialAuthenticationView):
    """django-otp-webauthn's passkey check, with the sign-in in the audit trail."""

    def complete_auth(self, device: Any) -> Any:
        result = super().complete_auth(device)
        audit.record(self.request, Action.SIGN_IN, detail="second factor: a passkey")
        return result


class PasskeyRegisterView(passkey_views.CompleteCredentialRegistrationView):
    """django-otp-webauthn's passkey registration, with the new passkey in the audit trail."""

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(*args, **kwargs)
        if isinstance(response, JsonResponse) and response.status_code == 200:
            audit.record(self.request, Action.CHANGE, detail="added a passkey as a second factor")
        return response
