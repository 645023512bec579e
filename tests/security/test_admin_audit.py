"""Issue 16 item 3: every administrator action is in the append-only audit trail, with who, what,
the old and new values (never a password), and why."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from followup.models import Scale
from schedules.models import Clinic, Equivalence, Formulation

from ..conftest import PASSWORD, client_for
from ..followup.test_admin import item_post
from ..test_admin import equivalence_post
from .test_roles import change_url, form_data

pytestmark = pytest.mark.django_db


def administered() -> AuditEvent:
    [event] = AuditEvent.objects.filter(action=Action.ADMINISTER)
    return event


@pytest.fixture
def root(db: None) -> Client:
    return client_for(User.objects.create_superuser("root", password=PASSWORD))


def test_an_equivalence_change_is_recorded_with_old_and_new_values_and_why(
    admin_client_: Client, administrator: User
) -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    url = reverse("admin:schedules_equivalence_change", args=[equivalence.pk])
    admin_client_.post(
        url, equivalence_post(equivalence, dose_mg="1.2", change_reason="BNF 2024"), REMOTE_ADDR="192.0.2.3"
    )
    event = administered()
    assert (event.user, event.address, event.reason) == (administrator, "192.0.2.3", "BNF 2024")
    assert event.changes == {"dose_mg": {"old": "1", "new": "1.2"}}
    assert event.detail.startswith(f"equivalence #{equivalence.pk} changed: ")


def test_a_product_marked_not_stocked_is_recorded(admin_client_: Client) -> None:
    product = Formulation.objects.filter(drug__name="diazepam", stocked=True).first()
    assert product is not None
    url = reverse("admin:schedules_formulation_change", args=[product.pk])
    form = admin_client_.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data.update({"stocked": "", "change_reason": "Out of stock at the supplier"})
    assert admin_client_.post(url, {k: v for k, v in data.items() if v != ""}).status_code == 302
    event = administered()
    assert event.changes == {"stocked": {"old": True, "new": False}}
    assert event.reason == "Out of stock at the supplier"


def test_a_scale_item_change_is_recorded(admin_client_: Client) -> None:
    item = Scale.objects.get().items.get(order=1)
    url = reverse("admin:followup_scaleitem_change", args=[item.pk])
    admin_client_.post(url, item_post(item, max_score=4, change_reason="Rated 0-4 locally"))
    event = administered()
    assert event.changes["max_score"] == {"old": 3, "new": 4}
    # item_post sends two anchors in place of the item's four: both lists are kept, as data.
    assert event.changes["anchors"]["new"] == [{"label": "None", "score": 0}, {"label": "Severe", "score": 3}]
    assert len(event.changes["anchors"]["old"]) == 4
    assert event.reason == "Rated 0-4 locally"


def test_a_clinic_added_is_recorded(admin_client_: Client) -> None:
    admin_client_.post(
        reverse("admin:schedules_clinic_add"),
        {"name": "Seaview", "market": "UK", "paper_size": "A4", "change_reason": "New clinic"},
    )
    clinic = Clinic.objects.get(name="Seaview")
    event = administered()
    assert event.detail == f"clinic #{clinic.pk} added: Seaview"
    assert event.changes["name"] == {"old": None, "new": "Seaview"} and event.reason == "New clinic"


def test_a_role_change_is_recorded_with_why(admin_client_: Client, staff: User) -> None:
    url = change_url(staff)
    prescriber_role = Group.objects.get(name="Prescriber")
    admin_client_.post(
        url, form_data(admin_client_, url, groups=[prescriber_role.pk], change_reason="Qualified as NMP")
    )
    event = administered()
    assert event.changes == {"groups": {"old": ["Clinic staff"], "new": ["Prescriber"]}}
    assert event.reason == "Qualified as NMP"


def test_a_user_change_without_a_reason_is_refused_and_keeps_what_was_typed(
    admin_client_: Client, staff: User
) -> None:
    url = change_url(staff)
    response = admin_client_.post(url, form_data(admin_client_, url, first_name="Alex", change_reason=""))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["change_reason"] == ["This field is required."]
    assert 'value="Alex"' in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.ADMINISTER).exists()


def test_a_clinic_membership_change_is_recorded(root: Client, staff: User, other_clinic: Clinic) -> None:
    url = change_url(staff)
    clinics = [*staff.clinics.values_list("pk", flat=True), other_clinic.pk]
    root.post(url, form_data(root, url, clinics=clinics, change_reason="Covers Hillview on Fridays"))
    event = administered()
    assert event.changes["clinics"] == {"old": ["Riverside"], "new": ["Hillview", "Riverside"]}
    assert event.username == "root"


def test_a_user_added_is_recorded_without_the_password(root: Client) -> None:
    # A superuser: only they set a new account's password (tests/security/test_takeover.py).
    root.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a-long-new-password",
            "password2": "a-long-new-password",
            "change_reason": "New prescriber",
        },
    )
    event = administered()
    assert event.changes["username"] == {"old": None, "new": "newcomer"}
    assert event.changes["password"] == {"new": "set (not recorded)"}
    assert "a-long-new-password" not in str(event.changes) and "argon2" not in str(event.changes)


def test_a_group_change_by_a_superuser_is_recorded(root: Client) -> None:
    group = Group.objects.get(name="Clinic staff")
    url = reverse("admin:auth_group_change", args=[group.pk])
    form = root.get(url).context["adminform"].form
    permissions = [p.pk for p in form.initial["permissions"]][:-1]
    root.post(url, {"name": "Clinic staff", "permissions": permissions})
    event = administered()
    assert len(event.changes["permissions"]["old"]) == len(permissions) + 1


def test_a_lockout_reset_asks_why_and_is_recorded(admin_client_: Client) -> None:
    attempt = AccessAttempt.objects.create(username="staff", ip_address="192.0.2.1", failures_since_start=5)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert 'name="change_reason"' in admin_client_.get(url).content.decode()
    refused = admin_client_.post(url, {"post": "yes", "change_reason": "  "})
    assert refused.status_code == 200
    assert "This field is required." in refused.context["reason_form"].errors["change_reason"]
    assert AccessAttempt.objects.exists() and not AuditEvent.objects.filter(action=Action.ADMINISTER)
    admin_client_.post(url, {"post": "yes", "change_reason": "Locked out by a typo, confirmed by phone"})
    assert not AccessAttempt.objects.exists()
    event = administered()
    assert event.detail.startswith(f"access attempt #{attempt.pk} deleted")
    assert event.reason == "Locked out by a typo, confirmed by phone"
    assert event.changes["username"] == {"old": "staff"}
    assert event.changes["ip_address"] == {"old": "192.0.2.1"}


def test_the_bulk_lockout_reset_asks_why_and_is_recorded_per_attempt(admin_client_: Client) -> None:
    attempts = [
        AccessAttempt.objects.create(username=name, ip_address="192.0.2.1", failures_since_start=5)
        for name in ("a", "b")
    ]
    url = reverse("admin:axes_accessattempt_changelist")
    selected = {"action": "delete_selected", "_selected_action": [a.pk for a in attempts], "post": "yes"}
    typed = f"Clinic NAT{chr(0x202E)}"
    refused = admin_client_.post(url, {**selected, "change_reason": typed})
    assert refused.status_code == 200
    assert "cannot be shown or printed reliably" in refused.context["reason_form"].errors["change_reason"][0]
    assert f'value="{typed}"' in refused.content.decode()
    assert AccessAttempt.objects.count() == 2 and not AuditEvent.objects.filter(action=Action.ADMINISTER)
    admin_client_.post(url, {**selected, "change_reason": "Clinic NAT reset after an outage"})
    events = AuditEvent.objects.filter(action=Action.ADMINISTER)
    assert not AccessAttempt.objects.exists()
    assert [event.reason for event in events] == ["Clinic NAT reset after an outage"] * 2


def test_a_reference_record_deleted_is_recorded_with_why(admin_client_: Client) -> None:
    clinic = Clinic.objects.create(name="Opened by mistake")
    url = reverse("admin:schedules_clinic_delete", args=[clinic.pk])
    admin_client_.post(url, {"post": "yes"})
    assert Clinic.objects.filter(pk=clinic.pk).exists()
    admin_client_.post(url, {"post": "yes", "change_reason": "Entered twice"})
    assert not Clinic.objects.filter(pk=clinic.pk).exists()
    event = administered()
    assert (event.detail, event.reason) == (
        f"clinic #{clinic.pk} deleted: Opened by mistake",
        "Entered twice",
    )


@pytest.mark.parametrize("hidden", ["\u202e", "\x1b[31m"])
def test_a_reason_with_a_direction_override_or_escape_is_refused(
    admin_client_: Client, staff: User, hidden: str
) -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    url = reverse("admin:schedules_equivalence_change", args=[equivalence.pk])
    reason = f"BNF{hidden}2024"
    response = admin_client_.post(url, equivalence_post(equivalence, dose_mg="1.2", change_reason=reason))
    errors: Any = response.context["adminform"].form.errors
    assert "cannot be shown or printed reliably" in errors["change_reason"][0]
    assert 'value="1.2"' in response.content.decode()
    user_url = change_url(staff)
    refused = admin_client_.post(user_url, form_data(admin_client_, user_url, change_reason=reason))
    assert "change_reason" in refused.context["adminform"].form.errors
    assert not AuditEvent.objects.filter(action=Action.ADMINISTER).exists()
