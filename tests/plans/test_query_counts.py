"""The patient, plan and dashboard pages make the same number of queries however many steps,
versions or plans there are (measured at two sizes with the same ceiling)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schedules import engine
from schedules.models import Clinic, Drug, Patient, Plan, RegimenItem
from schedules.plans import actions as actions
from schedules.plans import review
from schedules.plans import today as plan_today

from ..conftest import make_patient
from .conftest import acknowledging, new_plan

pytestmark = pytest.mark.django_db
# The counts measured at the smaller size: the larger one must not need more. The follow-up pieces
# (check-ins with their scales; on the dashboard the current plans) add 4 to the plan page and 4 to the
# dashboard whatever the number of check-ins; the patient and plan pages include the audit trail's record
# of the view (one INSERT); the plan page compares its conversion with every loaded table (2); every
# signed-in page reads the device that verified the session's second factor (1).
# The dashboard: sign-in and permissions (5), its second factor (1), its audit record (1; it writes nothing
# else), its four lists of plans each a count and a page (8) with the next change's or paused step's rows
# and the drafts' first steps (2), and the five follow-up lists each a count and a page (10) with the
# listed plans' check-ins (3).
MAX_QUERIES = {"patient": 12 + 1, "plan": 10 + 4 + 2 + 1, "dashboard": 5 + 1 + 1 + 8 + 2 + 10 + 3}
# The builder's live preview: sign-in and its second factor (5), the patient and its regimen (2) and the
# request's reference data, read once for the form, the plan and the table comparison (4: drugs,
# tables, entries, products).
MAX_PREVIEW_QUERIES = 5 + 2 + 4


def lorazepam_patient(clinic: Clinic, record: str) -> Patient:
    patient = make_patient(clinic, record)
    RegimenItem.objects.create(
        patient=patient, drug=Drug.objects.get(name="lorazepam"), morning_mg=Decimal(1), night_mg=Decimal(2)
    )
    return patient


def plan_with(prescriber: User, patient: Patient, *, holds: int, switch: bool, activate: bool = True) -> Plan:
    start = timezone.localdate() - dt.timedelta(days=10)
    plan = new_plan(prescriber, patient, start=start, switch=switch, activate=activate)
    for index in range(holds):
        assert plan.current_version is not None
        proposal = actions.hold_proposal(plan.current_version, after_step=1, days=7).schedule_dict
        acks = acknowledging(proposal, reason="ok")
        actions.insert_hold(
            prescriber,
            plan=plan,
            lock_version=index + 1,
            after_step=1,
            days=7,
            reason="hold",
            acknowledgements=acks,
        )
        plan.refresh_from_db()
    return plan


@pytest.mark.parametrize(("holds", "switch"), [(0, False), (6, True)])
def test_the_plan_and_patient_pages(
    prescriber: User,
    prescriber_client: Client,
    clinic: Clinic,
    django_assert_max_num_queries: Any,
    holds: int,
    switch: bool,
) -> None:
    patient = lorazepam_patient(clinic, "Q-1")
    plan = plan_with(prescriber, patient, holds=holds, switch=switch)
    for number in range(holds):  # older, ended plans of the same patient
        old = plan_with(
            prescriber, lorazepam_patient(clinic, f"Q-old-{number}"), holds=0, switch=False, activate=False
        )
        old.patient = patient
        Plan.objects.filter(pk=old.pk).update(patient=patient)
    assert plan.current_version is not None and plan.current_version.number == holds + 1
    with django_assert_max_num_queries(MAX_QUERIES["plan"]):
        assert prescriber_client.get(reverse("schedules:plan_detail", args=[plan.pk])).status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES["patient"]):
        assert (
            prescriber_client.get(reverse("schedules:patient_detail", args=[patient.pk])).status_code == 200
        )


@pytest.mark.parametrize("plans", [1, 12])
def test_the_dashboard(
    prescriber: User,
    prescriber_client: Client,
    clinic: Clinic,
    django_assert_max_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
    plans: int,
) -> None:
    # So that 12 plans fill more than a list's first rows and more than a page.
    monkeypatch.setattr(review, "PREVIEW_ROWS", 4)
    monkeypatch.setattr(review, "PAGE_SIZE", 5)
    for number in range(plans):
        patient = lorazepam_patient(clinic, f"D-{number}")
        plan_with(prescriber, patient, holds=0, switch=number % 2 == 0, activate=number % 3 != 0)
    with django_assert_max_num_queries(MAX_QUERIES["dashboard"]):
        content = prescriber_client.get(reverse("schedules:home")).content.decode()
    # Each list shows its first rows and its count; past them, a link to the list on its own, a
    # page at a time with the next page linked, in as many queries.
    assert content.count("dashboard-row") >= min(plans, 4)
    more = re.findall(r'href="\?list=([a-z]+)"', content)
    assert bool(more) == (plans > 5)
    for key in more:
        with django_assert_max_num_queries(MAX_QUERIES["dashboard"]):
            alone = prescriber_client.get(reverse("schedules:home"), {"list": key}).content.decode()
        assert 'rel="next"' in alone or alone.count("dashboard-row") <= 5


def test_the_measured_pages_show_what_they_should(prescriber: User, clinic: Clinic) -> None:
    """Guard the guard: the largest size really has many steps and versions."""
    plan = plan_with(prescriber, lorazepam_patient(clinic, "G-1"), holds=6, switch=True)
    assert plan.current_version is not None
    assert len(plan.current_version.schedule["steps"]) > 10
    assert (
        engine.schedule_to_dict(plan_today.schedule_of(plan.current_version)) == plan.current_version.schedule
    )


@pytest.mark.parametrize(
    ("action", "shown"), [("preview", 'class="step step--'), ("compare", 'class="option-card ')]
)
@pytest.mark.parametrize(
    ("drugs", "switch"), [(("lorazepam",), ""), (("alprazolam", "clonazepam"), "diazepam")]
)
def test_the_builder_preview(
    prescriber_client: Client,
    clinic: Clinic,
    django_assert_max_num_queries: Any,
    drugs: tuple[str, ...],
    switch: str,
    action: str,
    shown: str,
) -> None:
    """However many drugs the regimen holds, whether it switches, and whether one plan is previewed
    or the options compared (each planned in full, issue 17), one read of the reference data."""
    patient = make_patient(clinic, "P-1")
    for name in drugs:
        RegimenItem.objects.create(patient=patient, drug=Drug.objects.get(name=name), night_mg=Decimal(1))
    data = {
        "preset": "jcpg-standard",
        "switch_to": switch,
        "switch_stage_days": "7",
        "table": "ashton",
        "end": "stop",
        "start": timezone.localdate().isoformat(),
        "period_days": "28",
        "action": action,
        **({"liquid": "on"} if switch else {}),  # diazepam's oral solution
    }
    url = reverse("schedules:plan_new", args=[patient.pk])
    with django_assert_max_num_queries(MAX_PREVIEW_QUERIES):
        response = prescriber_client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert shown in response.content.decode()
