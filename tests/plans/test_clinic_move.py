"""A plan's clinic is its patient's (``Plan.clinic``, the column every list of plans filters on): set
when the plan is made, moved with the patient by the patients workflow in the same save. A patient
moved to another clinic takes the plans' visibility with them: a prescriber of the old clinic no
longer finds them on any list, a prescriber of the new one does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schedules.models import Clinic, Patient, Plan

from ..conftest import client_for, make_user
from ..patients.page_forms import submitted_values
from .conftest import new_plan

pytestmark = pytest.mark.django_db
PLAN_LISTS = ("changing", "ending", "paused", "drafts")
FOLLOW_UP_LISTS = ("overdue", "due", "reviews", "hold", "proposals")


def list_pages() -> list[str]:
    """Every page that lists plans or patients: each page of lists, each list on its own, a search."""
    home, follow_up = reverse("schedules:home"), reverse("followup:overview")
    return [
        home,
        *(f"{home}?list={key}" for key in PLAN_LISTS),
        follow_up,
        *(f"{follow_up}?list={key}" for key in FOLLOW_UP_LISTS),
        reverse("schedules:patient_list") + "?q=Ellis",
    ]


def links_to(patient: Patient, plans: list[Plan]) -> list[str]:
    """The links a list's row makes to the patient or one of the plans."""
    urls = [reverse("schedules:patient_detail", args=[patient.pk])]
    for plan in plans:
        urls += [
            reverse(name, args=[plan.pk])
            for name in ("schedules:plan_detail", "followup:checkin_create", "followup:plan_checkins")
        ]
    return [f'href="{url}"' for url in urls]


def shown_on(client: Client, patient: Patient, plans: list[Plan]) -> dict[str, list[str]]:
    """Per page, which of the patient's and plans' links it shows."""
    shown = {}
    for url in list_pages():
        response = client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        shown[url] = [link for link in links_to(patient, plans) if link in content]
    return shown


@pytest.fixture
def mover(clinic: Clinic, other_clinic: Clinic) -> User:
    """A prescriber working in both clinics: the patient form offers either."""
    user = make_user("mover", "Prescriber", clinic)
    other_clinic.members.add(user)
    return user


def move(mover: User, patient: Patient, to: Clinic) -> None:
    """Through the patient form, as a person moves a patient: its values as the page has them,
    with the other clinic chosen."""
    client = client_for(mover)
    url = reverse("schedules:patient_edit", args=[patient.pk])
    values = submitted_values(client.get(url).content.decode())
    response = client.post(url, {**values, "clinic": str(to.pk)})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_new_plan_takes_its_patients_clinic(active_plan: Plan, clinic: Clinic) -> None:
    assert active_plan.clinic_id == clinic.pk == active_plan.patient.clinic_id


def test_a_moved_patient_takes_its_plans_off_the_old_clinics_lists(
    prescriber: User, prescriber_client: Client, patient: Patient, other_clinic: Clinic, mover: User
) -> None:
    draft = new_plan(prescriber, patient)
    # Started 10 days ago, 10% every 2 weeks: its next dose change is in 4 days.
    active = new_plan(prescriber, patient, activate=True, start=timezone.localdate() - dt.timedelta(days=10))
    plans = [draft, active]
    before = shown_on(prescriber_client, patient, plans)
    assert before[reverse("schedules:home")] and before[reverse("followup:overview")]
    assert before[reverse("schedules:patient_list") + "?q=Ellis"]

    move(mover, patient, other_clinic)

    assert {plan.clinic_id for plan in Plan.objects.filter(patient=patient)} == {other_clinic.pk}
    after = shown_on(prescriber_client, patient, plans)
    assert {url: links for url, links in after.items() if links} == {}
    for plan in plans:
        assert prescriber_client.get(reverse("schedules:plan_detail", args=[plan.pk])).status_code == 404
    assert not Plan.objects.visible_to(prescriber).filter(patient=patient).exists()
    # The new clinic's prescriber finds them where the old one did.
    newcomer = client_for(make_user("newcomer", "Prescriber", other_clinic))
    assert shown_on(newcomer, patient, plans) == before


def test_a_patient_saved_in_the_same_clinic_keeps_its_plans_there(
    prescriber: User, active_plan: Plan, clinic: Clinic, mover: User
) -> None:
    move(mover, active_plan.patient, clinic)
    active_plan.refresh_from_db()
    assert active_plan.clinic_id == clinic.pk
    assert Plan.objects.visible_to(prescriber).filter(pk=active_plan.pk).exists()


def test_a_plan_out_of_step_with_its_patient_is_shown_to_nobody(
    prescriber: User, active_plan: Plan, other_clinic: Clinic
) -> None:
    """Fail closed: were a plan's copy of the clinic ever to differ from its patient's, neither
    clinic would see it."""
    Plan.objects.filter(pk=active_plan.pk).update(clinic=other_clinic)
    for user in (prescriber, make_user("other", "Prescriber", other_clinic)):
        assert not Plan.objects.visible_to(user).filter(pk=active_plan.pk).exists()
