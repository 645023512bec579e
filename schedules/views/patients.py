"""Patients and their regimens: the registry. Every patient is fetched through patient_for."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

import audit
from audit.models import Action

from ..forms import PatientForm, PatientSearchForm, RegimenFormSet
from ..models import Clinic, Patient
from ..plan_review import patient_box
from ..regimens import summarise_regimen
from .base import AuthenticatedHttpRequest, patient_for

PATIENTS_PER_PAGE = 25


def _user_clinics(request: AuthenticatedHttpRequest) -> QuerySet[Clinic]:
    return Clinic.objects.filter(members=request.user).order_by("name")


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def patient_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PatientSearchForm(request.GET)
    patients = Patient.objects.visible_to(request.user).select_related("clinic")
    if form.is_valid():
        patients = patients.search(form.cleaned_data["q"])
    page = Paginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "schedules/patient_list.html", {"form": form, "page": page})


@permission_required("schedules.add_patient", raise_exception=True)
def patient_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, clinics=_user_clinics(request), today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        patient = form.save()
        messages.success(request, f"{patient.full_name} registered. Now enter their current regimen.")
        return redirect("schedules:regimen_edit", patient_id=patient.pk)
    return render(request, "schedules/patient_form.html", {"form": form, "patient": None})


@permission_required("schedules.change_patient", raise_exception=True)
def patient_edit(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request, patient_id)
    form = PatientForm(
        request.POST or None,
        instance=patient,
        clinics=_user_clinics(request),
        today=timezone.localdate(),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Patient details saved.")
        return redirect("schedules:patient_detail", patient_id=patient.pk)
    audit.record(request, Action.VIEW_PATIENT, patient=patient, detail="patient form")
    return render(request, "schedules/patient_form.html", {"form": form, "patient": patient})


@require_GET
def patient_detail(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request, patient_id)
    audit.record(request, Action.VIEW_PATIENT, patient=patient)
    context = {
        "patient": patient,
        "age": patient.age_on(timezone.localdate()),
        "summary": summarise_regimen(patient.regimen.select_related("drug"), market=patient.clinic.market),
        "plan_box": patient_box(patient, timezone.localdate()),
    }
    return render(request, "schedules/patient_detail.html", context)


@permission_required("schedules.change_regimenitem", raise_exception=True)
def regimen_edit(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request, patient_id)
    formset = RegimenFormSet(request.POST or None, instance=patient, prefix="regimen")
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save()
        messages.success(request, "Current regimen saved.")
        return redirect("schedules:patient_detail", patient_id=patient.pk)
    audit.record(request, Action.VIEW_PATIENT, patient=patient, detail="regimen form")
    return render(request, "schedules/regimen_form.html", {"patient": patient, "formset": formset})
