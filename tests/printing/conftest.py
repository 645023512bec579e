"""Saved plans for the print and export views (the plan fixtures of tests/plans)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from schedules.models import Patient, Plan
from tests.plans.conftest import new_plan


@pytest.fixture
def plan(prescriber: User, patient: Patient) -> Plan:
    return new_plan(prescriber, patient, switch=True)
