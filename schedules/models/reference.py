"""The clinical data model: reference data (drugs, formulations, equivalence tables), clinics and
patients with their current regimen.

Limits the data must never break are database constraints, so they hold whatever writes the row.
Reference data and patient records keep their history (django-simple-history): who, when, what, why.
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

from .text import (
    SEARCH_KEY_LENGTH,
    fold,
    name_search_key,
    refuse_hidden_characters,
    refuse_hidden_characters_in_notes,
)

# Metabolite half-lives at or above this many hours count as "long-lived" for the hepatic-impairment
# warning: the nordiazepam family (36-200 h) and flurazepam's desalkylflurazepam (40-250 h).
# SPS "Oral benzodiazepines and choosing equivalent doses" advises an agent without active
# metabolites (e.g. oxazepam) in liver impairment.
LONG_LIVED_METABOLITE_HOURS = Decimal(24)


class Market(models.TextChoices):
    US = "US", "United States"
    UK = "UK", "United Kingdom"
    CA = "CA", "Canada"
    OTHER = "OTHER", "Other"


# The markets a clinic can choose: those the reference data has products for.
CLINIC_MARKETS = [(value, label) for value, label in Market.choices if value != Market.OTHER]


class Confidence(models.TextChoices):
    """How well a value is sourced (the tags of the clinical reference)."""

    VERIFIED = "V", "Verified (primary source)"
    SECONDARY = "V2", "Verified (secondary copy)"
    MEMORY = "M", "Unverified"

    @staticmethod
    def is_verified(value: str) -> bool:
        """Whether a value of this confidence comes from a source that was checked."""
        return value != Confidence.MEMORY


class Drug(models.Model):
    class DrugClass(models.TextChoices):
        BENZODIAZEPINE = "benzodiazepine", "Benzodiazepine"
        Z_DRUG = "z-drug", "Z-drug"

    name = models.CharField("generic name", max_length=60, unique=True)
    drug_class = models.CharField("class", max_length=20, choices=DrugClass.choices)
    atc_code = models.CharField("ATC code", max_length=7, unique=True)
    half_life_min_h = models.DecimalField(
        "half-life from (h)", max_digits=6, decimal_places=1, null=True, blank=True
    )
    half_life_max_h = models.DecimalField(
        "half-life to (h)", max_digits=6, decimal_places=1, null=True, blank=True
    )
    metabolite_half_life_min_h = models.DecimalField(
        "active metabolite half-life from (h)",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )
    metabolite_half_life_max_h = models.DecimalField(
        "active metabolite half-life to (h)", max_digits=6, decimal_places=1, null=True, blank=True
    )
    has_active_metabolites = models.BooleanField(default=False)
    may_treat_epilepsy = models.BooleanField(
        default=False,
        help_text="Licensed as an anticonvulsant: take care before reducing (NHS Scotland 2024).",
    )
    market_aim = models.CharField(max_length=60, blank=True)
    source = models.CharField(max_length=200, blank=True)
    confidence = models.CharField(max_length=2, choices=Confidence.choices)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(half_life_min_h__isnull=True)
                | Q(half_life_max_h__isnull=True)
                | Q(half_life_min_h__lte=models.F("half_life_max_h")),
                name="drug_half_life_range_ordered",
                violation_error_message="The half-life range must run from the lower to the higher value.",
            ),
            models.CheckConstraint(
                condition=Q(metabolite_half_life_min_h__isnull=True)
                | Q(metabolite_half_life_max_h__isnull=True)
                | Q(metabolite_half_life_min_h__lte=models.F("metabolite_half_life_max_h")),
                name="drug_metabolite_half_life_range_ordered",
                violation_error_message="The metabolite half-life range must run from the lower to the higher value.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_long_lived_active_metabolite(self) -> bool:
        upper = self.metabolite_half_life_max_h
        return self.has_active_metabolites and upper is not None and upper >= LONG_LIVED_METABOLITE_HOURS


class FormulationQuerySet(models.QuerySet["Formulation"]):
    def for_market(self, market: str) -> FormulationQuerySet:
        return self.filter(market=market)


class Formulation(models.Model):
    class Form(models.TextChoices):
        TABLET = "tablet", "Tablet"
        CAPSULE = "capsule", "Capsule"
        ODT = "orally disintegrating tablet", "Orally disintegrating tablet"
        ORAL_SOLUTION = "oral solution", "Oral solution"
        ORAL_SUSPENSION = "oral suspension", "Oral suspension"

    class Divisible(models.TextChoices):
        WHOLE = "whole", "Whole only"
        HALF = "half", "Halves"
        QUARTER = "quarter", "Quarters"

    LIQUID_FORMS = (Form.ORAL_SOLUTION, Form.ORAL_SUSPENSION)

    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="formulations")
    form = models.CharField(max_length=30, choices=Form.choices)
    modified_release = models.BooleanField(default=False)
    strength_mg = models.DecimalField(
        "strength",
        max_digits=7,
        decimal_places=3,
        help_text="mg per unit, or mg per mL for liquids",
    )
    divisible = models.CharField(
        max_length=10,
        choices=Divisible.choices,
        default=Divisible.WHOLE,
        help_text="Capsules, orally disintegrating, modified-release and liquid forms are never split.",
    )
    market = models.CharField(max_length=5, choices=Market.choices)
    stocked = models.BooleanField("stocked by clinics", default=True)
    confidence = models.CharField(max_length=2, choices=Confidence.choices)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()
    objects = FormulationQuerySet.as_manager()

    class Meta:
        ordering = ["drug__name", "market", "form", "modified_release", "strength_mg"]
        constraints = [
            models.CheckConstraint(
                condition=Q(strength_mg__gt=0),
                name="formulation_strength_positive",
                violation_error_message="The strength must be above 0 mg.",
            ),
            models.CheckConstraint(
                condition=Q(divisible="whole") | (Q(form="tablet") & Q(modified_release=False)),
                name="formulation_only_plain_tablets_split",
                violation_error_message="Only plain tablets may be split: capsules, orally disintegrating, modified-release and liquid forms are taken whole.",
            ),
            models.UniqueConstraint(
                fields=["drug", "form", "modified_release", "strength_mg", "market"],
                name="formulation_unique_per_market",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.strength_label} {self.form_label} ({self.market})"

    @property
    def is_liquid(self) -> bool:
        return self.form in self.LIQUID_FORMS

    @property
    def form_label(self) -> str:
        return f"modified-release {self.form}" if self.modified_release else self.form

    @property
    def strength_label(self) -> str:
        unit = "mg/mL" if self.is_liquid else "mg"
        return f"{self.strength_mg.normalize():f} {unit}"

    @property
    def verified(self) -> bool:
        return Confidence.is_verified(self.confidence)


class EquivalenceTableQuerySet(models.QuerySet["EquivalenceTable"]):
    def default(self) -> EquivalenceTable | None:
        """The table conversions use unless another is chosen (a constraint allows one)."""
        return self.filter(is_default=True).first()


class EquivalenceTable(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    citation = models.TextField()
    url = models.URLField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField()
    reference_diazepam_mg = models.DecimalField(
        "reference diazepam dose (mg)",
        max_digits=4,
        decimal_places=1,
        help_text="The diazepam dose the table's values are stated against (5 or 10 mg).",
    )
    is_default = models.BooleanField("default table", default=False)
    confidence = models.CharField(max_length=2, choices=Confidence.choices)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = EquivalenceTableQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reference_diazepam_mg__in=[Decimal(5), Decimal(10)]),
                name="table_reference_diazepam_5_or_10",
                violation_error_message="The reference diazepam dose must be 5 or 10 mg.",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="table_single_default",
                violation_error_message="Another table is already the default: untick it there first.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Equivalence(models.Model):
    table = models.ForeignKey(EquivalenceTable, on_delete=models.CASCADE, related_name="equivalences")
    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="equivalences")
    dose_mg = models.DecimalField(
        "equivalent dose (mg)",
        max_digits=7,
        decimal_places=3,
        help_text="The dose of this drug equivalent to the table's reference diazepam dose. "
        "Where the source gives a range, the point value chosen within it.",
    )
    min_mg = models.DecimalField("range from (mg)", max_digits=7, decimal_places=3, null=True, blank=True)
    max_mg = models.DecimalField("range to (mg)", max_digits=7, decimal_places=3, null=True, blank=True)
    confidence = models.CharField(
        max_length=2,
        choices=Confidence.choices,
        help_text="'Unverified' values are shown as such wherever they are used.",
    )
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["table", "drug__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dose_mg__gt=0),
                name="equivalence_dose_positive",
                violation_error_message="The equivalent dose must be above 0 mg.",
            ),
            models.CheckConstraint(
                condition=(Q(min_mg__isnull=True) & Q(max_mg__isnull=True))
                | (Q(min_mg__gt=0) & Q(min_mg__lte=models.F("dose_mg")) & Q(max_mg__gte=models.F("dose_mg"))),
                name="equivalence_range_brackets_dose",
                violation_error_message="Give both ends of the range (above 0 mg), with the equivalent dose inside it.",
            ),
            models.UniqueConstraint(fields=["table", "drug"], name="equivalence_one_per_drug_per_table"),
        ]

    def __str__(self) -> str:
        reference = self.table.reference_diazepam_mg.normalize()
        return f"{self.drug} {self.dose_mg.normalize():f} mg ≡ diazepam {reference:f} mg ({self.table.key})"

    @property
    def is_range(self) -> bool:
        return self.min_mg is not None

    @property
    def verified(self) -> bool:
        return Confidence.is_verified(self.confidence)


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


class PatientQuerySet(models.QuerySet["Patient"]):
    def visible_to(self, user: AbstractUser | AnonymousUser) -> PatientQuerySet:
        """The one choke point for patient data: only the patients of the user's own clinics, and
        only for a clinical role (the view permission of Prescriber or Clinic staff): an
        administrator or a member with no role sees none."""
        if not user.is_authenticated or not user.has_perm("schedules.view_patient"):
            return self.none()
        return self.filter(clinic__members=user)

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
    # raises `regimen_version`; a form opened at an older version is refused (schedules.registry).
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


class PlanQuerySet(models.QuerySet["Plan"]):
    def visible_to(self, user: AbstractUser | AnonymousUser) -> PlanQuerySet:
        """Plans of the patients the user may see: through the one patient choke point."""
        return self.filter(patient__in=Patient.objects.visible_to(user))

    def current(self) -> PlanQuerySet:
        """Active or paused: the plan a patient is following (a constraint allows one)."""
        return self.filter(status__in=Plan.CURRENT_STATUSES)


class Plan(models.Model):
    """A patient's taper plan. What it says lives in its versions (append-only); the plan holds
    its status and the optimistic-concurrency counter every write checks."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    CURRENT_STATUSES = (Status.ACTIVE, Status.PAUSED)
    ENDED_STATUSES = (Status.COMPLETED, Status.STOPPED)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.TextField(blank=True)
    paused_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by one with every write (schedules.actions.plans): a save made from an older page is
    # refused rather than silently overwriting what someone else saved in between.
    lock_version = models.PositiveIntegerField(default=0)
    current_version = models.OneToOneField(
        "PlanVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=["active", "paused"]),
                name="plan_one_current_per_patient",
                violation_error_message="This patient already has an active or paused plan: complete or stop it first.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "paused"]) | ~Q(status_reason=""),
                name="plan_ended_has_reason",
                violation_error_message="Give the reason the plan was completed or stopped.",
            ),
            models.CheckConstraint(
                condition=~Q(status="paused") | Q(paused_on__isnull=False),
                name="plan_paused_has_date",
                violation_error_message="A paused plan needs the date it was paused from.",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk} for {self.patient} ({self.get_status_display()})"

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT_STATUSES

    @property
    def is_ended(self) -> bool:
        return self.status in self.ENDED_STATUSES


class PlanVersionQuerySet(models.QuerySet["PlanVersion"]):
    """Bulk writes would bypass the append-only rule: refused."""

    def update(self, **kwargs: object) -> int:
        raise PlanVersionImmutable("plan versions are never changed: save a new version")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PlanVersionImmutable("plan versions are never deleted")


class PlanVersion(models.Model):
    """One saved state of a plan: never updated, never deleted (a change makes the next one).

    ``request`` is the engine's PlanRequest (schedules.engine.serialize), with the frozen
    equivalence table and formulations it used, and ``steps`` its StepInputs: together they
    rebuild and re-check the schedule without reading today's tables. ``schedule`` is exactly
    ``engine.schedule_to_dict`` of it (the ``taper --format json`` contract). ``choices`` are the
    builder's inputs in form terms, to re-open the builder. ``acknowledgements`` are the danger
    warnings the prescriber acknowledged: code, step, message, reason, by, at.
    """

    class Change(models.TextChoices):
        CREATED = "created", "Created"
        EDITED_STEP = "edited-step", "Step edited"
        HOLD = "hold", "Hold inserted"
        REMOVED_STEP = "removed-step", "Step removed"
        REPLANNED = "replanned", "Re-planned"
        PAUSED = "paused", "Paused"
        RESUMED = "resumed", "Resumed"
        ACTIVATED = "activated", "Activated"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"
        ACKNOWLEDGED = "acknowledged", "Warnings acknowledged"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    change = models.CharField(max_length=20, choices=Change.choices)
    status = models.CharField("plan status after this version", max_length=10, choices=Plan.Status.choices)
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    choices = models.JSONField(default=dict)
    request = models.JSONField()
    schedule = models.JSONField()
    steps = models.JSONField()
    acknowledgements = models.JSONField(default=list, blank=True)

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_number_unique_in_plan"),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="planversion_has_reason",
                violation_error_message="Give the reason for this change.",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="planversion_number_from_1"),
        ]

    def __str__(self) -> str:
        return f"Plan {self.plan_id} version {self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Versions are append-only: a saved version is evidence of what a patient was told.
        if self.pk is not None:
            raise PlanVersionImmutable("a saved plan version is never changed: save a new version")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PlanVersionImmutable("a plan version is never deleted")

    @property
    def start_date(self) -> date:
        return date.fromisoformat(self.schedule["start_date"])

    @property
    def end_date(self) -> date:
        return date.fromisoformat(self.schedule["end_date"])

    @property
    def table_key(self) -> str:
        return str(self.schedule["table"]["key"])

    @property
    def dangers(self) -> list[dict[str, object]]:
        return [w for w in self.schedule["warnings"] if w["severity"] == "danger"]


class PlanVersionImmutable(Exception):
    """An attempt to change or delete a saved plan version."""
