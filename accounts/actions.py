"""Every write to a user's sign-in: enrolling and using a second factor, recovery codes, and the
reset of someone else's password and second factor. Each is in the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

import audit
from audit.models import Action
from schedules.models import Clinic

from .models import OneTimePassword
from .twofactor import RECOVERY_DEVICE_NAME

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_APP = "Authenticator app"


class ResetRefused(Exception):
    """The acting user may not reset this account's sign-in."""


def pending_authenticator(user: User) -> TOTPDevice:
    """The authenticator app being set up: the same secret until it is confirmed with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_APP, confirmed=False)


def confirm_authenticator(request: HttpRequest, user: User, code: str) -> bool:
    """The first code from the app proves it holds the secret: the app becomes a second factor
    and verifies this session."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token(code):
            audit.record(
                request, Action.SIGN_IN_FAILED, detail="wrong code while adding an authenticator app"
            )
            return False
        device.confirmed = True
        device.save()
    otp_login(request, device)
    audit.record(request, Action.CHANGE, detail="added an authenticator app as a second factor")
    return True


def make_recovery_codes(request: HttpRequest, user: User) -> list[str]:
    """New recovery codes (any earlier ones stop working), returned once to be shown once: only
    django-otp's stored copies remain, each used at most once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit.record(request, Action.CHANGE, detail=f"made {RECOVERY_CODE_COUNT} new recovery codes")
    return codes


def verify_second_factor(request: HttpRequest, user: User, code: str) -> bool:
    """An authenticator app's code or an unused recovery code, tried against each of the user's
    devices (django-otp throttles each device after a wrong code)."""
    candidates = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for candidate in candidates:
        device = verify_token(user, candidate.persistent_id, code)
        if device is not None:
            otp_login(request, device)
            used = "a recovery code" if isinstance(device, StaticDevice) else "an authenticator app"
            audit.record(request, Action.SIGN_IN, detail=f"second factor: {used}")
            return True
    audit.record(request, Action.SIGN_IN_FAILED, user=user, detail="wrong second-factor code")
    return False


def may_reset(actor: User, account: User) -> bool:
    """A superuser resets anyone else; a clinic manager resets a clinical user (not staff) all of
    whose clinics they manage. Nobody else, and never one's own account (one changes one's own
    password with the old one)."""
    if actor.pk == account.pk or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if account.is_superuser or account.is_staff:
        return False
    clinics = set(Clinic.objects.filter(members=account).values_list("pk", flat=True))
    managed = set(Clinic.objects.filter(managers__user=actor).values_list("pk", flat=True))
    return bool(clinics) and clinics <= managed


def reset_sign_in(request: HttpRequest, account: User, *, password: str | None, reason: str) -> None:
    """Reset another user's sign-in: a one-time password (when given) that they must change, every
    second factor removed (they enrol again at their next sign-in), every session ended. Audited,
    and the user is told by e-mail when e-mail is configured."""
    actor = request.user
    if not isinstance(actor, User) or not may_reset(actor, account):
        raise ResetRefused(f"You may not reset the sign-in of {account.get_username()}.")
    with transaction.atomic():
        if password is not None:
            account.set_password(password)
            account.save(update_fields=["password"])
            OneTimePassword.objects.update_or_create(user=account)
        removed = remove_second_factors(account)
        ended = end_sessions(account)
        what = "password and second factor" if password is not None else "second factor"
        audit.record(
            request,
            Action.ADMINISTER,
            detail=f"reset the {what} of {account.get_username()}: {removed} device(s) removed, {ended} session(s) ended",
            reason=reason,
        )
    tell_the_user(account, what=what, by=actor)


def remove_second_factors(account: User) -> int:
    removed = 0
    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        removed += model.objects.filter(user=account).delete()[1].get(model._meta.label, 0)
    return removed


def end_sessions(account: User) -> int:
    """Delete the account's sessions (database sessions: each is read to find its user)."""
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(account.pk)
    ]
    return Session.objects.filter(pk__in=mine).delete()[0]


def tell_the_user(account: User, *, what: str, by: User) -> None:
    if not settings.PASSWORD_RESET_ENABLED or not account.email:
        return
    send_mail(
        subject="Your taper planner sign-in was reset",
        message=(
            f"Hello {account.get_full_name() or account.get_username()},\n\n"
            f"The {what} of your taper planner account ({account.get_username()}) was reset by "
            f"{by.get_full_name() or by.get_username()} on {timezone.localtime():%Y-%m-%d at %H:%M}. "
            "At your next sign-in you will set up your second factor again.\n\n"
            "If you did not ask for this, tell your clinic's manager at once."
        ),
        from_email=None,
        recipient_list=[account.email],
    )
