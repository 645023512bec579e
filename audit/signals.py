"""Sign-ins, failed sign-ins, sign-outs and every change recorded by django-simple-history."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from .actions import record
from .models import Action


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record(request, Action.SIGN_IN, user=user)


@receiver(user_logged_out)
def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(request, Action.SIGN_OUT, user=user)


@receiver(user_login_failed)
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The credentials are already cleansed of the password; only the name typed is kept.
    username = str(credentials.get("username", ""))
    record(request, Action.SIGN_IN_FAILED, user=None, username=username)


@receiver(post_create_historical_record)
def _changed(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    request = getattr(HistoricalRecords.context, "request", None)
    # A removed patient's own history row cannot point at the patient any more.
    patient = (
        None if history_instance.history_type == "-" and _is_patient(instance) else _patient_of(instance)
    )
    meta = history_instance._meta
    record(
        request,
        Action.CHANGE,
        user=history_instance.history_user,
        patient=patient,
        plan=instance if instance._meta.label == "schedules.Plan" else getattr(instance, "plan", None),
        history_model=f"{meta.app_label}.{meta.model_name}",
        history_id=history_instance.pk,
        detail=f"{instance._meta.verbose_name} #{instance.pk} {history_instance.get_history_type_display()}",
    )


def _is_patient(instance: Any) -> bool:
    from schedules.models import Patient

    return isinstance(instance, Patient)


def _patient_of(instance: Any) -> Any:
    from schedules.models import Patient

    if isinstance(instance, Patient):
        return instance
    patient = getattr(instance, "patient", None)
    return patient if isinstance(patient, Patient) else None
