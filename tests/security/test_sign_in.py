"""Sign-in and sessions: Argon2, length 12, lockout per user and per address, idle and absolute
session limits, no-store, the Content Security Policy, password reset only with e-mail."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.signals import LAST_SEEN, SIGNED_IN_AT
from audit.addresses import client_address
from taperapp import settings as project_settings

from ..conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


def attempt(username: str, password: str, address: str = "192.0.2.10", **headers: Any) -> Any:
    return Client(REMOTE_ADDR=address, **headers).post(
        reverse("login"), {"username": username, "password": password}
    )


def test_passwords_are_hashed_with_argon2(settings: Any) -> None:
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert make_password("a-long-enough-password").startswith("argon2$argon2id$")


def test_passwords_need_twelve_characters() -> None:
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Xk4#pq9!zT2")  # 11
    validate_password("Xk4#pq9!zT2w")


def test_thirty_wrong_passwords_then_the_right_one_is_refused(prescriber: User) -> None:
    for _ in range(30):
        attempt("prescriber", WRONG)
    response = attempt("prescriber", PASSWORD)
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_guessing_a_users_password_locks_the_guesser_not_the_user(prescriber: User) -> None:
    for _ in range(5):
        attempt("prescriber", WRONG, address="198.51.100.1")
    assert attempt("prescriber", PASSWORD, address="198.51.100.1").status_code == 429
    # The real user, at their own address, still signs in.
    assert attempt("prescriber", PASSWORD, address="203.0.113.50").status_code == 302


def test_a_few_failures_of_other_names_leave_the_address_open(prescriber: User) -> None:
    # A clinic's staff share one address: colleagues' typing slips do not lock each other out.
    for number in range(10):
        attempt(f"colleague{number}", WRONG, address="198.51.100.77")
    assert attempt("prescriber", PASSWORD, address="198.51.100.77").status_code == 302


def test_many_failures_lock_the_address_for_every_user_name(prescriber: User) -> None:
    for number in range(50):
        attempt(f"guess{number}", WRONG, address="198.51.100.77")
    assert attempt("prescriber", PASSWORD, address="198.51.100.77").status_code == 429
    assert attempt("prescriber", PASSWORD, address="198.51.100.78").status_code == 302


def test_a_few_mistakes_then_the_right_password_signs_in(prescriber: User) -> None:
    for _ in range(3):
        assert attempt("prescriber", WRONG).status_code == 200
    assert attempt("prescriber", PASSWORD).status_code == 302


def test_behind_the_proxy_the_lockout_counts_the_forwarded_address(prescriber: User, settings: Any) -> None:
    settings.TRUST_X_FORWARDED_FOR = 1
    for _ in range(5):
        # The proxy's address is the same for everyone; the client's is the last forwarded entry.
        attempt("prescriber", WRONG, address="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    locked = attempt("prescriber", PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert locked.status_code == 429
    other = attempt("prescriber", PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.10")
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.9", "10.0.0.1"),  # no proxy configured: the header is ignored
        (1, "", "10.0.0.1"),
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "6.6.6.6, 198.51.100.9", "198.51.100.9"),  # the client forged the first entry
        (2, "198.51.100.9, 10.0.0.2", "198.51.100.9"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_behind_the_proxy(
    settings: Any, proxies: int, forwarded: str, expected: str
) -> None:
    from django.test import RequestFactory

    settings.TRUST_X_FORWARDED_FOR = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_sessions_end_after_thirty_idle_minutes(prescriber_client: Client) -> None:
    assert project_settings.SESSION_COOKIE_AGE == 30 * 60
    prescriber_client.get(reverse("schedules:patient_list"))
    assert prescriber_client.session.get_expiry_age() == 30 * 60
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = prescriber_client.get(reverse("schedules:patient_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_request_after_thirty_idle_minutes_signs_out(prescriber_client: Client) -> None:
    session = prescriber_client.session
    session[LAST_SEEN] = int(time.time()) - 30 * 60 - 1
    session.save()
    response = prescriber_client.get(reverse("schedules:patient_list"))
    assert response["Location"] == f"{reverse('login')}?expired=1"
    assert "_auth_user_id" not in prescriber_client.session


def test_activity_moves_the_idle_clock_on(prescriber_client: Client) -> None:
    session = prescriber_client.session
    session[LAST_SEEN] = int(time.time()) - 29 * 60
    session.save()
    assert prescriber_client.get(reverse("schedules:patient_list")).status_code == 200
    assert prescriber_client.session[LAST_SEEN] >= int(time.time()) - 5


def test_sessions_end_twelve_hours_after_sign_in_however_busy(prescriber_client: Client) -> None:
    assert project_settings.SESSION_ABSOLUTE_LIFETIME_SECONDS == 12 * 3600
    session = prescriber_client.session
    session[SIGNED_IN_AT] = int(time.time()) - 12 * 3600 - 1
    session[LAST_SEEN] = int(time.time())
    session.save()
    response = prescriber_client.get(reverse("schedules:patient_list"))
    assert response["Location"] == f"{reverse('login')}?expired=1"
    assert "_auth_user_id" not in prescriber_client.session  # signed out
    login_page = prescriber_client.get(response["Location"])
    assert "Your session ended" in login_page.content.decode()


def test_signed_in_pages_are_never_cached(prescriber_client: Client, patient: Any) -> None:
    for url in (reverse("schedules:patient_list"), reverse("schedules:patient_detail", args=[patient.pk])):
        assert "no-store" in prescriber_client.get(url)["Cache-Control"]


def test_the_content_security_policy_allows_no_inline_code_plugins_or_framing(
    prescriber_client: Client,
) -> None:
    policy = prescriber_client.get(reverse("schedules:patient_list"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_password_reset_is_off_without_email(db: None) -> None:
    assert not project_settings.PASSWORD_RESET_ENABLED or project_settings.EMAIL_HOST
    with pytest.raises(NoReverseMatch):
        reverse("password_reset")
    assert Client().get("/accounts/password_reset/").status_code == 404
    assert "Forgotten your password" not in Client().get(reverse("login")).content.decode()


def test_password_reset_is_on_with_email(email_configured: None, db: None) -> None:
    assert Client().get(reverse("password_reset")).status_code == 200
    assert "Forgotten your password" in Client().get(reverse("login")).content.decode()


def test_force_login_sessions_carry_the_sign_in_time(prescriber: User) -> None:
    assert isinstance(client_for(prescriber).session[SIGNED_IN_AT], int)
