"""The data migration gives plans made before it their patient's clinic."""

from __future__ import annotations

from datetime import date

import pytest

from schedules.models import Plan

from ..conftest import migrated_back_to


@pytest.mark.django_db(transaction=True)
def test_existing_plans_get_their_patients_clinic() -> None:
    with migrated_back_to(("schedules", "0011_taper_start_and_end")) as old:
        user = old.get_model("auth", "User").objects.create(username="old")
        clinics = [old.get_model("schedules", "Clinic").objects.create(name=n, market="UK") for n in "AB"]
        for number, clinic in enumerate(clinics):
            patient = old.get_model("schedules", "Patient").objects.create(
                clinic=clinic,
                record_number=f"M-{number}",
                given_name="A",
                family_name="B",
                date_of_birth=date(1960, 1, 1),
            )
            old.get_model("schedules", "Plan").objects.create(patient=patient, created_by=user)
    assert {(plan.clinic_id, plan.patient.clinic_id) for plan in Plan.objects.all()} == {
        (clinic.pk, clinic.pk) for clinic in clinics
    }
