from django.urls import path

from .views import exports, patients

app_name = "schedules"

urlpatterns = [
    path("", patients.patient_list, name="patient_list"),
    path("healthz", patients.healthz, name="healthz"),
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<int:patient_id>/", patients.patient_detail, name="patient_detail"),
    path("patients/<int:patient_id>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<int:patient_id>/regimen/", patients.regimen_edit, name="regimen_edit"),
    path("plans/<int:plan_id>/clinician.pdf", exports.clinician_pdf, name="plan_clinician_pdf"),
    path("plans/<int:plan_id>/patient.pdf", exports.patient_pdf, name="plan_patient_pdf"),
    path("plans/<int:plan_id>/schedule.ics", exports.schedule_ics, name="plan_ics"),
    path("plans/<int:plan_id>/fhir.json", exports.schedule_fhir, name="plan_fhir"),
    path("plans/<int:plan_id>/steps.csv", exports.steps_csv, name="plan_csv"),
]
