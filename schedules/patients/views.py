"""Patients and their regimens: the registry. Every patient is fetched through patient_for."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import BadRequest
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

import audit
from audit.models import Action
from schedules.models import Clinic, Patient, date_of_birth_readings
from schedules.patients.access import AuthenticatedHttpRequest, patient_for
from schedules.patients.actions import EditConflict, regimen_conflict, save_patient, save_regimen
from schedules.patients.forms import (
    PatientForm,
    PatientSearchForm,
    RegimenFormSet,
    patient_form_data_at,
    regimen_formset_rebased,
)
from schedules.patients.regimen import summarise_regimen
from schedules.plans.review import page_of, patient_box

# What the patient list shows of each patient (templates/schedules/patient_list.html): a page of 50
# reads these columns only.
PATIENT_LIST_FIELDS = ("family_name", "given_name", "date_of_birth", "record_number")


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
    patients = (
        Patient.objects.visible_to(request.user)
        .select_related("clinic")
        .only(*PATIENT_LIST_FIELDS, "clinic__name")
    )
    readings = []
    if form.is_valid():
        patients = patients.search(form.cleaned_data["q"])
        readings = date_of_birth_readings(form.cleaned_data["q"])
    page = page_of(patients, request.GET.get("page"))
    searched = form.cleaned_data["q"] if form.is_valid() else ""
    audit.record(request, Action.VIEW_LIST, detail=f"patients, search {searched!r}, page {page.number}")
    context = {"form": form, "page": page, "date_readings": readings}
    return render(request, "schedules/patient_list.html", context)


@permission_required("schedules.add_patient", raise_exception=True)
def patient_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, clinics=_user_clinics(request), today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        patient = save_patient(form)
        messages.success(request, f"{patient.full_name} registered. Now enter their current regimen.")
        return redirect("schedules:regimen_edit", patient_id=patient.pk)
    return render(request, "schedules/patient_form.html", {"form": form, "patient": None})


@permission_required("schedules.change_patient", raise_exception=True)
def patient_edit(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request, patient_id)
    clinics, today = _user_clinics(request), timezone.localdate()
    form = PatientForm(request.POST or None, instance=patient, clinics=clinics, today=today)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            save_patient(form)
        except EditConflict as refused:
            conflict = refused
            patient = patient_for(request, patient_id)
            data = patient_form_data_at(form, version=refused.version)
            form = PatientForm(data, instance=patient, clinics=clinics, today=today)
        else:
            messages.success(request, "Patient details saved.")
            return redirect("schedules:patient_detail", patient_id=patient.pk)
    audit.record(request, Action.VIEW_PATIENT, patient=patient, detail="patient form")
    context = {"form": form, "patient": patient, "conflict": conflict}
    return render(request, "schedules/patient_form.html", context)


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
    if formset.oversized:
        raise BadRequest(
            f"A regimen has at most {formset.absolute_max} rows, and this form sent {formset.rows_sent}. "
            "Nothing was saved: open the regimen again and enter it there."
        )
    conflict = None
    if request.method == "POST":
        # Checked before validation too: a row someone else removed would otherwise read as an error.
        loaded = formset.loaded_version
        conflict = regimen_conflict(patient, loaded) if loaded is not None else None
        if conflict is None and formset.is_valid():
            try:
                save_regimen(formset, patient=patient)
            except EditConflict as refused:
                conflict = refused
            else:
                messages.success(request, "Current regimen saved.")
                return redirect("schedules:patient_detail", patient_id=patient.pk)
        if conflict is not None:
            formset = regimen_formset_rebased(formset, version=conflict.version)
    audit.record(request, Action.VIEW_PATIENT, patient=patient, detail="regimen form")
    context = {"patient": patient, "formset": formset, "conflict": conflict}
    return render(request, "schedules/regimen_form.html", context)
