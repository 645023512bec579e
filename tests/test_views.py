"""Patient registry pages through the Django test client: roles, clinic scoping, search, forms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from schedules.models import Clinic, Drug, Formulation, Patient, RegimenItem

from .conftest import client_for, make_patient, make_user

pytestmark = pytest.mark.django_db


def page_urls(patient: Patient) -> dict[str, str]:
    return {
        "list": reverse("schedules:patient_list"),
        "create": reverse("schedules:patient_create"),
        "detail": reverse("schedules:patient_detail", args=[patient.pk]),
        "edit": reverse("schedules:patient_edit", args=[patient.pk]),
        "regimen": reverse("schedules:regimen_edit", args=[patient.pk]),
    }


# Expected status of a GET for each role on each page.
ACCESS = {
    "Prescriber": {"list": 200, "create": 200, "detail": 200, "edit": 200, "regimen": 200},
    "Clinic staff": {"list": 200, "create": 403, "detail": 200, "edit": 403, "regimen": 403},
    # Administrators maintain reference data and users: no clinical role, so no patient data.
    "Administrator": {"list": 200, "create": 403, "detail": 404, "edit": 403, "regimen": 403},
}


def said_once_beside_its_field(content: str, message: str) -> bool:
    """The message is listed in the error summary at the top, linking to its field, and said once
    more, beside the field."""
    start = content.index('class="alert alert-danger error-summary"')
    end = content.index("</div>", start)
    summary, page = content[start:end], content[:start] + content[end:]
    return message in summary and 'href="#' in summary and page.count(message) == 1


@pytest.mark.parametrize("role", ACCESS)
@pytest.mark.parametrize("page_name", ["list", "create", "detail", "edit", "regimen"])
def test_each_role_gets_what_it_may_on_each_page(
    clinic: Clinic, patient: Patient, role: str, page_name: str
) -> None:
    user = make_user(f"user-{role}", role, clinic)
    response = client_for(user).get(page_urls(patient)[page_name])
    assert response.status_code == ACCESS[role][page_name]


@pytest.mark.parametrize("page_name", ["list", "create", "detail", "edit", "regimen"])
def test_it_requires_sign_in(patient: Patient, page_name: str) -> None:
    response = Client().get(page_urls(patient)[page_name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_healthz_and_sign_in_page_need_no_sign_in(db: None) -> None:
    assert Client().get("/healthz").content == b"ok"
    assert Client().get(reverse("login")).status_code == 200


def test_staff_cannot_post_changes(staff_client: Client, patient: Patient) -> None:
    response = staff_client.post(reverse("schedules:patient_edit", args=[patient.pk]), {"given_name": "X"})
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.given_name == "Margaret"


@pytest.mark.parametrize("page_name", ["detail", "edit", "regimen"])
def test_another_clinics_patient_is_not_found(
    prescriber_client: Client, foreign_patient: Patient, page_name: str
) -> None:
    assert prescriber_client.get(page_urls(foreign_patient)[page_name]).status_code == 404


def test_the_list_shows_only_the_users_clinics(
    prescriber_client: Client, patient: Patient, foreign_patient: Patient
) -> None:
    content = prescriber_client.get(reverse("schedules:patient_list")).content.decode()
    assert "ELLIS" in content
    assert "CALLOWAY" not in content


def test_a_user_in_no_clinic_sees_no_patients(patient: Patient) -> None:
    loner = make_user("loner", "Prescriber", None)
    assert Patient.objects.visible_to(loner).count() == 0
    assert client_for(loner).get(page_urls(patient)["detail"]).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "ellis",
        "Margaret",
        "margaret ellis",
        "Ellis, Margaret",
        "R-1",
        "r-1",
        "1951-03-14",
        "14/03/1951",
        "14 Mar 1951",
    ],
)
def test_search_by_name_date_of_birth_or_record_number(
    prescriber_client: Client, patient: Patient, clinic: Clinic, query: str
) -> None:
    make_patient(clinic, "R-2", given_name="Peter", family_name="Brown", date_of_birth=date(1980, 1, 2))
    content = prescriber_client.get(reverse("schedules:patient_list"), {"q": query}).content.decode()
    assert "ELLIS" in content
    assert "BROWN" not in content


def test_the_list_is_paginated(prescriber_client: Client, clinic: Clinic) -> None:
    for number in range(55):
        make_patient(clinic, f"P-{number:02}", family_name=f"Family{number:02}")
    first = prescriber_client.get(reverse("schedules:patient_list")).content.decode()
    second = prescriber_client.get(reverse("schedules:patient_list"), {"page": 2}).content.decode()
    assert "1–50 of 55" in first and "FAMILY00" in first and "FAMILY50" not in first
    assert 'rel="next" href="?page=2"' in first
    assert "51–55 of 55" in second and "FAMILY50" in second and "FAMILY49" not in second


def test_the_detail_page_shows_flags_regimen_and_diazepam_equivalent(
    prescriber_client: Client, patient: Patient
) -> None:
    patient.hepatic_impairment = True
    patient.save()
    content = prescriber_client.get(page_urls(patient)["detail"]).content.decode()
    assert "Hepatic impairment" in content
    assert "4 mg" in content  # lorazepam 1 + 1 + 2
    assert "40 mg" in content  # Ashton: lorazepam 1 mg = diazepam 10 mg
    assert "Ashton" in content


def test_the_detail_page_shows_a_range_and_the_chosen_point(
    prescriber_client: Client, patient: Patient
) -> None:
    RegimenItem.objects.create(patient=patient, drug=Drug.objects.get(name="bromazepam"), night_mg=Decimal(6))
    content = prescriber_client.get(page_urls(patient)["detail"]).content.decode()
    assert "5–6 mg per 10 mg diazepam" in content
    assert "point value 5.5 mg was chosen" in content


def patient_post(clinic: Clinic, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "clinic": clinic.pk,
        "record_number": "NEW-1",
        "given_name": "Ann",
        "family_name": "Lee",
        "date_of_birth": "1970-05-06",
        "sex": "female",
        "use_duration": "1-5y",
        "cns_depressants": "",
        "notes": "",
        "version": "1",  # the version an edit form was opened at (a new patient has none)
    }
    data.update(changes)
    return data


def test_a_prescriber_registers_a_patient(prescriber_client: Client, clinic: Clinic) -> None:
    response = prescriber_client.post(reverse("schedules:patient_create"), patient_post(clinic))
    patient = Patient.objects.get(record_number="NEW-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("schedules:regimen_edit", args=[patient.pk])
    assert patient.clinic == clinic


@pytest.mark.parametrize("record", ["R-1", "r-1", " r-1 "])
def test_a_known_record_number_is_refused_beside_the_field_whatever_its_case(
    prescriber_client: Client, clinic: Clinic, patient: Patient, record: str
) -> None:
    response = prescriber_client.post(
        reverse("schedules:patient_create"),
        patient_post(clinic, record_number=record, given_name="Typed"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["record_number"] == [
        f"{record.strip()} is already the record number of a patient in Riverside."
    ]
    assert not form.non_field_errors()
    content = response.content.decode()
    assert said_once_beside_its_field(content, "already the record number")
    assert 'value="Typed"' in content
    assert Patient.objects.count() == 1


def test_a_patient_cannot_be_put_in_another_clinic(prescriber_client: Client, other_clinic: Clinic) -> None:
    response = prescriber_client.post(reverse("schedules:patient_create"), patient_post(other_clinic))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Patient.objects.filter(record_number="NEW-1").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "in the future"),
        ({"cns_depressant_co_use": "on"}, "cns_depressants", "Say which"),
        ({"cns_depressants": "alcohol"}, "cns_depressant_co_use", "Tick this"),
        ({"sex": "male", "pregnant": "on"}, "pregnant", "recorded as male"),
        ({"given_name": ""}, "given_name", "required"),
    ],
)
def test_patient_form_errors_appear_beside_the_field(
    prescriber_client: Client, clinic: Clinic, changes: dict[str, object], field: str, message: str
) -> None:
    response = prescriber_client.post(reverse("schedules:patient_create"), patient_post(clinic, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Patient.objects.filter(record_number="NEW-1").exists()


def test_a_prescriber_edits_a_patient(prescriber_client: Client, clinic: Clinic, patient: Patient) -> None:
    data = patient_post(clinic, record_number="R-1", given_name="Meg", hepatic_impairment="on")
    response = prescriber_client.post(page_urls(patient)["edit"], data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.given_name == "Meg" and patient.hepatic_impairment
    assert patient.history.count() == 2  # created, then changed: the change is traced


def regimen_post(patient: Patient, rows: list[dict[str, object]]) -> dict[str, object]:
    existing = list(patient.regimen.all())
    data: dict[str, object] = {
        "regimen-TOTAL_FORMS": str(len(rows)),
        "regimen-INITIAL_FORMS": str(len(existing)),
        "regimen-MIN_NUM_FORMS": "0",
        "regimen-MAX_NUM_FORMS": "6",
        "regimen-version": str(Patient.objects.get(pk=patient.pk).regimen_version),
    }
    for index, row in enumerate(rows):
        if index < len(existing):
            data[f"regimen-{index}-id"] = str(existing[index].pk)
            data[f"regimen-{index}-patient"] = str(patient.pk)
        for key in ("drug", "morning_mg", "midday_mg", "evening_mg", "night_mg", "DELETE"):
            if key in row:
                data[f"regimen-{index}-{key}"] = row[key]
    return data


def drug_id(name: str) -> int:
    return Drug.objects.get(name=name).pk


def test_a_prescriber_sets_the_regimen(prescriber_client: Client, patient: Patient) -> None:
    rows = [
        {"drug": drug_id("lorazepam"), "morning_mg": "0.5", "night_mg": "1"},
        {"drug": drug_id("zopiclone"), "night_mg": "7.5"},
    ]
    response = prescriber_client.post(page_urls(patient)["regimen"], regimen_post(patient, rows))
    assert response.status_code == 302
    doses = {item.drug.name: item.doses for item in patient.regimen.all()}
    assert doses == {
        "lorazepam": {"morning": Decimal("0.5"), "night": Decimal(1)},
        "zopiclone": {"night": Decimal("7.5")},
    }


def test_a_regimen_row_can_be_removed(prescriber_client: Client, patient: Patient) -> None:
    rows = [{"drug": drug_id("lorazepam"), "morning_mg": "1", "DELETE": "on"}]
    prescriber_client.post(page_urls(patient)["regimen"], regimen_post(patient, rows))
    assert not patient.regimen.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"drug": "999999", "night_mg": "2"}, "Unknown drug"),
        ({"drug": "diazepam", "night_mg": "-2"}, "cannot be negative"),
        ({"drug": "diazepam"}, "at one time of day"),
        ({"night_mg": "2"}, "Choose the drug"),
        ({"drug": "diazepam", "night_mg": "abc"}, "Enter a number"),
    ],
)
def test_impossible_regimen_input_is_shown_and_the_typed_values_kept(
    prescriber_client: Client, patient: Patient, row: dict[str, object], message: str
) -> None:
    if row.get("drug") == "diazepam":
        row = {**row, "drug": drug_id("diazepam")}
    rows = [
        {"drug": drug_id("lorazepam"), "morning_mg": "1", "evening_mg": "1", "night_mg": "2"},
        row,
    ]
    response = prescriber_client.post(page_urls(patient)["regimen"], regimen_post(patient, rows))
    assert response.status_code == 200
    content = response.content.decode()
    assert said_once_beside_its_field(content, message)
    assert "Constraint" not in content  # no database wording reaches the page
    if "night_mg" in row:
        assert f'value="{row["night_mg"]}"' in content
    assert [item.drug.name for item in patient.regimen.all()] == ["lorazepam"]
    assert patient.regimen.get().night_mg == 2


def test_an_implausibly_high_total_is_refused(prescriber_client: Client, patient: Patient) -> None:
    rows = [{"drug": drug_id("lorazepam"), "morning_mg": "10", "night_mg": "25"}]
    response = prescriber_client.post(page_urls(patient)["regimen"], regimen_post(patient, rows))
    assert response.status_code == 200
    assert "350 mg diazepam equivalent a day" in response.content.decode()
    assert patient.regimen.get().night_mg == 2


def test_the_same_drug_twice_is_refused(prescriber_client: Client, patient: Patient) -> None:
    rows = [
        {"drug": drug_id("lorazepam"), "night_mg": "2"},
        {"drug": drug_id("lorazepam"), "morning_mg": "1"},
    ]
    response = prescriber_client.post(page_urls(patient)["regimen"], regimen_post(patient, rows))
    assert response.status_code == 200
    assert "already listed" in response.content.decode()


def test_a_zero_dose_means_not_taken_at_that_time(prescriber_client: Client, patient: Patient) -> None:
    rows = [{"drug": drug_id("lorazepam"), "morning_mg": "0", "night_mg": "2"}]
    prescriber_client.post(page_urls(patient)["regimen"], regimen_post(patient, rows))
    assert patient.regimen.get().doses == {"night": Decimal(2)}


def test_superusers_outside_a_clinic_see_no_patients(patient: Patient) -> None:
    root = User.objects.create_superuser("root", password="x")
    assert client_for(root).get(page_urls(patient)["detail"]).status_code == 404


def test_part_of_a_record_number_finds_the_patient(prescriber_client: Client, clinic: Clinic) -> None:
    make_patient(clinic, "RHC-1001", family_name="Ellis")
    make_patient(clinic, "RHC-2002", family_name="Brown")
    content = prescriber_client.get(reverse("schedules:patient_list"), {"q": "1001"}).content.decode()
    assert "ELLIS" in content and "BROWN" not in content


def test_a_refused_page_explains_itself_inside_the_app(staff_client: Client, patient: Patient) -> None:
    response = staff_client.get(page_urls(patient)["edit"])
    assert response.status_code == 403
    content = response.content.decode()
    assert "You cannot do this" in content and "Back to patients" in content


def test_another_clinics_patient_gets_the_apps_not_found_page(
    prescriber_client: Client, foreign_patient: Patient
) -> None:
    response = prescriber_client.get(page_urls(foreign_patient)["detail"])
    assert response.status_code == 404
    assert "not in one of your clinics" in response.content.decode()
    assert "Calloway" not in response.content.decode()


def test_the_detail_page_lists_what_the_clinics_market_stocks(
    prescriber_client: Client, patient: Patient
) -> None:
    content = prescriber_client.get(page_urls(patient)["detail"]).content.decode()
    assert "Products stocked in the United Kingdom market" in content
    assert "1 mg tablet (halves); 2.5 mg tablet (halves)" in content  # UK lorazepam; the US 0.5 mg is not
    Formulation.objects.filter(drug__name="lorazepam", market="UK", strength_mg="2.5").update(stocked=False)
    content = prescriber_client.get(page_urls(patient)["detail"]).content.decode()
    assert "2.5 mg tablet" not in content


def test_signing_out_says_so(prescriber_client: Client) -> None:
    response = prescriber_client.post(reverse("logout"), follow=True)
    assert "You have signed out." in response.content.decode()
    assert prescriber_client.get(reverse("schedules:patient_list")).status_code == 302


def test_healthz_answers_a_plain_http_probe_when_https_is_enforced(db: None, settings: Any) -> None:
    # A load balancer probes over plain HTTP: a redirect to HTTPS would mark the app as down.
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/patients/").status_code == 301  # everything else still goes to HTTPS
