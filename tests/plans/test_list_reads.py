"""Lists read, never write (issue 15): the next dose change is computed in the query where the
plan's column has passed, and a daily command (not a page) moves passed columns on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schedules.models import Patient, Plan, PlanStep
from schedules.plans.review import dashboard

from .conftest import new_plan

pytestmark = pytest.mark.django_db


def change_days(plan: Plan) -> list[dt.date]:
    steps = PlanStep.objects.filter(version=plan.current_version, changes_dose=True).order_by("start_date")
    return [step.start_date for step in steps]


def test_a_passed_column_still_lists_the_next_change_and_is_not_written(
    prescriber: User, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient, activate=True)
    written = plan.next_change_on
    days = change_days(plan)
    assert written == days[0]  # the plan starts later: its first step is its next change
    today = days[1] - dt.timedelta(days=2)  # the column's day has passed; step 2's change is near
    board = dashboard(prescriber, today, {})
    assert board.changing is not None
    assert [(row.plan.next_change, row.step.number if row.step else None) for row in board.changing.rows] == [
        (days[1], 2)
    ]
    assert Plan.objects.get(pk=plan.pk).next_change_on == written


def test_the_pages_of_lists_write_nothing_but_the_audit_record(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    new_plan(prescriber, patient, activate=True)
    for url in (reverse("schedules:home"), reverse("followup:overview"), reverse("schedules:patient_list")):
        with CaptureQueriesContext(connection) as queries:
            assert prescriber_client.get(url).status_code == 200
        writes = [q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().startswith("SELECT")]
        assert len(writes) == 1 and writes[0].startswith('INSERT INTO "audit_auditevent"'), (url, writes)


def test_the_daily_command_moves_passed_columns_on(
    prescriber: User, patient: Patient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = new_plan(prescriber, patient, activate=True)
    days = change_days(plan)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: days[0])
    call_command("refresh_plan_lists")
    assert Plan.objects.get(pk=plan.pk).next_change_on == days[1]
    assert capsys.readouterr().out.strip() == (
        f"Next dose changes brought up to {days[0].isoformat()}: 1 plans moved on."
    )
