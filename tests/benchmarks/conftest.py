"""Benchmarks measure under ``make bench`` only.

In ``make test`` (pytest's default ``--benchmark-disable``) each benchmark runs once, as a check
that what it measures still works, and nothing is asserted about time: a speed target belongs to
``make bench``, where the figures are printed as ratios to a baseline measured in the same run.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schedules.models import Clinic, Drug, Market, RegimenItem
from tests.conftest import make_patient, make_user


@pytest.fixture
def measuring(request: pytest.FixtureRequest) -> bool:
    """True under ``make bench`` (``--benchmark-enable``): time, print and check targets."""
    config = request.config
    return bool(config.getoption("benchmark_enable")) or not config.getoption("benchmark_disable")


@pytest.fixture
def largest_plan_builder(db: None) -> tuple[Client, str, dict[str, str]]:
    """A signed-in prescriber's client, the builder's URL and its inputs for the largest realistic
    plan: alprazolam 2 mg morning, midday and night (Ashton: alprazolam 0.5 mg = diazepam 10 mg,
    so 120 mg diazepam equivalent, [V2]) switched to diazepam, then 5% every 2 weeks with the UK's
    diazepam tablets and oral solutions."""
    clinic = Clinic.objects.create(name="Bench", market=Market.UK)
    client = Client()
    client.force_login(make_user("bench", "Prescriber", clinic))
    patient = make_patient(clinic, "B-1", date_of_birth=timezone.localdate().replace(year=1980))
    RegimenItem.objects.create(
        patient=patient,
        drug=Drug.objects.get(name="alprazolam"),
        morning_mg=Decimal(2),
        midday_mg=Decimal(2),
        night_mg=Decimal(2),
    )
    data = {
        "preset": "custom",
        "method": "percent",
        "percent": "5",
        "interval_days": "14",
        "switch_to": "diazepam",
        "switch_stage_days": "7",
        "table": "ashton",
        "liquid": "on",
        "end": "stop",
        "start": timezone.localdate().isoformat(),
        "period_days": "28",
    }
    return client, reverse("schedules:plan_new", args=[patient.pk]), data
