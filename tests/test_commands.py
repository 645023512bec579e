"""The management commands: seed_demo and load_reference, both safe to run again."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from schedules.models import Clinic, Equivalence, Patient

pytestmark = pytest.mark.django_db


def run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def test_seed_demo_creates_one_user_per_role_and_prints_the_sign_ins() -> None:
    output = run("seed_demo")
    for username, role in (
        ("prescriber", "Prescriber"),
        ("staff", "Clinic staff"),
        ("admin", "Administrator"),
    ):
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert f"user {username}" in output
    password = output.split("user prescriber")[1].split("password")[1].split()[0]
    assert User.objects.get(username="prescriber").check_password(password)
    assert User.objects.get(username="admin").is_staff


def test_seed_demo_is_idempotent() -> None:
    run("seed_demo")
    counts = (Patient.objects.count(), Clinic.objects.count(), User.objects.count())
    second = run("seed_demo")
    assert (Patient.objects.count(), Clinic.objects.count(), User.objects.count()) == counts
    assert "0 patients added" in second


def test_seed_demo_keeps_one_patient_in_a_clinic_the_demo_users_do_not_belong_to() -> None:
    run("seed_demo")
    prescriber = User.objects.get(username="prescriber")
    visible = Patient.objects.visible_to(prescriber)
    assert 0 < visible.count() < Patient.objects.count()
    assert all(patient.regimen.exists() for patient in Patient.objects.all())


def test_load_reference_adds_nothing_twice_and_never_overwrites_an_edit() -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    equivalence.dose_mg = Decimal("1.1")
    equivalence.save()
    output = run("load_reference")
    assert "equivalences: 0 added, 74 already present" in output
    equivalence.refresh_from_db()
    assert equivalence.dose_mg == Decimal("1.1")


def test_load_reference_restores_a_deleted_record() -> None:
    Equivalence.objects.get(table__key="bnf", drug__name="oxazepam").delete()
    assert "equivalences: 1 added" in run("load_reference")
    assert Equivalence.objects.filter(table__key="bnf", drug__name="oxazepam").exists()


def test_reference_history_starts_at_the_source() -> None:
    first = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam").history.earliest()
    assert "reference data" in first.history_change_reason
    Equivalence.objects.get(table__key="bnf", drug__name="oxazepam").delete()
    run("load_reference")
    restored = Equivalence.objects.get(table__key="bnf", drug__name="oxazepam").history.latest()
    assert "reference data" in restored.history_change_reason


def test_seed_demo_prints_the_address_it_is_given() -> None:
    out = io.StringIO()
    call_command("seed_demo", url="http://127.0.0.1:8811", stdout=out)
    assert "Sign in at http://127.0.0.1:8811 as:" in out.getvalue()
