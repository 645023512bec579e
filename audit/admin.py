"""The audit trail in the admin: searchable by user, patient and date, and read-only for everyone."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.hardening import HardenedAdminMixin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = (
        "at",
        "action",
        "username",
        "address",
        "patient_record",
        "plan_id",
        "history_link",
        "detail",
    )
    list_filter = ("action", ("at", admin.DateFieldListFilter))
    search_fields = (
        "username",
        "patient__record_number",
        "patient__family_name",
        "patient__given_name",
        "detail",
    )
    date_hierarchy = "at"
    list_select_related = ("patient",)
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    show_full_result_count = False

    @admin.display(description="patient", ordering="patient__record_number")
    def patient_record(self, event: AuditEvent) -> str:
        return f"{event.patient.record_number}" if event.patient else ""

    @admin.display(description="history record")
    def history_link(self, event: AuditEvent) -> str:
        return f"{event.history_model} #{event.history_id}" if event.history_id else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
