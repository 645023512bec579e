"""Forms that validate and convert: a patient's record and their current regimen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.db.models import QuerySet

from .engine import MAX_PLAUSIBLE_DE_MG, round_fraction
from .models import (
    OLDEST_PLAUSIBLE_AGE_YEARS,
    SLOT_FIELDS,
    Clinic,
    Drug,
    EquivalenceTable,
    Patient,
    RegimenItem,
)
from .planning import engine_table


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "clinic",
            "record_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "use_duration",
            "hepatic_impairment",
            "pregnant",
            "seizure_history",
            "cns_depressant_co_use",
            "cns_depressants",
            "notes",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, clinics: QuerySet[Clinic], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        clinic_field = self.fields["clinic"]
        assert isinstance(clinic_field, forms.ModelChoiceField)
        clinic_field.queryset = clinics
        if clinics.count() == 1:
            clinic_field.initial = clinics.first()
            clinic_field.widget = forms.HiddenInput()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "clinic",
            Fieldset(
                "Identity",
                Row(
                    Column("record_number", css_class="col-md-4"),
                    Column("date_of_birth", css_class="col-md-4"),
                    Column("sex", css_class="col-md-4"),
                ),
                Row(
                    Column("given_name", css_class="col-md-6"),
                    Column("family_name", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                "Clinical flags that change a plan's advice",
                "use_duration",
                Row(
                    Column("hepatic_impairment", css_class="col-md-4"),
                    Column("pregnant", css_class="col-md-4"),
                    Column("seizure_history", css_class="col-md-4"),
                ),
                "cns_depressant_co_use",
                Field("cns_depressants"),
            ),
            "notes",
        )

    def _refuse_a_known_record_number(self, cleaned: dict[str, Any]) -> None:
        """Beside the field, and regardless of case (the database refuses it too)."""
        clinic, record = cleaned.get("clinic"), cleaned.get("record_number", "").strip()
        if not clinic or not record:
            return
        taken = Patient.objects.filter(clinic=clinic, record_number__iexact=record).exclude(
            pk=self.instance.pk
        )
        if taken.exists():
            self.add_error(
                "record_number", f"{record} is already the record number of a patient in {clinic}."
            )

    def clean_date_of_birth(self) -> date:
        born: date = self.cleaned_data["date_of_birth"]
        if born > self.today:
            raise forms.ValidationError("The date of birth is in the future.")
        if self.today.year - born.year > OLDEST_PLAUSIBLE_AGE_YEARS:
            raise forms.ValidationError(
                f"That is over {OLDEST_PLAUSIBLE_AGE_YEARS} years ago; check the year."
            )
        return born

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._refuse_a_known_record_number(cleaned)
        if cleaned.get("cns_depressant_co_use") and not cleaned.get("cns_depressants", "").strip():
            self.add_error("cns_depressants", "Say which opioids or other CNS depressants are taken.")
        if cleaned.get("cns_depressants", "").strip() and not cleaned.get("cns_depressant_co_use"):
            self.add_error(
                "cns_depressant_co_use",
                "Tick this if the patient takes the CNS depressants listed below.",
            )
        if cleaned.get("pregnant") and cleaned.get("sex") == Patient.Sex.MALE:
            self.add_error("pregnant", "Pregnancy is ticked for a patient recorded as male.")
        return cleaned


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "placeholder": "Name, date of birth (e.g. 14/03/1951) or record number",
                "autofocus": True,
            }
        ),
    )


class RegimenItemForm(forms.ModelForm):
    class Meta:
        model = RegimenItem
        fields = ["drug", *SLOT_FIELDS]
        # Plain text, not type=number: a browser's number field silently drops what it cannot
        # parse ("1,5" becomes 15), and a dose must arrive exactly as typed to be checked.
        widgets = {field: forms.TextInput(attrs={"inputmode": "decimal"}) for field in SLOT_FIELDS}
        error_messages = {"drug": {"invalid_choice": "Unknown drug: choose one from the list."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        drug_field = self.fields["drug"]
        assert isinstance(drug_field, forms.ModelChoiceField)
        drug_field.queryset = Drug.objects.order_by("name")
        drug_field.required = False

    def _clean_dose(self, field: str) -> Decimal | None:
        value: Decimal | None = self.cleaned_data.get(field)
        if value is None or value == 0:
            return None  # empty or 0: not taken at this time of day
        if value < 0:
            raise forms.ValidationError("A dose cannot be negative.")
        return value

    def clean_morning_mg(self) -> Decimal | None:
        return self._clean_dose("morning_mg")

    def clean_midday_mg(self) -> Decimal | None:
        return self._clean_dose("midday_mg")

    def clean_evening_mg(self) -> Decimal | None:
        return self._clean_dose("evening_mg")

    def clean_night_mg(self) -> Decimal | None:
        return self._clean_dose("night_mg")

    def clean(self) -> dict[str, Any]:
        # A drug with no dose at any time of day is refused by the model's own constraint
        # (regimen_item_has_a_dose), whose message is shown for the row.
        cleaned = super().clean() or {}
        has_dose = any(cleaned.get(field) for field in SLOT_FIELDS)
        if not cleaned.get("drug") and "drug" not in self.errors:
            if has_dose or (self.instance.pk is None and self.has_changed()):
                self.add_error("drug", "Choose the drug these doses are for.")
            elif self.instance.pk and not cleaned.get("DELETE"):
                self.add_error("drug", "Choose the drug, or tick Remove to take it off the regimen.")
        return cleaned


class BaseRegimenFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        self._refuse_repeated_drugs()
        super().clean()
        self._refuse_implausible_total()

    def _refuse_implausible_total(self) -> None:
        """The same plausibility limit the engine applies to a plan (over 300 mg DE a day)."""
        table = EquivalenceTable.objects.default()
        if table is None:
            return
        converter = engine_table(table)
        total = Fraction(0)
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", {})
            drug = cleaned.get("drug")
            if drug is None or cleaned.get("DELETE") or drug.name not in converter.drugs:
                continue
            daily = sum((cleaned.get(field) or Decimal(0) for field in SLOT_FIELDS), Decimal(0))
            total += converter.to_diazepam(drug.name, daily)
        if total > MAX_PLAUSIBLE_DE_MG:
            shown = round_fraction(total, places=1).normalize()
            raise forms.ValidationError(
                f"These doses come to {shown:f} mg diazepam equivalent a day "
                f"({table.name}), above the plausible {MAX_PLAUSIBLE_DE_MG} mg: check the doses and units."
            )

    def _refuse_repeated_drugs(self) -> None:
        seen: set[int] = set()
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", {})
            drug = cleaned.get("drug")
            if drug is None or cleaned.get("DELETE"):
                continue
            if drug.pk in seen:
                form.add_error("drug", f"{drug} is already listed: enter all its doses on one row.")
                raise forms.ValidationError("Each drug goes on one row.")
            seen.add(drug.pk)


RegimenFormSet = forms.inlineformset_factory(
    Patient,
    RegimenItem,
    form=RegimenItemForm,
    formset=BaseRegimenFormSet,
    extra=2,
    can_delete=True,
    max_num=6,
    validate_max=True,
)
