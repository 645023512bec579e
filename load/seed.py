"""Seed the load-test data: one clinic, 20 prescribers (load01..load20) and about 2,000 patients,
each with a regimen and a saved plan. Run once: `.venv/bin/python -m load.seed` (DATABASE_URL set).
Running it again adds only what is missing."""

from __future__ import annotations

import os
import random
import sys
from datetime import date, timedelta
from decimal import Decimal

PATIENTS = int(os.environ.get("LOAD_PATIENTS", 2000))
USERS = 20
PASSWORD = "load-test-password-0123"
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
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taperapp.settings")
    django.setup()
    from django.contrib.auth.models import Group, User

    from schedules import engine
    from schedules.models import Clinic, Drug, Market, Patient, RegimenItem
    from schedules.plans import actions as actions
    from schedules.plans.planning import PlanChoices, plan_request

    clinic, _ = Clinic.objects.get_or_create(name=CLINIC, defaults={"market": Market.UK})
    prescriber_role = Group.objects.get(name="Prescriber")
    users = []
    for number in range(1, USERS + 1):
        user, created = User.objects.get_or_create(username=f"load{number:02d}")
        if created:
            user.set_password(PASSWORD)
            user.save()
        user.groups.add(prescriber_role)
        clinic.members.add(user)
        users.append(user)
    drugs = {drug.name: drug for drug in Drug.objects.filter(name__in=[r[0] for r in REGIMENS])}
    preset = engine.PRESETS["jcpg-standard"]
    chooser = random.Random(20261201)
    start = date.today()
    existing = set(
        Patient.objects.filter(clinic=clinic, plans__isnull=False).values_list("record_number", flat=True)
    )
    added = 0
    for number in range(PATIENTS):
        record = f"L-{number:05d}"
        if record in existing:
            continue
        drug, *doses = REGIMENS[number % len(REGIMENS)]
        patient, _ = Patient.objects.get_or_create(
            clinic=clinic,
            record_number=record,
            defaults={
                "given_name": chooser.choice(GIVEN_NAMES),
                "family_name": f"{chooser.choice(FAMILY_NAMES)}{number % 97}",
                "date_of_birth": date(1940, 1, 1) + timedelta(days=chooser.randrange(20000)),
                "sex": Patient.Sex.FEMALE if number % 2 else Patient.Sex.MALE,
            },
        )
        item, _ = RegimenItem.objects.get_or_create(
            patient=patient,
            drug=drugs[drug],
            defaults={
                f"{slot}_mg": None if mg == "0" else Decimal(mg)
                for slot, mg in zip(("morning", "midday", "evening", "night"), doses, strict=True)
            },
        )
        choices = PlanChoices(
            regimen=(
                engine.RegimenItem(drug=drug, doses={engine.Slot(k): v for k, v in item.doses.items()}),
            ),
            method=preset.method,
            interval_days=preset.interval_days,
            market=clinic.market,
            start=start,
            patient=engine.PatientFactors(age=patient.age_on(start)),
        )
        actions.create_plan(
            users[number % USERS],
            patient=patient,
            choices={"load-test": True},
            request=plan_request(choices),
            reason="Load-test plan",
        )
        added += 1
        if added % 250 == 0:
            print(f"  {added} patients with plans added", file=sys.stderr)
    total = Patient.objects.filter(clinic=clinic).count()
    print(f"Load-test data: {total} patients with plans in {CLINIC!r} ({added} added), {USERS} prescribers.")


if __name__ == "__main__":
    main()
