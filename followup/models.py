"""Follow-up through the taper: the symptom scales (data, maintained in the admin with history) and
the check-ins recorded against a plan.

A scale is data, not code: its items, each item's range and anchors, the total's bands and what they
mean, its citation and its licence note. Scoring and banding read these records (followup/scoring.py).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from . import scoring


class Scale(models.Model):
    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    abbreviation = models.CharField(
        max_length=30, help_text="Short name used beside a score, e.g. in a plan version's reason."
    )
    version = models.CharField(max_length=20)
    validated = models.BooleanField(
        "validated instrument",
        default=False,
        help_text="Only for a published, validated scale whose items and bands are reproduced exactly.",
    )
    citation = models.TextField(help_text="The source the items and bands are reproduced from.")
    source_url = models.URLField(max_length=300, blank=True)
    licence_note = models.TextField(help_text="Copyright or licence terms, and limits of use.")
    active = models.BooleanField(default=True, help_text="Offered when recording a new check-in.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def spec(self) -> scoring.ScaleSpec:
        """The scale as the pure scoring functions take it (items and bands prefetched or queried)."""
        return scoring.ScaleSpec(
            name=self.abbreviation,
            items=tuple(item.spec() for item in self.items.all()),
            bands=tuple(band.spec() for band in self.bands.all()),
        )


class ScaleItem(models.Model):
    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField()
    text = models.TextField(help_text="Exactly as the source prints it: never paraphrased.")
    min_score = models.PositiveSmallIntegerField(default=0)
    max_score = models.PositiveSmallIntegerField()
    anchors = models.JSONField(
        default=list,
        help_text='The labelled points of the range, e.g. [{"score": 0, "label": "None"}, ...].',
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["scale", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "order"], name="scaleitem_order_unique"),
            models.CheckConstraint(
                condition=Q(max_score__gt=F("min_score")),
                name="scaleitem_range_not_empty",
                violation_error_message="An item's highest score must be above its lowest.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"

    def spec(self) -> scoring.ItemSpec:
        return scoring.ItemSpec(
            order=self.order,
            text=self.text,
            min_score=self.min_score,
            max_score=self.max_score,
            anchors=tuple((int(a["score"]), str(a["label"])) for a in self.anchors),
        )


class ScaleBand(models.Model):
    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="bands")
    min_score = models.PositiveSmallIntegerField()
    max_score = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=60)
    meaning = models.TextField()
    suggests_hold = models.BooleanField(
        default=False, help_text="A total in this band suggests (never imposes) holding the taper."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["scale", "min_score"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__gte=F("min_score")),
                name="scaleband_range_ordered",
                violation_error_message="A band's upper score must not be below its lower score.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.min_score}-{self.max_score})"

    def spec(self) -> scoring.BandSpec:
        return scoring.BandSpec(
            min_score=self.min_score,
            max_score=self.max_score,
            label=self.label,
            meaning=self.meaning,
            suggests_hold=self.suggests_hold,
        )
