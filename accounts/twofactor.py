"""What the second factor reads: a user's devices, the authenticator app's QR code, the passkeys'
relying party, and the remembered browser (only where TWO_FACTOR_REMEMBER_DAYS allows it)."""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.safestring import SafeString, mark_safe
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

RECOVERY_DEVICE_NAME = "Recovery codes"
REMEMBER_SALT = "accounts.twofactor.remember"


@dataclass(frozen=True)
class Factors:
    """A user's confirmed second factors."""

    authenticator_apps: int
    passkeys: int
    recovery_codes_left: int | None  # None: no recovery codes made

    @property
    def enrolled(self) -> bool:
        """Recovery codes alone are not an enrolment: they stand in for a lost app or passkey."""
        return bool(self.authenticator_apps or self.passkeys)


def factors_of(user: User) -> Factors:
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return Factors(
        authenticator_apps=TOTPDevice.objects.filter(user=user, confirmed=True).count(),
        passkeys=WebAuthnCredential.objects.filter(user=user, confirmed=True).count(),
        recovery_codes_left=None if recovery is None else recovery.token_set.count(),
    )


def has_second_factor(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def qr_code_svg(text: str) -> SafeString:
    """The QR code as an inline SVG element (drawn here: no script, no image from elsewhere)."""
    svg = segno.make(text, error="m").svg_inline(
        scale=5, omitsize=True, svgclass="qr-code", title="QR code for your authenticator app"
    )
    return mark_safe(svg)  # segno's own markup; the text is only encoded in the drawing


def secret_for_typing(key: bytes) -> str:
    """The secret in base32, in groups of four, as authenticator apps take it when typed in."""
    secret = b32encode(key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def relying_party_id(request: HttpRequest) -> str:
    """Passkeys belong to this site's host name (checked against ALLOWED_HOSTS), without a port."""
    host = request.get_host()
    return host if host.endswith("]") else host.rsplit(":", 1)[0]


class PasskeyHelper(WebAuthnHelper):
    """Passkeys are accepted from this site's own origin: HTTPS, or http://localhost, which
    browsers treat as secure (development and the browser tests)."""

    def get_allowed_origins(self) -> list[str]:
        origins = list(super().get_allowed_origins())
        origin = f"{self.request.scheme}://{self.request.get_host()}"
        if self.request.is_secure() or relying_party_id(self.request) == "localhost":
            origins.append(origin)
        return origins


def remember_cookie_name() -> str:
    return "__Host-remember" if settings.SESSION_COOKIE_SECURE else "remember"


def remember_browser(response: HttpResponse, device: Device) -> None:
    """Let this browser skip the second factor for TWO_FACTOR_REMEMBER_DAYS (when above 0)."""
    days = settings.TWO_FACTOR_REMEMBER_DAYS
    if days <= 0:
        return
    response.set_signed_cookie(
        remember_cookie_name(),
        f"{device.user_id}:{device.persistent_id}",
        salt=REMEMBER_SALT,
        max_age=days * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def remembered_device(request: HttpRequest) -> Any:
    """The device that verified this browser before, if the setting allows it and the device is
    still the user's (a reset removes every device, and so every remembered browser)."""
    days = settings.TWO_FACTOR_REMEMBER_DAYS
    if days <= 0:
        return None
    try:
        value = request.get_signed_cookie(remember_cookie_name(), salt=REMEMBER_SALT, max_age=days * 86400)
    except (KeyError, signing.BadSignature):
        return None
    user_id, _, persistent_id = str(value).partition(":")
    device = Device.from_persistent_id(persistent_id)
    if device is None or str(device.user_id) != user_id or device.user_id != request.user.pk:
        return None
    return device if device.confirmed else None
