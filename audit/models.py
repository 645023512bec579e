"""The audit trail: one append-only row per sign-in, failed sign-in, sign-out, view of a patient's
record or plan, print, export and change. Who, when, from which address, what.

Rows are only ever inserted: the model refuses to save an existing row or delete one, the admin is
read-only, and on PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE on the table.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditError(Exception):
    """Raised when code tries to change or remove an audit record."""


class Action(models.TextChoices):
    SIGN_IN = "sign-in", "Signed in"
    SIGN_IN_FAILED = "sign-in-failed", "Failed sign-in"
    SIGN_OUT = "sign-out", "Signed out"
    VIEW_PATIENT = "view-patient", "Viewed a patient's record"
    VIEW_PLAN = "view-plan", "Viewed a plan"
    PRINT = "print", "Printed"
    EXPORT = "export", "Exported"
    CHANGE = "change", "Changed a record"
    VIEW_LIST = "view-list", "Viewed a list of patients"
    REFUSED = "refused", "Was refused a page"
    ADMINISTER = "administer", "Administration"
    READ_TRAIL = "read-trail", "Read the audit trail"


# What an Administrator's view of the trail leaves out: reading, printing and searching patients,
# even where the row names no patient (a search's words may be a name).
CLINICAL_ACTIONS = (
    Action.VIEW_PATIENT,
    Action.VIEW_PLAN,
    Action.PRINT,
    Action.EXPORT,
    Action.VIEW_LIST,
    Action.READ_TRAIL,
)


class AuditEvent(models.Model):
    at = models.DateTimeField("when", default=timezone.now, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    # Users and patients are deactivated, never deleted, once they appear in the trail.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # The name as typed, kept for failed sign-ins (where there may be no such user).
    username = models.CharField(max_length=150, blank=True)
    address = models.GenericIPAddressField("from address", null=True, blank=True)
    patient = models.ForeignKey(
        "schedules.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    plan_id = models.BigIntegerField("plan", null=True, blank=True, db_index=True)
    # For changes: the django-simple-history record ("schedules.historicalpatient", its history_id).
    history_model = models.CharField(max_length=100, blank=True)
    history_id = models.BigIntegerField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    # For administration: why (the reason the admin asked for), and what changed, as
    # {"field": {"old": ..., "new": ...}}, secrets left out.
    reason = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        permissions = [("audit_patients", "Can read and search patients' entries in the audit trail")]
        indexes = [models.Index(fields=["user", "at"]), models.Index(fields=["patient", "at"])]

    def __str__(self) -> str:
        who = self.username or "anonymous"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditError("Audit records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditError("Audit records cannot be deleted.")
