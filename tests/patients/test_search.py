"""Search finds a name whatever its case and accents, on every database, and reads dates both ways."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from schedules.models import Clinic, Patient, date_of_birth_readings
from schedules.models.text import fold, name_search_key

from ..conftest import make_patient


def found(client: Client, query: str) -> str:
    return client.get(reverse("schedules:patient_list"), {"q": query}).content.decode()


@pytest.mark.parametrize("query", ["åström", "Åström", "ASTROM", "astrom", "Åsa ASTRÖM", "astrom, asa"])
def test_search_ignores_case_and_accents(prescriber_client: Client, clinic: Clinic, query: str) -> None:
    make_patient(clinic, "AS-1", given_name="Åsa", family_name="Åström")
    make_patient(clinic, "B-1", given_name="Peter", family_name="Brown")
    content = found(prescriber_client, query)
    assert "ÅSTRÖM, Åsa" in content
    assert "BROWN" not in content


def test_letters_without_a_decomposition_fold_too(prescriber_client: Client, clinic: Clinic) -> None:
    make_patient(clinic, "S-1", given_name="Søren", family_name="Łukasz-Straße")
    assert "Søren" in found(prescriber_client, "soren lukasz-strasse")


def test_the_key_follows_a_change_of_name(clinic: Clinic) -> None:
    patient = make_patient(clinic, given_name="Zoë", family_name="Öberg")
    assert patient.search_key == "zoe oberg"
    patient.family_name = "Ängel"
    patient.save(update_fields=["family_name"])
    patient.refresh_from_db()
    assert patient.search_key == "zoe angel"
    assert Patient.objects.search("ANGEL").get() == patient


def test_an_ambiguous_date_searches_both_readings_and_says_so(
    prescriber_client: Client, clinic: Clinic
) -> None:
    make_patient(clinic, "D-1", family_name="December", date_of_birth=date(1968, 12, 5))
    make_patient(clinic, "M-1", family_name="May", date_of_birth=date(1968, 5, 12))
    make_patient(clinic, "O-1", family_name="Other", date_of_birth=date(1968, 6, 12))
    content = found(prescriber_client, "05/12/1968")
    assert "DECEMBER" in content and "MAY" in content and "OTHER" not in content
    assert "can be read as <strong>5 December 1968</strong> or <strong>12 May 1968</strong>" in content


def test_an_unambiguous_date_has_one_reading(prescriber_client: Client, clinic: Clinic) -> None:
    make_patient(clinic, "M-1", family_name="May", date_of_birth=date(1968, 5, 23))
    content = found(prescriber_client, "23/05/1968")
    assert "MAY" in content and "can be read as" not in content
    assert "MAY" in found(prescriber_client, "05/23/1968")  # month first, as written in the US


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("05/12/1968", [date(1968, 12, 5), date(1968, 5, 12)]),
        ("12/12/1968", [date(1968, 12, 12)]),
        ("1968-05-12", [date(1968, 5, 12)]),
        ("31/02/1968", []),
        ("ellis", []),
    ],
)
def test_date_readings(text: str, readings: list[date]) -> None:
    assert date_of_birth_readings(text) == readings


def test_fold() -> None:
    assert fold("  ÅSTRÖM  ") == "astrom"
    assert fold("Ærø Œuvre") == "aero oeuvre"
    assert fold("STRASSE") == fold("Straße")
    assert name_search_key("Ann", "Lee") == "ann lee"
