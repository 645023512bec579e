"""Forms for plans: the builder (presets first, then the method, switch, table, products, start
and end point) and the adjustments (edit a step, hold, remove, re-plan, pause, resume, end).

Forms validate and convert: the builder's ``choices`` is a ``planning.PlanChoices``, and
``choices_data`` the same inputs in form terms, saved with the plan to re-open the builder.
Numbers are typed into text fields (a browser's number field drops what it cannot parse: "1,5"
would arrive as 15) and parsed exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.core import signing

from schedules import engine
from schedules.engine.limits import (
    MAX_INTERVAL_DAYS,
    MAX_LIQUID_STEP_ML,
    MAX_MAX_LIQUID_ML,
    MAX_PERIOD_DAYS,
    MAX_STEP_DAYS,
    MAX_STEP_MG,
    MAX_SWITCH_STAGE_DAYS,
    MAX_TARGET_MG,
    MIN_DOSE_MG,
    MIN_LIQUID_STEP_ML,
    MIN_MAX_LIQUID_ML,
)
from schedules.engine.methods import MAX_PERCENT, MIN_PERCENT
from schedules.engine.schedule import MAX_LAST_DOSE_DE_MG, MIN_LAST_DOSE_DE_MG
from schedules.engine.types import format_mg
from schedules.models import Drug, Formulation, Patient
from schedules.models.text import refuse_hidden_characters
from schedules.plans.dates import DateOutOfWindow, DateWindow
from schedules.plans.outcomes import GROUPINGS, MEASURES, Scope, ScopeError, band_label, quarter_of
from schedules.plans.planning import PlanChoices, Reference, engine_drugs

CUSTOM = "custom"
METHODS = [
    ("percent", "Percent of the current dose"),
    ("linear", "Fixed mg a step"),
    ("bands", "NICE CKS bands"),
]
SWITCH_TARGETS = ("diazepam", "clonazepam")
SLOTS = tuple(engine.Slot)
# Short-acting drugs (engine.DrugInfo.short_acting, from schedules.plans.planning: a half-life of a day or
# less and no long-lived metabolite, matching SPS's list in clinical-reference.md section 1d) get a
# switch suggested: the Maudsley Deprescribing Guidelines say patients on short-acting drugs or with
# inter-dose withdrawal may benefit most from a switch to a longer-acting one.
# JCPG 2025, Table 8 footnote: glucuronidated agents (lorazepam, oxazepam) are considered safer in
# older adults; the engine warns about diazepam at 65 or over (engine.checks.OLDER_ADULT_AGE).
OLDER_ADULT_AGE = 65


def parse_decimal(text: str, *, what: str) -> Decimal:
    """Exactly what was typed, or a message saying why not ("1,5" is refused, not read as 15)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise forms.ValidationError(
            f"Enter {what} as a number, with a point for decimals (e.g. 2.5)."
        ) from None
    if not value.is_finite():
        raise forms.ValidationError(f"Enter {what} as a number.")
    return value


class DecimalText(forms.CharField):
    """A decimal typed as text: parsed exactly, within ``minimum``-``maximum``."""

    def __init__(self, *, what: str, minimum: Decimal, maximum: Decimal, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)
        self.what, self.minimum, self.maximum = what, minimum, maximum

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        number = parse_decimal(text, what=self.what)
        if not self.minimum <= number <= self.maximum:
            raise forms.ValidationError(
                f"Enter {self.what} from {format_mg(self.minimum)} to {format_mg(self.maximum)}."
            )
        return number


def _preset_label(preset: engine.Preset) -> str:
    weeks = preset.interval_days // 7
    every = f"every {weeks} week{'s' if weeks != 1 else ''}"
    described = preset.method.describe()
    if described.startswith(preset.label[:12]):  # the bands describe themselves by the preset's name
        return f"{preset.label}, {every}"
    return f"{preset.label}: {described}, {every}"


def switch_suggestion(
    patient: Patient, drugs: Sequence[Drug], *, today: dt.date, reference: Reference | None = None
) -> tuple[str, str]:
    """The switch the builder starts with, and why (a suggestion the prescriber may change).

    A short-acting drug is switched to diazepam; with diazepam already taken beside other drugs,
    they move onto it one dose at a time (NHS Lothian formulary: convert to diazepam only). Not
    at 65 or over, nor with hepatic impairment."""
    market = patient.clinic.market
    names_taken = [drug.name for drug in drugs]
    if "diazepam" in names_taken:
        moved = [name for name in names_taken if name != "diazepam"]
        why = "can move onto the diazepam already taken, one dose at a time (NHS Lothian formulary)"
    else:
        moved = [info.name for info in engine_drugs(drugs, market, reference) if info.short_acting]
        why = "is short-acting, so a switch to diazepam is started for you (SPS; Maudsley Deprescribing Guidelines)"
    if not moved:
        return "", ""
    names = " and ".join(moved)
    if patient.age_on(today) >= OLDER_ADULT_AGE:
        return "", (
            f"{names.capitalize()}: a switch to diazepam is not suggested at 65 or over: its "
            "long-lived metabolites accumulate (JCPG 2025, Table 8 footnote). Taper directly, or choose "
            "a switch if you judge it right."
        )
    if patient.hepatic_impairment:
        return "", (
            f"{names.capitalize()}: a switch to diazepam may not suit hepatic impairment (SPS: prefer an "
            "agent without active metabolites). Taper directly, or choose a switch if you judge it right."
        )
    return "diazepam", f"Suggested: {names} {why}. Choose “No switch” to taper it directly."


# Strengths a formulary advises against in tapering, with its words. NHS Lanarkshire Joint Adult
# Formulary, Benzodiazepine dependence (reviewed 31/01/2022): "Preferred formulation is 2mg tablets
# ... the 5mg tablets may only be used in exceptional circumstances. The 10mg tablets should not be
# prescribed"; NHS Lothian formulary: "The 2mg tablets allow for easier reduction regimens".
NOT_FOR_TAPERING = {
    ("diazepam", Decimal(10)): "NHS Lanarkshire formulary: 10 mg tablets should not be prescribed",
}
TAPERING_STRENGTHS_ADVICE = (
    "Diazepam: NHS Lanarkshire's formulary prefers 2 mg tablets, 5 mg only in exceptional "
    "circumstances, and advises that 10 mg tablets should not be prescribed (NHS Lothian: 2 mg tablets "
    "allow easier reduction regimens). Tick the strengths your clinic stocks for tapering."
)


def _strength_choices(products: Sequence[Formulation]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for product in products:
        if product.form in (Formulation.Form.TABLET, Formulation.Form.CAPSULE):
            strength = format_mg(product.strength_mg)
            advice = NOT_FOR_TAPERING.get((product.drug.name, product.strength_mg))
            label = f"{product.drug.name} {strength} mg" + (f" ({advice})" if advice else "")
            seen.setdefault(f"{product.drug.name}:{strength}", label)
    return list(seen.items())


def _liquid_choices(products: Sequence[Formulation]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for product in products:
        if product.is_liquid:
            strength = format_mg(product.strength_mg)
            seen.setdefault(
                f"{product.drug.name}:{strength}", f"{product.drug.name} {strength} mg/mL {product.form}"
            )
    return list(seen.items())


class PlanBuilderForm(forms.Form):
    """The inputs of a new plan (or a re-plan) for one patient."""

    preset = forms.ChoiceField(
        label="Guideline preset",
        widget=forms.RadioSelect,
        choices=[
            *((key, _preset_label(p)) for key, p in engine.PRESETS.items()),
            (CUSTOM, "Choose the method myself"),
        ],
        initial="jcpg-standard",
    )
    method = forms.ChoiceField(label="Method", choices=METHODS, initial="percent", required=False)
    percent = DecimalText(
        label="Percent of the current dose a step",
        what="the percent",
        minimum=MIN_PERCENT,
        maximum=MAX_PERCENT,
        required=False,
        initial="10",
    )
    step_mg = DecimalText(
        label="mg a step", what="the step", minimum=MIN_DOSE_MG, maximum=MAX_STEP_MG, required=False
    )
    pace = forms.ChoiceField(
        label="Pace", choices=[("slow", "Slow"), ("fast", "Fast")], initial="slow", required=False
    )
    interval_days = forms.IntegerField(
        label="Days between reductions",
        required=False,
        min_value=1,
        max_value=MAX_INTERVAL_DAYS,
        help_text="Empty: the preset's or method's own interval.",
    )
    switch_to = forms.ChoiceField(
        label="Switch first to",
        choices=[("", "No switch"), *((d, d.capitalize()) for d in SWITCH_TARGETS)],
        required=False,
    )
    switch_stage_days = forms.IntegerField(
        label="Days per switch stage", min_value=1, max_value=MAX_SWITCH_STAGE_DAYS, initial=7
    )
    table = forms.ChoiceField(label="Equivalence table")
    strengths = forms.MultipleChoiceField(
        label="Tablet strengths to use",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Of the drug being tapered (the switch drug when switching). None ticked: every strength stocked.",
    )
    split = forms.ChoiceField(
        label="Tablet splitting",
        choices=[("", "As each product allows"), ("whole", "Whole tablets only"), ("half", "Halves at most")],
        required=False,
    )
    liquid = forms.BooleanField(label="Allow oral liquids", required=False)
    liquid_strength = forms.ChoiceField(
        label="Liquid strength",
        required=False,
        help_text="One strength per plan. Empty: the one that fits the tablets best.",
    )
    liquid_step_ml = DecimalText(
        label="Oral syringe graduation (mL)",
        what="the syringe graduation",
        minimum=MIN_LIQUID_STEP_ML,
        maximum=MAX_LIQUID_STEP_ML,
        required=False,
        help_text="The smallest step the clinic's oral syringe measures.",
    )
    max_liquid_dose_ml = DecimalText(
        label="Most liquid in one dose (mL)",
        what="the most liquid in one dose",
        minimum=MIN_MAX_LIQUID_ML,
        maximum=MAX_MAX_LIQUID_ML,
        required=False,
        help_text="Larger doses are made of tablets topped up with liquid.",
    )
    end = forms.ChoiceField(
        label="End point",
        widget=forms.RadioSelect,
        choices=[("stop", "Stop completely"), ("target", "Stay on a target daily dose")],
        initial="stop",
    )
    target_daily_mg = DecimalText(
        label="Target daily dose (mg of the drug being tapered)",
        what="the target",
        minimum=MIN_DOSE_MG,
        maximum=MAX_TARGET_MG,
        required=False,
    )
    last_dose_de_mg = DecimalText(
        label="Last daily dose before stopping (mg diazepam equivalent)",
        what="the last dose",
        minimum=MIN_LAST_DOSE_DE_MG,
        maximum=MAX_LAST_DOSE_DE_MG,
        required=False,
        help_text="Empty: 0.5 mg, the final step of the NICE CKS / Ashton schedule. Lower only when "
        "the patient asks (Maudsley Deprescribing Guidelines).",
    )
    spread_cuts = forms.ChoiceField(
        label="Which dose of the day is cut",
        choices=[
            ("", "Largest first for a short-acting drug not switched, else one time of day at a time"),
            ("yes", "The largest dose of the day first (cuts spread across the day)"),
            ("no", "One time of day at a time, the night dose last"),
        ],
        required=False,
    )
    start = forms.DateField(
        label="Start date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_days = forms.IntegerField(
        label="Days per prescription", min_value=1, max_value=MAX_PERIOD_DAYS, initial=28
    )

    def __init__(
        self,
        *args: Any,
        patient: Patient,
        today: dt.date,
        replanning: bool = False,
        reference: Reference | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.today = today
        # The request's reference data, read once: the view plans and compares tables with it too.
        self.reference = reference or Reference()
        self.regimen_items = list(patient.regimen.select_related("drug"))
        self.regimen_drugs = [item.drug.name for item in self.regimen_items]
        tables = self.reference.tables  # the default first, then by key
        self.fields["table"].choices = [(t.key, f"{t.name} ({t.year})") for t in tables]  # type: ignore[attr-defined]
        if tables:
            self.fields["table"].initial = tables[0].key
        products = self._products()
        self.fields["strengths"].choices = _strength_choices(products)  # type: ignore[attr-defined]
        if any(product.drug.name == "diazepam" for product in products):
            self.fields["strengths"].help_text += " " + TAPERING_STRENGTHS_ADVICE
        self.fields["liquid_strength"].choices = [("", "Chosen for me"), *_liquid_choices(products)]  # type: ignore[attr-defined]
        # The settings planning falls back to (schedules.plans.planning), shown as the starting values.
        step = getattr(settings, "TAPER_LIQUID_STEP_ML", engine.LIQUID_STEP_ML)
        most = getattr(settings, "TAPER_MAX_LIQUID_DOSE_ML", engine.MAX_LIQUID_DOSE_ML)
        self.fields["liquid_step_ml"].initial = format_mg(Decimal(str(step)))
        self.fields["max_liquid_dose_ml"].initial = format_mg(Decimal(str(most)))
        self.fields["start"].initial = today
        suggested, self.switch_hint = switch_suggestion(
            patient, [item.drug for item in self.regimen_items], today=today, reference=self.reference
        )
        self.fields["switch_to"].initial = suggested
        if self.switch_hint:
            self.fields["switch_to"].help_text = self.switch_hint
        if replanning:
            # A re-plan keeps the plan's own start; this date only dates the patient's age.
            self.fields["start"].widget = forms.HiddenInput()
            self.fields["switch_to"].help_text = ""
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                "How fast",
                "preset",
                Div("method", "percent", "step_mg", "pace", css_class="method-options"),
                "interval_days",
            ),
            Fieldset(
                "Switch",
                Row(
                    Column("switch_to", css_class="col-sm-6"),
                    Column("switch_stage_days", css_class="col-sm-6"),
                ),
            ),
            Fieldset(
                "Products and table",
                "table",
                Field("strengths", css_class="strength-options"),
                "split",
                "liquid",
                Div("liquid_strength", "liquid_step_ml", "max_liquid_dose_ml", css_class="liquid-options"),
            ),
            Fieldset(
                "When",
                Row(Column("start", css_class="col-sm-6"), Column("period_days", css_class="col-sm-6")),
                "end",
                "target_daily_mg",
                "last_dose_de_mg",
                "spread_cuts",
            ),
        )

    def _products(self) -> list[Formulation]:
        """The clinic's stocked immediate-release products of the regimen's drugs and the switch
        targets, by drug and strength."""
        drugs = {*self.regimen_drugs, *SWITCH_TARGETS}
        products = [
            product
            for product in self.reference.products(self.patient.clinic.market)
            if product.drug.name in drugs and product.stocked and not product.modified_release
        ]
        return sorted(products, key=lambda product: (product.drug.name, product.strength_mg))

    def clean_start(self) -> dt.date:
        """Within the engine's window (a year before today to two years after), beside the field."""
        start: dt.date = self.cleaned_data["start"]
        try:
            engine.check_start_date(start, today=self.today)
        except engine.EngineError as error:
            message = str(error)
            raise forms.ValidationError(message[:1].upper() + message[1:] + ": check the year.") from None
        return start

    def clean_liquid_strength(self) -> Decimal | None:
        value: str = self.cleaned_data.get("liquid_strength") or ""
        if not value:
            return None
        drug, strength = value.split(":", 1)
        tapered = self.data.get("switch_to") or (self.regimen_drugs[0] if self.regimen_drugs else "")
        if drug != tapered:
            raise forms.ValidationError(f"Choose a liquid of {tapered}, the drug being tapered.")
        return Decimal(strength)

    def clean_switch_to(self) -> str | None:
        value: str = self.cleaned_data.get("switch_to") or ""
        if value and self.regimen_drugs == [value]:
            raise forms.ValidationError(f"The patient takes only {value}: choose “No switch”.")
        return value or None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.regimen_items:
            raise forms.ValidationError("Enter the patient's current regimen before building a plan.")
        if cleaned.get("preset") == CUSTOM:
            method = cleaned.get("method") or "percent"
            if method == "percent" and cleaned.get("percent") is None and "percent" not in self.errors:
                self.add_error("percent", "Enter the percent of the current dose to cut at each step.")
            if method == "linear" and cleaned.get("step_mg") is None and "step_mg" not in self.errors:
                self.add_error("step_mg", "Enter the mg to cut at each step.")
        if (
            cleaned.get("end") == "target"
            and cleaned.get("target_daily_mg") is None
            and "target_daily_mg" not in self.errors
        ):
            self.add_error("target_daily_mg", "Enter the daily dose to stay on, or choose “Stop completely”.")
        return cleaned

    @property
    def tapered_drug(self) -> str:
        switch = self.cleaned_data.get("switch_to")
        return switch or (self.regimen_drugs[0] if self.regimen_drugs else "")

    def _method(self) -> engine.Method:
        data = self.cleaned_data
        if data["preset"] != CUSTOM:
            return engine.PRESETS[data["preset"]].method
        name = data.get("method") or "percent"
        if name == "linear":
            return engine.LinearMethod(step_mg=data["step_mg"])
        if name == "bands":
            return engine.BandsMethod(pace=data.get("pace") or "slow")
        return engine.PercentMethod(
            percent=data["percent"] if data.get("percent") is not None else Decimal(10)
        )

    def _interval_days(self) -> int | None:
        data = self.cleaned_data
        if data.get("interval_days") is None and data["preset"] != CUSTOM:
            return engine.PRESETS[data["preset"]].interval_days
        value: int | None = data.get("interval_days")
        return value

    def _strengths(self) -> tuple[Decimal, ...] | None:
        tapered = self.tapered_drug
        chosen = [
            Decimal(value.split(":", 1)[1])
            for value in self.cleaned_data.get("strengths") or []
            if value.split(":", 1)[0] == tapered
        ]
        return tuple(chosen) or None

    @property
    def choices(self) -> PlanChoices:
        """The validated inputs as the planning module takes them."""
        data = self.cleaned_data
        patient = self.patient
        return PlanChoices(
            regimen=tuple(
                engine.RegimenItem(
                    drug=item.drug.name, doses={engine.Slot(k): v for k, v in item.doses.items()}
                )
                for item in self.regimen_items
            ),
            method=self._method(),
            market=patient.clinic.market,
            start=data["start"],
            interval_days=self._interval_days(),
            switch_to=data.get("switch_to"),
            switch_stage_days=data["switch_stage_days"],
            table_key=data["table"],
            strengths=self._strengths(),
            split=data.get("split") or None,
            liquid=bool(data.get("liquid")),
            liquid_strength=data.get("liquid_strength"),
            liquid_step_ml=data.get("liquid_step_ml"),
            max_liquid_dose_ml=data.get("max_liquid_dose_ml"),
            last_dose_de_mg=data.get("last_dose_de_mg"),
            spread_cuts={"yes": True, "no": False}.get(data.get("spread_cuts") or ""),
            target_daily_mg=data.get("target_daily_mg") if data.get("end") == "target" else None,
            period_days=data["period_days"],
            patient=engine.PatientFactors(
                age=patient.age_on(data["start"]),
                hepatic_impairment=patient.hepatic_impairment,
                pregnant=patient.pregnant,
                cns_depressant_co_use=patient.cns_depressant_co_use,
                seizure_history=patient.seizure_history,
            ),
        )

    def posted_data(self) -> dict[str, Any]:
        """The builder's fields as posted (the tablet strengths a list), to be posted again."""
        return {
            name: self.data.getlist(name) if name == "strengths" else self.data.get(name)  # type: ignore[attr-defined]
            for name in self.fields
            if name in self.data
        }

    def data_for(self, choices: PlanChoices) -> dict[str, Any]:
        """The posted inputs with ``choices``' settings put in (an option chosen in the comparison,
        schedules.plans.options: its method and interval, switch, liquid, strengths and target), so
        that the builder plans exactly that option."""
        data = self.posted_data()
        data.update(_method_data(choices))
        data["switch_to"] = choices.switch_to or ""
        tapered = choices.switch_to or (self.regimen_drugs[0] if self.regimen_drugs else "")
        data.pop("liquid", None)
        if choices.liquid:
            data["liquid"] = "on"
        strength = choices.liquid_strength
        data["liquid_strength"] = f"{tapered}:{format_mg(strength)}" if strength is not None else ""
        kept = [value for value in data.get("strengths", []) if value.split(":", 1)[0] != tapered]
        data["strengths"] = kept + [f"{tapered}:{format_mg(s)}" for s in choices.strengths or ()]
        if choices.target_daily_mg is not None:
            data["end"], data["target_daily_mg"] = "target", format_mg(choices.target_daily_mg)
        return data

    @property
    def choices_data(self) -> dict[str, Any]:
        """The builder's inputs in form terms (JSON), to re-open the builder as they were."""
        data: dict[str, Any] = {}
        for name in self.fields:
            value = self[name].value()
            if isinstance(value, dt.date):
                value = value.isoformat()
            data[name] = value
        return data


def _method_data(choices: PlanChoices) -> dict[str, str]:
    """The builder's method fields for ``choices``: a preset where one matches, else the method."""
    for key, preset in engine.PRESETS.items():
        if preset.method == choices.method and preset.interval_days == (
            choices.interval_days or preset.interval_days
        ):
            return {"preset": key, "interval_days": ""}
    method = choices.method
    data = {"preset": CUSTOM, "method": method.name, "interval_days": str(choices.interval_days or "")}
    if isinstance(method, engine.PercentMethod):
        data["percent"] = format_mg(method.percent)
    elif isinstance(method, engine.LinearMethod):
        data["step_mg"] = format_mg(method.step_mg)
    elif isinstance(method, engine.BandsMethod):
        data["pace"] = method.pace
    return data


class DecisionForm(forms.Form):
    """The shared decision (issue 17): which option the prescriber and the patient chose, and why.

    ``record`` carries the options shown, signed (``signing``) so that what is saved with the plan
    is what the page showed."""

    SALT = "schedules.plans.decision"

    option = forms.CharField(label="Option chosen", required=False)
    decision_reason = forms.CharField(
        label="Why this option (the shared decision)",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="For example what the patient prefers and why. Kept with the plan and printed on the clinician's plan.",
        validators=[refuse_hidden_characters],
    )
    record = forms.CharField(required=False, widget=forms.HiddenInput)
    # The builder's inputs the prescriber kept to compare as an option of their own, signed.
    kept = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, keys: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys = list(keys)

    def clean_record(self) -> dict[str, Any] | None:
        token = self.cleaned_data.get("record") or ""
        if not token:
            return None
        try:
            record: dict[str, Any] = signing.loads(token, salt=self.SALT)
        except signing.BadSignature:
            raise forms.ValidationError(
                "The record of the options shown could not be read: compare the options again."
            ) from None
        return record

    def clean_kept(self) -> dict[str, Any] | None:
        token = self.cleaned_data.get("kept") or ""
        if not token:
            return None
        try:
            kept: dict[str, Any] = signing.loads(token, salt=self.SALT + ".kept")
        except signing.BadSignature:
            raise forms.ValidationError(
                "The settings kept as an option could not be read: keep them again."
            ) from None
        return kept

    @classmethod
    def sign_kept(cls, data: Mapping[str, Any]) -> str:
        return signing.dumps(dict(data), salt=cls.SALT + ".kept")

    def check_choice(self) -> bool:
        """For a choice: an option and the reason are required."""
        if self.cleaned_data.get("option") not in dict(self.keys):
            self.add_error("option", "Choose one of the options.")
        if not str(self.cleaned_data.get("decision_reason") or "").strip():
            self.add_error(
                "decision_reason", "Give the reason for this choice (what the patient prefers, and why)."
            )
        return not self.errors

    @classmethod
    def sign(cls, record: Mapping[str, Any]) -> str:
        return signing.dumps(dict(record), salt=cls.SALT)


class AcknowledgementForm(forms.Form):
    """One reason field per danger warning not yet acknowledged (``ack:<code>@<step>``)."""

    def __init__(
        self, *args: Any, dangers: Sequence[Mapping[str, Any]], required: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.dangers = list(dangers)
        for warning in self.dangers:
            where = f"step {warning['step']}" if warning["step"] is not None else "the whole plan"
            self.fields[f"ack:{warning['key']}"] = forms.CharField(
                label=f"Reason to go ahead despite this danger ({where})",
                required=required,
                max_length=500,
                error_messages={"required": "Give your reason to go ahead, or change the plan."},
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
                validators=[refuse_hidden_characters],
            )

    def rows(self) -> list[tuple[Mapping[str, Any], forms.BoundField]]:
        return [(warning, self[f"ack:{warning['key']}"]) for warning in self.dangers]

    @property
    def acknowledgements(self) -> dict[str, str]:
        return {name.removeprefix("ack:"): value for name, value in self.cleaned_data.items() if value}


class ReasonForm(forms.Form):
    """The reason every change carries (who and when are recorded by the action)."""

    reason = forms.CharField(
        label="Reason for this change",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Kept with the new version (who and when are recorded for you).",
        # A direction override or escape would make the reason read differently on the page or PDF.
        validators=[refuse_hidden_characters],
    )

    def clean_reason(self) -> str:
        return str(self.cleaned_data.get("reason") or "").strip()

    def require_reason(self) -> bool:
        """For the save itself: the reason becomes required."""
        if not self.cleaned_data.get("reason"):
            self.add_error("reason", "Give the reason for this change.")
            return False
        return True


class ChangeForm(ReasonForm):
    """A change to a saved plan: also the version the person saw (optimistic concurrency)."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class StepEditForm(ChangeForm):
    """A step's dose at each time of day, per drug, and its length."""

    days = forms.IntegerField(label="Days", min_value=1, max_value=MAX_STEP_DAYS)

    def __init__(self, *args: Any, step: Mapping[str, Any], drugs: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drugs = list(drugs)
        current = {(d["drug"], d["slot"]): d["mg"] for d in step["doses"]}
        self.fields["days"].initial = step["days"]
        for drug in self.drugs:
            for slot in SLOTS:
                mg = current.get((drug, slot.value))
                self.fields[f"{drug}:{slot.value}"] = DecimalText(
                    label=f"{drug.capitalize()} {slot.value} (mg)",
                    what="the dose",
                    minimum=Decimal(0),
                    maximum=Decimal(300),
                    required=False,
                    initial=format_mg(Decimal(str(mg))) if mg else "",
                )

    def dose_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(drug, [self[f"{drug}:{slot.value}"] for slot in SLOTS]) for drug in self.drugs]

    @property
    def doses(self) -> dict[str, dict[engine.Slot, Decimal]]:
        return {
            drug: {slot: mg for slot in SLOTS if (mg := self.cleaned_data.get(f"{drug}:{slot.value}"))}
            for drug in self.drugs
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(self.doses.values()) and not self.errors:
            raise forms.ValidationError(
                "Enter a dose at one time of day at least, or remove the step instead."
            )
        return cleaned


def step_choice_label(step: Mapping[str, Any]) -> str:
    """ "step 3 (5 Dec 2026 to 11 Dec 2026)": the dates as the plan page writes them."""

    def shown(iso: str) -> str:
        day = dt.date.fromisoformat(iso)
        return f"{day.day} {day:%b %Y}"

    return f"step {step['number']} ({shown(step['start_date'])} to {shown(step['end_date'])})"


class HoldForm(ChangeForm):
    after_step = forms.TypedChoiceField(label="Hold the dose of", coerce=int)
    days = forms.IntegerField(label="For how many days", min_value=1, max_value=MAX_STEP_DAYS, initial=14)

    def __init__(self, *args: Any, steps: Sequence[Mapping[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["after_step"].choices = [  # type: ignore[attr-defined]
            (0, "the starting regimen (before step 1)"),
            *((s["number"], step_choice_label(s)) for s in steps),
        ]


class ReplanStepForm(ChangeForm):
    step_number = forms.TypedChoiceField(label="Re-plan from step", coerce=int)

    def __init__(self, *args: Any, steps: Sequence[Mapping[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step_number"].choices = [  # type: ignore[attr-defined]
            (s["number"], step_choice_label(s)) for s in steps
        ]


class DateChangeForm(ChangeForm):
    """A pause or resume: its date lies in ``window`` (schedules.plans.dates), named when refused."""

    on = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, window: DateWindow, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.window = window
        self.fields["on"].help_text = f"{window.what} is dated {window.text}."

    def clean_on(self) -> dt.date:
        return checked_date(self.window, self.cleaned_data["on"])


def checked_date(window: DateWindow, day: dt.date) -> dt.date:
    """``day`` if it lies in ``window``; else the form error naming the window."""
    try:
        return window.check(day)
    except DateOutOfWindow as error:
        raise forms.ValidationError(str(error)) from None


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(
        label="Compare version",
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    b = forms.TypedChoiceField(
        label="with version", coerce=int, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )

    def __init__(self, *args: Any, numbers: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(n, f"version {n}") for n in numbers]
        self.fields["a"].choices = choices  # type: ignore[attr-defined]
        self.fields["b"].choices = choices  # type: ignore[attr-defined]


class OutcomesForm(forms.Form):
    """Which clinics and which dates the Outcomes page shows: by default all of the user's clinics
    and the quarter so far."""

    clinic = forms.TypedChoiceField(label="Clinic", coerce=int, required=False, empty_value=None)
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    measure = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    month = forms.DateField(required=False, input_formats=["%Y-%m"], widget=forms.HiddenInput)
    # One drug's or method's tapers, as "drug:<label>" or "method:<label>" (a row of those tables).
    group = forms.CharField(required=False, max_length=250, strip=False, widget=forms.HiddenInput)
    # One band of the daily doses or of a scale's scores (schedules.plans.outcomes.band_label).
    band = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    scale = forms.CharField(required=False, max_length=250, strip=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, clinics: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinics = list(clinics)
        self.today = today
        self.default_start, self.default_end = quarter_of(today)
        self.fields["start"].initial, self.fields["end"].initial = self.default_start, self.default_end
        clinic_field = self.fields["clinic"]
        measure_field = self.fields["measure"]
        assert isinstance(clinic_field, forms.ChoiceField) and isinstance(measure_field, forms.ChoiceField)
        clinic_field.choices = [("", "All my clinics"), *((c.pk, c.name) for c in self.clinics)]
        measure_field.choices = [("", ""), *MEASURES.items()]

    def clean_group(self) -> tuple[str, str] | None:
        value: str = self.cleaned_data["group"]
        if not value:
            return None
        grouping, _, label = value.partition(":")
        if grouping not in GROUPINGS or not label:
            raise forms.ValidationError("There is no such drug or method.")
        return grouping, label

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start") or self.default_start, data.get("end") or self.default_end
        if end < start:
            self.add_error("end", "The end of the range must not be before its start.")
        elif (end - start).days > 3 * 366:
            self.add_error("end", "Choose a range of at most three years.")
        if "band" in data and "scale" in data:
            try:
                data["band_label"] = band_label(data.get("measure") or "", data["band"], data["scale"])
            except ScopeError as error:
                self.add_error("band", str(error))
        return data

    def _value(self, name: str, default: Any) -> Any:
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return data.get(name) or default

    def scope(self) -> Scope:
        chosen = self._value("clinic", None)
        clinics = tuple(c for c in self.clinics if chosen is None or c.pk == chosen)
        return Scope(
            clinics=clinics,
            start=self._value("start", self.default_start),
            end=self._value("end", self.default_end),
            today=self.today,
        )

    def query(self) -> dict[str, str]:
        """The page's filters as query parameters, for the links to the plans behind a number."""
        scope = self.scope()
        query = {"start": scope.start.isoformat(), "end": scope.end.isoformat()}
        chosen = self._value("clinic", None)
        if chosen is not None:
            query["clinic"] = str(chosen)
        return query

    def quarter_links(self) -> list[tuple[str, dict[str, str]]]:
        """The last four quarters, as (label, query) for links."""
        links = []
        day = self.today
        chosen = self._value("clinic", None)
        for _ in range(4):
            start, end = quarter_of(day)
            query = {"start": start.isoformat(), "end": end.isoformat()}
            if chosen is not None:
                query["clinic"] = str(chosen)
            links.append((f"Q{(start.month - 1) // 3 + 1} {start.year}", query))
            day = start - dt.timedelta(days=1)
        return links

    def error_lines(self) -> list[str]:
        return [str(error) for errors in self.errors.values() for error in errors]
