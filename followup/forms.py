"""Forms that validate and convert: a check-in (with the scale's items) and a decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Fieldset, Layout, Row
from django import forms

from schedules.models.text import refuse_hidden_characters, refuse_hidden_characters_in_notes
from schedules.plans.dates import DateWindow
from schedules.plans.forms import checked_date
from schedules.reference.forms import SeenHistoryMixin

from .inputs import CheckInInput, DecisionInput
from .models import CheckIn, FollowUpSettings, Scale
from .scale_form import ScaleResponsesMixin

DECISION_FIELDS = (
    "decision",
    "hold_days",
    "slow_interval_days",
    "slow_percent",
    "step_back_days",
    "refer_to",
    "decision_reason",
)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=CheckIn.Decision.choices, widget=forms.RadioSelect, initial=CheckIn.Decision.CONTINUE
    )
    hold_days = forms.IntegerField(
        label="Hold for (days)", min_value=1, max_value=365, required=False, help_text="e.g. 14"
    )
    slow_interval_days = forms.IntegerField(
        label="New interval between reductions (days)", min_value=1, max_value=365, required=False
    )
    slow_percent = forms.DecimalField(
        label="New reduction per step (%)",
        min_value=Decimal("0.5"),
        max_value=Decimal(50),
        decimal_places=2,
        required=False,
        help_text="Only for plans that reduce by a percentage of the current dose.",
    )
    step_back_days = forms.IntegerField(
        label="Days at the previous step's dose", min_value=1, max_value=365, required=False
    )
    refer_to = forms.CharField(
        label="Refer to", max_length=200, required=False, validators=[refuse_hidden_characters]
    )
    decision_reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[refuse_hidden_characters_in_notes],
        help_text="Required to stop the taper; added to the new plan version's reason otherwise.",
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = cleaned.get("decision")
        needed = {
            CheckIn.Decision.HOLD: ("hold_days", "Give the number of days to hold."),
            CheckIn.Decision.STEP_BACK: ("step_back_days", "Give the number of days at the previous dose."),
            CheckIn.Decision.STOP: ("decision_reason", "Give the reason for stopping the taper."),
            CheckIn.Decision.REFER: ("refer_to", "Say who the patient is referred to."),
        }
        if decision in needed:
            field, message = needed[decision]
            if not cleaned.get(field) and field not in self.errors:
                self.add_error(field, message)
        if (
            decision == CheckIn.Decision.SLOW_DOWN
            and cleaned.get("slow_interval_days") is None
            and cleaned.get("slow_percent") is None
            and "slow_interval_days" not in self.errors
            and "slow_percent" not in self.errors
        ):
            self.add_error("slow_interval_days", "Give a longer interval, a smaller reduction, or both.")
        return cleaned

    def decision_input(self) -> DecisionInput:
        data = self.cleaned_data
        return DecisionInput(
            decision=data["decision"],
            hold_days=data.get("hold_days"),
            slow_interval_days=data.get("slow_interval_days"),
            slow_percent=data.get("slow_percent"),
            step_back_days=data.get("step_back_days"),
            refer_to=data.get("refer_to") or "",
            reason=data.get("decision_reason") or "",
        )

    def decision_layout(self) -> Fieldset:
        return Fieldset(
            "Decision",
            Field("decision"),
            Row(
                Column("hold_days", css_class="col-md-4"),
                Column("step_back_days", css_class="col-md-4"),
            ),
            Row(
                Column("slow_interval_days", css_class="col-md-6"),
                Column("slow_percent", css_class="col-md-6"),
            ),
            "refer_to",
            "decision_reason",
            "lock_version",
        )


class ConfirmDecisionForm(DecisionForm):
    """A prescriber confirms, or changes then confirms, the decision clinic staff proposed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(self.decision_layout())


class CheckInForm(ScaleResponsesMixin, DecisionForm):
    date = forms.DateField(
        label="Date of the check-in", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    how = forms.ChoiceField(label="How", choices=CheckIn.How.choices, widget=forms.RadioSelect)
    missed_doses = forms.BooleanField(label="Missed doses", required=False)
    extra_doses = forms.BooleanField(label="Took extra doses", required=False)
    other_times = forms.BooleanField(label="Took doses at other times", required=False)
    journal_days_missed = forms.IntegerField(
        label="Days with a missed dose", min_value=0, max_value=366, required=False
    )
    journal_symptom_days = forms.IntegerField(
        label="Days with symptoms ticked", min_value=0, max_value=366, required=False
    )
    sleep = forms.ChoiceField(choices=CheckIn.Sleep.choices, widget=forms.RadioSelect)
    cravings = forms.BooleanField(label="Cravings", required=False)
    alcohol = forms.BooleanField(label="Alcohol", required=False)
    opioids = forms.BooleanField(label="Opioids", required=False)
    other_sedatives = forms.BooleanField(label="Other sedatives", required=False)
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_hidden_characters_in_notes],
    )
    review_done = forms.BooleanField(
        label="Risk and benefit review done at this check-in",
        required=False,
        help_text="JCPG 2025 Recommendation 1: at least every 3 months.",
    )

    def __init__(self, *args: Any, scale: Scale, window: DateWindow, may_decide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scale = scale
        self.window = window
        self.fields["date"].initial = window.latest
        self.fields["date"].help_text = f"{window.what} is dated {window.text}."
        item_names = self.add_scale_fields(scale.spec())
        if not may_decide:
            del self.fields["review_done"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Contact", Row(Column("date", css_class="col-md-4"), Column("how", css_class="col-md-8"))
            ),
            Fieldset(
                f"Symptoms: {scale.name}",
                HTML('{% include "followup/scale_source.html" with scale=scale %}'),
                *(InlineRadios(name) for name in item_names),
                css_class="scale-items",
            ),
            Fieldset(
                "Doses since the last check-in",
                Row(
                    Column("missed_doses", css_class="col-md-4"),
                    Column("extra_doses", css_class="col-md-4"),
                    Column("other_times", css_class="col-md-4"),
                ),
                HTML(
                    '<p class="small text-body-secondary mb-1">From the dose journal, if the patient kept one:</p>'
                ),
                Row(
                    Column("journal_days_missed", css_class="col-md-6"),
                    Column("journal_symptom_days", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                "Sleep, cravings and other substances",
                InlineRadios("sleep"),
                Row(
                    Column("cravings", css_class="col-md-3"),
                    Column("alcohol", css_class="col-md-3"),
                    Column("opioids", css_class="col-md-3"),
                    Column("other_sedatives", css_class="col-md-3"),
                ),
                "note",
                *(["review_done"] if may_decide else []),
            ),
            self.decision_layout(),
        )

    def clean_date(self) -> dt.date:
        """A contact that happened, during the plan (schedules.plans.dates.checkin_window)."""
        return checked_date(self.window, self.cleaned_data["date"])

    def checkin_input(self) -> CheckInInput:
        data = self.cleaned_data
        return CheckInInput(
            date=data["date"],
            how=data["how"],
            scale=self.scale,
            responses=data["responses"],
            total_score=data["total_score"],
            sleep=data["sleep"],
            decision=self.decision_input(),
            missed_doses=data["missed_doses"],
            extra_doses=data["extra_doses"],
            other_times=data["other_times"],
            journal_days_missed=data.get("journal_days_missed"),
            journal_symptom_days=data.get("journal_symptom_days"),
            cravings=data["cravings"],
            alcohol=data["alcohol"],
            opioids=data["opioids"],
            other_sedatives=data["other_sedatives"],
            note=data.get("note") or "",
            review_done=data.get("review_done", False),
        )


class FollowUpSettingsForm(SeenHistoryMixin, forms.ModelForm):
    # At most 13 weeks between check-ins: JCPG 2025 Recommendation 1 asks for the risk-and-benefit
    # review at least every 3 months (followup/guidance.py REVIEW), so a longer cadence (or a
    # mistyped 130) would let the review fall due with no check-in to hold it.
    every_weeks = forms.IntegerField(label="N (weeks)", min_value=1, max_value=13, required=False)

    class Meta:
        model = FollowUpSettings
        fields = ["cadence", "every_weeks"]
        widgets = {"cadence": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Two prescribers setting one plan's cadence: the second is refused, naming the first.
        self.guard(self.instance)
        self.fields["every_weeks"].label = "N (weeks)"
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("cadence") == "every_weeks" and not cleaned.get("every_weeks"):
            self.add_error("every_weeks", "Give N, the weeks between check-ins.")
        if cleaned.get("cadence") != "every_weeks":
            cleaned["every_weeks"] = None
        self.refuse_lost_update(cleaned)
        return cleaned
