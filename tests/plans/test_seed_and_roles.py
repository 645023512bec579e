"""Demo plans for a newcomer, and the roles' plan permissions."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import CLINIC_STAFF, PRESCRIBER
from schedules.models import Plan
from schedules.plans.today import current_step

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_an_active_plan_mid_switch_a_paused_and_a_completed_one() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())  # safe to run again: nothing added twice
    assert "4 plans added" in out.getvalue()
    plans = {
        plan.patient.record_number: plan for plan in Plan.objects.select_related("patient", "current_version")
    }
    assert len(plans) == 4
    assert {p.status for p in plans.values()} == {"active", "paused", "completed", "draft"}
    active = plans["RHC-1002"]
    assert active.status == "active" and active.current_version is not None

    step = current_step(active.current_version, timezone.localdate())
    assert step is not None and step["phase"] == "switch"
    assert plans["RHC-1003"].status_reason


def test_prescribers_change_plans_and_clinic_staff_only_read_them() -> None:
    def codenames(role: str) -> set[str]:
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert {"view_plan", "add_plan", "change_plan"} <= codenames(PRESCRIBER)
    assert "view_plan" in codenames(CLINIC_STAFF)
    assert not {"add_plan", "change_plan", "delete_plan"} & codenames(CLINIC_STAFF)
    assert "delete_plan" not in codenames(PRESCRIBER)
