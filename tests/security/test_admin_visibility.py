"""Issue 16 item 2: an Administrator sees no patient in the admin, and the Auditor reads the trail.

Every admin page that could reach a patient is opened as the Administrator (and as a superuser,
for the deletions only a superuser may make) and searched for the patients' names and record
numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from audit.models import Action, AuditEvent
from followup.models import Scale
from followup.scale_data import CHECKLIST_KEY
from schedules.models import Clinic, Drug, Patient

from ..conftest import PASSWORD, client_for
from .conftest import World

pytestmark = pytest.mark.django_db

TRAIL = "/admin/audit/auditevent/"


def shows_no_patient(content: bytes, patients: list[Patient]) -> bool:
    text = content.decode()
    return not any(
        word in text for patient in patients for word in (patient.family_name, patient.record_number)
    )


@pytest.fixture
def patients(world: World) -> list[Patient]:
    # Every page below is opened after the world's patients were viewed, printed and searched.
    prescriber = world.client("prescriber")
    for patient in Patient.objects.all():
        prescriber.get(f"/patients/{patient.pk}/")
    prescriber.get("/patients/", {"q": "Ellis"})
    return list(Patient.objects.all())


@pytest.fixture
def root(db: None) -> Client:
    return client_for(User.objects.create_superuser("root", password=PASSWORD))


@pytest.mark.parametrize(
    "address",
    [
        TRAIL,
        "/admin/schedules/clinic/{clinic}/delete/",
        "/admin/schedules/drug/{drug}/delete/",
        "/admin/followup/scale/{scale}/delete/",
        "/admin/schedules/clinic/{clinic}/history/",
        "/admin/schedules/clinic/{clinic}/change/",
        "/admin/auth/user/{user}/change/",
    ],
)
def test_no_admin_page_shows_the_administrator_a_patient(
    world: World, patients: list[Patient], address: str
) -> None:
    response = world.client("administrator").get(address.format(**world.objects))
    assert response.status_code == 200
    assert shows_no_patient(response.content, patients)


def test_the_trail_the_administrator_reads_holds_no_patient_event(
    world: World, patients: list[Patient]
) -> None:
    listed = world.client("administrator").get(TRAIL).context["cl"].result_list
    assert listed and all(event.patient_id is None and event.plan_id is None for event in listed)
    assert not {event.action for event in listed} & {Action.VIEW_PATIENT, Action.VIEW_LIST}
    searched = world.client("administrator").get(TRAIL, {"q": "Ellis"}).context["cl"].result_list
    assert not searched


def test_a_patient_event_is_not_found_by_the_administrator(world: World, patients: list[Patient]) -> None:
    event = AuditEvent.objects.filter(action=Action.VIEW_PATIENT).first()
    assert event is not None
    response = world.client("administrator").get(f"{TRAIL}{event.pk}/change/")
    assert response.status_code == 302  # "does not exist" (Django's answer for a missing object)


def test_deleting_a_clinic_with_patients_counts_them_and_refuses(
    world: World, patients: list[Patient], root: Client
) -> None:
    address = f"/admin/schedules/clinic/{world.clinic.pk}/delete/"
    page = root.get(address)
    assert "2 patients (patient records are not listed in the admin)" in page.content.decode()
    assert shows_no_patient(page.content, patients)
    root.post(address, {"post": "yes", "change_reason": "Clinic closed"})
    assert Clinic.objects.filter(pk=world.clinic.pk).exists()


def test_the_delete_action_on_the_clinic_list_names_no_patient(world: World, patients: list[Patient]) -> None:
    response = world.client("administrator").post(
        "/admin/schedules/clinic/", {"action": "delete_selected", "_selected_action": [world.clinic.pk]}
    )
    assert response.status_code == 200
    assert shows_no_patient(response.content, patients)


def test_deleting_a_drug_counts_the_regimen_rows_that_use_it(world: World, patients: list[Patient]) -> None:
    drug = Drug.objects.get(pk=world.objects["drug"])
    page = world.client("administrator").get(f"/admin/schedules/drug/{drug.pk}/delete/").content.decode()
    assert "regimen items (patient records are not listed in the admin)" in page
    assert f"{drug.name} {Decimal(3)} mg/day" not in page


def test_deleting_a_scale_counts_its_check_ins(world: World, patients: list[Patient]) -> None:
    scale = Scale.objects.get(key=CHECKLIST_KEY)
    page = world.client("administrator").get(f"/admin/followup/scale/{scale.pk}/delete/").content.decode()
    assert "1 check in (patient records are not listed in the admin)" in page
    assert "Check-in of" not in page


def test_a_superuser_deleting_a_prescriber_sees_no_patient(
    world: World, patients: list[Patient], root: Client
) -> None:
    prescriber = world.users["prescriber"]
    assert prescriber is not None
    response = root.get(f"/admin/auth/user/{prescriber.pk}/delete/")
    assert "Cannot delete user" in response.content.decode()
    assert shows_no_patient(response.content, patients)


def test_a_superuser_deleting_a_prescriber_with_no_trail_sees_their_plans_counted(
    world: World, root: Client
) -> None:
    prescriber = world.users["prescriber"]
    assert prescriber is not None
    page = root.get(f"/admin/auth/user/{prescriber.pk}/delete/").content.decode()
    assert "2 plans (patient records are not listed in the admin)" in page
    assert "ELLIS" not in page and "R-1" not in page


def test_a_page_with_no_patient_data_still_lists_what_it_deletes(world: World) -> None:
    page = world.client("administrator").get(
        f"/admin/followup/scaleband/{world.objects['scaleband']}/delete/"
    )
    assert "Matrix (0-3)" in page.content.decode()


def test_the_auditor_sees_patients_in_the_trail_and_reads_are_recorded(
    world: World, patients: list[Patient]
) -> None:
    auditor_client = world.client("auditor")
    response = auditor_client.get(TRAIL, {"q": "Ellis"})
    assert "ELLIS, Margaret" in response.content.decode()
    read = AuditEvent.objects.filter(action=Action.READ_TRAIL, username="auditor").get()
    assert read.detail == "list: q=Ellis"
    event = AuditEvent.objects.filter(action=Action.VIEW_PATIENT).first()
    assert event is not None
    assert auditor_client.get(f"{TRAIL}{event.pk}/change/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.READ_TRAIL, detail=f"event {event.pk}").exists()


def test_the_auditor_sees_no_patient_record_otherwise(world: World, patients: list[Patient]) -> None:
    auditor_client = world.client("auditor")
    patient = patients[0]
    assert auditor_client.get(f"/patients/{patient.pk}/").status_code == 404
    listed = auditor_client.get("/patients/")
    assert shows_no_patient(listed.content, patients)
    assert auditor_client.get("/admin/schedules/clinic/").status_code == 403
    assert auditor_client.get("/admin/auth/user/").status_code == 403
