"""Two-factor sign-in for every role (OWASP ASVS 5.0, 6.3.3): a password alone opens no page but the
second factor's; enrolment is forced at the first sign-in; the second factor is asked at every
sign-in; recovery codes are shown once and work once; a browser is remembered only where the
setting allows it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, AuditEvent
from schedules.models import Patient

from ..conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]

VERIFY = reverse("two_factor_verify")
ENROL = reverse("two_factor_enrol")
RECOVERY = reverse("two_factor_recovery_codes")


def password_only(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The app's code now (or a step ahead: django-otp accepts one step of drift and refuses a
    code already used)."""
    return f"{totp(device.bin_key, drift=steps_ahead):06d}"


@pytest.fixture
def no_waiting(settings: Any) -> None:
    """django-otp makes one wait after a wrong code (1 s, doubling): tests of what follows a wrong
    code do not wait (the wait itself is tested below)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


@pytest.mark.parametrize("role", ["prescriber", "staff", "administrator"])
def test_a_password_alone_reaches_no_patient_data_nor_the_admin(
    request: pytest.FixtureRequest, role: str, patient: Patient
) -> None:
    user: User = request.getfixturevalue(role)
    enrolled(user)
    client = password_only(user.username)
    pages = [
        reverse("schedules:patient_list"),
        reverse("schedules:patient_detail", args=[patient.pk]),
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
        reverse("password_change"),
        RECOVERY,
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(VERIFY), page


def test_the_first_sign_in_enrols_an_authenticator_app_and_shows_recovery_codes_once(
    prescriber: User, patient: Patient, no_waiting: None
) -> None:
    client = password_only("prescriber")
    assert client.get(VERIFY)["Location"].startswith(ENROL)
    page = client.get(ENROL).content.decode()
    assert "<svg" in page and 'class="qr-code"' in page
    device = TOTPDevice.objects.get(user=prescriber, confirmed=False)
    wrong = client.post(ENROL, {"code": "000000" if code(device) != "000000" else "111111"})
    assert "That code does not match" in wrong.content.decode()
    shown = client.post(ENROL, {"code": code(device)}).content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", shown)
    assert len(codes) == 10
    assert "shown only this once" in shown
    assert client.get(reverse("schedules:patient_list")).status_code == 200
    again = client.get(RECOVERY).content.decode()
    assert "10 unused recovery codes" in again and codes[0] not in again
    actions = list(AuditEvent.objects.filter(user=prescriber).values_list("detail", flat=True))
    assert "added an authenticator app as a second factor" in actions


def test_the_second_factor_is_asked_at_every_sign_in(prescriber: User, no_waiting: None) -> None:
    device = enrolled(prescriber)
    client = password_only("prescriber")
    assert client.get(reverse("schedules:patient_list"))["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"code": code(device), "next": reverse("schedules:patient_list")})
    assert response["Location"] == reverse("schedules:patient_list")
    assert client.get(reverse("schedules:patient_list")).status_code == 200
    client.post(reverse("logout"))
    again = password_only("prescriber")
    assert again.get(reverse("schedules:patient_list"))["Location"].startswith(VERIFY)
    # The code just used is refused (no replay); the app's next one works.
    assert again.post(VERIFY, {"code": code(device)}).status_code == 200
    assert again.post(VERIFY, {"code": code(device, steps_ahead=1)}).status_code == 302


def test_someone_with_only_the_password_cannot_enrol_their_own_app(prescriber: User) -> None:
    enrolled(prescriber)
    client = password_only("prescriber")
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": "123456"})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=prescriber).count() == 1
    # Nor a passkey (django-otp-webauthn refuses an unverified user who has a second factor).
    response = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert response.status_code == 403


def test_a_wrong_code_is_refused_and_audited(prescriber: User) -> None:
    device = enrolled(prescriber)
    client = password_only("prescriber")
    wrong = "000000" if code(device) != "000000" else "111111"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED, user=prescriber).exists()
    assert client.get(reverse("schedules:patient_list"))["Location"].startswith(VERIFY)


def test_after_a_wrong_code_even_the_right_one_waits(prescriber: User) -> None:
    device = enrolled(prescriber)
    client = password_only("prescriber")
    client.post(VERIFY, {"code": "000000" if code(device) != "000000" else "111111"})
    assert client.post(VERIFY, {"code": code(device)}).status_code == 200  # guessing is slowed down


def test_a_recovery_code_works_once(prescriber: User) -> None:
    enrolled(prescriber)
    recovery = StaticDevice.objects.create(user=prescriber, name="Recovery codes", confirmed=True)
    recovery.token_set.create(token="abcd2345")
    first = password_only("prescriber")
    assert first.post(VERIFY, {"code": "abcd 2345"}).status_code == 302
    assert first.get(reverse("schedules:patient_list")).status_code == 200
    second = password_only("prescriber")
    assert second.post(VERIFY, {"code": "abcd2345"}).status_code == 200


def test_new_recovery_codes_replace_the_old_ones(prescriber: User, no_waiting: None) -> None:
    device = enrolled(prescriber)
    client = password_only("prescriber")
    client.post(VERIFY, {"code": code(device)})
    assert "Make new recovery codes" in client.get(RECOVERY).content.decode()
    first = re.findall(
        r"<li><code>([a-z0-9]+)</code></li>", client.post(RECOVERY, {"make": "1"}).content.decode()
    )
    second = re.findall(
        r"<li><code>([a-z0-9]+)</code></li>", client.post(RECOVERY, {"make": "1"}).content.decode()
    )
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert password_only("prescriber").post(VERIFY, {"code": first[0]}).status_code == 200
    assert password_only("prescriber").post(VERIFY, {"code": second[0]}).status_code == 302


def test_a_browser_is_not_remembered_unless_the_setting_allows_it(prescriber: User, settings: Any) -> None:
    device = enrolled(prescriber)
    settings.TWO_FACTOR_REMEMBER_DAYS = 0
    client = password_only("prescriber")
    assert "Do not ask again" not in client.get(VERIFY).content.decode()
    response = client.post(VERIFY, {"code": code(device), "remember": "on"})
    assert "remember" not in response.cookies


def test_where_the_setting_allows_it_a_remembered_browser_skips_the_code(
    prescriber: User, settings: Any
) -> None:
    device = enrolled(prescriber)
    settings.TWO_FACTOR_REMEMBER_DAYS = 30
    client = password_only("prescriber")
    assert "Do not ask again on this browser for 30 days" in client.get(VERIFY).content.decode()
    client.post(VERIFY, {"code": code(device), "remember": "on"})
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "prescriber", "password": PASSWORD})
    assert client.get(VERIFY)["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert client.get(reverse("schedules:patient_list")).status_code == 200
    # A reset removes the device, and the browser is no longer remembered.
    TOTPDevice.objects.filter(user=prescriber).delete()
    StaticDevice.objects.create(user=prescriber, name="Recovery codes", confirmed=True)
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "prescriber", "password": PASSWORD})
    assert client.get(VERIFY).status_code == 200


def test_the_demo_accounts_sign_in_with_the_printed_key(capsys: Any) -> None:
    from schedules.management.commands.seed_demo import DEMO_TOTP_KEY_BASE32

    call_command("seed_demo")
    assert DEMO_TOTP_KEY_BASE32 in capsys.readouterr().out
    client = Client()
    client.post(reverse("login"), {"username": "prescriber", "password": "taper-prescriber"})
    device = TOTPDevice.objects.get(user__username="prescriber")
    assert client.post(VERIFY, {"code": code(device)}).status_code == 302
    assert client.get(reverse("schedules:patient_list")).status_code == 200


def test_the_demo_accounts_are_never_made_where_debug_is_off(settings: Any) -> None:
    settings.DEMO_ACCOUNTS_ALLOWED = False
    with pytest.raises(CommandError, match="runs only with DJANGO_DEBUG on"):
        call_command("seed_demo")
    assert not User.objects.filter(username="prescriber").exists()


@pytest.mark.parametrize("scripts", ["auth_scripts", "register_scripts"])
def test_the_passkey_buttons_find_their_words_loaded_before_them(scripts: str) -> None:
    """django-otp-webauthn's own template loads its translation catalogue "async": on a slow
    machine its button appeared and was clicked before `gettext` existed, and the click did
    nothing. Ours loads the catalogue first, in order, so a click always works."""
    page = get_template(f"django_otp_webauthn/{scripts}.html").render({"configuration": {}})
    catalogue = re.search(r"<script[^>]*jsi18n[^>]*>", page)
    assert catalogue is not None and "async" not in catalogue.group(0) and "defer" not in catalogue.group(0)
    assert page.index("jsi18n") < page.index('type="module"')
