"""Issue 14: the command line refuses what the web form refuses, with the same limits, and
--pdf refuses a name that does not end in .pdf (in-process: no subprocess per case)."""

from __future__ import annotations

import argparse
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from schedules.engine.limits import (
    MAX_LIQUID_STEP_ML,
    MAX_MAX_LIQUID_ML,
    MAX_STEP_MG,
    MAX_TARGET_MG,
    MIN_DOSE_MG,
    MIN_LIQUID_STEP_ML,
    MIN_MAX_LIQUID_ML,
)
from schedules.engine.schedule import MAX_LAST_DOSE_DE_MG, MIN_LAST_DOSE_DE_MG
from schedules.plans.forms import PlanBuilderForm
from schedules.plans.printing import pdf_file_arg

pytestmark = pytest.mark.django_db

DIAZEPAM = ("--drug", "diazepam", "--night", "20", "--market", "UK", "--liquid", "--start", "2027-01-04")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--liquid-step-ml",
            "0.0001",
            "the oral syringe graduation must be from 0.01 to 1 mL, not 0.0001 mL",
        ),
        ("--liquid-step-ml", "2", "the oral syringe graduation must be from 0.01 to 1 mL, not 2 mL"),
        ("--max-liquid-ml", "1e400", "the most liquid in one dose must be from 1 to 30 mL, not 1e+400 mL"),
        ("--max-liquid-ml", "0.5", "the most liquid in one dose must be from 1 to 30 mL"),
    ],
)
def test_the_command_line_refuses_liquid_measures_the_form_refuses(
    option: str, value: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message.replace("+", r"\+")):
        call_command("taper", *DIAZEPAM, option, value, stdout=StringIO())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--method", "linear", "--step-mg", "0.0001"],
            "the step must be from 0.001 to 100 mg, not 0.0001 mg",
        ),
        (["--target-mg", "0.0001"], "the target daily dose must be from 0.001 to 300 mg, not 0.0001 mg"),
        (
            ["--last-dose-mg", "0.01"],
            "must be at least 0.05 and at most 1 mg diazepam-equivalent, not 0.01 mg",
        ),
    ],
)
def test_the_command_line_refuses_doses_the_form_refuses(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command(
            "taper", "--drug", "diazepam", "--night", "20", "--market", "UK", *args, stdout=StringIO()
        )


def test_the_form_and_the_engine_share_the_dose_limits() -> None:
    fields = PlanBuilderForm.base_fields
    bounds = {
        name: (getattr(fields[name], "minimum"), getattr(fields[name], "maximum"))  # noqa: B009
        for name in ("step_mg", "target_daily_mg", "last_dose_de_mg")
    }
    assert bounds == {
        "step_mg": (MIN_DOSE_MG, MAX_STEP_MG),
        "target_daily_mg": (MIN_DOSE_MG, MAX_TARGET_MG),
        "last_dose_de_mg": (MIN_LAST_DOSE_DE_MG, MAX_LAST_DOSE_DE_MG),
    }


def test_the_form_and_the_engine_share_the_liquid_limits() -> None:
    fields = PlanBuilderForm.base_fields
    assert (fields["liquid_step_ml"].minimum, fields["liquid_step_ml"].maximum) == (  # type: ignore[attr-defined]
        MIN_LIQUID_STEP_ML,
        MAX_LIQUID_STEP_ML,
    )
    assert (fields["max_liquid_dose_ml"].minimum, fields["max_liquid_dose_ml"].maximum) == (  # type: ignore[attr-defined]
        MIN_MAX_LIQUID_ML,
        MAX_MAX_LIQUID_ML,
    )
    out = StringIO()
    call_command("taper", *DIAZEPAM, "--liquid-step-ml", "0.01", "--max-liquid-ml", "30", stdout=out)
    assert "Taper schedule" in out.getvalue()


def test_pdf_names_must_end_in_pdf(tmp_path: Path) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"does not end in \.pdf"):
        pdf_file_arg(str(tmp_path / "out.txt"))
    with pytest.raises(argparse.ArgumentTypeError, match=r"does not end in \.pdf"):
        pdf_file_arg(str(tmp_path / "plan"))
    assert pdf_file_arg(str(tmp_path / "plan.PDF")).name == "plan.PDF"
