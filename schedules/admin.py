"""Reference data and clinics are maintained here, by administrators only.

Every change records who, when and what (django-simple-history), and the change form asks for the
reason, which is stored with the history record.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from accounts.hardening import HardenedAdminMixin

from .models import Clinic, Drug, Equivalence, EquivalenceTable, Formulation
from .roles import ADMINISTRATOR


class ReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for this change",
        max_length=100,
        help_text="Kept in the history with your name and the time, e.g. 'corrected to BNF 2024'.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Stored decimals show as typed: 1, not 1.000.
        for name, value in self.initial.items():
            if isinstance(value, Decimal):
                self.initial[name] = Decimal(f"{value.normalize():f}")


class ReferenceAdmin(HardenedAdminMixin, SimpleHistoryAdmin):
    """Admin for data that plans are built from: administrators only, with a required reason."""

    form = ReasonForm

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = [name for name in super().get_fields(request, obj) if name != "change_reason"]
        return [*fields, "change_reason"]

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)

    def _is_administrator(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists())

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_administrator(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_administrator(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request) and super().has_delete_permission(request, obj)


@admin.register(Drug)
class DrugAdmin(ReferenceAdmin):
    list_display = (
        "name",
        "drug_class",
        "atc_code",
        "half_life_min_h",
        "half_life_max_h",
        "metabolite_half_life_max_h",
        "may_treat_epilepsy",
        "confidence",
    )
    list_filter = ("drug_class", "has_active_metabolites", "may_treat_epilepsy", "confidence")
    search_fields = ("name", "atc_code")


@admin.register(Formulation)
class FormulationAdmin(ReferenceAdmin):
    list_display = ("drug", "market", "product", "divisible", "stocked", "confidence")
    list_filter = ("market", "form", "divisible", "modified_release", "stocked", "confidence")
    list_select_related = ("drug",)
    search_fields = ("drug__name", "note")

    @admin.display(description="product", ordering="strength_mg")
    def product(self, obj: Formulation) -> str:
        return f"{obj.strength_label} {obj.form_label}"


@admin.register(EquivalenceTable)
class EquivalenceTableAdmin(ReferenceAdmin):
    list_display = ("key", "name", "year", "reference_diazepam_mg", "is_default", "confidence")
    list_filter = ("is_default", "reference_diazepam_mg", "confidence")
    search_fields = ("key", "name", "citation")


@admin.register(Equivalence)
class EquivalenceAdmin(ReferenceAdmin):
    list_display = ("drug", "table_key", "dose", "source_range", "per_diazepam_mg", "confidence")
    list_filter = ("table", "confidence")
    list_select_related = ("drug", "table")
    search_fields = ("drug__name", "table__key", "note")

    @admin.display(description="table", ordering="table__key")
    def table_key(self, obj: Equivalence) -> str:
        return obj.table.key

    @admin.display(description="equivalent dose (mg)", ordering="dose_mg")
    def dose(self, obj: Equivalence) -> str:
        return f"{obj.dose_mg.normalize():f}"

    @admin.display(description="range in source")
    def source_range(self, obj: Equivalence) -> str:
        if obj.min_mg is None or obj.max_mg is None:
            return "—"
        return f"{obj.min_mg.normalize():f}–{obj.max_mg.normalize():f}"

    @admin.display(description="per diazepam (mg)")
    def per_diazepam_mg(self, obj: Equivalence) -> str:
        return f"{obj.table.reference_diazepam_mg.normalize():f}"


@admin.register(Clinic)
class ClinicAdmin(ReferenceAdmin):
    list_display = ("name", "market")
    list_filter = ("market",)
    search_fields = ("name",)
    # Membership is changed on the user's page (accounts admin), by superusers and clinic managers only.
    exclude = ("members",)
