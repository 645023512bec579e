"""Issue 16 item 6: the patient list and search, the dashboard, the adjustment and check-in forms,
and refused pages are in the audit trail."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from audit.models import Action, AuditEvent
from schedules.models import Patient, Plan

from ..conftest import client_for
from ..plans.conftest import new_plan

pytestmark = pytest.mark.django_db


def only(action: str) -> AuditEvent:
    [event] = AuditEvent.objects.filter(action=action)
    return event


def test_the_patient_list_and_its_search_are_recorded(prescriber_client: Client, patient: Patient) -> None:
    prescriber_client.get("/patients/", {"q": "Ellis"}, REMOTE_ADDR="192.0.2.8")
    event = only(Action.VIEW_LIST)
    assert event.username == "prescriber" and event.address == "192.0.2.8"
    assert event.detail == "patients, search 'Ellis', page 1"


def test_the_dashboard_is_recorded(prescriber_client: Client) -> None:
    prescriber_client.get("/")
    assert only(Action.VIEW_LIST).detail == "dashboard"


@pytest.mark.parametrize(
    ("address", "detail"),
    [
        ("/plans/{plan}/edit-step/?step=1", "edit step 1"),
        ("/plans/{plan}/remove-step/?step=1", "remove step 1"),
        ("/plans/{plan}/hold/", "insert a hold"),
        ("/plans/{plan}/replan/", "re-plan from a step"),
        ("/plans/{plan}/activate/", "activate the plan"),
        ("/plans/{plan}/stop/", "stop the plan"),
    ],
)
def test_each_adjustment_form_is_recorded_as_a_view_of_the_plan(
    prescriber: User, patient: Patient, address: str, detail: str
) -> None:
    plan = new_plan(prescriber, patient)
    assert client_for(prescriber).get(address.format(plan=plan.pk)).status_code == 200
    event = only(Action.VIEW_PLAN)
    assert (event.patient, event.plan_id, event.detail) == (patient, plan.pk, detail)


def test_the_new_check_in_form_is_recorded(prescriber: User, patient: Patient) -> None:
    plan = new_plan(prescriber, patient, activate=True)
    assert client_for(prescriber).get(f"/plans/{plan.pk}/checkins/new/").status_code == 200
    event = only(Action.VIEW_PLAN)
    assert (event.patient, event.plan_id, event.detail) == (patient, plan.pk, "new check-in")


def test_reaching_for_another_clinics_patient_is_recorded_with_that_patient(
    prescriber: User, foreign_patient: Patient
) -> None:
    client = client_for(prescriber)
    assert client.get(f"/patients/{foreign_patient.pk}/", REMOTE_ADDR="192.0.2.66").status_code == 404
    event = only(Action.REFUSED)
    assert (event.user, event.patient, event.address) == (prescriber, foreign_patient, "192.0.2.66")
    assert (event.path, event.detail) == (f"/patients/{foreign_patient.pk}/", "GET answered 404")


def test_reaching_for_another_clinics_plan_is_recorded_with_its_patient(
    prescriber: User, other_clinic: object, foreign_patient: Patient, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    Plan.objects.filter(pk=plan.pk).update(patient=foreign_patient)
    assert client_for(prescriber).get(f"/plans/{plan.pk}/").status_code == 404
    event = only(Action.REFUSED)
    assert (event.patient, event.plan_id) == (foreign_patient, plan.pk)


def test_a_page_the_role_does_not_open_is_recorded(staff_client: Client, patient: Patient) -> None:
    assert staff_client.post(f"/patients/{patient.pk}/edit/").status_code == 403
    event = only(Action.REFUSED)
    assert (event.username, event.patient, event.detail) == ("staff", patient, "POST answered 403")


def test_a_signed_out_visitor_leaves_no_refusal(client: Client, patient: Patient) -> None:
    client.get(f"/patients/{patient.pk}/")
    assert not AuditEvent.objects.filter(action=Action.REFUSED).exists()
