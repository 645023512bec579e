"""Hostile input to the plan forms gets a message, never a server error, and is never rendered
unescaped."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedules.models import Patient, Plan

from .conftest import new_plan
from .test_views import builder_data

pytestmark = pytest.mark.django_db
HOSTILE = [
    "1e309",
    "-1",
    "99999999999999999999",
    "NaN",
    "\x00",
    "\u202e01",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "9999-12-31",
    "0001-01-01",
    "x" * 5000,
    "",
]
BUILDER_FIELDS = [
    "percent",
    "step_mg",
    "interval_days",
    "switch_stage_days",
    "target_daily_mg",
    "start",
    "period_days",
    "liquid_step_ml",
    "max_liquid_dose_ml",
    "preset",
    "table",
    "strengths",
    "liquid_strength",
    "switch_to",
]


@pytest.mark.parametrize("field", BUILDER_FIELDS)
@pytest.mark.parametrize("value", HOSTILE)
def test_the_builder_survives_hostile_values(
    prescriber_client: Client, patient: Patient, field: str, value: str
) -> None:
    data = {**builder_data(preset="custom", end="target", action="save-active"), field: value}
    response = prescriber_client.post(reverse("schedules:plan_new", args=[patient.pk]), data)
    assert response.status_code in (200, 302)
    assert "<script>alert(1)</script>" not in response.content.decode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    step=st.text(max_size=8),
    days=st.text(max_size=12),
    dose=st.text(max_size=12),
    lock=st.text(max_size=6),
    reason=st.text(max_size=40),
)
def test_step_edits_survive_any_text(
    prescriber: User, patient: Patient, step: str, days: str, dose: str, lock: str, reason: str
) -> None:
    plan = Plan.objects.first() or new_plan(prescriber, patient)
    client = Client()
    client.force_login(prescriber)
    data = {
        "step": step,
        "days": days,
        "lorazepam:night": dose,
        "lock_version": lock,
        "reason": reason,
        "action": "save",
    }
    posts = [
        (reverse("schedules:step_edit", args=[plan.pk]) + "?step=1", data, (200, 302, 404)),
        (
            reverse("schedules:hold_insert", args=[plan.pk]),
            {"after_step": step, "days": days, "lock_version": lock, "reason": reason, "action": "save"},
            (200, 302),
        ),
        (
            reverse("schedules:status_change", args=[plan.pk, "pause"]),
            {"on": days, "lock_version": lock, "reason": reason, "action": "save"},
            (200, 302),
        ),
    ]
    for url, posted, answers in posts:
        before = plan.versions.count()
        response = client.post(url, posted)
        assert response.status_code in answers
        # A redirect saved one version with the reason given; anything else saved nothing.
        saved = plan.versions.filter(number__gt=before)
        if response.status_code == 302:
            assert [v.reason for v in saved] == [reason.strip()]
        else:
            assert not saved.exists()


def test_comparing_versions_that_do_not_exist_is_not_found(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    url = reverse("schedules:version_compare", args=[plan.pk])
    for query in ({"a": "1", "b": "9"}, {"a": "x", "b": "\x00"}, {}):
        assert prescriber_client.get(url, query).status_code == 404
