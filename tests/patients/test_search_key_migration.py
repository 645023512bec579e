"""The data migration gives patients registered before it their search key."""

from __future__ import annotations

from datetime import date

import pytest

from schedules.models import Patient

from ..conftest import migrated_back_to


@pytest.mark.django_db(transaction=True)
def test_existing_patients_get_their_search_key() -> None:
    with migrated_back_to(("schedules", "0005_clinic_print_settings")) as old:
        clinic = old.get_model("schedules", "Clinic").objects.create(name="Old", market="UK")
        old.get_model("schedules", "Patient").objects.create(
            clinic=clinic,
            record_number="AS-1",
            given_name="Åsa",
            family_name="Åström",
            date_of_birth=date(1970, 1, 2),
        )
    patient = Patient.objects.get()
    assert patient.search_key == "asa astrom"
    assert Patient.objects.search("ASTROM").get() == patient
