"""On PostgreSQL, the lists of plans (the dashboard, the follow-up page, the patient list) are
answered through indexes at 200,000 plans: EXPLAIN of every query they make names no sequential
scan of the plan or patient tables, before and after a patient moves clinic (whose plans then leave
the old clinic's lists). Skipped on SQLite (its planner is not production's).

The 200,000 plans (and patients) are copies of one planned with SQL's generate_series, in 100
clinics; they share no version, so the step table stays small here and is not checked (its
lookups go by version through its (version, start date) index)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy

from schedules.models import Clinic, Patient, Plan

from ..conftest import make_user
from .conftest import new_plan
from .test_clinic_move import links_to, move

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner only"),
]
PLANS = 200_000
CLINICS = 100  # 2,000 plans in each, the user in one
BIG_TABLES = ("schedules_plan", "schedules_patient")


def _copies(table: str, fields: list[str], changed: dict[str, str], source: str) -> str:
    """INSERT ... SELECT of the ``source`` row of ``table`` once per ``g`` of generate_series."""
    columns = ", ".join(fields)
    values = ", ".join(changed.get(field, f"{table}.{field}") for field in fields)
    return f"INSERT INTO {table} ({columns}) SELECT {values} FROM {table}, {source}"


def test_the_lists_use_indexes_at_200000_plans(clinic: Clinic, patient: Patient) -> None:
    user = make_user("big", "Prescriber", clinic)
    model = new_plan(user, patient, activate=True)
    clinics = Clinic.objects.bulk_create(
        Clinic(name=f"C{n}", market=clinic.market) for n in range(CLINICS - 1)
    )
    ids = [clinic.pk, *(c.pk for c in clinics)]
    patient_fields = [str(f.column) for f in Patient._meta.concrete_fields if not f.primary_key]
    plan_fields = [str(f.column) for f in Plan._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            _copies(
                "schedules_patient",
                patient_fields,
                {
                    "record_number": "'B-' || g",
                    "family_name": "schedules_patient.family_name || g",
                    "search_key": "schedules_patient.search_key || g",
                    "clinic_id": f"(ARRAY{ids})[1 + g % {CLINICS}]",
                },
                f"generate_series(1, {PLANS - 1}) g WHERE id = {model.patient_id}",
            )
        )
        cursor.execute(
            _copies(
                "schedules_plan",
                plan_fields,
                {
                    "patient_id": "p.id",
                    "clinic_id": "p.clinic_id",
                    "next_change_on": "schedules_plan.next_change_on + (p.id % 14)::int",
                    "next_checkin_on": "schedules_plan.next_checkin_on + (p.id % 14)::int",
                    "current_version_id": "NULL",
                },
                f"schedules_patient p WHERE schedules_plan.id = {model.pk} AND p.record_number LIKE 'B-%%'",
            )
        )
        cursor.execute("ANALYZE")
    assert Plan.objects.count() == PLANS
    client = Client()
    client.force_login(user)
    assert sequential_scans(client) == []
    search = reverse("schedules:patient_list") + "?q=Ellis"  # the copies are Ellis1, Ellis2, ...
    links = links_to(patient, [model])
    assert any(link in client.get(search).content.decode() for link in links)

    mover = make_user("mover", "Prescriber", clinic)
    clinics[0].members.add(mover)
    move(mover, patient, clinics[0])

    assert Plan.objects.get(pk=model.pk).clinic_id == clinics[0].pk
    assert not Plan.objects.visible_to(user).filter(pk=model.pk).exists()
    assert sequential_scans(client) == []
    for url in (*URLS, reverse("schedules:home"), reverse("followup:overview"), search):
        content = client.get(url).content.decode()
        assert not [link for link in links if link in content], url


URLS = (
    reverse_lazy("schedules:home"),
    reverse_lazy("schedules:home") + "?list=changing&page=2",
    reverse_lazy("followup:overview") + "?list=due",
    reverse_lazy("schedules:patient_list") + "?q=B-12",
)


def sequential_scans(client: Client) -> list[str]:
    """The sequential scans of the plan or patient table in EXPLAIN of every query of every page."""
    scans = []
    for url in URLS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.startswith(("SELECT", "UPDATE")) or not any(t in sql for t in BIG_TABLES):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            scans += [
                f"{url}: {line.strip()} in {sql[:120]}"
                for line in plan.splitlines()
                if "Seq Scan" in line and any(f"on {t} " in line for t in BIG_TABLES)
            ]
    return scans
