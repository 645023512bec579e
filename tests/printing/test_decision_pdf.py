"""The clinician's plan says which options were compared with the patient and which was chosen,
with the reason (issue 17), from the same partial as the plan page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from schedules.models import Patient
from schedules.plans import actions, options
from schedules.plans.forms import PlanBuilderForm
from schedules.plans.printing.sources import version_pdf
from tests.plans.test_views import builder_data
from tests.printing.pdf_text import read_pdf

pytestmark = pytest.mark.django_db
PRINTED_AT = dt.datetime(2027, 2, 20, 10, 30, tzinfo=dt.UTC)


def test_the_clinicians_plan_prints_the_shared_decision(prescriber: User, patient: Patient) -> None:
    form = PlanBuilderForm(builder_data(), patient=patient, today=dt.date.today())
    assert form.is_valid()
    compared = options.compare(form.choices)
    chosen = compared[1]
    plan = actions.create_plan(
        prescriber,
        patient=patient,
        choices=form.choices_data,
        request=chosen.schedule.request,
        schedule=chosen.schedule,
        reason="New taper plan",
        decision=options.decision_record(compared, chosen, "Prefers the slower pace"),
    )
    version = plan.current_version
    assert version is not None
    text = read_pdf(version_pdf(version, document="clinician", latest_version=1, printed_at=PRINTED_AT)).text
    assert "Shared decision" in text
    assert f"option {chosen.letter}" in text and "Prefers the slower pace" in text
    assert f"The options compared ({len(compared)})" in text and "B (chosen)" in text
    assert "Changed after the choice" not in text
