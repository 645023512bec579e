"""The data migration gives patients registered before it their search key."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from schedules.models import Patient

BEFORE = [("schedules", "0005_clinic_print_settings")]


@pytest.mark.django_db(transaction=True)
def test_existing_patients_get_their_search_key() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    clinic = old.get_model("schedules", "Clinic").objects.create(name="Old", market="UK")
    old.get_model("schedules", "Patient").objects.create(
        clinic=clinic,
        record_number="AS-1",
        given_name="Åsa",
        family_name="Åström",
        date_of_birth=date(1970, 1, 2),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    patient = Patient.objects.get()
    assert patient.search_key == "asa astrom"
    assert Patient.objects.search("ASTROM").get() == patient
