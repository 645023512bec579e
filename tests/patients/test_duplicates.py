"""Wrong patient: a second registration of the same person is flagged, with a link to the first."""

from __future__ import annotations

from datetime import date

from django.test import Client
from django.urls import reverse

from schedules.models import Clinic, Patient

from ..conftest import make_patient


def registration(clinic: Clinic, record: str, **changes: str) -> dict[str, str]:
    data = {
        "clinic": str(clinic.pk),
        "record_number": record,
        "given_name": "Anna",
        "family_name": "Lindqvist",
        "date_of_birth": "1968-05-12",
        "sex": "female",
        "use_duration": "1-5y",
    }
    data.update(changes)
    return data


def test_registering_anna_lindqvist_twice_shows_the_first_record(
    prescriber_client: Client, clinic: Clinic
) -> None:
    url = reverse("schedules:patient_create")
    assert prescriber_client.post(url, registration(clinic, "AL-1")).status_code == 302
    first = Patient.objects.get(record_number="AL-1")

    response = prescriber_client.post(url, registration(clinic, "AL-2"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Is this the same person?" in content
    assert reverse("schedules:patient_detail", args=[first.pk]) in content
    assert "AL-1" in content
    assert 'value="AL-2"' in content  # what was typed is kept
    assert not Patient.objects.filter(record_number="AL-2").exists()


def test_the_prescriber_can_register_a_different_person_after_confirming(
    prescriber_client: Client, clinic: Clinic
) -> None:
    make_patient(clinic, "AL-1", given_name="Anna", family_name="Lindqvist", date_of_birth=date(1968, 5, 12))
    data = registration(clinic, "AL-2", not_a_duplicate="on")
    response = prescriber_client.post(reverse("schedules:patient_create"), data)
    assert response.status_code == 302
    assert Patient.objects.filter(family_name="Lindqvist").count() == 2


def test_the_match_ignores_case_accents_and_swapped_names(prescriber_client: Client, clinic: Clinic) -> None:
    make_patient(clinic, "AS-1", given_name="Åsa", family_name="Åström", date_of_birth=date(1970, 1, 2))
    for given, family in [("asa", "ASTROM"), ("ÅSA", "åström"), ("Astrom", "Asa")]:
        data = registration(clinic, "AS-2", given_name=given, family_name=family, date_of_birth="1970-01-02")
        content = prescriber_client.post(reverse("schedules:patient_create"), data).content.decode()
        assert "Is this the same person?" in content, (given, family)
    assert Patient.objects.count() == 1


def test_another_date_of_birth_or_clinic_is_no_duplicate(
    prescriber_client: Client, clinic: Clinic, other_clinic: Clinic
) -> None:
    make_patient(
        other_clinic, "H-1", given_name="Anna", family_name="Lindqvist", date_of_birth=date(1968, 5, 12)
    )
    make_patient(clinic, "AL-0", given_name="Anna", family_name="Lindqvist", date_of_birth=date(1968, 5, 13))
    response = prescriber_client.post(reverse("schedules:patient_create"), registration(clinic, "AL-2"))
    assert response.status_code == 302
    saved = Patient.objects.get(record_number="AL-2")
    assert (saved.clinic, saved.family_name, saved.date_of_birth) == (clinic, "Lindqvist", date(1968, 5, 12))


def test_an_edit_that_makes_a_patient_match_another_is_warned(
    prescriber_client: Client, clinic: Clinic
) -> None:
    make_patient(clinic, "AL-1", given_name="Anna", family_name="Lindqvist", date_of_birth=date(1968, 5, 12))
    other = make_patient(
        clinic, "AL-2", given_name="Anne", family_name="Lindqvist", date_of_birth=date(1968, 5, 12)
    )
    url = reverse("schedules:patient_edit", args=[other.pk])
    response = prescriber_client.post(url, {**registration(clinic, "AL-2"), "version": "1"})
    assert "Is this the same person?" in response.content.decode()
    other.refresh_from_db()
    assert other.given_name == "Anne"
    # Saving itself again (no change of name) is not a duplicate of itself.
    unchanged = {**registration(clinic, "AL-2", given_name="Anne"), "version": "1"}
    assert prescriber_client.post(url, unchanged).status_code == 302
    other.refresh_from_db()
    assert (other.given_name, other.version) == ("Anne", 2)
