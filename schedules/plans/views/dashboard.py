"""The home page: a prescriber's dashboard of plans needing attention; others go to the patients."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

import audit
from audit.models import Action
from schedules.patients.access import AuthenticatedHttpRequest
from schedules.plans.review import CHANGE_WINDOW_DAYS, ENDING_WINDOW_DAYS, dashboard


@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("schedules.change_plan"):
        return redirect("schedules:patient_list")
    audit.record(request, Action.VIEW_LIST, detail="dashboard")
    today = timezone.localdate()
    context = {
        "board": dashboard(request.user, today, request.GET),
        "today": today,
        "change_title": f"Dose changes in the next {CHANGE_WINDOW_DAYS} days",
        "ending_title": f"Ending in the next {ENDING_WINDOW_DAYS} days",
    }
    return render(request, "plans/dashboard.html", context)
