"""No account takeover (issue 16, item 1): an administrator creates users and sets roles but never
sets, resets or clears another user's password or second factor. A superuser, or a manager of all
of a clinical user's clinics, resets their sign-in: a one-time password, every second factor removed,
every session ended, in the audit trail, and the user told by e-mail when e-mail is configured."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ClinicManager, OneTimePassword
from audit.models import Action, AuditEvent
from schedules.models import Clinic, Patient

from ..conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db

RESET = {
    "new_password1": "a-new-one-time-secret",
    "new_password2": "a-new-one-time-secret",
    "reason": "Lost phone",
}


def reset_url(account: User) -> str:
    return reverse("admin:auth_user_password_change", args=[account.pk])


@pytest.fixture
def enrolled_staff(staff: User) -> User:
    TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)
    return staff


def test_an_administrator_cannot_set_another_users_password(
    admin_client_: Client, enrolled_staff: User, patient: Patient
) -> None:
    assert admin_client_.get(reset_url(enrolled_staff)).status_code == 403
    assert admin_client_.post(reset_url(enrolled_staff), RESET).status_code == 403
    enrolled_staff.refresh_from_db()
    assert enrolled_staff.check_password(PASSWORD)
    assert not OneTimePassword.objects.filter(user=enrolled_staff).exists()
    assert TOTPDevice.objects.filter(user=enrolled_staff).exists()


def test_an_administrator_has_no_admin_page_for_second_factors(admin_client_: Client) -> None:
    for path in ("/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/"):
        assert admin_client_.get(path).status_code == 404


def test_an_administrator_creates_an_account_without_a_password(admin_client_: Client) -> None:
    response = admin_client_.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "chosen-by-the-administrator",
            "password2": "chosen-by-the-administrator",
            "change_reason": "New prescriber",
        },
    )
    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.has_usable_password()
    signing_in = Client().post(
        reverse("login"), {"username": "newcomer", "password": "chosen-by-the-administrator"}
    )
    assert signing_in.status_code == 200  # refused: the form again


def test_an_administrator_cannot_redirect_a_users_reset_email(admin_client_: Client, staff: User) -> None:
    staff.email = "staff@example.org"
    staff.save()
    url = reverse("admin:auth_user_change", args=[staff.pk])
    page = admin_client_.get(url).content.decode()
    assert 'name="email"' not in page
    admin_client_.post(url, {"username": "staff", "email": "attacker@example.org", "is_active": "on"})
    staff.refresh_from_db()
    assert staff.email == "staff@example.org"


def test_a_superuser_resets_a_sign_in_ending_sessions_and_second_factors(
    superuser: User, enrolled_staff: User, email_configured: None, mailoutbox: list[Any]
) -> None:
    enrolled_staff.email = "staff@example.org"
    enrolled_staff.save()
    signed_in = client_for(enrolled_staff)
    assert signed_in.get(reverse("schedules:patient_list")).status_code == 200
    response = client_for(superuser).post(reset_url(enrolled_staff), RESET)
    assert response.status_code == 302
    enrolled_staff.refresh_from_db()
    assert enrolled_staff.check_password(RESET["new_password1"])
    assert OneTimePassword.objects.filter(user=enrolled_staff).exists()
    assert not TOTPDevice.objects.filter(user=enrolled_staff).exists()
    assert not StaticDevice.objects.filter(user=enrolled_staff).exists()
    assert signed_in.get(reverse("schedules:patient_list"))["Location"].startswith(reverse("login"))
    event = AuditEvent.objects.get(action=Action.ADMINISTER, user=superuser)
    assert "reset the password and second factor of staff" in event.detail
    assert event.reason == "Lost phone"
    assert [message.to for message in mailoutbox] == [["staff@example.org"]]
    assert "was reset by" in mailoutbox[0].body


def test_a_reset_may_keep_the_password_and_clear_only_the_second_factor(
    superuser: User, enrolled_staff: User
) -> None:
    client_for(superuser).post(reset_url(enrolled_staff), {"reason": "Lost phone"})
    enrolled_staff.refresh_from_db()
    assert enrolled_staff.check_password(PASSWORD)
    assert not OneTimePassword.objects.filter(user=enrolled_staff).exists()
    assert not TOTPDevice.objects.filter(user=enrolled_staff).exists()


def test_a_reset_needs_a_reason(superuser: User, enrolled_staff: User) -> None:
    response = client_for(superuser).post(reset_url(enrolled_staff), {**RESET, "reason": ""})
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=enrolled_staff).exists()


def test_a_manager_of_all_the_users_clinics_resets_their_sign_in(
    clinic: Clinic, other_clinic: Clinic, enrolled_staff: User
) -> None:
    manager = make_user("manager", "Administrator", clinic, is_staff=True)
    ClinicManager.objects.create(user=manager, clinic=clinic)
    other_clinic.members.add(enrolled_staff)
    # A manager of one of the user's two clinics may not.
    assert client_for(manager).post(reset_url(enrolled_staff), RESET).status_code == 403
    ClinicManager.objects.create(user=manager, clinic=other_clinic)
    assert client_for(manager).post(reset_url(enrolled_staff), RESET).status_code == 302
    assert not TOTPDevice.objects.filter(user=enrolled_staff).exists()


def test_a_manager_cannot_reset_another_administrator(clinic: Clinic, administrator: User) -> None:
    manager = make_user("manager", "Administrator", clinic, is_staff=True)
    ClinicManager.objects.create(user=manager, clinic=clinic)
    assert client_for(manager).get(reset_url(administrator)).status_code == 403


def test_a_password_chosen_from_a_reset_email_is_audited_and_keeps_the_second_factor(
    email_configured: None, enrolled_staff: User, mailoutbox: list[Any]
) -> None:
    enrolled_staff.email = "staff@example.org"
    enrolled_staff.save()
    client = Client()
    client.post(reverse("password_reset"), {"email": "staff@example.org"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)  # type: ignore[union-attr]
    form_page = client.get(link, follow=True)
    new = "chosen-from-the-email"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    enrolled_staff.refresh_from_db()
    assert enrolled_staff.check_password(new)
    assert AuditEvent.objects.filter(user=enrolled_staff, detail__contains="reset e-mail").exists()
    assert TOTPDevice.objects.filter(user=enrolled_staff).exists()
