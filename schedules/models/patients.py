"""Clinics, their patients and each patient's current regimen (the registry).

Text that identifies a patient is folded for searching and refused when it hides what it says
(`text`); every query for patient data goes through `Patient.objects.visible_to(user)`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from schedules.models.reference import CLINIC_MARKETS, Drug
from schedules.models.text import (
    SEARCH_KEY_LENGTH,
    fold,
    name_search_key,
    refuse_hidden_characters,
    refuse_hidden_characters_in_notes,
)


class Clinic(models.Model):
    name = models.CharField(max_length=120, unique=True)
    market = models.CharField(
        max_length=5,
        choices=CLINIC_MARKETS,
        help_text="Decides the formulations offered by default.",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="clinics", blank=True)
    # Printed plans: the paper the clinic prints on, and the contact details the patient's
    # take-home schedule gives.
    paper_size = models.CharField(
        max_length=6,
        choices=[("A4", "A4"), ("Letter", "US Letter")],
        default="A4",
        help_text="Paper for printed plans.",
    )
    contact_phone = models.CharField("phone for patients", max_length=40, blank=True)
    contact_email = models.EmailField("email for patients", blank=True)
    contact_address = models.TextField("address", blank=True)
    contact_hours = models.CharField("opening hours", max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def patients_visible_to(user: AbstractUser | AnonymousUser) -> Q:
    """The one rule for patient data: only the patients of the user's own clinics, and only for a
    clinical role (the view permission of Prescriber or Clinic staff): an administrator or a member
    with no role sees none. It filters the rows' ``clinic`` column: a patient's, or a plan's copy of
    its patient's (``Plan.clinic``, moved with the patient), against the ids of the user's clinics
    (a short list the database reads once, then each list is a range of an index starting with the
    clinic)."""
    if not user.is_authenticated or not user.has_perm("schedules.view_patient"):
        return Q(pk__in=[])
    return Q(clinic__in=Clinic.members.through.objects.filter(user_id=user.pk).values("clinic_id"))


class PatientQuerySet(models.QuerySet["Patient"]):
    def visible_to(self, user: AbstractUser | AnonymousUser) -> PatientQuerySet:
        """The one choke point for patient data (``patients_visible_to``)."""
        return self.filter(patients_visible_to(user))

    def search(self, text: str) -> PatientQuerySet:
        """Match a date of birth (e.g. 1951-03-14, 14/03/1951, 14 Mar 1951; 05/12/1968 matches both
        5 Dec and 12 May), part of a record number, or every word of a name in any order ("Ellis,
        Margaret" as the list shows it), without regard to case or accents ("astrom" finds Åström)."""
        text = text.strip()
        if not text:
            return self
        readings = date_of_birth_readings(text)
        if readings:
            return self.filter(date_of_birth__in=readings)
        name_query = Q()
        for word in fold(text.replace(",", " ")).split():
            name_query &= Q(search_key__contains=word)
        return self.filter(Q(record_number__icontains=text) | name_query)

    def possible_duplicates(
        self, *, clinic: Clinic, given_name: str, family_name: str, date_of_birth: date
    ) -> PatientQuerySet:
        """Patients of `clinic` born that day with the same name, whatever its case or accents
        (and with given and family name swapped, a common registration slip)."""
        keys = {name_search_key(given_name, family_name), name_search_key(family_name, given_name)}
        return self.filter(clinic=clinic, date_of_birth=date_of_birth, search_key__in=keys)


# Day first (as the UK and Canada write it), then month first (as the US does): a date that reads
# both ways (05/12/1968) is searched under both readings.
DATE_OF_BIRTH_PATTERNS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")


def date_of_birth_readings(text: str) -> list[date]:
    """Every date `text` can be read as, in order of the patterns; none when it is not a date."""
    readings: list[date] = []
    for pattern in DATE_OF_BIRTH_PATTERNS:
        try:
            reading = datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
        if reading not in readings:
            readings.append(reading)
    return readings


def parse_date_of_birth(text: str) -> date | None:
    """The first reading of `text` as a date (day first where it is ambiguous), or None."""
    readings = date_of_birth_readings(text)
    return readings[0] if readings else None


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Not recorded"

    class UseDuration(models.TextChoices):
        UNDER_4_WEEKS = "lt4w", "Under 4 weeks"
        ONE_TO_3_MONTHS = "1-3m", "1 to 3 months"
        THREE_TO_12_MONTHS = "3-12m", "3 to 12 months"
        ONE_TO_5_YEARS = "1-5y", "1 to 5 years"
        OVER_5_YEARS = "gt5y", "Over 5 years"
        UNKNOWN = "unknown", "Not known"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    record_number = models.CharField(max_length=40, validators=[refuse_hidden_characters])
    given_name = models.CharField(max_length=80, validators=[refuse_hidden_characters])
    family_name = models.CharField(max_length=80, validators=[refuse_hidden_characters])
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    hepatic_impairment = models.BooleanField(default=False)
    pregnant = models.BooleanField("pregnant", default=False)
    cns_depressant_co_use = models.BooleanField("opioid or other CNS-depressant co-use", default=False)
    cns_depressants = models.CharField(
        "which CNS depressants",
        max_length=200,
        blank=True,
        help_text="e.g. methadone 60 mg daily, alcohol",
        validators=[refuse_hidden_characters],
    )
    seizure_history = models.BooleanField("history of seizures or withdrawal seizures", default=False)
    use_duration = models.CharField(
        "duration of benzodiazepine use",
        max_length=10,
        choices=UseDuration.choices,
        default=UseDuration.UNKNOWN,
    )
    notes = models.TextField(blank=True, validators=[refuse_hidden_characters_in_notes])
    # Kept in step with the name by save(): names folded to lower case without accents, so search
    # and the duplicate check behave the same on every database.
    search_key = models.CharField(max_length=SEARCH_KEY_LENGTH, editable=False, db_index=True, default="")
    # Optimistic concurrency: each save of the details raises `version`, each save of the regimen
    # raises `regimen_version`; a form opened at an older version is refused (schedules.patients.actions).
    version = models.PositiveIntegerField(default=1, editable=False)
    regimen_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "record_number"]
        constraints = [
            # Record numbers are compared without regard to case: "rhc-1001" is "RHC-1001".
            models.UniqueConstraint(
                F("clinic"),
                Lower("record_number"),
                name="patient_record_unique_in_clinic",
                violation_error_message="A patient with this record number is already registered in this clinic.",
            ),
            models.CheckConstraint(
                condition=Q(cns_depressant_co_use=True) | Q(cns_depressants=""),
                name="patient_cns_depressants_only_with_flag",
                violation_error_message="Tick CNS-depressant co-use when naming the CNS depressants taken.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name} ({self.record_number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = name_search_key(self.given_name, self.family_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"given_name", "family_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# The details a person edits in the patient form, in its order.
PATIENT_FIELDS = (
    "clinic",
    "record_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "use_duration",
    "hepatic_impairment",
    "pregnant",
    "seizure_history",
    "cns_depressant_co_use",
    "cns_depressants",
    "notes",
)

SLOT_FIELDS = ("morning_mg", "midday_mg", "evening_mg", "night_mg")
# Ages above this are taken for typing mistakes (in a date of birth or an --age).
OLDEST_PLAUSIBLE_AGE_YEARS = 120


def _dose_field(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=7, decimal_places=3, null=True, blank=True)


class RegimenItem(models.Model):
    """One drug of a patient's current regimen, with its dose at each time of day (empty: none)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="regimen")
    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="+")
    morning_mg = _dose_field("morning (mg)")
    midday_mg = _dose_field("midday (mg)")
    evening_mg = _dose_field("evening (mg)")
    night_mg = _dose_field("night (mg)")

    history = HistoricalRecords()

    class Meta:
        ordering = ["drug__name"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "drug"], name="regimen_one_item_per_drug"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": 0}),
                    name=f"regimen_{field}_positive",
                    violation_error_message="A dose must be above 0 mg; leave the time of day empty for none.",
                )
                for field in SLOT_FIELDS
            ),
            models.CheckConstraint(
                condition=Q(morning_mg__isnull=False)
                | Q(midday_mg__isnull=False)
                | Q(evening_mg__isnull=False)
                | Q(night_mg__isnull=False),
                name="regimen_item_has_a_dose",
                violation_error_message="Enter the dose at one time of day at least (morning, midday, evening or night).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.daily_mg.normalize():f} mg/day"

    @property
    def doses(self) -> dict[str, Decimal]:
        """Dose by time of day ("morning", ...), only the times at which the drug is taken."""
        return {
            field.removesuffix("_mg"): value
            for field in SLOT_FIELDS
            if (value := getattr(self, field)) is not None
        }

    @property
    def doses_by_slot(self) -> list[tuple[str, Decimal | None]]:
        """Every time of day in order, with its dose or None: for a table with a cell for each."""
        return [(field.removesuffix("_mg"), getattr(self, field)) for field in SLOT_FIELDS]

    @property
    def daily_mg(self) -> Decimal:
        return sum(self.doses.values(), Decimal(0))
