"""The documents' task through the RQ backend (django-tasks-rq), with a real Redis server: `.ci/run`
starts one and sets REDIS_URL; without it this test is skipped."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings

from schedules.models import Patient, PlanDocument
from tests.plans.conftest import new_plan

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server in REDIS_URL (.ci/run starts one)"),
]


def test_an_rq_worker_makes_the_documents_of_a_saved_version(prescriber: User, patient: Patient) -> None:
    rq_backend = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=rq_backend, RQ_QUEUES={"default": {"URL": REDIS_URL}}):
        plan = new_plan(prescriber, patient, activate=True)  # queued in Redis when it commits
        assert set(PlanDocument.objects.values_list("state", flat=True)) == {"queued"}
        # In this process (SimpleWorker, no fork), so it shares the test's database connection.
        call_command(
            "rqworker", "default", burst=True, job_class="django_tasks_rq.Job", worker_class="rq.SimpleWorker"
        )
    made = PlanDocument.objects.filter(version__plan=plan)
    assert sorted(made.values_list("kind", "state")) == [("clinician", "ready"), ("patient", "ready")]
