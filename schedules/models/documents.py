"""The printed documents of saved plan versions, each rendered once off the request path and stored.

A saved version never changes, so neither do its documents: a download serves the stored bytes.
What a version's document shows beyond the version itself (the clinic's contact details, the
check-in scores on the clinician's chart) can change; then a new ``edition`` is made for the
plan's current version, and a download serves the newest one. Older versions keep theirs.

The bytes live in this table, so every app server and worker shares them through the database,
with nothing on a server's disk.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from schedules.models.plans import PlanVersion


class PlanDocument(models.Model):
    class Kind(models.TextChoices):
        CLINICIAN = "clinician", "Clinician's plan"
        PATIENT = "patient", "Patient's schedule"

    class State(models.TextChoices):
        QUEUED = "queued", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    paper = models.CharField(max_length=6, choices=[("A4", "A4"), ("Letter", "US Letter")])
    # The patient's schedule prints the steps from ``period_start`` for ``period_weeks`` in full
    # (0: every step), with an overview of the rest. The clinician's plan prints every step:
    # its period is the plan's start and 0.
    period_start = models.DateField()
    period_weeks = models.PositiveSmallIntegerField(default=0)
    # The patient's schedule in large print (every word at 16 pt or more).
    large_print = models.BooleanField(default=False)
    edition = models.PositiveIntegerField(default=1)
    # The plan's newest version number when this was queued: a print of an older version says so
    # on every page, so a newer version makes the older one's document again when it is asked for.
    latest_version = models.PositiveIntegerField()
    state = models.CharField(max_length=6, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    pdf = models.BinaryField(blank=True, default=b"", editable=False)
    requested_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField()
    made_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version", "kind", "paper", "period_start", "period_weeks", "large_print", "-edition"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "paper", "period_start", "period_weeks", "large_print", "edition"],
                name="plandocument_one_per_edition",
            ),
            models.CheckConstraint(
                condition=~Q(state="ready") | Q(made_at__isnull=False),
                name="plandocument_ready_has_made_at",
            ),
            models.CheckConstraint(
                condition=~Q(state="failed") | ~Q(error=""),
                name="plandocument_failed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of plan {self.version.plan_id} version {self.version.number}"

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.READY

    @property
    def is_failed(self) -> bool:
        return self.state == self.State.FAILED

    def is_stale(self, now: dt.datetime, *, after: dt.timedelta) -> bool:
        """Queued for longer than ``after``: its task was lost (a worker or queue restarted)."""
        return self.state == self.State.QUEUED and now - self.queued_at > after
