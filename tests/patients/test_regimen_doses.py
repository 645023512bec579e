"""A regimen dose the clinic's market cannot make is refused beside the field; doses show their unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from schedules.models import Clinic, Drug, Patient, RegimenItem

from ..conftest import make_patient
from ..test_views import drug_id, regimen_post


def post_rows(client: Client, patient: Patient, rows: list[dict[str, object]]) -> str:
    response = client.post(reverse("schedules:regimen_edit", args=[patient.pk]), regimen_post(patient, rows))
    assert response.status_code == 200, "expected the form again with an error"
    return response.content.decode()


def test_lorazepam_0_001_mg_is_refused_naming_the_smallest_dose(
    prescriber_client: Client, patient: Patient
) -> None:
    content = post_rows(prescriber_client, patient, [{"drug": drug_id("lorazepam"), "morning_mg": "0.001"}])
    # UK lorazepam: 1 mg and 2.5 mg scored tablets (halves), so 0.5 mg is the smallest dose.
    assert (
        "lorazepam 0.001 mg cannot be made from the products stocked in the United Kingdom market: "
        "the smallest dose they make is 0.5 mg." in content
    )
    assert 'value="0.001"' in content
    assert patient.regimen.get().morning_mg == 1  # nothing saved


def test_a_dose_between_makeable_doses_names_the_nearest(prescriber_client: Client, patient: Patient) -> None:
    content = post_rows(prescriber_client, patient, [{"drug": drug_id("lorazepam"), "night_mg": "0.75"}])
    assert "the nearest doses they make are 0.5 mg and 1 mg." in content


def test_the_market_decides_what_can_be_made(
    prescriber: User, prescriber_client: Client, other_clinic: Clinic
) -> None:
    # US lorazepam has a 2 mg/mL oral concentrate: 0.2 mg is 0.1 mL of it.
    patient = make_patient(other_clinic, "US-1")
    other_clinic.members.add(prescriber)
    rows = [{"drug": drug_id("lorazepam"), "night_mg": "0.2"}]
    response = prescriber_client.post(
        reverse("schedules:regimen_edit", args=[patient.pk]), regimen_post(patient, rows)
    )
    assert response.status_code == 302
    assert patient.regimen.get().night_mg == Decimal("0.2")


def test_a_drug_the_market_does_not_stock_is_refused(prescriber_client: Client, patient: Patient) -> None:
    stocked = Drug.objects.exclude(formulations__market="UK").order_by("name").first()
    assert stocked is not None
    content = post_rows(prescriber_client, patient, [{"drug": stocked.pk, "night_mg": "1"}])
    assert f"No {stocked.name} products are stocked in the United Kingdom market." in content


@pytest.mark.parametrize("dose", ["0.5", "1", "1.5", "2.5", "3.5"])
def test_doses_the_tablets_make_are_accepted(prescriber_client: Client, patient: Patient, dose: str) -> None:
    rows = [{"drug": drug_id("lorazepam"), "night_mg": dose}]
    response = prescriber_client.post(
        reverse("schedules:regimen_edit", args=[patient.pk]), regimen_post(patient, rows)
    )
    assert response.status_code == 302
    saved = patient.regimen.get()
    assert (saved.drug.name, saved.doses) == ("lorazepam", {"night": Decimal(dose)})


def test_every_dose_cell_shows_its_unit(prescriber_client: Client, patient: Patient) -> None:
    content = prescriber_client.get(reverse("schedules:patient_detail", args=[patient.pk])).content.decode()
    cells = [
        line.strip()
        for line in content.splitlines()
        if 'data-label="Morning"' in line or 'data-label="Night"' in line
    ]
    assert cells == [
        '<td class="num" data-label="Morning">1 mg</td>',
        '<td class="num" data-label="Night">2 mg</td>',
    ]
    assert 'data-label="Midday"><span class="text-body-secondary" title="none">—</span>' in content
    form = prescriber_client.get(reverse("schedules:regimen_edit", args=[patient.pk])).content.decode()
    assert form.count('<span class="input-group-text">mg</span>') == 4 * 3  # one row and two empty rows


def test_a_stored_item_keeps_its_doses(patient: Patient) -> None:
    item = RegimenItem.objects.get(patient=patient)
    assert item.doses_by_slot == [
        ("morning", Decimal("1.000")),
        ("midday", None),
        ("evening", Decimal("1.000")),
        ("night", Decimal("2.000")),
    ]


def test_a_new_row_for_a_drug_stored_on_a_row_not_shown_is_refused(
    prescriber_client: Client, patient: Patient
) -> None:
    # A page that lists no rows (opened before the lorazepam row was stored) adds lorazepam again.
    data = regimen_post(patient, [])
    data.update(
        {
            "regimen-TOTAL_FORMS": "1",
            "regimen-INITIAL_FORMS": "0",
            "regimen-0-drug": str(drug_id("lorazepam")),
            "regimen-0-night_mg": "1",
        }
    )
    response = prescriber_client.post(reverse("schedules:regimen_edit", args=[patient.pk]), data)
    assert response.status_code == 200
    assert "lorazepam is already on another row of this regimen" in response.content.decode()


def test_swapping_the_drugs_of_two_rows_is_refused_not_a_server_error(
    prescriber_client: Client, patient: Patient
) -> None:
    RegimenItem.objects.create(patient=patient, drug=Drug.objects.get(name="diazepam"), night_mg=Decimal(5))
    rows = [  # stored in drug order: diazepam, then lorazepam
        {"drug": drug_id("lorazepam"), "night_mg": "2"},
        {"drug": drug_id("diazepam"), "night_mg": "5"},
    ]
    content = post_rows(prescriber_client, patient, rows)
    assert "is already on another row of this regimen" in content


def test_removing_a_row_and_adding_its_drug_again_works(prescriber_client: Client, patient: Patient) -> None:
    rows = [
        {"drug": drug_id("lorazepam"), "night_mg": "2", "DELETE": "on"},
        {"drug": drug_id("lorazepam"), "night_mg": "1"},
    ]
    response = prescriber_client.post(
        reverse("schedules:regimen_edit", args=[patient.pk]), regimen_post(patient, rows)
    )
    assert response.status_code == 302
    assert patient.regimen.get().night_mg == 1


def test_a_row_id_of_another_clinics_patient_is_refused_for_what_it_is(
    prescriber_client: Client, patient: Patient, other_clinic: Clinic
) -> None:
    foreign = make_patient(other_clinic, "H-1")
    foreign_row = RegimenItem.objects.create(
        patient=foreign, drug=Drug.objects.get(name="lorazepam"), night_mg=Decimal(3)
    )
    data = regimen_post(patient, [{"drug": drug_id("lorazepam"), "night_mg": "2"}])
    data["regimen-0-id"] = str(foreign_row.pk)
    response = prescriber_client.post(reverse("schedules:regimen_edit", args=[patient.pk]), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "This row is not part of this patient&#x27;s regimen: it was not saved." in content
    assert "already on another row" not in content
    foreign_row.refresh_from_db()
    assert foreign_row.night_mg == 3 and foreign_row.patient == foreign
    assert patient.regimen.get().night_mg == 2  # the patient's own row unchanged
