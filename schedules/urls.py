from django.urls import path

from . import views

app_name = "schedules"

urlpatterns = [
    path("", views.patient_list, name="patient_list"),
    path("healthz", views.healthz, name="healthz"),
    path("patients/new/", views.patient_create, name="patient_create"),
    path("patients/<int:patient_id>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:patient_id>/edit/", views.patient_edit, name="patient_edit"),
    path("patients/<int:patient_id>/regimen/", views.regimen_edit, name="regimen_edit"),
]
