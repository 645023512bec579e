"""The audit trail in the admin, read-only for everyone.

The Auditor (the privacy officer) reads and searches all of it, by user, patient, clinic and date,
and each of those reads is itself recorded. An Administrator sees only its administrative part
(sign-ins, administration, refusals that name no patient): no patient, and no search that might
hold a patient's name.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.hardening import HardenedAdminMixin
from schedules.models import Clinic

from .actions import record
from .models import CLINICAL_ACTIONS, Action, AuditEvent

AUDIT_PATIENTS = "audit.audit_patients"


def reads_patients(request: HttpRequest) -> bool:
    return request.user.has_perm(AUDIT_PATIENTS)


class ClinicFilter(admin.SimpleListFilter):
    """Events about a clinic's patients, or by its members."""

    title = "clinic"
    parameter_name = "clinic"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(clinic.pk), clinic.name) for clinic in Clinic.objects.order_by("name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        value = self.value()
        if not value or not value.isdigit() or int(value) >= 2**63:  # a crafted id: no filter
            return queryset
        return queryset.filter(Q(patient__clinic_id=value) | Q(user__clinics=value)).distinct()


@admin.register(AuditEvent)
class AuditEventAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = ("at", "action", "username", "address", "plan_id", "history_link", "detail", "reason")
    list_filter = ("action", ("at", admin.DateFieldListFilter))
    search_fields = ("username", "detail", "reason", "path")
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        events = super().get_queryset(request)
        if reads_patients(request):
            return events.select_related("patient")
        return events.exclude(action__in=CLINICAL_ACTIONS).filter(patient__isnull=True, plan_id__isnull=True)

    def get_list_display(self, request: HttpRequest) -> Any:
        if not reads_patients(request):
            return self.list_display
        return (*self.list_display[:4], "patient_record", "patient_name", *self.list_display[4:])

    def get_search_fields(self, request: HttpRequest) -> Any:
        if not reads_patients(request):
            return self.search_fields
        return (
            *self.search_fields,
            "patient__record_number",
            "patient__family_name",
            "patient__given_name",
            "patient__search_key",
        )

    def get_list_filter(self, request: HttpRequest) -> Any:
        return (*self.list_filter, ClinicFilter) if reads_patients(request) else self.list_filter

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        return fields if reads_patients(request) else [name for name in fields if name != "patient"]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        _record_reading(request, "list")
        return super().changelist_view(request, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        _record_reading(request, f"event {object_id}")
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="patient", ordering="patient__record_number")
    def patient_record(self, event: AuditEvent) -> str:
        return event.patient.record_number if event.patient else ""

    @admin.display(description="name", ordering="patient__family_name")
    def patient_name(self, event: AuditEvent) -> str:
        return f"{event.patient.family_name.upper()}, {event.patient.given_name}" if event.patient else ""

    @admin.display(description="history record")
    def history_link(self, event: AuditEvent) -> str:
        return f"{event.history_model} #{event.history_id}" if event.history_id else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _record_reading(request: HttpRequest, what: str) -> None:
    """Who read the trail, and what they searched and filtered by (the query as given)."""
    if not request.user.has_perm("audit.view_auditevent"):
        return
    query = "; ".join(f"{key}={value}" for key, value in request.GET.items())
    record(request, Action.READ_TRAIL, detail=f"{what}{': ' + query if query else ''}")
