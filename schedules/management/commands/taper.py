"""Plan a taper from the command line with the project's reference data.

    python manage.py taper --drug lorazepam --morning 1 --night 2 --method percent --percent 10

Bad input stops with one line on stderr (exit status 1) and no traceback.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from schedules import engine
from schedules.models import CLINIC_MARKETS, OLDEST_PLAUSIBLE_AGE_YEARS
from schedules.plans import options as plan_options
from schedules.plans.planning import (
    PlanChoices,
    compare_tables,
    drug_by_name,
    planned,
)
from schedules.plans.printing import pdf_file_arg, write_command_line_pdfs

SLOTS = ("morning", "midday", "evening", "night")
# Each method's own parameter; giving one to another method is a mistake worth saying.
METHOD_OPTIONS = {"percent": "percent", "linear": "step_mg", "bands": "pace"}
# The patient facts that change a plan's warnings (engine.PatientFactors).
PATIENT_FLAGS = {
    "hepatic_impairment": "the patient has hepatic impairment",
    "pregnant": "the patient is pregnant",
    "opioid_co_use": "the patient also takes opioids",
    "cns_depressant_co_use": "the patient also takes other CNS depressants",
    "seizure_history": "the patient has a history of seizures or withdrawal seizures",
}


def decimal_arg(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number")
    return value


def strengths_arg(text: str) -> list[Decimal]:
    parts = [part.strip() for part in text.split(",")]
    if not all(parts):
        raise argparse.ArgumentTypeError(f"{text!r} has an empty strength; give e.g. 2,5,10")
    return [decimal_arg(part) for part in parts]


def age_arg(text: str) -> int:
    try:
        age = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of years") from None
    if not 0 <= age <= OLDEST_PLAUSIBLE_AGE_YEARS:
        raise argparse.ArgumentTypeError(f"{age} is not an age in years (0-{OLDEST_PLAUSIBLE_AGE_YEARS})")
    return age


def date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


class Once(argparse.Action):
    """Store an option's value, refusing the option when it is given twice (the second value
    would silently win)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if getattr(namespace, f"_given_{self.dest}", False):
            parser.error(f"{option_string} is given twice; give it once")
        setattr(namespace, f"_given_{self.dest}", True)
        setattr(namespace, self.dest, values)


class Command(BaseCommand):
    help = "Plan a benzodiazepine taper and print it as a table (for people) or JSON (a stable contract)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def one_line_error(message: str) -> None:  # argparse would print the whole usage first
            parser.exit(2, f"{prog_name} {subcommand}: {message} (see --help)\n")

        parser.error = one_line_error  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        def option(*names: str, **kwargs: Any) -> None:
            parser.add_argument(*names, action=Once, **kwargs)

        option("--drug", required=True, help="generic name, e.g. lorazepam")
        for slot in SLOTS:
            option(f"--{slot}", type=decimal_arg, metavar="MG", help=f"mg taken at {slot}")
        option("--preset", choices=list(engine.PRESETS), help="a named guideline preset: method and interval")
        option("--method", choices=list(METHOD_OPTIONS), help="percent (default), linear or bands")
        option(
            "--percent",
            type=decimal_arg,
            metavar="P",
            help="percent method: P%% of the current dose per step (1-50; default 10)",
        )
        option("--step-mg", type=decimal_arg, metavar="MG", help="linear method: mg per step")
        option("--pace", choices=["slow", "fast"], help="bands method pace (default slow)")
        option(
            "--interval-days",
            type=int,
            metavar="N",
            help=f"days between reductions (1-{engine.MAX_INTERVAL_DAYS})",
        )
        option("--switch-to", choices=["diazepam", "clonazepam"], help="switch to a longer-acting drug first")
        option(
            "--switch-stage-days",
            type=int,
            metavar="N",
            help=f"days per switch stage (default 7, at most {engine.MAX_SWITCH_STAGE_DAYS})",
        )
        option("--table", metavar="KEY", help="equivalence table key (default: the default table)")
        option(
            "--strengths",
            type=strengths_arg,
            metavar="2,5,10",
            help="tablet strengths for the drug being tapered (the switch target when switching)",
        )
        option(
            "--split",
            choices=["whole", "half", "quarter"],
            help="how tablets may be divided (default: as each product allows)",
        )
        parser.add_argument("--liquid", action="store_true", help="allow the drug's oral liquids")
        option(
            "--cuts",
            choices=["spread", "one-time-of-day"],
            help=(
                "spread: cut the largest dose of the day first; one-time-of-day: empty the earliest "
                "dose first (default: spread for a short-acting drug tapered without a switch)"
            ),
        )
        option(
            "--liquid-strength",
            type=decimal_arg,
            metavar="MG_PER_ML",
            help="with --liquid: the one liquid strength to use (default: chosen to fit the tablets)",
        )
        option(
            "--liquid-step-ml",
            type=decimal_arg,
            metavar="ML",
            help="the oral syringe's graduation (default: TAPER_LIQUID_STEP_ML, 0.1 mL)",
        )
        option(
            "--max-liquid-ml",
            type=decimal_arg,
            metavar="ML",
            help="the most liquid in one dose (default: TAPER_MAX_LIQUID_DOSE_ML, 10 mL)",
        )
        option(
            "--market",
            type=str.upper,
            choices=[value for value, _ in CLINIC_MARKETS],
            help="the market whose products the plan uses (default: the TAPER_DEFAULT_MARKET setting)",
        )
        option(
            "--target-mg",
            type=decimal_arg,
            metavar="MG",
            help=(
                "end at this daily dose instead of stopping: mg of the drug tapered (the --switch-to "
                "drug after a switch); the output names the drug"
            ),
        )
        option(
            "--last-dose-mg",
            type=decimal_arg,
            metavar="MG",
            help=(
                "the last daily dose before stopping, mg diazepam-equivalent (default 0.5, the "
                "CKS/Ashton final step; lower only if you mean to, up to 1)"
            ),
        )
        option(
            "--start", type=date_arg, default=None, metavar="YYYY-MM-DD", help="first day (default: today)"
        )
        option("--age", type=age_arg, metavar="N", help="the patient's age in years")
        for flag, what in PATIENT_FLAGS.items():
            parser.add_argument(f"--{flag.replace('_', '-')}", action="store_true", help=what)
        option(
            "--period-days",
            type=int,
            default=28,
            metavar="N",
            help=f"days per prescription (default 28, at most {engine.MAX_PERIOD_DAYS})",
        )
        parser.add_argument(
            "--compare",
            action="store_true",
            help="compare the plan with up to two alternatives, as the builder's Compare options does",
        )
        option("--format", choices=["table", "json"], default="table")
        option("--pdf", type=pdf_file_arg, metavar="FILE", help="also write the clinician's plan as a PDF")
        option(
            "--patient-pdf",
            type=pdf_file_arg,
            metavar="FILE",
            help="also write the patient's schedule as a PDF",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["compare"]:
            self.compare(options)
            return
        try:
            schedule = planned(self.choices(options))
        except engine.EngineError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(engine.schedule_to_dict(schedule), indent=2))
        else:
            comparison = compare_tables(schedule.request.regimen, used=schedule.table.key)
            self.stdout.write(engine.render_table(schedule))
            self.stdout.write("\n".join(engine.render_comparison(comparison)))
        write_command_line_pdfs(
            schedule,
            clinician=options["pdf"],
            patient=options["patient_pdf"],
            printed_at=timezone.localtime(),
        )

    def compare(self, options: dict[str, Any]) -> None:
        """``--compare``: the options (schedules.plans.options, as in the builder) as a table or
        JSON (``options``: each option's letter, key, label, settings and figures)."""
        for name in ("pdf", "patient_pdf"):
            if options[name] is not None:
                raise CommandError(f"--{name.replace('_', '-')} prints one plan: leave out --compare")
        try:
            compared = plan_options.compare(self.choices(options))
        except engine.EngineError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps({"options": [option.as_dict() for option in compared]}, indent=2))
        else:
            self.stdout.write(plan_options.render_comparison(compared), ending="")

    def choices(self, options: dict[str, Any]) -> PlanChoices:
        check_method_options(options)
        doses = {engine.Slot(slot): options[slot] for slot in SLOTS if options[slot] is not None}
        if not doses:
            raise CommandError(
                "give the dose at one time of day at least: --morning, --midday, --evening or --night"
            )
        for slot, mg in doses.items():
            if mg <= 0:
                raise CommandError(f"the {slot.value} dose must be above 0 mg, not {mg}")
        for name in ("liquid_strength", "liquid_step_ml", "max_liquid_ml"):
            if options[name] is not None and not options["liquid"]:
                raise CommandError(f"--{name.replace('_', '-')} applies only with --liquid")
        if options["last_dose_mg"] is not None and options["target_mg"] is not None:
            raise CommandError("--last-dose-mg applies to a taper that stops: leave out --target-mg")
        if options["switch_stage_days"] is not None and not options["switch_to"]:
            raise CommandError("--switch-stage-days applies only with --switch-to")
        drug = drug_by_name(options["drug"])
        if options["switch_to"] and options["switch_to"] == drug.name:
            raise CommandError(f"the patient already takes {drug.name}: leave out --switch-to")
        return PlanChoices(
            regimen=(engine.RegimenItem(drug=drug.name, doses=doses),),
            method=self.method(options),
            market=options["market"],
            start=options["start"] or date.today(),
            interval_days=self.interval_days(options),
            switch_to=options["switch_to"],
            **self.given(options, switch_stage_days="switch_stage_days"),
            table_key=options["table"],
            strengths=tuple(options["strengths"]) if options["strengths"] is not None else None,
            split=options["split"],
            liquid=options["liquid"],
            target_daily_mg=options["target_mg"],
            period_days=options["period_days"],
            liquid_strength=options["liquid_strength"],
            liquid_step_ml=options["liquid_step_ml"],
            max_liquid_dose_ml=options["max_liquid_ml"],
            last_dose_de_mg=options["last_dose_mg"],
            spread_cuts=None if options["cuts"] is None else options["cuts"] == "spread",
            patient=engine.PatientFactors(
                age=options["age"], **{flag: options[flag] for flag in PATIENT_FLAGS}
            ),
        )

    def given(self, options: dict[str, Any], **names: str) -> dict[str, Any]:
        """The options given on the command line, so that one left out takes the planner's default
        (an option given as 0 is kept, and refused by the engine)."""
        return {field: options[option] for field, option in names.items() if options[option] is not None}

    def interval_days(self, options: dict[str, Any]) -> int | None:
        if options["interval_days"] is None and options["preset"]:
            return engine.PRESETS[options["preset"]].interval_days
        return options["interval_days"]

    def method(self, options: dict[str, Any]) -> engine.Method:
        if options["preset"]:
            return engine.PRESETS[options["preset"]].method
        name = options["method"] or "percent"
        if name == "percent":
            return engine.PercentMethod(
                percent=options["percent"] if options["percent"] is not None else Decimal(10)
            )
        if name == "linear":
            if options["step_mg"] is None:
                raise CommandError("the linear method needs --step-mg MG")
            return engine.LinearMethod(step_mg=options["step_mg"])
        return engine.BandsMethod(pace=options["pace"] or "slow")


def check_method_options(options: dict[str, Any]) -> None:
    """Refuse options that would be silently ignored: a preset with method options, or one
    method's parameter given to another."""
    given = [name for name in METHOD_OPTIONS.values() if options[name] is not None]
    if options["preset"]:
        if options["method"] or given:
            raise CommandError(
                "--preset sets the method: leave out --method, --percent, --step-mg and --pace"
            )
        return
    method = options["method"] or "percent"
    for name in given:
        if name != METHOD_OPTIONS[method]:
            raise CommandError(f"--{name.replace('_', '-')} does not apply to the {method} method")
