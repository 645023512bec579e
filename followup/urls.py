from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("follow-up/", views.overview, name="overview"),
    path("plans/<int:plan_id>/checkins/", views.plan_checkins, name="plan_checkins"),
    path("plans/<int:plan_id>/checkins/new/", views.checkin_create, name="checkin_create"),
    path("plans/<int:plan_id>/checkins/cadence/", views.followup_settings, name="followup_settings"),
    path("checkins/<int:checkin_id>/", views.checkin_detail, name="checkin_detail"),
]
