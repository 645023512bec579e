"""A patient's taper plans and their append-only versions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from schedules.models.patients import Clinic, Patient, patients_visible_to


class PlanQuerySet(models.QuerySet["Plan"]):
    def visible_to(self, user: AbstractUser | AnonymousUser) -> PlanQuerySet:
        """Plans of the patients the user may see: the one patient rule, applied to the plan's
        own copy of its patient's clinic (``Plan.clinic``), so a list of plans is a range of an
        index on the plan table. Only where the copy is its patient's clinic: a plan whose copy
        has somehow gone out of step is shown to nobody rather than to the wrong clinic."""
        return self.filter(patients_visible_to(user), patient__clinic=F("clinic"))

    def current(self) -> PlanQuerySet:
        """Active or paused: the plan a patient is following (a constraint allows one)."""
        return self.filter(status__in=Plan.CURRENT_STATUSES)

    def with_next_change(self, today: date) -> PlanQuerySet:
        """Each plan's next dose change after ``today`` as ``next_change``, computed in the query:
        ``next_change_on`` where it is still ahead (it is the first change after the day it was
        written, so also the first after today), else the current version's step rows (one indexed
        lookup for each plan whose column has passed). Right whether or not the column was brought
        up to date, and a read never writes."""
        return self.annotate(
            next_change=models.Case(
                models.When(next_change_on__gt=today, then=F("next_change_on")),
                default=models.Subquery(_next_change_step(today).values("start_date")[:1]),
                output_field=models.DateField(),
            )
        )

    def bring_next_change_up_to(self, today: date) -> int:
        """Move ``next_change_on`` past ``today`` where it has passed: to the current version's
        next dose-change step after ``today`` (a paused plan keeps none). One indexed UPDATE, run
        by ``manage.py refresh_plan_lists`` (daily) so lists rarely need the step rows; the number
        of plans moved."""
        return self.filter(next_change_on__lte=today).update(
            next_change_on=models.Subquery(_next_change_step(today).values("start_date")[:1])
        )


def _next_change_step(today: date) -> models.QuerySet[PlanStep]:
    """The outer plan's current version's dose-change steps after ``today``, the next first."""
    return PlanStep.objects.filter(
        version=models.OuterRef("current_version"), changes_dose=True, start_date__gt=today
    ).order_by("start_date")


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
    # The patient's clinic, copied so that lists of plans filter and sort on the plan table alone
    # (indexes below start with it). Set from the patient when the plan is first saved, and moved
    # with the patient by schedules.patients.actions.save_patient in the same transaction; who may
    # see a plan is decided on it (PlanQuerySet.visible_to).
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+", editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.TextField(blank=True)
    paused_on = models.DateField(null=True, blank=True)
    # The taper's start, as its first activated version gives it (step 1's first day and daily
    # diazepam equivalent; the drugs and method, schedules.plans.steps.taper_labels), and the day
    # the version that completed or stopped it was saved: written with those versions by
    # schedules.plans.actions, so that the Outcomes page never reads a version.
    started_on = models.DateField("taper started", null=True, blank=True)
    start_mg = models.DecimalField(
        "daily diazepam equivalent at the start (mg)", max_digits=9, decimal_places=4, null=True, blank=True
    )
    drug = models.CharField("drugs taken at the start", max_length=200, blank=True)
    method = models.CharField("preset or method", max_length=200, blank=True)
    ended_on = models.DateField("taper ended", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by one with every write (schedules.plans.actions): a save made from an older page is
    # refused rather than silently overwriting what someone else saved in between.
    lock_version = models.PositiveIntegerField(default=0)
    current_version = models.OneToOneField(
        "PlanVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What lists of many plans ask, kept as indexed columns so a list never loads a schedule.
    # Written with each version by schedules.plans.actions (and by followup's check-ins for the
    # follow-up dates), in the same transaction; the saved version stays the record.
    ends_on = models.DateField(
        "current version ends", null=True, blank=True, help_text="The first day with no dose."
    )
    # The start of the current version's next step whose doses differ from the step before it
    # (PlanStep.changes_dose: a hold is not a change), after the day it was last brought up to
    # date; None when no change is left or the plan is paused. Lists read it through
    # PlanQuerySet.with_next_change, right even where it has passed; a daily command moves passed
    # dates on (PlanQuerySet.bring_next_change_up_to), never a page.
    next_change_on = models.DateField("next dose change", null=True, blank=True)
    next_checkin_on = models.DateField("next check-in due", null=True, blank=True)
    next_review_on = models.DateField("next risk and benefit review due", null=True, blank=True)
    hold_suggested = models.BooleanField("last check-in suggests a hold", default=False)
    # The list columns derived from records that keep their own history (versions, check-ins,
    # follow-up settings): bringing them up to date is a bulk UPDATE with no history record of its
    # own (tests/security/test_no_bypass.py allows exactly these).
    # The clinic is derived from the patient, whose history records a move.
    DERIVED_COLUMNS = ("clinic", "next_change_on", "next_checkin_on", "next_review_on", "hold_suggested")

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        # Each list of a clinic's plans (the dashboard, the follow-up lists) is a range of one of
        # these: its clinic, its status, then the date it is ordered by.
        indexes = [
            models.Index(fields=["clinic", "status", "next_change_on"], name="plan_clinic_next_change"),
            models.Index(fields=["clinic", "status", "ends_on"], name="plan_clinic_ends"),
            models.Index(fields=["clinic", "status", "next_checkin_on"], name="plan_clinic_next_checkin"),
            models.Index(fields=["clinic", "status", "next_review_on"], name="plan_clinic_next_review"),
            models.Index(fields=["clinic", "status", "paused_on"], name="plan_clinic_paused"),
            models.Index(fields=["clinic", "status", "created_at"], name="plan_clinic_created"),
            models.Index(
                fields=["clinic", "status"], condition=Q(hold_suggested=True), name="plan_clinic_hold"
            ),
            models.Index(fields=["next_change_on"], name="plan_next_change"),
            models.Index(fields=["started_on"], name="plan_started"),
        ]
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.clinic_id is None:  # a new plan: its patient's clinic
            self.clinic_id = self.patient.clinic_id
        super().save(*args, **kwargs)

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
    # The shared decision (issue 17): the options shown side by side with their figures, the one
    # chosen and why (schedules.plans.options.decision_record); None when no options were compared.
    decision = models.JSONField(null=True, blank=True)

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


class PlanVersionImmutable(Exception):
    """An attempt to change or delete a saved plan version."""


class PlanStep(models.Model):
    """One step of a saved version, as a row: how lists and reports query steps without reading
    the version's JSON. Written with the version (schedules.plans.actions) from its ``schedule``,
    which stays the record; never changed afterwards (a change makes a new version and new rows).

    ``changes_dose``: the step's doses differ from the step before it (for step 1, it is not a
    hold); the one definition is schedules.plans.steps.changes_dose. ``diazepam_mg``: the daily
    diazepam equivalent under the version's frozen table. ``doses``: as in the schedule
    (drug, slot, mg and the units that make it)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="step_rows")
    number = models.PositiveSmallIntegerField()
    start_date = models.DateField()
    end_date = models.DateField(help_text="The step's last day.")
    hold = models.BooleanField()
    changes_dose = models.BooleanField()
    diazepam_mg = models.DecimalField("daily diazepam equivalent (mg)", max_digits=9, decimal_places=4)
    doses = models.JSONField()

    class Meta:
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="planstep_number_unique_in_version"),
            models.CheckConstraint(condition=Q(number__gte=1), name="planstep_number_from_1"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="planstep_ends_after_start"
            ),
        ]
        indexes = [
            # The next dose change of a version after a day (PlanQuerySet.bring_next_change_up_to).
            models.Index(
                fields=["version", "start_date"], condition=Q(changes_dose=True), name="planstep_dose_changes"
            ),
        ]

    def __str__(self) -> str:
        return f"Step {self.number} of {self.version}"
