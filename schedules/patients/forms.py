"""Forms that validate and convert: a patient's record and their current regimen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from schedules.engine import MAX_PLAUSIBLE_DE_MG, DoseMaker, dose_makers, round_fraction
from schedules.engine.types import format_mg
from schedules.models import (
    OLDEST_PLAUSIBLE_AGE_YEARS,
    PATIENT_FIELDS,
    SLOT_FIELDS,
    Clinic,
    Drug,
    EquivalenceTable,
    Market,
    Patient,
    RegimenItem,
)
from schedules.plans.planning import PlanningError, engine_table, plan_formulations

# Versions are PositiveIntegerFields: the largest value every database stores.
MAX_VERSION = 2**31 - 1
OUT_OF_DATE = "This page is out of date or incomplete: open it again from the patient's record."


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=MAX_VERSION,
        error_messages={key: OUT_OF_DATE for key in ("required", "invalid", "min_value", "max_value")},
    )


class PatientForm(forms.ModelForm):
    # The version the form was opened at (edits only): schedules.patients.actions refuses a stale save.
    version = _version_field()
    not_a_duplicate = forms.BooleanField(
        label="I have checked: this is a different person",
        required=False,
    )

    class Meta:
        model = Patient
        fields = list(PATIENT_FIELDS)
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, clinics: QuerySet[Clinic], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self._duplicates: list[Patient] = []
        if self.instance.pk is None:
            self.fields["version"].required = False
        else:
            self.fields["version"].initial = self.instance.version
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

    @property
    def duplicates(self) -> list[Patient]:
        """Patients this one may be a second record of (found while validating)."""
        if self.is_bound:
            self.errors  # noqa: B018 (validates once, which finds them)
        return self._duplicates

    def _warn_of_a_possible_duplicate(self, cleaned: dict[str, Any]) -> None:
        """The same name and date of birth in the clinic may be the same person registered twice:
        say so with links, and save only once the prescriber confirms it is someone else."""
        needed = ("clinic", "given_name", "family_name", "date_of_birth")
        if any(not cleaned.get(name) for name in needed):
            return
        found = Patient.objects.possible_duplicates(
            clinic=cleaned["clinic"],
            given_name=cleaned["given_name"],
            family_name=cleaned["family_name"],
            date_of_birth=cleaned["date_of_birth"],
        ).exclude(pk=self.instance.pk)
        self._duplicates = list(found)
        if self._duplicates and not cleaned.get("not_a_duplicate"):
            self.add_error(
                "not_a_duplicate",
                "A patient with this name and date of birth is already registered: "
                "open their record, or confirm that this is a different person.",
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
        self._warn_of_a_possible_duplicate(cleaned)
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
        row = cleaned.get("id")
        if row is not None and row.pk != self.instance.pk:
            # Django checks a row id against every stored row: this one is another patient's.
            cleaned.pop("drug", None)
            self.add_error(None, "This row is not part of this patient's regimen: it was not saved.")
            return cleaned
        if "id" in self.errors:
            # The hidden row id names a row that is no longer stored: someone removed it.
            del self.errors["id"]
            self.add_error(None, "Someone else removed this row after you opened the page: it was not saved.")
        has_dose = any(cleaned.get(field) for field in SLOT_FIELDS)
        if not cleaned.get("drug") and "drug" not in self.errors:
            if has_dose or (self.instance.pk is None and self.has_changed()):
                self.add_error("drug", "Choose the drug these doses are for.")
            elif self.instance.pk and not cleaned.get("DELETE"):
                self.add_error("drug", "Choose the drug, or tick Remove to take it off the regimen.")
        return cleaned


REGIMEN_MAX_ROWS = 6


class BaseRegimenFormSet(forms.BaseInlineFormSet):
    instance: Patient

    @property
    def version_name(self) -> str:
        return f"{self.prefix}-version"

    @property
    def loaded_version(self) -> int | None:
        """The regimen version the page was opened at (None when missing or not a version)."""
        field = _version_field()
        try:
            version: int = field.clean(self.data.get(self.version_name))
        except forms.ValidationError:
            return None
        return version

    @property
    def rows_sent(self) -> int:
        """How many rows the posted management form claims (0 when it is missing or unreadable)."""
        try:
            return int(self.data.get(f"{self.prefix}-TOTAL_FORMS", 0))
        except (TypeError, ValueError):
            return 0

    @property
    def oversized(self) -> bool:
        """More rows posted than a regimen may hold: refused before any row is built."""
        return self.is_bound and self.rows_sent > self.absolute_max

    @property
    def version(self) -> int | None:
        """The version to send back with the page."""
        return self.loaded_version if self.is_bound else self.instance.regimen_version

    def clean(self) -> None:
        if self.loaded_version is None:
            raise forms.ValidationError(OUT_OF_DATE)
        self._refuse_repeated_drugs()
        self._refuse_drugs_stored_on_other_rows()
        super().clean()
        self._refuse_doses_the_market_cannot_make()
        self._refuse_implausible_total()

    def _live_forms(self) -> list[tuple[forms.ModelForm, dict[str, Any], Drug]]:
        live = []
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", {})
            drug = cleaned.get("drug")
            if drug is not None and not cleaned.get("DELETE"):
                live.append((form, cleaned, drug))
        return live

    def _refuse_doses_the_market_cannot_make(self) -> None:
        """A dose no product of the clinic's market makes (lorazepam 0.001 mg) is a typing slip:
        refused beside the field, with the doses the products do make. The engine's dose maker
        decides, as it does for a plan."""
        market = self.instance.clinic.market
        where = f"the products stocked in the {Market(market).label} market"
        for form, cleaned, drug in self._live_forms():
            maker = _dose_maker(drug, market)
            if maker is None:
                form.add_error(
                    "drug", f"No {drug} products are stocked in the {Market(market).label} market."
                )
                continue
            for field in SLOT_FIELDS:
                dose = cleaned.get(field)
                if dose is not None and not maker.is_achievable(dose):
                    form.add_error(field, _cannot_make(drug, dose, maker, where))

    def _refuse_implausible_total(self) -> None:
        """The same plausibility limit the engine applies to a plan (over 300 mg DE a day)."""
        table = EquivalenceTable.objects.default()
        if table is None:
            return
        converter = engine_table(table)
        total = Fraction(0)
        for _form, cleaned, drug in self._live_forms():
            if drug.name not in converter.drugs:
                continue
            daily = sum((cleaned.get(field) or Decimal(0) for field in SLOT_FIELDS), Decimal(0))
            total += converter.to_diazepam(drug.name, daily)
        if total > MAX_PLAUSIBLE_DE_MG:
            shown = round_fraction(total, places=1).normalize()
            raise forms.ValidationError(
                f"These doses come to {shown:f} mg diazepam equivalent a day "
                f"({table.name}), above the plausible {MAX_PLAUSIBLE_DE_MG} mg: check the doses and units."
            )

    def _refuse_drugs_stored_on_other_rows(self) -> None:
        """A row may not take a drug another stored row holds (one the page did not show, or a
        swap between rows): the database allows each drug once, so it would fail half-way."""
        stored = {item.drug_id: item.pk for item in RegimenItem.objects.filter(patient=self.instance)}
        removed = {
            form.instance.pk
            for form in self.forms
            if form.instance.pk and getattr(form, "cleaned_data", {}).get("DELETE")
        }
        for form, _cleaned, drug in self._live_forms():
            holder = stored.get(drug.pk)
            if holder is None or holder == form.instance.pk:
                continue
            if form.instance.pk is None and holder in removed:
                continue  # removed and added again in one save: the removal is saved first
            form.add_error(
                "drug", f"{drug} is already on another row of this regimen: change its doses there."
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


RegimenFormSet = cast(
    "type[BaseRegimenFormSet]",
    forms.inlineformset_factory(
        Patient,
        RegimenItem,
        form=RegimenItemForm,
        formset=BaseRegimenFormSet,
        extra=2,
        can_delete=True,
        # A regimen holds a handful of drugs; past this many rows a post is refused outright
        # (absolute_max: Django would otherwise build up to max_num + 1000 forms).
        max_num=REGIMEN_MAX_ROWS,
        absolute_max=REGIMEN_MAX_ROWS,
        validate_max=True,
    ),
)


def _dose_maker(drug: Drug, market: str) -> DoseMaker | None:
    """What the market's stocked tablets, capsules and liquids of `drug` can make; None if none."""
    try:
        products = plan_formulations(drug, market=market, liquid=True)
    except PlanningError:
        return None
    return dose_makers(products)[drug.name]


def _cannot_make(drug: Drug, dose: Decimal, maker: DoseMaker, where: str) -> str:
    smallest = maker.smallest()
    if dose < smallest:
        return (
            f"{drug} {format_mg(dose)} mg cannot be made from {where}: "
            f"the smallest dose they make is {format_mg(smallest)} mg."
        )
    below, above = maker.at_most(dose), maker.at_least(dose)
    return (
        f"{drug} {format_mg(dose)} mg cannot be made from {where}: "
        f"the nearest doses they make are {format_mg(below)} mg and {format_mg(above)} mg."
    )


def regimen_formset_rebased(formset: BaseRegimenFormSet, *, version: int) -> BaseRegimenFormSet:
    """The typed rows laid over the regimen as it is stored now, opened at `version`: after an edit
    conflict, the page shows the current rows with this person's typing kept. A typed row joins
    the stored row with its id, else the one of its drug; a row someone else removed comes back
    as a new row (saving adds it again)."""
    patient, prefix, typed = formset.instance, formset.prefix, formset.data
    current = list(patient.regimen.all())
    by_id = {str(item.pk): item for item in current}
    by_drug = {str(item.drug_id): item for item in current}
    values: dict[RegimenItem, dict[str, str]] = {}
    new_rows: list[dict[str, str]] = []
    keys = ("drug", *SLOT_FIELDS, "DELETE")
    for index in range(formset.total_form_count()):
        row = {key: str(typed.get(f"{prefix}-{index}-{key}", "")) for key in keys}
        if not any(row[key] for key in ("drug", *SLOT_FIELDS)):
            continue
        item = by_id.get(str(typed.get(f"{prefix}-{index}-id", ""))) or by_drug.get(row["drug"])
        if item is not None and item not in values:
            values[item] = row
        else:
            new_rows.append(row)
    rows = [
        {"id": str(item.pk), "patient": str(patient.pk), **values.get(item, _stored_row(item))}
        for item in current
    ]
    rows += new_rows
    blank = max(0, min(formset.extra, formset.max_num - len(rows)))
    data = QueryDict(mutable=True)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(len(rows) + blank),
            f"{prefix}-INITIAL_FORMS": str(len(current)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": str(formset.max_num),
            f"{prefix}-version": str(version),
        }
    )
    for index, row in enumerate(rows):
        for key, value in row.items():
            if value:
                data[f"{prefix}-{index}-{key}"] = value
    rebased: BaseRegimenFormSet = type(formset)(data, instance=patient, prefix=prefix)
    return rebased


def _stored_row(item: RegimenItem) -> dict[str, str]:
    row = {"drug": str(item.drug_id)}
    for field in SLOT_FIELDS:
        value = getattr(item, field)
        row[field] = f"{value.normalize():f}" if value is not None else ""
    return row


def patient_form_data_at(form: PatientForm, *, version: int) -> QueryDict:
    """The typed patient form, opened at `version` (to show again after an edit conflict)."""
    data = form.data.copy() if isinstance(form.data, QueryDict) else QueryDict(mutable=True)
    data["version"] = str(version)
    return data
