"""A patient's taper plans and their append-only versions."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from schedules.models.patients import Patient


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
    # Raised by one with every write (schedules.plans.actions): a save made from an older page is
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
