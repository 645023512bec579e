"""Reference data and clinics are maintained here, by administrators only.

Every change records who, when and what (django-simple-history), and the change form asks for the
reason, which is stored with the history record.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from accounts.hardening import HardenedAdminMixin, reason_field
from accounts.roles import ADMINISTRATOR
from schedules.models import Clinic, Drug, Equivalence, EquivalenceTable, Formulation, Plan
from schedules.plans.documents import remake_current
from schedules.plans.planning import plans_using_equivalence
from schedules.reference.forms import SeenHistoryMixin

# A value more than 2 times away from every published value for the drug needs the
# administrator's explicit confirmation (issue 8: "1,5" typed into a number field saved 15).
PLAUSIBLE_FACTOR = Decimal(2)


class ReasonForm(SeenHistoryMixin, forms.ModelForm):
    change_reason = reason_field(
        "Kept in the history and the audit trail with your name and the time, e.g. 'corrected to BNF 2024'."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Two administrators editing one record: the second save is refused, naming the first.
        self.guard(self.instance)
        # Stored decimals show as typed: 1, not 1.000.
        for name, value in self.initial.items():
            if isinstance(value, Decimal):
                self.initial[name] = Decimal(f"{value.normalize():f}")
        # Plain text, not type=number: a browser's number field silently drops what it cannot
        # parse ("1,5" becomes 15), so a decimal must arrive exactly as typed (as the regimen
        # form does, schedules/patients/forms.py).
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
                # Decimal("1,5") is not a number: the comma is refused, never read as 15.
                field.error_messages["invalid"] = (
                    "Enter a number with a point for decimals (1.5, not 1,5); nothing was saved."
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.refuse_lost_update(cleaned)
        return cleaned


class CheckedAgainstSourceForm(ReasonForm):
    """Refuses a value far from every published one unless the administrator confirms it."""

    checked_against_source = forms.BooleanField(
        label="I have checked this against the source",
        required=False,
        help_text="Needed only for a value more than 2 times away from every published value for the drug.",
    )

    def plausible_range(self, cleaned: dict[str, Any]) -> tuple[Decimal, Decimal, str] | None:
        """(low, high, what) from the published values for the drug; None: nothing to compare."""
        return None

    def value_to_check(self, cleaned: dict[str, Any]) -> Decimal | None:
        """The value compared with the plausible range (each form's own); None: no check."""
        return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        value = self.value_to_check(cleaned)
        found = self.plausible_range(cleaned) if value is not None else None
        if value is None or found is None or cleaned.get("checked_against_source"):
            return cleaned
        low, high, what = found
        if value < low / PLAUSIBLE_FACTOR or value > high * PLAUSIBLE_FACTOR:
            self.add_error(
                "checked_against_source",
                f"{value.normalize():f} is more than 2 times away from the published {what} "
                f"({low.normalize():f}-{high.normalize():f}): check it against the source and tick "
                "this box, or correct it.",
            )
        return cleaned


class EquivalenceForm(CheckedAgainstSourceForm):
    def value_to_check(self, cleaned: dict[str, Any]) -> Decimal | None:
        dose, table = cleaned.get("dose_mg"), cleaned.get("table")
        if dose is None or table is None or dose <= 0:
            return None
        return _per_10_mg_diazepam(dose, table.reference_diazepam_mg)

    def plausible_range(self, cleaned: dict[str, Any]) -> tuple[Decimal, Decimal, str] | None:
        drug = cleaned.get("drug")
        others = Equivalence.objects.filter(drug=drug).exclude(pk=self.instance.pk).select_related("table")
        values = [_per_10_mg_diazepam(e.dose_mg, e.table.reference_diazepam_mg) for e in others]
        if not values:
            return None
        return min(values), max(values), f"{drug} equivalents of diazepam 10 mg in the loaded tables"


class FormulationForm(CheckedAgainstSourceForm):
    def value_to_check(self, cleaned: dict[str, Any]) -> Decimal | None:
        strength = cleaned.get("strength_mg")
        return strength if strength is not None and strength > 0 else None

    def plausible_range(self, cleaned: dict[str, Any]) -> tuple[Decimal, Decimal, str] | None:
        drug = cleaned.get("drug")
        others = Formulation.objects.filter(drug=drug).exclude(pk=self.instance.pk)
        liquid = cleaned.get("form") in Formulation.LIQUID_FORMS
        values = [p.strength_mg for p in others if (p.form in Formulation.LIQUID_FORMS) == liquid]
        if not values:
            return None
        kind = "liquid strengths (mg/mL)" if liquid else "tablet and capsule strengths (mg)"
        return min(values), max(values), f"{drug} {kind} of the loaded products"


def _per_10_mg_diazepam(dose_mg: Decimal, reference_mg: Decimal) -> Decimal:
    """The dose equivalent to diazepam 10 mg, whatever the table's reference dose."""
    return dose_mg * 10 / reference_mg


class ReferenceAdmin(HardenedAdminMixin, SimpleHistoryAdmin):
    """Admin for data that plans are built from: administrators only, with a required reason."""

    form = ReasonForm

    extra_fields: tuple[str, ...] = ("change_reason", "seen_history")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = [name for name in super().get_fields(request, obj) if name not in self.extra_fields]
        return [*fields, *self.extra_fields]

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
    form = FormulationForm
    extra_fields = ("checked_against_source", "change_reason", "seen_history")
    list_display = ("drug", "market", "product", "divisible", "stocked", "confidence")
    list_filter = ("market", "form", "divisible", "modified_release", "stocked", "confidence")
    list_select_related = ("drug",)
    search_fields = ("drug__name", "note")

    @admin.display(description="product", ordering="strength_mg")
    def product(self, obj: Formulation) -> str:
        return f"{obj.strength_label} {obj.form_label}"


class EquivalenceTableForm(ReasonForm):
    """A table's year of publication: four digits, not after this year (a mistyped 0026 or 2205 is
    refused beside the field, naming the window; issue 14). 1900 is the product's bound, not a fact
    about any table: every loaded table is far later."""

    EARLIEST_YEAR = 1900

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        latest = timezone.localdate().year
        if not self.EARLIEST_YEAR <= year <= latest:
            raise forms.ValidationError(
                f"A table's year of publication is from {self.EARLIEST_YEAR} to {latest} (this year), "
                f"not {year:04d}: check the year."
            )
        return year


@admin.register(EquivalenceTable)
class EquivalenceTableAdmin(ReferenceAdmin):
    form = EquivalenceTableForm
    list_display = ("key", "name", "year", "reference_diazepam_mg", "is_default", "confidence")
    list_filter = ("is_default", "reference_diazepam_mg", "confidence")
    search_fields = ("key", "name", "citation")


@admin.register(Equivalence)
class EquivalenceAdmin(ReferenceAdmin):
    form = EquivalenceForm
    extra_fields = ("checked_against_source", "change_reason", "seen_history")

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        before = (
            Equivalence.objects.select_related("table", "drug").filter(pk=obj.pk).first() if change else None
        )
        super().save_model(request, obj, form, change)
        if before is None or before.dose_mg == obj.dose_mg:
            return
        plans = plans_using_equivalence(
            table_key=before.table.key, drug=before.drug.name, dose_mg=before.dose_mg
        )
        old = f"{before.drug.name} {before.dose_mg.normalize():f} mg ({before.table.key})"
        if not plans:
            messages.info(request, f"No saved plan used the old value, {old}.")
            return
        # Plan numbers only: the administrator sees no patient (the prescribers open the plans).
        listed = "; ".join(f"plan {plan.pk} ({plan.get_status_display().lower()})" for plan in plans)
        messages.warning(
            request,
            f"{len(plans)} saved plan{'s' if len(plans) != 1 else ''} used the old value, {old}, and keep "
            f"it until re-planned: {listed}. Review them with their prescribers.",
        )

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
    # What the printed documents show of the clinic: a change makes new ones for its current plans.
    printed_fields = frozenset(
        {"name", "market", "paper_size", "contact_phone", "contact_email", "contact_address", "contact_hours"}
    )

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and self.printed_fields.intersection(form.changed_data):
            transaction.on_commit(partial(remake_current, Plan.objects.filter(patient__clinic=obj)))
            messages.info(
                request,
                "The printed documents of this clinic's current plans are being made again with these "
                "details; older plan versions keep theirs.",
            )
