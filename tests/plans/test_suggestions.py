"""The suggested alternative is the same in the builder, the saved plan and its JSON export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from schedules import engine
from schedules.models import Clinic, Drug, Patient, Plan, RegimenItem
from schedules.plans.planning import PlanChoices, planned

from ..conftest import make_patient
from .test_views import builder_data, builder_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def zolpidem_patient(clinic: Clinic) -> Patient:
    patient = make_patient(clinic, "Z-1", date_of_birth=dt.date(1980, 5, 2))
    RegimenItem.objects.create(patient=patient, drug=Drug.objects.get(name="zolpidem"), night_mg=Decimal(10))
    return patient


def the_suggestion(start: dt.date) -> str:
    """What planning (and so the command line) suggests for zolpidem 10 mg at night (UK)."""
    choices = PlanChoices(
        regimen=(engine.RegimenItem(drug="zolpidem", doses={engine.Slot.NIGHT: Decimal(10)}),),
        method=engine.PercentMethod(percent=Decimal(10)),
        market="UK",
        start=start,
        interval_days=14,
        patient=engine.PatientFactors(age=46),
    )
    found = [w for w in planned(choices).warnings if w.code == "alternative_avoids_fast_taper"]
    assert len(found) == 1
    return found[0].message


def test_the_builder_the_saved_plan_and_its_export_show_the_same_suggestion(
    prescriber_client: Client, zolpidem_patient: Patient
) -> None:
    data = builder_data()
    message = the_suggestion(dt.date.fromisoformat(data["start"]))
    assert "With a switch to diazepam" in message
    page = prescriber_client.post(builder_url(zolpidem_patient), data).content.decode()
    assert escape(message) in page
    prescriber_client.post(builder_url(zolpidem_patient), {**data, "action": "save-draft"})
    plan = Plan.objects.get()
    detail = prescriber_client.get(reverse("schedules:plan_detail", args=[plan.pk])).content.decode()
    assert escape(message) in detail
    exported = prescriber_client.get(reverse("schedules:plan_json", args=[plan.pk])).json()
    assert message in [w["message"] for w in exported["warnings"]]


def test_the_builder_starts_moving_zolpidem_onto_the_diazepam_already_taken(
    prescriber_client: Client, zolpidem_patient: Patient
) -> None:
    RegimenItem.objects.create(
        patient=zolpidem_patient,
        drug=Drug.objects.get(name="diazepam"),
        morning_mg=Decimal(10),
        night_mg=Decimal(10),
    )
    content = prescriber_client.get(builder_url(zolpidem_patient)).content.decode()
    assert "zolpidem can move onto the diazepam already taken, one dose at a time" in content
    assert '<option value="diazepam" selected>' in content
    assert "takes only" not in content and "already takes" not in content
    saved = prescriber_client.post(
        builder_url(zolpidem_patient), builder_data(switch_to="diazepam", action="save-draft")
    )
    assert saved.status_code == 302
    version = Plan.objects.get().current_version
    assert version is not None and version.schedule["steps"][0]["phase"] == "switch"
