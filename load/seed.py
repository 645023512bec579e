"""Seed the load-test data: one clinic, 20 prescribers (load01..load20) and a number of patients
(2,000 unless told), each with a regimen and a saved plan, draft or active. Run:
`.venv/bin/python -m load.seed [--size N] [--active]` (DATABASE_URL set). Running it again adds
only what is missing. The benchmarks (tests/benchmarks) seed through ``seed`` too.

Plans start on one of 14 days up to today, so they stand at different steps and their next dose
changes spread over two weeks as a clinic's do. The first plan of each regimen and start day is
made by the plan workflow (schedules.plans.actions); the others of the same kind are copies of its
version, step rows and list columns, inserted in bulk (thousands of plans in seconds).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from schedules.models import Clinic, Plan

PATIENTS = int(os.environ.get("LOAD_PATIENTS", 2000))
START_DAYS = 14  # plans start on one of this many days up to today
USERS = 20
PASSWORD = "load-test-password-0123"
# The load users' authenticator-app key (the second factor every sign-in asks for): a load test runs
# on this machine only, against its own database.
TOTP_KEY = "6c6f61642d746573742d746f74702d6b65792d30"
CLINIC = "Load test clinic"
FAMILY_NAMES = ["Ellis", "Khan", "Okafor", "Novak", "Smith", "Garcia", "Nguyen", "Jones", "Brown", "Patel"]
GIVEN_NAMES = ["Ann", "Ben", "Chloe", "Dev", "Eve", "Farah", "Gus", "Hana", "Ivan", "Jade"]
# Regimens a clinic sees (drug, mg at morning, midday, evening, night): all within the ranges the
# registry accepts; they exercise a plain percent taper and a liquid tail.
REGIMENS = [
    ("lorazepam", "1", "0", "1", "2"),
    ("diazepam", "5", "0", "5", "10"),
    ("alprazolam", "0.5", "0", "0", "1"),
    ("zopiclone", "0", "0", "0", "7.5"),
    ("clonazepam", "0.5", "0", "0", "0.5"),
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m load.seed", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=PATIENTS, help="patients, each with a plan")
    parser.add_argument("--active", action="store_true", help="activate the plans (else drafts)")
    options = parser.parse_args()
    if options.size < 0:
        parser.error("--size is a number of patients, 0 or more")
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taperapp.settings")
    django.setup()
    seed(size=options.size, active=options.active)


def seed(*, size: int, active: bool, clinic_name: str = CLINIC, out: TextIO = sys.stderr) -> Clinic:
    """The clinic with ``size`` patients, each with a plan (active when ``active``)."""
    from django.db import transaction

    from schedules.models import Clinic, Market, Patient

    clinic, _ = Clinic.objects.get_or_create(name=clinic_name, defaults={"market": Market.UK})
    users = _prescribers(clinic)
    existing = set(
        Patient.objects.filter(clinic=clinic, plans__isnull=False).values_list("record_number", flat=True)
    )
    chooser = random.Random(20261201)
    made: dict[tuple[int, int], Plan] = {}
    copies: list[tuple[Plan, Patient]] = []
    added = 0
    for number in range(size):
        record = f"L-{number:05d}"
        patient = _patient(clinic, record, number, chooser)
        if record in existing:
            continue
        kind = (number % len(REGIMENS), number % START_DAYS)
        if kind in made:
            copies.append((made[kind], patient))
        else:
            with transaction.atomic():
                made[kind] = _planned(users[number % USERS], patient, kind, active=active)
        added += 1
    with transaction.atomic():
        _copy_plans(copies, users)
    print(
        f"Load-test data: {size} patients with plans in {clinic_name!r} ({added} added), {USERS} prescribers.",
        file=out,
    )
    return clinic


def _prescribers(clinic: Clinic) -> list[User]:
    from django.contrib.auth.models import Group, User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    prescriber_role = Group.objects.get(name="Prescriber")
    users = []
    for number in range(1, USERS + 1):
        user, created = User.objects.get_or_create(username=f"load{number:02d}")
        if created:
            user.set_password(PASSWORD)
            user.save()
        user.groups.add(prescriber_role)
        TOTPDevice.objects.update_or_create(
            user=user, name="Load test", defaults={"key": TOTP_KEY, "confirmed": True}
        )
        clinic.members.add(user)
        users.append(user)
    return users


def _patient(clinic: Clinic, record: str, number: int, chooser: random.Random) -> Any:
    from schedules.models import Drug, Patient, RegimenItem

    # Drawn for every number, seeded, so a rerun gives each record the same person.
    given, family = chooser.choice(GIVEN_NAMES), f"{chooser.choice(FAMILY_NAMES)}{number % 97}"
    born = date(1940, 1, 1) + timedelta(days=chooser.randrange(20000))
    patient, created = Patient.objects.get_or_create(
        clinic=clinic,
        record_number=record,
        defaults={
            "given_name": given,
            "family_name": family,
            "date_of_birth": born,
            "sex": Patient.Sex.FEMALE if number % 2 else Patient.Sex.MALE,
        },
    )
    if created:
        drug, *doses = REGIMENS[number % len(REGIMENS)]
        RegimenItem.objects.create(
            patient=patient,
            drug=Drug.objects.get(name=drug),
            **{
                f"{slot}_mg": None if mg == "0" else Decimal(mg)
                for slot, mg in zip(("morning", "midday", "evening", "night"), doses, strict=True)
            },
        )
    return patient


def _planned(user: User, patient: Any, kind: tuple[int, int], *, active: bool) -> Plan:
    """A plan made by the plan workflow, each danger acknowledged when it is activated."""
    from schedules import engine
    from schedules.plans import actions
    from schedules.plans.dangers import danger_key
    from schedules.plans.planning import PlanChoices, plan_request

    preset = engine.PRESETS["jcpg-standard"]
    start = date.today() - timedelta(days=kind[1])
    item = patient.regimen.select_related("drug").get()
    choices = PlanChoices(
        regimen=(
            engine.RegimenItem(drug=item.drug.name, doses={engine.Slot(k): v for k, v in item.doses.items()}),
        ),
        method=preset.method,
        interval_days=preset.interval_days,
        market=patient.clinic.market,
        start=start,
        patient=engine.PatientFactors(age=patient.age_on(start)),
    )
    request = plan_request(choices)
    schedule = actions.plan_proposal(request).schedule_dict
    dangers = [w for w in schedule["warnings"] if w["severity"] == "danger"]
    return actions.create_plan(
        user,
        patient=patient,
        choices={"load-test": True},
        request=request,
        reason="Load-test plan",
        activate=active,
        acknowledgements={danger_key(w, schedule): "Load-test plan" for w in dangers} if active else None,
    )


COPIED_PLAN_FIELDS = (
    "status",
    "ends_on",
    "next_change_on",
    "next_checkin_on",
    "next_review_on",
    "hold_suggested",
)
COPIED_VERSION_FIELDS = (
    "change",
    "status",
    "reason",
    "choices",
    "request",
    "schedule",
    "steps",
    "acknowledgements",
)
COPIED_STEP_FIELDS = ("number", "start_date", "end_date", "hold", "changes_dose", "diazepam_mg", "doses")


def _copy_plans(copies: list[tuple[Plan, Any]], users: list[User]) -> None:
    """Each (made plan, patient): a plan of the patient with the made plan's version, step rows
    and list columns, inserted in bulk."""
    from schedules.models import Plan, PlanStep, PlanVersion

    if not copies:
        return
    sources = {plan.pk: plan for plan, _ in copies}
    versions = {v.plan_id: v for v in PlanVersion.objects.filter(plan__in=sources)}
    steps: dict[int, list[PlanStep]] = {}
    for step in PlanStep.objects.filter(version__in=versions.values()).order_by("number"):
        steps.setdefault(step.version_id, []).append(step)
    plans = Plan.objects.bulk_create(
        Plan(
            patient=patient,
            clinic_id=patient.clinic_id,
            created_by=users[index % USERS],
            lock_version=1,
            **{field: getattr(source, field) for field in COPIED_PLAN_FIELDS},
        )
        for index, (source, patient) in enumerate(copies)
    )
    made = PlanVersion.objects.bulk_create(
        PlanVersion(
            plan=plan,
            number=1,
            created_by=plan.created_by,
            **{field: getattr(versions[source.pk], field) for field in COPIED_VERSION_FIELDS},
        )
        for plan, (source, _) in zip(plans, copies, strict=True)
    )
    for plan, version in zip(plans, made, strict=True):
        plan.current_version = version
    Plan.objects.bulk_update(plans, ["current_version"], batch_size=500)
    PlanStep.objects.bulk_create(
        (
            PlanStep(version=version, **{field: getattr(step, field) for field in COPIED_STEP_FIELDS})
            for version, (source, _) in zip(made, copies, strict=True)
            for step in steps[versions[source.pk].pk]
        ),
        batch_size=1000,
    )


if __name__ == "__main__":
    main()
