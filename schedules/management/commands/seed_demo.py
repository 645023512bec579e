"""Create the demo clinics, users and patients. Safe to run again: it only fills in what is missing
and resets the demo passwords to the ones it prints."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from schedules.models import Clinic, Drug, Market, Patient, RegimenItem

DEMO_CLINIC = "Riverside Health Centre"
OTHER_CLINIC = "Hillview Practice"

# username, password, role, full name, is_staff (admin site access)
DEMO_USERS = [
    ("prescriber", "taper-prescriber", "Prescriber", ("Dr Amira", "Khan"), False),
    ("staff", "taper-staff", "Clinic staff", ("Sam", "Okafor"), False),
    ("admin", "taper-admin", "Administrator", ("Alex", "Morgan"), True),
]

# record number, given, family, born, sex, flags, regimen {drug: (morning, midday, evening, night)}
DEMO_PATIENTS: list[tuple[str, str, str, date, str, dict[str, Any], dict[str, tuple]]] = [
    (
        "RHC-1001",
        "Margaret",
        "Ellis",
        date(1951, 3, 14),
        "female",
        {"use_duration": "gt5y"},
        {"lorazepam": ("1", None, "1", "2")},
    ),
    (
        "RHC-1002",
        "David",
        "Okoye",
        date(1978, 11, 2),
        "male",
        {
            "use_duration": "1-5y",
            "cns_depressant_co_use": True,
            "cns_depressants": "methadone 40 mg daily",
        },
        {"alprazolam": ("1", "1", None, "2")},
    ),
    (
        "RHC-1003",
        "Priya",
        "Sharma",
        date(1990, 6, 21),
        "female",
        {"use_duration": "3-12m"},
        {"diazepam": ("5", None, None, "10")},
    ),
    (
        "RHC-1004",
        "Thomas",
        "Brennan",
        date(1964, 9, 8),
        "male",
        {"use_duration": "gt5y", "hepatic_impairment": True},
        {"temazepam": (None, None, None, "20")},
    ),
    (
        "RHC-1005",
        "Eilidh",
        "MacLeod",
        date(1985, 1, 30),
        "female",
        {"use_duration": "1-5y", "seizure_history": True},
        {"clonazepam": ("0.5", None, None, "1")},
    ),
    (
        "RHC-1006",
        "Jonas",
        "Weber",
        date(1972, 4, 17),
        "male",
        {"use_duration": "1-5y"},
        {"zopiclone": (None, None, None, "7.5"), "diazepam": ("2", None, None, None)},
    ),
]
OTHER_PATIENTS = [
    (
        "HVP-2001",
        "Ruth",
        "Calloway",
        date(1958, 7, 5),
        "female",
        {"use_duration": "gt5y"},
        {"oxazepam": ("15", None, None, "30")},
    ),
]


class Command(BaseCommand):
    help = "Create the demo clinics, users (one per role) and patients, and print the demo sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="where the app is served")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        clinic, _ = Clinic.objects.get_or_create(name=DEMO_CLINIC, defaults={"market": Market.UK})
        other, _ = Clinic.objects.get_or_create(name=OTHER_CLINIC, defaults={"market": Market.US})
        for username, password, role, (first, last), is_staff in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name, user.is_staff, user.is_active = (
                first,
                last,
                is_staff,
                True,
            )
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            clinic.members.add(user)
        created = sum(self._patient(clinic, *row) for row in DEMO_PATIENTS)
        created += sum(self._patient(other, *row) for row in OTHER_PATIENTS)
        self.stdout.write(f"Demo data ready ({created} patients added). Sign in at {options['url']} as:")
        for username, password, role, _, _ in DEMO_USERS:
            self.stdout.write(f"  {role:<14} user {username:<11} password {password}")

    def _patient(
        self,
        clinic: Clinic,
        record: str,
        given: str,
        family: str,
        born: date,
        sex: str,
        flags: dict[str, Any],
        regimen: dict[str, tuple],
    ) -> bool:
        patient, created = Patient.objects.get_or_create(
            clinic=clinic,
            record_number=record,
            defaults={
                "given_name": given,
                "family_name": family,
                "date_of_birth": born,
                "sex": sex,
                **flags,
            },
        )
        if created:
            for drug_name, doses in regimen.items():
                morning, midday, evening, night = (Decimal(dose) if dose else None for dose in doses)
                RegimenItem.objects.create(
                    patient=patient,
                    drug=Drug.objects.get(name=drug_name),
                    morning_mg=morning,
                    midday_mg=midday,
                    evening_mg=evening,
                    night_mg=night,
                )
        return created
