"""What every view module shares: the signed-in request type and the scoped patient lookup."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from schedules.models import Patient


class AuthenticatedHttpRequest(HttpRequest):
    """Every view but healthz runs after LoginRequiredMiddleware: its user is signed in."""

    user: User


def patient_for(request: AuthenticatedHttpRequest, patient_id: int) -> Patient:
    """The one way a view fetches a patient: through the user's scope, else 404."""
    return get_object_or_404(Patient.objects.visible_to(request.user).select_related("clinic"), pk=patient_id)
