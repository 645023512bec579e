"""Reference data: drugs, their formulations by market, and the diazepam-equivalence tables.

Each record keeps its history (django-simple-history): who, when, what and why, starting from an
entry that names its source.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

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
