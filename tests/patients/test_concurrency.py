"""No lost updates: a save made from a page opened before someone else's save is refused, shows
what they changed, and keeps what this person typed; saving again then keeps theirs."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from schedules.models import Clinic, Patient, RegimenItem

from ..conftest import client_for, make_user
from ..test_views import drug_id, patient_post, regimen_post
from .page_forms import submitted_values


def colleague(clinic: Clinic) -> Client:
    user: User = make_user("colleague", "Prescriber", clinic)
    user.first_name, user.last_name = "Dana", "Okafor"
    user.save()
    return client_for(user)


def edit_url(patient: Patient) -> str:
    return reverse("schedules:patient_edit", args=[patient.pk])


def regimen_url(patient: Patient) -> str:
    return reverse("schedules:regimen_edit", args=[patient.pk])


def details(clinic: Clinic, **changes: str) -> dict[str, object]:
    stored = {
        "record_number": "R-1",
        "given_name": "Margaret",
        "family_name": "Ellis",
        "date_of_birth": "1951-03-14",
    }
    return patient_post(clinic, **{**stored, **changes})


def test_the_second_save_of_the_details_is_refused_with_the_first_ones_changes(
    prescriber_client: Client, clinic: Clinic, patient: Patient
) -> None:
    opened = prescriber_client.get(edit_url(patient)).content.decode()
    assert submitted_values(opened)["version"] == "1"

    other = colleague(clinic)
    assert other.post(edit_url(patient), details(clinic, family_name="Ellis-Hart")).status_code == 302

    mine = details(clinic, notes="Prefers morning appointments", version="1")
    response = prescriber_client.post(edit_url(patient), mine)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: Dana Okafor saved these details" in content
    assert (
        '<th scope="row" data-label="Detail">Family name</th><td data-label="When you opened the page">Ellis</td><td data-label="Saved by Dana Okafor">Ellis-Hart</td>'
        in content
    )
    assert "Prefers morning appointments" in content  # what this person typed is kept
    patient.refresh_from_db()
    assert patient.family_name == "Ellis-Hart" and patient.notes == "" and patient.version == 2

    # Having seen the change, saving the page as shown keeps this person's entries.
    again = submitted_values(content)
    assert again["version"] == "2"
    assert prescriber_client.post(edit_url(patient), again).status_code == 302
    patient.refresh_from_db()
    assert patient.notes == "Prefers morning appointments" and patient.version == 3


def test_each_save_raises_its_own_version_only(
    prescriber_client: Client, clinic: Clinic, patient: Patient
) -> None:
    prescriber_client.post(edit_url(patient), details(clinic, notes="x", version="1"))
    rows = [{"drug": drug_id("lorazepam"), "morning_mg": "1", "night_mg": "2"}]
    prescriber_client.post(regimen_url(patient), regimen_post(patient, rows))
    patient.refresh_from_db()
    assert (patient.version, patient.regimen_version) == (2, 2)
    # The details form opened before the regimen save still saves: a different part of the record.
    assert (
        prescriber_client.post(edit_url(patient), details(clinic, notes="y", version="2")).status_code == 302
    )
    patient.refresh_from_db()
    assert (patient.version, patient.regimen_version, patient.notes) == (3, 2, "y")


def test_the_second_save_of_a_regimen_is_refused_with_the_first_ones_changes(
    prescriber_client: Client, clinic: Clinic, patient: Patient
) -> None:
    stale = regimen_post(
        patient, [{"drug": drug_id("lorazepam"), "morning_mg": "1", "evening_mg": "1", "night_mg": "1.5"}]
    )
    other = colleague(clinic)
    theirs = [{"drug": drug_id("lorazepam"), "morning_mg": "1", "night_mg": "2.5"}]
    assert other.post(regimen_url(patient), regimen_post(patient, theirs)).status_code == 302

    response = prescriber_client.post(regimen_url(patient), stale)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: Dana Okafor saved this regimen" in content
    assert "1 mg morning, 1 mg evening, 2 mg night" in content  # as this person opened it
    assert "1 mg morning, 2.5 mg night" in content  # as the colleague saved it
    assert 'value="1.5"' in content  # this person's typing is kept
    assert patient.regimen.get().night_mg == Decimal("2.5")

    again = submitted_values(content)
    assert prescriber_client.post(regimen_url(patient), again).status_code == 302
    item = patient.regimen.get()
    assert (item.evening_mg, item.night_mg) == (Decimal(1), Decimal("1.5"))


def test_a_row_someone_else_removed_is_reported_not_silently_saved(
    prescriber_client: Client, clinic: Clinic, patient: Patient
) -> None:
    stale = regimen_post(
        patient, [{"drug": drug_id("lorazepam"), "morning_mg": "1", "evening_mg": "1", "night_mg": "1"}]
    )
    other = colleague(clinic)
    removed = [{"drug": drug_id("lorazepam"), "morning_mg": "1", "DELETE": "on"}]
    assert other.post(regimen_url(patient), regimen_post(patient, removed)).status_code == 302
    assert not patient.regimen.exists()

    content = prescriber_client.post(regimen_url(patient), stale).content.decode()
    assert "Not saved: Dana Okafor saved this regimen" in content
    assert '<td data-label="Saved by Dana Okafor">removed</td>' in content
    assert not patient.regimen.exists()

    # The row comes back as a new row with what this person typed; saving adds it again.
    again = submitted_values(content)
    assert again["regimen-INITIAL_FORMS"] == "0"
    assert again["regimen-0-night_mg"] == "1"
    assert again["regimen-0-id"] == ""  # a new row
    assert prescriber_client.post(regimen_url(patient), again).status_code == 302
    assert patient.regimen.get().night_mg == Decimal(1)


def test_a_row_removed_outside_the_regimen_page_is_reported(
    prescriber_client: Client, patient: Patient
) -> None:
    data = regimen_post(patient, [{"drug": drug_id("lorazepam"), "morning_mg": "1"}])
    RegimenItem.objects.filter(patient=patient).get().delete()
    content = prescriber_client.post(regimen_url(patient), data).content.decode()
    assert "Someone else removed this row after you opened the page: it was not saved." in content
    assert not patient.regimen.exists()


def test_a_page_without_its_version_is_refused_plainly(
    prescriber_client: Client, clinic: Clinic, patient: Patient
) -> None:
    data = regimen_post(patient, [{"drug": drug_id("lorazepam"), "morning_mg": "1"}])
    for version in (None, "", "abc", "0", "-1", "99999999999999999999"):
        if version is None:
            data.pop("regimen-version", None)
        else:
            data["regimen-version"] = version
        response = prescriber_client.post(regimen_url(patient), data)
        assert response.status_code == 200
        assert "This page is out of date or incomplete" in response.content.decode()
        details_data = details(clinic)
        details_data.pop("version")
        if version is not None:
            details_data["version"] = version
        response = prescriber_client.post(edit_url(patient), details_data)
        assert "This page is out of date or incomplete" in response.content.decode()
    assert patient.regimen.get().night_mg == 2


def test_a_save_in_between_that_changed_nothing_does_not_stop_this_one(
    prescriber_client: Client, clinic: Clinic, patient: Patient
) -> None:
    stale = regimen_post(
        patient, [{"drug": drug_id("lorazepam"), "morning_mg": "1", "evening_mg": "1", "night_mg": "1.5"}]
    )
    unchanged = [{"drug": drug_id("lorazepam"), "morning_mg": "1", "evening_mg": "1", "night_mg": "2"}]
    other = colleague(clinic)
    assert other.post(regimen_url(patient), regimen_post(patient, unchanged)).status_code == 302
    as_stored = details(clinic, use_duration="unknown", version="1")
    assert other.post(edit_url(patient), as_stored).status_code == 302

    assert prescriber_client.post(regimen_url(patient), stale).status_code == 302
    assert patient.regimen.get().night_mg == Decimal("1.5")
    assert (
        prescriber_client.post(edit_url(patient), details(clinic, notes="z", version="1")).status_code == 302
    )
    patient.refresh_from_db()
    assert (patient.notes, patient.version, patient.regimen_version) == ("z", 3, 3)
