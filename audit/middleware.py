"""Refused pages go in the audit trail: the signal of someone probing."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from followup.models import CheckIn
from schedules.models import Patient, Plan

from .actions import record
from .models import Action

REFUSALS = (403, 404)


class RecordRefusals:
    """A 403 or 404 answered to a signed-in user is recorded, with the patient it was about when the
    address names one that exists (another clinic's patient, plan or check-in), so the auditor finds
    who reached for a patient outside their clinics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REFUSALS and request.user.is_authenticated:
            patient, plan = _patient_and_plan_named(request)
            record(
                request,
                Action.REFUSED,
                patient=patient,
                plan=plan,
                detail=f"{request.method} answered {response.status_code}",
            )
        return response


def _patient_and_plan_named(request: HttpRequest) -> tuple[Patient | None, Plan | None]:
    match = request.resolver_match
    kwargs = match.kwargs if match is not None else {}
    if "patient_id" in kwargs:
        return Patient.objects.filter(pk=kwargs["patient_id"]).first(), None
    plan = None
    if "plan_id" in kwargs:
        plan = Plan.objects.select_related("patient").filter(pk=kwargs["plan_id"]).first()
    elif "checkin_id" in kwargs:
        checkin = CheckIn.objects.select_related("plan__patient").filter(pk=kwargs["checkin_id"]).first()
        plan = checkin.plan if checkin is not None else None
    return (plan.patient if plan is not None else None), plan
