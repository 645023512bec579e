"""Roles that cannot escalate: what administrators, clinic managers and superusers may do to users."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from accounts.models import ClinicManager, OneTimePassword
from schedules.models import Clinic, Market, Patient

from ..conftest import PASSWORD, client_for, make_patient, make_user

pytestmark = pytest.mark.django_db


def change_url(user: User) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def form_data(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """What the change form would send as it stands, with `changes` typed in."""
    form = client.get(url).context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        if hasattr(value, "__iter__") and not isinstance(value, str):
            value = [getattr(item, "pk", item) for item in value]
        data[name] = value
    data["change_reason"] = "Asked for by the clinic manager"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_administrator_cannot_make_themself_superuser(admin_client_: Client, administrator: User) -> None:
    url = change_url(administrator)
    response = admin_client_.post(url, form_data(admin_client_, url, is_superuser="on"))
    assert response.status_code == 302
    administrator.refresh_from_db()
    assert not administrator.is_superuser


def test_an_administrator_cannot_make_anyone_superuser(admin_client_: Client, staff: User) -> None:
    url = change_url(staff)
    admin_client_.post(url, form_data(admin_client_, url, is_superuser="on"))
    staff.refresh_from_db()
    assert not staff.is_superuser


def test_an_administrator_cannot_create_a_superuser(admin_client_: Client) -> None:
    admin_client_.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a-long-new-password",
            "password2": "a-long-new-password",
            "is_superuser": "on",
            "change_reason": "New prescriber",
        },
    )
    assert not User.objects.get(username="newcomer").is_superuser


def test_an_administrator_cannot_change_a_superuser(admin_client_: Client, superuser: User) -> None:
    url = change_url(superuser)
    assert admin_client_.get(url).context["has_change_permission"] is False
    response = admin_client_.post(url, {"username": "renamed", "is_active": ""})
    assert response.status_code == 403
    assert (
        admin_client_.get(reverse("admin:auth_user_password_change", args=[superuser.pk])).status_code == 403
    )
    superuser.refresh_from_db()
    assert superuser.username == "root" and superuser.is_active


def test_an_administrator_cannot_change_their_own_roles(admin_client_: Client, administrator: User) -> None:
    url = change_url(administrator)
    prescriber_role = Group.objects.get(name="Prescriber")
    admin_client_.post(url, form_data(admin_client_, url, groups=[prescriber_role.pk]))
    assert list(administrator.groups.values_list("name", flat=True)) == ["Administrator"]


def test_an_administrator_cannot_grant_single_permissions(admin_client_: Client, staff: User) -> None:
    from django.contrib.auth.models import Permission

    add_patient = Permission.objects.get(codename="add_patient")
    url = change_url(staff)
    admin_client_.post(url, form_data(admin_client_, url, user_permissions=[add_patient.pk]))
    assert not staff.user_permissions.exists()


def test_an_administrator_sets_another_users_roles(admin_client_: Client, staff: User) -> None:
    url = change_url(staff)
    prescriber_role = Group.objects.get(name="Prescriber")
    response = admin_client_.post(url, form_data(admin_client_, url, groups=[prescriber_role.pk]))
    assert response.status_code == 302
    assert list(staff.groups.values_list("name", flat=True)) == ["Prescriber"]


def test_only_a_superuser_gives_or_takes_away_the_auditor_role(
    admin_client_: Client, staff: User, auditor: User, superuser: User
) -> None:
    """The Auditor reads every patient in the trail: an Administrator who could make one (a new
    account with their own e-mail address, then a reset e-mail) would read patients through it."""
    auditor_role = Group.objects.get(name="Auditor")
    url = change_url(staff)
    refused = admin_client_.post(url, form_data(admin_client_, url, groups=[auditor_role.pk]))
    assert "Only a superuser gives or takes away the Auditor role" in str(
        refused.context["adminform"].form.errors["groups"]
    )
    assert not staff.groups.filter(name="Auditor").exists()
    auditor_url = change_url(auditor)
    kept = admin_client_.post(auditor_url, form_data(admin_client_, auditor_url, groups=[]))
    assert kept.status_code == 200 and auditor.groups.filter(name="Auditor").exists()
    renamed = admin_client_.post(auditor_url, form_data(admin_client_, auditor_url, first_name="Privacy"))
    assert renamed.status_code == 302 and auditor.groups.filter(name="Auditor").exists()
    root = client_for(superuser)
    granted = root.post(url, form_data(root, url, groups=[auditor_role.pk]))
    assert granted.status_code == 302 and staff.groups.filter(name="Auditor").exists()


def test_an_administrator_cannot_join_another_clinic(
    admin_client_: Client, administrator: User, other_clinic: Clinic, foreign_patient: Patient
) -> None:
    url = change_url(administrator)
    admin_client_.post(url, form_data(admin_client_, url, clinics=[other_clinic.pk]))
    assert not other_clinic.members.filter(pk=administrator.pk).exists()


def test_the_clinic_page_no_longer_edits_membership(admin_client_: Client, clinic: Clinic) -> None:
    form = (
        admin_client_.get(reverse("admin:schedules_clinic_change", args=[clinic.pk]))
        .context["adminform"]
        .form
    )
    assert "members" not in form.fields


def test_only_a_manager_of_the_clinic_changes_its_membership(
    admin_client_: Client, administrator: User, clinic: Clinic, other_clinic: Clinic
) -> None:
    newcomer = make_user("newcomer", "Clinic staff", None)
    url = change_url(newcomer)
    # Not a manager: no clinic can be chosen, and a crafted POST changes nothing.
    admin_client_.post(url, form_data(admin_client_, url, clinics=[clinic.pk]))
    assert not newcomer.clinics.exists()
    # Manager of Riverside: may add the newcomer there, and only there.
    ClinicManager.objects.create(user=administrator, clinic=clinic)
    choices = admin_client_.get(url).context["adminform"].form.fields["clinics"].queryset
    assert list(choices) == [clinic]
    response = admin_client_.post(url, form_data(admin_client_, url, clinics=[clinic.pk, other_clinic.pk]))
    assert response.status_code == 200  # another clinic is not a valid choice
    admin_client_.post(url, form_data(admin_client_, url, clinics=[clinic.pk]))
    assert list(newcomer.clinics.all()) == [clinic]


def test_a_manager_removing_one_clinic_keeps_the_others(
    admin_client_: Client, administrator: User, clinic: Clinic, other_clinic: Clinic
) -> None:
    member = make_user("member", "Clinic staff", clinic)
    other_clinic.members.add(member)
    ClinicManager.objects.create(user=administrator, clinic=clinic)
    url = change_url(member)
    admin_client_.post(url, form_data(admin_client_, url, clinics=[]))
    assert list(member.clinics.all()) == [other_clinic]


def test_a_manager_cannot_change_their_own_clinics(
    admin_client_: Client, administrator: User, clinic: Clinic
) -> None:
    ClinicManager.objects.create(user=administrator, clinic=clinic)
    url = change_url(administrator)
    admin_client_.post(url, form_data(admin_client_, url, clinics=[]))
    assert clinic.members.filter(pk=administrator.pk).exists()


def test_a_superuser_changes_membership(superuser: User, staff: User, other_clinic: Clinic) -> None:
    client = client_for(superuser)
    url = change_url(staff)
    client.post(url, form_data(client, url, clinics=[other_clinic.pk]))
    assert list(staff.clinics.all()) == [other_clinic]


def test_only_superusers_name_clinic_managers(admin_client_: Client, staff: User, clinic: Clinic) -> None:
    response = admin_client_.post(
        reverse("admin:accounts_clinicmanager_add"), {"user": staff.pk, "clinic": clinic.pk}
    )
    assert response.status_code == 403
    assert not ClinicManager.objects.exists()


def sign_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    client.post(reverse("login"), {"username": username, "password": password})
    return client


def test_a_password_set_by_a_superuser_must_be_changed_at_first_sign_in(
    superuser: User, staff: User, patient: Patient
) -> None:
    new = "set-by-the-superuser"
    url = reverse("admin:auth_user_password_change", args=[staff.pk])
    response = client_for(superuser).post(
        url, {"new_password1": new, "new_password2": new, "reason": "Forgotten, checked in person"}
    )
    assert response.status_code == 302
    assert OneTimePassword.objects.filter(user=staff).exists()
    client = sign_in("staff", new)
    for page in (reverse("schedules:patient_list"), reverse("schedules:patient_detail", args=[patient.pk])):
        assert client.get(page)["Location"] == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {"old_password": new, "new_password1": "my-very-own-secret", "new_password2": "my-very-own-secret"},
    )
    assert response.status_code == 302
    assert not OneTimePassword.objects.filter(user=staff).exists()
    assert client.get(reverse("schedules:patient_list")).status_code == 200


def test_a_user_created_by_a_superuser_starts_with_a_one_time_password(superuser: User) -> None:
    client_for(superuser).post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a-long-new-password",
            "password2": "a-long-new-password",
            "change_reason": "New prescriber",
        },
    )
    assert OneTimePassword.objects.filter(user__username="newcomer").exists()


def test_an_administrators_own_password_is_changed_on_the_ordinary_page(
    admin_client_: Client, administrator: User
) -> None:
    response = admin_client_.get(reverse("admin:auth_user_password_change", args=[administrator.pk]))
    assert response["Location"] == reverse("password_change")


def test_a_reset_email_needs_email_configured(admin_client_: Client, staff: User, settings: Any) -> None:
    settings.PASSWORD_RESET_ENABLED = False
    staff.email = "staff@example.org"
    staff.save()
    response = admin_client_.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_password_reset", "_selected_action": [staff.pk]},
        follow=True,
    )
    assert "E-mail is not configured" in response.content.decode()


def test_a_reset_email_is_sent_when_email_is_configured(
    email_configured: None, admin_client_: Client, staff: User, mailoutbox: list[Any]
) -> None:
    staff.email = "staff@example.org"
    staff.save()
    admin_client_.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_password_reset", "_selected_action": [staff.pk]},
    )
    assert [message.to for message in mailoutbox] == [["staff@example.org"]]


@pytest.mark.parametrize(
    ("role", "sees"),
    [("Prescriber", True), ("Clinic staff", True), ("Administrator", False), (None, False)],
)
def test_patient_data_needs_a_clinical_role_as_well_as_membership(
    clinic: Clinic, role: str | None, sees: bool
) -> None:
    patient = make_patient(clinic)
    user = make_user("member", role, clinic)
    assert Patient.objects.visible_to(user).filter(pk=patient.pk).exists() is sees


def test_a_clinical_role_without_membership_sees_nothing(db: None) -> None:
    elsewhere = Clinic.objects.create(name="Elsewhere", market=Market.CA)
    make_patient(elsewhere)
    assert not Patient.objects.visible_to(make_user("loner", "Prescriber", None)).exists()
