"""The patient's options sheet (issue 17): the options compared in the builder, in plain words, on
one page to take home before deciding (how long, how the dose falls, what to expect), as tagged
PDF like the take-home schedule.

Pure: the options (``schedules.plans.options.compare``) and who it is for in, PDF bytes out; the
figures are the options' own, so the sheet says what the builder showed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string

from schedules import engine
from schedules.engine.types import format_mg
from schedules.plans.options import Option, overlay
from schedules.plans.printing.advice import (
    CHOOSING,
    EMERGENCY,
    EXPECTED_SYMPTOMS,
    IF_SEVERE,
    OPTIONS_ADVICE,
    source_numbers,
    sources_for,
)
from schedules.plans.printing.document import ClinicDetails, PaperSize, PatientIdentity
from schedules.plans.printing.render import html_to_pdf


@dataclass(frozen=True)
class OptionsSheet:
    """What the sheet prints: the options, for whom, from which clinic, when."""

    options: tuple[Option, ...]
    printed_at: dt.datetime
    paper: PaperSize = PaperSize.A4
    clinic: ClinicDetails | None = None
    patient: PatientIdentity | None = None
    prescriber: str = ""
    plan: None = None  # the print of no saved plan (the page furniture asks)


@dataclass(frozen=True)
class OptionWords:
    """One option in plain words."""

    letter: str
    style: str
    how_long: str
    how_it_falls: str
    what_you_take: str


LINE_STYLES = ("a solid line", "a dashed line", "a dotted line")  # as schedules.plans.charts draws them


def option_words(option: Option, index: int) -> OptionWords:
    summary = option.summary
    last_day = summary.end_date - dt.timedelta(days=1)
    if summary.ends_with_stop:
        how_long = f"About {summary.weeks} weeks. Last dose on {_day(last_day)}."
    else:
        how_long = f"About {summary.weeks} weeks. Then you stay on the new dose."
    return OptionWords(
        letter=option.letter,
        style=LINE_STYLES[index % len(LINE_STYLES)],
        how_long=how_long,
        how_it_falls=_how_it_falls(option),
        what_you_take=_what_you_take(option),
    )


def _how_it_falls(option: Option) -> str:
    schedule, choices = option.schedule, option.choices
    switch_days = sum(step.days for step in schedule.steps if step.phase == "switch")
    words = []
    if choices.switch_to and switch_days:
        words.append(f"First you change to {choices.switch_to} over {_span(switch_days)}.")
    every = _span(choices.interval_days or choices.method.default_interval_days, each=True)
    then = "Then every" if words else "Every"
    method = choices.method
    if isinstance(method, engine.PercentMethod):
        words.append(f"{then} {every} your dose drops by {format_mg(method.percent)} in 100 parts.")
    elif isinstance(method, engine.BandsMethod):
        words.append(f"{then} {every} your dose drops by a set amount, less near the end.")
    else:
        words.append(f"{then} {every} your dose drops by the same amount.")
    words.append(f"{option.summary.steps} changes.")
    return " ".join(words)


def _what_you_take(option: Option) -> str:
    summary = option.summary
    liquid = any(
        unit.volume_ml is not None for step in option.schedule.steps for d in step.doses for unit in d.units
    )
    kinds = len(summary.products)
    things = "tablets, parts or liquid doses" if liquid else "tablets or parts of tablets"
    words = f"Up to {summary.most_pieces_a_day} {things} a day, of {kinds} kind{'s' if kinds != 1 else ''}."
    if liquid:
        words += " A syringe measures the liquid."
    return words


def _span(days: int, *, each: bool = False) -> str:
    if days % 7 == 0:
        weeks = days // 7
        if weeks == 1:
            return "week" if each else "1 week"
        return f"{weeks} weeks"
    if days == 1:
        return "day" if each else "1 day"
    return f"{days} days"


def _day(day: dt.date) -> str:
    """A date as the take-home schedule writes it: the month in full ("19 December 2027")."""
    return f"{day.day} {day:%B %Y}"


def options_pdf(sheet: OptionsSheet) -> bytes:
    """The options sheet as tagged PDF bytes (PDF/UA-1), on one page."""
    context = {
        "plan": sheet,
        "sheet": sheet,
        "options": [option_words(option, index) for index, option in enumerate(sheet.options)],
        "overlay": overlay(sheet.options, compact=True),
        "advice": {
            "choosing": (CHOOSING, source_numbers(CHOOSING, OPTIONS_ADVICE)),
            "expected": (EXPECTED_SYMPTOMS, source_numbers(EXPECTED_SYMPTOMS, OPTIONS_ADVICE)),
            "if_severe": (IF_SEVERE, source_numbers(IF_SEVERE, OPTIONS_ADVICE)),
            "emergency": (EMERGENCY, source_numbers(EMERGENCY, OPTIONS_ADVICE)),
        },
        "advice_sources": sources_for(OPTIONS_ADVICE),
    }
    html = render_to_string("printing/options.html", context)
    return html_to_pdf(html, paper_css=f"@page {{ size: {sheet.paper.css_size}; }}", tagged=True)
