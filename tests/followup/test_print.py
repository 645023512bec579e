"""The clinician's printed plan carries the check-in scores on its chart; the patient's does not."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from followup.actions import record_checkin
from followup.models import Scale
from schedules.models import Patient

from ..plans.conftest import new_plan
from ..printing.downloads import download
from ..printing.pdf_text import read_pdf
from .conftest import checkin_input


def test_the_clinicians_pdf_charts_the_scores(
    prescriber: User, prescriber_client: Client, patient: Patient, checklist: Scale
) -> None:
    today = dt.date.today()
    plan = new_plan(prescriber, patient, activate=True, start=today - dt.timedelta(days=20))
    record_checkin(
        prescriber, plan=plan, lock_version=plan.lock_version, data=checkin_input(checklist, today)
    )
    clinician = read_pdf(
        download(prescriber_client, reverse("schedules:plan_clinician_pdf", args=[plan.pk])).content
    )
    assert "Symptom score (right axis)" in clinician.text
    patient_copy = read_pdf(
        download(prescriber_client, reverse("schedules:plan_patient_pdf", args=[plan.pk])).content
    )
    assert "Symptom score" not in patient_copy.text
