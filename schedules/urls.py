from django.urls import path

from .views import patients

app_name = "schedules"

urlpatterns = [
    path("", patients.patient_list, name="patient_list"),
    path("healthz", patients.healthz, name="healthz"),
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<int:patient_id>/", patients.patient_detail, name="patient_detail"),
    path("patients/<int:patient_id>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<int:patient_id>/regimen/", patients.regimen_edit, name="regimen_edit"),
]
