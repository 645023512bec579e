"""Scales are maintained by administrators, with history and a reason for every change, exactly
like the reference data (schedules/reference/admin.py's ReferenceAdmin)."""

from __future__ import annotations

from django.contrib import admin

from schedules.reference.admin import ReferenceAdmin

from .models import Scale, ScaleBand, ScaleItem


@admin.register(Scale)
class ScaleAdmin(ReferenceAdmin):
    list_display = ("name", "version", "validated", "active")
    list_filter = ("validated", "active")
    search_fields = ("name", "key", "citation")


@admin.register(ScaleItem)
class ScaleItemAdmin(ReferenceAdmin):
    list_display = ("scale", "order", "text", "min_score", "max_score")
    list_filter = ("scale",)
    list_select_related = ("scale",)
    search_fields = ("text",)


@admin.register(ScaleBand)
class ScaleBandAdmin(ReferenceAdmin):
    list_display = ("scale", "min_score", "max_score", "label", "suggests_hold")
    list_filter = ("scale", "suggests_hold")
    list_select_related = ("scale",)
