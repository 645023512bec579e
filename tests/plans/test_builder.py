"""The builder (issue 14): the default reason survives a preview shown without it, every error that
stops a save is listed at the top with a link to its field, the oral-liquid fields are there, and a
step number that is not in the plan is refused."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from schedules.models import Patient, Plan

from .conftest import new_plan
from .test_views import builder_data, builder_url

pytestmark = pytest.mark.django_db


def test_choosing_fixed_mg_a_step_keeps_the_default_reason(
    prescriber_client: Client, patient: Patient
) -> None:
    """Choosing "Fixed mg a step" before its mg is typed shows an error and no preview (so no reason
    field); the next preview, without a reason posted, shows the default again, not an empty field."""
    linear = builder_data(preset="custom", method="linear", reason=None)
    first = prescriber_client.post(builder_url(patient), linear, HTTP_HX_REQUEST="true")
    assert "Enter the mg to cut at each step." in first.content.decode()
    assert 'name="reason"' not in first.content.decode()
    second = prescriber_client.post(
        builder_url(patient), {**linear, "step_mg": "0.25"}, HTTP_HX_REQUEST="true"
    )
    assert re.search(r'name="reason" id="id_reason" value="New taper plan"', second.content.decode())


def test_a_refused_save_lists_every_error_at_the_top_with_a_link(
    prescriber_client: Client, patient: Patient
) -> None:
    response = prescriber_client.post(builder_url(patient), builder_data(reason="", action="save-draft"))
    assert response.status_code == 200 and not Plan.objects.exists()
    html = response.content.decode()
    summary = html.index('id="save-errors"')
    assert summary < html.index('class="plan-builder"'), "the list comes before the form"
    listed = html[summary : html.index("</div>", summary)]
    assert (
        '<a class="alert-link" href="#id_reason">Reason for this change</a>: Give the reason for this change.'
        in listed
    )


def test_a_refused_activation_lists_each_danger_reason_missing_at_the_top(
    prescriber_client: Client, patient: Patient
) -> None:
    response = prescriber_client.post(builder_url(patient), builder_data(action="save-active"))
    html = response.content.decode()
    listed = html[html.index('id="save-errors"') :]
    assert re.search(
        r'<a class="alert-link" href="#id_ack:[^"]+">Reason to go ahead despite this danger', listed
    )


def test_allowing_oral_liquids_offers_the_strength_syringe_and_most_ml(
    prescriber_client: Client, patient: Patient
) -> None:
    html = prescriber_client.get(builder_url(patient)).content.decode()
    options = html[html.index('class="liquid-options') :]
    for name in ("liquid_strength", "liquid_step_ml", "max_liquid_dose_ml"):
        assert f'name="{name}"' in options
    response = prescriber_client.post(
        builder_url(patient), builder_data(liquid="on", liquid_step_ml="0.5", max_liquid_dose_ml="5")
    )
    assert response.context["form"].choices.liquid_step_ml == 0.5


@pytest.mark.parametrize("number", ["0", "-1", "999", "two"])
def test_a_step_number_not_in_the_plan_is_refused(
    prescriber: User, prescriber_client: Client, patient: Patient, number: str
) -> None:
    """Issue 14: ?step=0 opened the last step and ?step=-1 the one before; a POST with 0 was reviewed."""
    plan = new_plan(prescriber, patient)
    for name in ("schedules:step_edit", "schedules:step_remove"):
        url = reverse(name, args=[plan.pk])
        assert prescriber_client.get(url, {"step": number}).status_code == 404
        posted = {"step": number, "lock_version": "1", "reason": "x", "days": "7", "action": "review"}
        assert prescriber_client.post(url, posted).status_code == 404
    assert (
        prescriber_client.get(reverse("schedules:step_edit", args=[plan.pk]), {"step": "1"}).status_code
        == 200
    )
