"""Benchmark: the builder's live preview of the largest realistic plan, against a bare signed-in
page in the same run.

Alprazolam 6 mg a day (2 mg morning, midday and night; 120 mg diazepam equivalent under Ashton's
alprazolam 0.5 mg = diazepam 10 mg, [V2]), switched to diazepam, then 5% every 2 weeks with the
UK's diazepam tablets and oral solutions: the issue's "largest realistic plan". The preview is the
htmx request the builder sends on every change: planning, the step table, the chart, warnings
and dispensing. The bare page is the patient list of a clinic with that one patient.

The figures (mean of several runs, and the ratio) are printed; nothing is asserted about time.
Run with ``make bench`` (or ``pytest tests/benchmarks --benchmark-enable``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schedules.models import Clinic, Drug, Market, Patient, RegimenItem
from tests.conftest import make_patient, make_user

pytestmark = pytest.mark.django_db
RUNS = 10


def mean_seconds(call: Callable[[], object], runs: int = RUNS) -> float:
    call()  # warm caches (templates, the engine's dose tables)
    began = time.perf_counter()
    for _ in range(runs):
        call()
    return (time.perf_counter() - began) / runs


def test_preview_of_the_largest_realistic_plan(capsys: pytest.CaptureFixture[str]) -> None:
    clinic = Clinic.objects.create(name="Bench", market=Market.UK)
    client = Client()
    client.force_login(make_user("bench", "Prescriber", clinic))
    patient: Patient = make_patient(clinic, "B-1", date_of_birth=timezone.localdate().replace(year=1980))
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
    url = reverse("schedules:plan_new", args=[patient.pk])

    def preview() -> str:
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return response.content.decode()

    def bare_page() -> None:
        assert client.get(reverse("schedules:patient_list")).status_code == 200

    content = preview()
    steps = content.count('class="step step--')
    assert steps > 100, "the preview must show the whole largest plan"
    assert "taper-chart" in content and "Dispensing" in content
    preview_s = mean_seconds(preview)
    bare_s = mean_seconds(bare_page)
    with capsys.disabled():
        print(
            f"\npreview of the largest realistic plan ({steps} steps): {preview_s * 1000:.1f} ms; "
            f"bare signed-in page: {bare_s * 1000:.1f} ms; ratio {preview_s / bare_s:.1f} (means of {RUNS})"
        )
