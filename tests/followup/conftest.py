"""Check-in fixtures: an active lorazepam plan (10% every 2 weeks from 2027-01-04) and a check-in's
inputs with the shipped checklist."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from followup.inputs import CheckInInput, DecisionInput
from followup.models import Scale
from followup.scale_data import CHECKLIST_KEY
from schedules.models import Patient, Plan

from ..conftest import make_patient, make_user
from ..plans.conftest import new_plan


@pytest.fixture
def active_plan(prescriber: User, patient: Patient) -> Plan:
    return new_plan(prescriber, patient, activate=True)


@pytest.fixture
def foreign_plan(other_clinic: Any, patient: Patient) -> Plan:
    """An active plan in the other clinic, made by that clinic's prescriber."""
    from schedules.models import Drug, RegimenItem

    other = make_patient(other_clinic, "H-1", given_name="Ruth", family_name="Calloway")
    RegimenItem.objects.create(patient=other, drug=Drug.objects.get(name="lorazepam"), night_mg=1)
    their_prescriber = make_user("hillview-prescriber", "Prescriber", other_clinic)
    return new_plan(their_prescriber, other, activate=True)


@pytest.fixture
def checklist(db: None) -> Scale:
    return Scale.objects.get(key=CHECKLIST_KEY)


def checkin_input(
    scale: Scale, day: dt.date, *, score: int = 2, decision: DecisionInput | None = None, **fields: Any
) -> CheckInInput:
    """Every item scored ``score``: the total is 12 times score with the shipped checklist."""
    return CheckInInput(
        date=day,
        how="phone",
        scale=scale,
        responses={item.order: score for item in scale.items.all()},
        total_score=score * scale.items.count(),
        sleep=fields.pop("sleep", "poor"),
        decision=decision or DecisionInput(decision="continue"),
        **fields,
    )
