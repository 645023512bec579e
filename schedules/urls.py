from django.urls import path

from schedules.patients import views as patients
from schedules.plans.views import dashboard, exports, outcomes, plans

app_name = "schedules"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("outcomes/", outcomes.outcomes_page, name="outcomes"),
    path("outcomes/outcomes.csv", outcomes.outcomes_csv, name="outcomes_csv"),
    path("outcomes/plans/", outcomes.outcomes_plans, name="outcomes_plans"),
    path("patients/", patients.patient_list, name="patient_list"),
    path("healthz", patients.healthz, name="healthz"),
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<int:patient_id>/", patients.patient_detail, name="patient_detail"),
    path("patients/<int:patient_id>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<int:patient_id>/regimen/", patients.regimen_edit, name="regimen_edit"),
    path("patients/<int:patient_id>/plans/new/", plans.plan_new, name="plan_new"),
    path("plans/<int:plan_id>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:plan_id>/plan.json", plans.plan_json, name="plan_json"),
    path("plans/<int:plan_id>/compare/", plans.version_compare, name="version_compare"),
    path("plans/<int:plan_id>/edit-step/", plans.step_edit, name="step_edit"),
    path("plans/<int:plan_id>/remove-step/", plans.step_remove, name="step_remove"),
    path("plans/<int:plan_id>/hold/", plans.hold_insert, name="hold_insert"),
    path("plans/<int:plan_id>/replan/", plans.replan, name="replan"),
    path("plans/<int:plan_id>/clinician.pdf", exports.clinician_pdf, name="plan_clinician_pdf"),
    path("plans/<int:plan_id>/patient.pdf", exports.patient_pdf, name="plan_patient_pdf"),
    path("plans/<int:plan_id>/schedule.ics", exports.schedule_ics, name="plan_ics"),
    path("plans/<int:plan_id>/fhir.json", exports.schedule_fhir, name="plan_fhir"),
    path("plans/<int:plan_id>/steps.csv", exports.steps_csv, name="plan_csv"),
    path("plans/<int:plan_id>/<slug:action>/", plans.status_change, name="status_change"),
]
