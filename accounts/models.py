"""Who may change clinic membership, and who must change their password at the next sign-in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ClinicManager(models.Model):
    """A user who decides who belongs to one clinic (set by a superuser)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="managed_clinics"
    )
    clinic = models.ForeignKey("schedules.Clinic", on_delete=models.CASCADE, related_name="managers")

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "clinic"], name="one_manager_row_per_clinic")]

    def __str__(self) -> str:
        return f"{self.user} manages {self.clinic}"


class OneTimePassword(models.Model):
    """The user's password was set by someone else: they must choose their own at the next sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_password"
    )
    # Who set it is in the admin's change log ("Changed password.").
    set_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} must choose a new password"
