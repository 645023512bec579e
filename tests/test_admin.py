"""Reference data in the admin: administrators only, every change traced with who, when and why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from schedules.models import Clinic, Equivalence, EquivalenceTable, Formulation, Patient

from .conftest import client_for, make_user
from .plans.conftest import new_plan

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
        "seen_history": equivalence.history.latest("history_id").history_id,
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


def test_a_comma_decimal_is_refused_with_a_message_never_saved_as_15(admin_client_: Client) -> None:
    # Issue 8: "1,5" typed into the browser's number field saved 15.
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="clonazepam")
    url = reverse("admin:schedules_equivalence_change", args=[equivalence.pk])
    page = admin_client_.get(url).content.decode()
    assert 'type="number"' not in page and 'inputmode="decimal"' in page
    response = admin_client_.post(url, equivalence_post(equivalence, dose_mg="1,5", change_reason="typo"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "with a point for decimals (1.5, not 1,5)" in content
    assert 'value="1,5"' in content  # what was typed is kept
    equivalence.refresh_from_db()
    assert equivalence.dose_mg == Decimal("0.5")


def test_an_implausible_equivalence_needs_the_source_checked(admin_client_: Client) -> None:
    # Clonazepam 0.25-0.5 mg = diazepam 10 mg in the loaded tables: 15 mg is 30 times away.
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="clonazepam")
    url = reverse("admin:schedules_equivalence_change", args=[equivalence.pk])
    refused = admin_client_.post(url, equivalence_post(equivalence, dose_mg="15", change_reason="update"))
    assert refused.status_code == 200
    assert "more than 2 times away from the published clonazepam equivalents" in refused.content.decode()
    equivalence.refresh_from_db()
    assert equivalence.dose_mg == Decimal("0.5")
    confirmed = admin_client_.post(
        url,
        equivalence_post(equivalence, dose_mg="15", change_reason="new source", checked_against_source="on"),
    )
    assert confirmed.status_code == 302
    equivalence.refresh_from_db()
    assert equivalence.dose_mg == 15
    near = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    plausible = admin_client_.post(
        reverse("admin:schedules_equivalence_change", args=[near.pk]),
        equivalence_post(near, dose_mg="1.5", change_reason="BNF range"),
    )
    assert plausible.status_code == 302  # within 2 times: no confirmation needed
    near.refresh_from_db()
    assert near.dose_mg == Decimal("1.5")


def test_an_implausible_product_strength_needs_the_source_checked(admin_client_: Client) -> None:
    product = Formulation.objects.filter(drug__name="diazepam", form="tablet", market="UK").first()
    assert product is not None
    url = reverse("admin:schedules_formulation_change", args=[product.pk])
    form = admin_client_.get(url).context["adminform"].form
    data = {
        name: ("on" if value is True else value)
        for name, value in form.initial.items()
        if value not in (None, False)
    }
    data.update({"drug": product.drug_id, "strength_mg": "100", "change_reason": "typo"})
    refused = admin_client_.post(url, data)
    assert refused.status_code == 200
    assert "more than 2 times away from the published diazepam tablet" in refused.content.decode()
    product.refresh_from_db()
    assert product.strength_mg != 100


def test_a_changed_equivalence_lists_the_saved_plans_that_used_the_old_value(
    admin_client_: Client, prescriber: User, patient: Patient
) -> None:
    saved = new_plan(prescriber, patient)  # lorazepam by the default (Ashton) table: 1 mg = 10 mg
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    url = reverse("admin:schedules_equivalence_change", args=[equivalence.pk])
    response = admin_client_.post(
        url, equivalence_post(equivalence, dose_mg="1.2", change_reason="BNF 2024"), follow=True
    )
    content = response.content.decode()
    assert "1 saved plan used the old value, lorazepam 1 mg (ashton)" in content
    assert f"plan {saved.pk} (draft)" in content
    assert patient.record_number not in content and patient.family_name not in content
    # The plan itself keeps the value it was made with.
    saved.refresh_from_db()
    assert saved.current_version is not None
    entries = saved.current_version.request["table"]["entries"]
    assert any(e["drug"] == "lorazepam" and Decimal(e["dose_mg"]) == 1 for e in entries)
    other = Equivalence.objects.get(table__key="ashton", drug__name="oxazepam")
    again = admin_client_.post(
        reverse("admin:schedules_equivalence_change", args=[other.pk]),
        equivalence_post(other, dose_mg="25", change_reason="check", checked_against_source="on"),
        follow=True,
    )
    assert "No saved plan used the old value" in again.content.decode()


@pytest.mark.parametrize("typed", ["26", "0026", "2205"])
def test_a_mistyped_table_year_is_refused_beside_the_field(admin_client_: Client, typed: str) -> None:
    """Issue 14: every date a person enters, admin fields included, lies in a window named when refused."""
    table = EquivalenceTable.objects.get(key="ashton")
    url = reverse("admin:schedules_equivalencetable_change", args=[table.pk])
    form = admin_client_.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        year=typed, change_reason="typo check", seen_history=table.history.latest("history_id").history_id
    )
    response = admin_client_.post(
        url, {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    )
    assert response.status_code == 200
    error = response.context["adminform"].form.errors["year"][0]
    assert "A table's year of publication is from 1900 to" in error and "check the year" in error
    table.refresh_from_db()
    assert table.year != int(typed)
