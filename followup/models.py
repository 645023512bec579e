"""Follow-up through the taper: the symptom scales (data, maintained in the admin with history) and
the check-ins recorded against a plan.

A scale is data, not code: its items, each item's range and anchors, the total's bands and what they
mean, its citation and its licence note. Scoring and banding read these records (followup/scoring.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from . import due, scoring


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
            validated=self.validated,
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


class CheckIn(models.Model):
    """How the patient is doing on a date, and what was decided: one record per contact.

    Clinic staff may record a check-in; its decision is then only proposed, until a prescriber confirms
    it. A decision that changes the plan links to the plan version it made (resulting_version).
    """

    class How(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video"
        MESSAGE = "message", "Message"

    class Sleep(models.TextChoices):
        AS_USUAL = "as_usual", "As usual"
        WORSE = "worse", "Worse than usual"
        POOR = "poor", "Poor"

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue as planned"
        HOLD = "hold", "Hold: stay at the current dose for N more days"
        SLOW_DOWN = "slow_down", "Slow down from here (longer intervals or smaller steps)"
        STEP_BACK = "step_back", "Step back to the previous step's dose"
        STOP = "stop", "Stop the taper"
        REFER = "refer", "Refer"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed, awaiting a prescriber"
        CONFIRMED = "confirmed", "Confirmed"

    PLAN_CHANGING = (Decision.HOLD, Decision.SLOW_DOWN, Decision.STEP_BACK, Decision.STOP)

    plan = models.ForeignKey("schedules.Plan", on_delete=models.PROTECT, related_name="checkins")
    step_number = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The step current on the check-in's date (none before or after the plan).",
    )
    date = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    how = models.CharField(max_length=10, choices=How.choices)

    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="+")
    responses = models.JSONField(help_text="One score per item, keyed by the item's order.")
    total_score = models.PositiveSmallIntegerField()

    missed_doses = models.BooleanField("missed doses", default=False)
    extra_doses = models.BooleanField("took extra doses", default=False)
    other_times = models.BooleanField("took doses at other times", default=False)
    journal_days_missed = models.PositiveSmallIntegerField(
        "days with a missed dose (dose journal)", null=True, blank=True
    )
    journal_symptom_days = models.PositiveSmallIntegerField(
        "days with symptoms ticked (dose journal)", null=True, blank=True
    )
    sleep = models.CharField(max_length=10, choices=Sleep.choices)
    cravings = models.BooleanField(default=False)
    alcohol = models.BooleanField("alcohol use", default=False)
    opioids = models.BooleanField("opioid use", default=False)
    other_sedatives = models.BooleanField("other sedative use", default=False)
    note = models.TextField(blank=True)
    review_done = models.BooleanField(
        "risk and benefit review done", default=False, help_text="JCPG 2025 Recommendation 1."
    )

    decision = models.CharField(max_length=10, choices=Decision.choices)
    hold_days = models.PositiveSmallIntegerField(null=True, blank=True)
    slow_interval_days = models.PositiveSmallIntegerField("new interval (days)", null=True, blank=True)
    slow_percent = models.DecimalField(
        "new reduction per step (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    step_back_days = models.PositiveSmallIntegerField("days at the previous dose", null=True, blank=True)
    refer_to = models.CharField(max_length=200, blank=True)
    decision_reason = models.TextField("reason", blank=True)

    status = models.CharField(max_length=10, choices=Status.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    resulting_version = models.OneToOneField(
        "schedules.PlanVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkin",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-recorded_at"]
        permissions = [("decide_checkin", "Can decide a check-in's change to the plan")]
        indexes = [
            models.Index(fields=["plan", "date"]),
            # The follow-up list of decisions awaiting a prescriber reads the few proposed ones.
            models.Index(fields=["plan"], condition=Q(status="proposed"), name="checkin_proposed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="hold") | Q(hold_days__gte=1),
                name="checkin_hold_has_days",
                violation_error_message="A hold needs the number of days.",
            ),
            models.CheckConstraint(
                condition=~Q(decision="step_back") | Q(step_back_days__gte=1),
                name="checkin_step_back_has_days",
                violation_error_message="A step back needs the number of days at the previous dose.",
            ),
            models.CheckConstraint(
                condition=~Q(decision="slow_down")
                | Q(slow_interval_days__isnull=False)
                | Q(slow_percent__isnull=False),
                name="checkin_slow_down_has_a_change",
                violation_error_message="Slowing down needs a longer interval or a smaller reduction.",
            ),
            models.CheckConstraint(
                condition=~Q(decision="stop") | ~Q(decision_reason=""),
                name="checkin_stop_has_reason",
                violation_error_message="Stopping the taper needs a reason.",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", confirmed_by__isnull=True, resulting_version__isnull=True)
                | Q(status="confirmed", confirmed_by__isnull=False),
                name="checkin_confirmed_by_a_person",
                violation_error_message="Only a confirmed check-in has a confirmer or changes the plan.",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in of {self.date:%Y-%m-%d}: {self.scale_label}"

    @property
    def scale_label(self) -> str:
        return f"{self.scale.name} {self.total_score}"

    @property
    def changes_plan(self) -> bool:
        return self.decision in self.PLAN_CHANGING

    @property
    def substances(self) -> list[str]:
        used = [
            ("alcohol", self.alcohol),
            ("opioids", self.opioids),
            ("other sedatives", self.other_sedatives),
        ]
        return [name for name, taken in used if taken]


class FollowUpSettings(models.Model):
    """When a plan's check-ins fall due: at each reduction (the default) or every N weeks."""

    plan = models.OneToOneField("schedules.Plan", on_delete=models.CASCADE, related_name="followup_settings")
    cadence = models.CharField(
        max_length=12,
        choices=[
            (due.Cadence.EACH_STEP.value, "At each dose reduction (the first day of each new step)"),
            (due.Cadence.EVERY_WEEKS.value, "Every N weeks"),
        ],
        default=due.Cadence.EACH_STEP.value,
    )
    every_weeks = models.PositiveSmallIntegerField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(cadence="every_weeks") | Q(every_weeks__gte=1),
                name="followupsettings_weeks_given",
                violation_error_message="Every N weeks needs N of at least 1.",
            ),
        ]

    def __str__(self) -> str:
        if self.cadence == due.Cadence.EVERY_WEEKS:
            return f"Check-ins every {self.every_weeks} weeks"
        return "Check-ins at each dose reduction"
