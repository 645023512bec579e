"""Create the demo clinics, users and patients. Safe to run again: it only fills in what is missing
and resets the demo passwords and second factor to the ones it prints. Refused where debug is off:
its passwords and authenticator key are published."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from schedules import engine
from schedules.models import Clinic, Drug, Market, Patient, Plan, RegimenItem
from schedules.plans import actions as actions
from schedules.plans import dangers as plan_dangers
from schedules.plans.planning import PlanChoices, plan_request

DEMO_CLINIC = "Riverside Health Centre"
OTHER_CLINIC = "Hillview Practice"

# username, password, role, full name, is_staff (admin site access)
# The demo accounts' authenticator-app key: the same for every demo account, printed by `make run`,
# and for the demo only (seed_demo refuses to run with debug off).
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_TOTP_KEY_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

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
        if not settings.DEMO_ACCOUNTS_ALLOWED:
            raise CommandError("seed_demo publishes its passwords: it runs only with DJANGO_DEBUG on.")
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
            TOTPDevice.objects.filter(user=user).delete()
            TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)
            clinic.members.add(user)
        created = sum(self._patient(clinic, *row) for row in DEMO_PATIENTS)
        created += sum(self._patient(other, *row) for row in OTHER_PATIENTS)
        plans = self._plans(clinic, User.objects.get(username="prescriber"))
        self.stdout.write(
            f"Demo data ready ({created} patients added, {plans} plans added). Sign in at {options['url']} as:"
        )
        for username, password, role, _, _ in DEMO_USERS:
            self.stdout.write(f"  {role:<14} user {username:<11} password {password}")
        self.stdout.write(
            "Then the second step (demo only): add this key to an authenticator app (time-based, 6 digits,\n"
            f"30 seconds) and type the code it shows: {DEMO_TOTP_KEY_BASE32}\n"
            f"(or `oathtool --totp -b {DEMO_TOTP_KEY_BASE32}` prints the code)."
        )

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

    def _plans(self, clinic: Clinic, prescriber: User) -> int:
        """Demo plans, for patients that have none: active mid-switch, paused, completed, drafts."""
        today = timezone.localdate()
        added = 0
        for record, demo, status in DEMO_PLANS:
            options = dict(demo)  # popped below; the module's table stays as written
            patient = Patient.objects.get(clinic=clinic, record_number=record)
            if patient.plans.exists():
                continue
            start = today - timedelta(days=options.pop("days_ago"))
            choices = self._choices(patient, start=start, **options)
            plan = actions.create_plan(
                prescriber,
                patient=patient,
                choices={"demo": True},
                request=plan_request(choices),
                reason="Demo plan: agreed with the patient at clinic",
            )
            self._advance(plan, prescriber, status, today)
            added += 1
        return added

    def _choices(self, patient: Patient, *, start: date, **options: Any) -> PlanChoices:
        preset = engine.PRESETS[options.pop("preset", "jcpg-standard")]
        return PlanChoices(
            regimen=tuple(
                engine.RegimenItem(
                    drug=item.drug.name, doses={engine.Slot(k): v for k, v in item.doses.items()}
                )
                for item in patient.regimen.select_related("drug")
            ),
            method=preset.method,
            interval_days=preset.interval_days,
            market=patient.clinic.market,
            start=start,
            patient=engine.PatientFactors(
                age=patient.age_on(start),
                hepatic_impairment=patient.hepatic_impairment,
                pregnant=patient.pregnant,
                cns_depressant_co_use=patient.cns_depressant_co_use,
                seizure_history=patient.seizure_history,
            ),
            **options,
        )

    def _advance(self, plan: Plan, prescriber: User, status: str, today: date) -> None:
        if status == Plan.Status.DRAFT:
            return
        version = plan.current_version
        assert version is not None
        reasons = {
            w["key"]: "Demo: reviewed with the patient" for w in plan_dangers.dangers_of(version.schedule)
        }
        actions.activate(
            prescriber, plan=plan, lock_version=1, reason="Demo: patient started", acknowledgements=reasons
        )
        if status == Plan.Status.PAUSED:
            actions.pause(
                prescriber,
                plan=plan,
                lock_version=2,
                on=today - timedelta(days=5),
                reason="Demo: paused during a family bereavement",
            )
        elif status == Plan.Status.COMPLETED:
            actions.complete(
                prescriber,
                plan=plan,
                lock_version=2,
                reason="Demo: finished the taper, no longer taking diazepam",
            )


# record number, plan options (days_ago: start that many days before today), status
DEMO_PLANS: list[tuple[str, dict[str, Any], str]] = [
    ("RHC-1002", {"days_ago": 10, "switch_to": "diazepam"}, Plan.Status.ACTIVE),
    ("RHC-1001", {"days_ago": 40}, Plan.Status.PAUSED),
    ("RHC-1003", {"days_ago": 200, "preset": "cks-bands-fast"}, Plan.Status.COMPLETED),
    ("RHC-1005", {"days_ago": -7, "preset": "jcpg-slow"}, Plan.Status.DRAFT),
]
