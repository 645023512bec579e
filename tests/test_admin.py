"""Reference data in the admin: administrators only, every change traced with who, when and why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from schedules.models import Clinic, Equivalence

from .conftest import client_for, make_user

pytestmark = pytest.mark.django_db

ADMIN_LISTS = ["drug", "formulation", "equivalencetable", "equivalence", "clinic"]


def equivalence_post(equivalence: Equivalence, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "table": equivalence.table_id,
        "drug": equivalence.drug_id,
        "dose_mg": str(equivalence.dose_mg),
        "min_mg": "",
        "max_mg": "",
        "confidence": equivalence.confidence,
        "note": equivalence.note,
        "change_reason": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("model", ADMIN_LISTS)
def test_administrators_reach_every_reference_list_with_search_and_filters(
    admin_client_: Client, model: str
) -> None:
    response = admin_client_.get(reverse(f"admin:schedules_{model}_changelist"), {"q": "a"})
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.search_fields and changelist.has_filters


@pytest.mark.parametrize("model", ADMIN_LISTS)
def test_prescribers_and_staff_cannot_use_the_admin(prescriber: User, staff: User, model: str) -> None:
    url = reverse(f"admin:schedules_{model}_changelist")
    for user in (prescriber, staff):
        assert client_for(user).get(url).status_code == 302  # to the admin sign-in: not staff


def test_staff_flag_without_the_administrator_role_is_not_enough(clinic: Clinic) -> None:
    user = make_user("flagged", "Prescriber", clinic, is_staff=True)
    response = client_for(user).get(reverse("admin:schedules_equivalence_changelist"))
    assert response.status_code == 403


def test_a_change_needs_a_reason_and_keeps_the_input(admin_client_: Client) -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    url = reverse("admin:schedules_equivalence_change", args=[equivalence.pk])
    response = admin_client_.post(url, equivalence_post(equivalence, dose_mg="1.2"))
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert 'value="1.2"' in response.content.decode()
    equivalence.refresh_from_db()
    assert equivalence.dose_mg == 1


def test_history_records_who_what_and_why(admin_client_: Client, administrator: User) -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    url = reverse("admin:schedules_equivalence_change", args=[equivalence.pk])
    response = admin_client_.post(
        url,
        equivalence_post(equivalence, dose_mg="1.2", change_reason="Checked against the Ashton Manual"),
    )
    assert response.status_code == 302
    latest = equivalence.history.latest()
    assert latest.dose_mg == Decimal("1.2")
    assert latest.history_user == administrator
    assert latest.history_change_reason == "Checked against the Ashton Manual"
    assert latest.diff_against(latest.prev_record).changed_fields == ["dose_mg"]
    history = admin_client_.get(reverse("admin:schedules_equivalence_history", args=[equivalence.pk]))
    assert "Checked against the Ashton Manual" in history.content.decode()


def test_the_admin_explains_a_range_that_does_not_contain_the_point_value(admin_client_: Client) -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    url = reverse("admin:schedules_equivalence_change", args=[equivalence.pk])
    response = admin_client_.post(
        url, equivalence_post(equivalence, min_mg="2", max_mg="3", change_reason="range from the BNF")
    )
    assert response.status_code == 200
    assert "with the equivalent dose inside it" in response.content.decode()


def test_the_admin_refuses_a_zero_equivalence(admin_client_: Client) -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    url = reverse("admin:schedules_equivalence_change", args=[equivalence.pk])
    response = admin_client_.post(url, equivalence_post(equivalence, dose_mg="0", change_reason="typo"))
    assert response.status_code == 200
    assert "The equivalent dose must be above 0 mg." in response.content.decode()
    equivalence.refresh_from_db()
    assert equivalence.dose_mg == 1


def test_the_change_form_shows_decimals_as_typed(admin_client_: Client) -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    response = admin_client_.get(reverse("admin:schedules_equivalence_change", args=[equivalence.pk]))
    content = response.content.decode()
    assert 'name="dose_mg" value="1"' in content
    assert "1.000" not in content
