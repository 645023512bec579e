"""`manage.py taper`: the project's reference data through the engine, as a table or the JSON contract."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import ManagementUtility
from django.db import connections

from .conftest import migrated_database_file

ROOT = Path(__file__).resolve().parent.parent


def taper(*args: str, database: str) -> subprocess.CompletedProcess[str]:
    """Run the command as manage.py does (its argument parsing, its one-line errors on stderr and its
    exit code), in this process against the test database: a process per call cost the suite two
    minutes. `test_a_real_process_*` below runs it as a separate process too."""
    start = [] if "--start" in args else ["--start", "2027-01-04"]
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    # run_from_argv closes every connection when it ends, which would end the test's transaction.
    with (
        mock.patch.object(connections, "close_all"),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        try:
            ManagementUtility(["manage.py", "taper", *start, *args]).execute()
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
    return subprocess.CompletedProcess(["taper", *start, *args], code, stdout.getvalue(), stderr.getvalue())


@pytest.fixture
def database(db: None) -> str:
    """The test database, migrated with the reference data."""
    return "the test database"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> str:
    """A migrated database of its own, for the command run as a separate process: a copy of the
    test database as the migrations left it, or where there is none, one migrated here."""
    path = tmp_path_factory.mktemp("taper") / "cli.sqlite3"
    url = f"sqlite:///{path}"
    if not migrated_database_file(path):
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
        )
    return url


def run_process(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the command as a person would: a process of its own, its environment read at start-up."""
    return subprocess.run(
        [sys.executable, "manage.py", "taper", "--start", "2027-01-04", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db  # the migrated test database is what the process gets a copy of
def test_a_real_process_prints_the_plan_and_exits_0(database_url: str) -> None:
    result = run_process("--drug", "lorazepam", "--night", "2", "--market", "UK", database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "with products of the UK market" in result.stdout.splitlines()[0]


@pytest.mark.django_db  # the migrated test database is what the process gets a copy of
def test_a_real_process_refuses_bad_input_with_one_line_and_no_traceback(database_url: str) -> None:
    result = run_process("--drug", "nosuchdrug", "--night", "1", database_url=database_url)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def plan_json(*args: str, database: str) -> dict:
    result = taper(*args, "--format", "json", database=database)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_follows_the_contract(database: str) -> None:
    plan = plan_json(
        "--drug", "lorazepam", "--morning", "1", "--night", "1", "--market", "US", database=database
    )
    assert set(plan) == {
        "table",
        "market",
        "target",
        "start_date",
        "end_date",
        "total_days",
        "steps",
        "warnings",
        "dispensing",
    }
    assert plan["market"] == "US" and plan["target"] is None
    assert plan["table"]["key"] == "ashton"
    assert plan["start_date"] == "2027-01-04"
    step = plan["steps"][0]
    assert set(step) >= {
        "number",
        "start_date",
        "end_date",
        "days",
        "hold",
        "doses",
        "daily_mg",
        "diazepam_equivalent_mg",
        "change_percent",
    }
    dose = step["doses"][0]
    assert set(dose) >= {"drug", "slot", "mg", "units"}
    assert set(dose["units"][0]) >= {"form", "strength_mg", "count"}
    for warning in plan["warnings"]:
        assert set(warning) >= {"code", "severity", "step", "message", "source"}
        assert warning["source"]
    item = plan["dispensing"][0]["items"][0]
    assert set(item) >= {"drug", "form", "strength_mg", "quantity"}


def test_dates_are_contiguous_and_end_date_is_the_first_day_with_nothing(database: str) -> None:
    plan = plan_json(
        "--drug", "diazepam", "--night", "10", "--method", "bands", "--pace", "fast", database=database
    )
    day = date.fromisoformat(plan["start_date"])
    for step in plan["steps"]:
        assert date.fromisoformat(step["start_date"]) == day
        end = date.fromisoformat(step["end_date"])
        assert (end - day).days + 1 == step["days"]
        day = end + timedelta(days=1)
    assert date.fromisoformat(plan["end_date"]) == day
    assert plan["total_days"] == (day - date.fromisoformat(plan["start_date"])).days
    assert all(step["diazepam_equivalent_mg"] > 0 for step in plan["steps"])


def test_the_table_decides_the_diazepam_equivalent(database: str) -> None:
    ashton = plan_json("--drug", "clonazepam", "--night", "1", "--market", "US", database=database)
    va_dod = plan_json(
        "--drug", "clonazepam", "--night", "1", "--market", "US", "--table", "va-dod", database=database
    )
    # The regimen before the first step: clonazepam 1 mg/day is 20 mg under Ashton, 10 mg under VA/DoD.
    first_ashton, first_va = ashton["steps"][0], va_dod["steps"][0]
    assert first_ashton["diazepam_equivalent_mg"] / (
        1 + first_ashton["change_percent"] / 100
    ) == pytest.approx(20, abs=0.01)
    assert first_va["diazepam_equivalent_mg"] / (1 + first_va["change_percent"] / 100) == pytest.approx(
        10, abs=0.01
    )
    assert va_dod["table"]["key"] == "va-dod"
    assert "may_treat_epilepsy" in {w["code"] for w in ashton["warnings"]}


def test_a_switch_uses_only_the_strengths_given_for_the_target(database: str) -> None:
    plan = plan_json(
        "--drug",
        "lorazepam",
        "--morning",
        "1",
        "--night",
        "1",
        "--switch-to",
        "diazepam",
        "--strengths",
        "2",
        "--split",
        "half",
        "--market",
        "UK",
        database=database,
    )
    diazepam_units = [
        unit
        for step in plan["steps"]
        for dose in step["doses"]
        if dose["drug"] == "diazepam"
        for unit in dose["units"]
    ]
    assert diazepam_units
    assert {unit["strength_mg"] for unit in diazepam_units} == {2.0}
    assert plan["steps"][-1]["doses"][0]["drug"] == "diazepam"


def test_the_table_format_is_for_people(database: str) -> None:
    result = taper("--drug", "lorazepam", "--night", "2", "--market", "UK", database=database)
    assert result.returncode == 0
    assert "Ashton" in result.stdout and "lorazepam" in result.stdout and "2027-01-04" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--drug", "lorazepan", "--night", "1"], "unknown drug 'lorazepan'; known: alprazolam"),
        (["--drug", "lorazepam", "--night", "0"], "above 0 mg"),
        (["--drug", "lorazepam", "--night", "-1"], "above 0 mg"),
        (["--drug", "lorazepam"], "at one time of day"),
        (["--drug", "lorazepam", "--night", "40"], "300 mg"),
        (["--drug", "lorazepam", "--night", "1", "--percent", "60"], "between 1 and 50"),
        (["--drug", "lorazepam", "--night", "1", "--percent", "0.5"], "between 1 and 50"),
        (["--drug", "lorazepam", "--night", "1", "--interval-days", "0"], "at least 1 day"),
        (["--drug", "lorazepam", "--night", "1", "--strengths", "3"], "does not come in 3 mg"),
        (["--drug", "lorazepam", "--night", "1", "--table", "nope"], "unknown equivalence table"),
        (["--drug", "lorazepam", "--night", "abc"], "'abc' is not a number"),
        (["--drug", "lorazepam", "--night", "1", "--start", "2027-13-01"], "not a date"),
        (["--drug", "lorazepam", "--night", "1", "--method", "linear"], "--step-mg"),
        (["--drug", "lorazepam", "--night", "1", "--period-days", "0"], "at least 1 day"),
        (
            ["--drug", "lorazepam", "--night", "1", "--preset", "jcpg-slow", "--method", "linear"],
            "--preset sets the method",
        ),
        (
            ["--drug", "lorazepam", "--night", "1", "--pace", "fast"],
            "--pace does not apply to the percent method",
        ),
        (
            ["--drug", "lorazepam", "--night", "1", "--method", "bands", "--percent", "5"],
            "--percent does not apply",
        ),
        (["--drug", "diazepam", "--night", "5", "--switch-to", "diazepam"], "already takes diazepam"),
        (
            ["--drug", "lorazepam", "--night", "1", "--liquid", "--market", "uk"],
            "no oral liquid of lorazepam in the UK",
        ),
        (["--drug", "lorazepam", "--night", "1", "--age", "-3"], "not an age in years"),
        (["--drug", "lorazepam", "--night", "1", "--strengths", "1,,2"], "empty strength"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_and_no_traceback(
    database: str, args: list[str], message: str
) -> None:
    result = taper(*args, database=database)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_split_never_divides_a_tablet_further_than_the_product_allows(database: str) -> None:
    # US clonazepam 2 mg tablets are unscored (whole only): asking for quarters changes nothing.
    plan = plan_json(
        "--drug",
        "clonazepam",
        "--night",
        "2",
        "--market",
        "US",
        "--strengths",
        "2",
        "--split",
        "quarter",
        database=database,
    )
    counts = {unit["count"] for step in plan["steps"] for dose in step["doses"] for unit in dose["units"]}
    assert counts <= {1.0, 2.0, 3.0}


def test_switch_stages_are_marked_in_both_formats(database: str) -> None:
    args = ("--drug", "lorazepam", "--night", "1", "--switch-to", "diazepam", "--market", "UK")
    plan = plan_json(*args, database=database)
    assert plan["steps"][0]["phase"] == "switch"
    assert plan["steps"][-1]["phase"] == "taper"
    assert "1 (switch)" in taper(*args, database=database).stdout


def test_patient_flags_reach_the_warnings(database: str) -> None:
    plan = plan_json(
        "--drug",
        "clonazepam",
        "--night",
        "1",
        "--market",
        "US",
        "--switch-to",
        "diazepam",
        "--age",
        "70",
        "--hepatic-impairment",
        "--pregnant",
        "--opioid-co-use",
        "--cns-depressant-co-use",
        "--seizure-history",
        database=database,
    )
    codes = {warning["code"]: warning for warning in plan["warnings"]}
    assert {
        "older_adult_long_acting",
        "hepatic_long_acting_metabolite",
        "pregnancy",
        "cns_depressant_co_use",
        "may_treat_epilepsy",
    } <= set(codes)
    assert codes["may_treat_epilepsy"]["severity"] == "danger"  # with a seizure history
    assert "opioids and other CNS depressants" in codes["cns_depressant_co_use"]["message"]


def test_the_prescription_period_is_configurable(database: str) -> None:
    plan = plan_json(
        "--drug", "diazepam", "--night", "5", "--market", "UK", "--period-days", "14", database=database
    )
    first = plan["dispensing"][0]
    assert (first["period_start"], first["period_end"]) == ("2027-01-04", "2027-01-17")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--morning", "1e309"], "above the plausible 300 mg"),
        (["--morning", "1", "--interval-days", "99999999999"], "at most 84 days"),
        (["--morning", "1", "--interval-days", "99999"], "at most 84 days"),
        (["--morning", "1", "--period-days", "99999999999"], "at most 90 days"),
        (["--morning", "1", "--switch-to", "diazepam", "--switch-stage-days", "999999999"], "at most 28"),
        (["--morning", "1", "--switch-to", "diazepam", "--switch-stage-days", "0"], "at least 1 day, not 0"),
        (["--morning", "1", "--start", "9999-12-31"], "start date 9999-12-31 must lie between"),
        (["--morning", "1", "--start", "0001-01-01"], "start date 0001-01-01 must lie between"),
        (["--morning", "1", "--split", "half", "--split", "whole"], "--split is given twice"),
        (["--morning", "1", "--market", "UK", "--market", "US"], "--market is given twice"),
        (["--morning", "1", "--switch-stage-days", "3"], "--switch-stage-days applies only with --switch-to"),
        (["--morning", "1", "--method", "linear", "--step-mg", "1000"], "not smaller than the whole daily"),
    ],
)
def test_out_of_range_input_exits_with_one_line(database: str, args: list[str], message: str) -> None:
    result = taper("--drug", "lorazepam", "--market", "UK", *args, database=database)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]


def test_without_market_the_default_market_is_used_and_named(database: str, database_url: str) -> None:
    # Lorazepam 1 mg + 2.5 mg: mixed a US/Canada-only 0.5 mg and a UK-only 2.5 mg tablet before.
    args = ("--drug", "lorazepam", "--morning", "1", "--night", "2.5")
    plan = plan_json(*args, database=database)
    assert plan["market"] == "UK"  # TAPER_DEFAULT_MARKET's default
    strengths = {unit["strength_mg"] for step in plan["steps"] for d in step["doses"] for unit in d["units"]}
    assert 0.5 not in strengths  # the US/Canada-only lorazepam 0.5 mg tablet
    table = taper(*args, database=database)
    assert "with products of the UK market" in table.stdout.splitlines()[0]
    result = run_process(*args, "--format", "json", database_url=database_url, TAPER_DEFAULT_MARKET="US")
    assert result.returncode == 0, result.stderr
    us = json.loads(result.stdout)
    assert us["market"] == "US"
    us_strengths = {unit["strength_mg"] for step in us["steps"] for d in step["doses"] for unit in d["units"]}
    assert 2.5 not in us_strengths  # the UK-only lorazepam 2.5 mg tablet


def test_a_target_after_a_switch_names_its_drug(database: str) -> None:
    args = ("--drug", "lorazepam", "--morning", "1", "--night", "1", "--switch-to", "diazepam")
    plan = plan_json(*args, "--target-mg", "1", database=database)
    assert plan["target"] == {
        "daily_mg": 1.0,
        "drug": "diazepam",
        "unit": "mg",
        "diazepam_equivalent_mg": 1.0,
        "text": "diazepam 1 mg a day",
    }
    assert plan["steps"][-1]["daily_mg"] == {"diazepam": 1.0}
    table = taper(*args, "--target-mg", "1", database=database).stdout
    assert "target dose (diazepam 1 mg a day) continues from" in table
    refused = taper(*args, "--target-mg", "30", database=database)
    assert "not diazepam 30 mg" in refused.stderr


def liquid_units(plan: dict) -> list[dict]:
    return [u for step in plan["steps"] for d in step["doses"] for u in d["units"] if "volume_ml" in u]


def test_one_liquid_strength_per_plan_and_in_every_period(database: str) -> None:
    # Issue 8: 2 mg/5 mL, then 5 mg/5 mL, then back, and both dispensed in one period.
    plan = plan_json(
        "--drug", "diazepam", "--night", "5", "--preset", "jcpg-slow", "--liquid", "--market", "UK",
        database=database,
    )  # fmt: skip
    assert {u["strength_mg"] for u in liquid_units(plan)} == {1.0}
    for period in plan["dispensing"]:
        assert len([item for item in period["items"] if "volume_ml" in item]) <= 1
    chosen = plan_json(
        "--drug", "diazepam", "--night", "5", "--preset", "jcpg-slow", "--liquid", "--market", "UK",
        "--liquid-strength", "0.4", database=database,
    )  # fmt: skip
    assert {u["strength_mg"] for u in liquid_units(chosen)} == {0.4}
    refused = taper("--drug", "diazepam", "--night", "5", "--liquid-strength", "0.4", database=database)
    assert "--liquid-strength applies only with --liquid" in refused.stderr
    missing = taper(
        "--drug", "diazepam", "--night", "5", "--liquid", "--liquid-strength", "3", database=database
    )  # fmt: skip
    assert "no 3 mg/mL liquid in the UK market; available: 0.4, 1 mg/mL" in missing.stderr


def test_a_large_dose_is_tablets_topped_up_and_never_over_the_volume_limit(database: str) -> None:
    # Issue 8: a 16.2 mg dose was 40.5 mL of the most dilute liquid.
    args = ("--drug", "diazepam", "--morning", "20", "--night", "20", "--percent", "10", "--liquid")
    plan = plan_json(*args, "--market", "UK", database=database)
    assert max(u["volume_ml"] for u in liquid_units(plan)) <= 10
    dose = next(d for step in plan["steps"] for d in step["doses"] if d["mg"] == 16.2)
    assert [u.get("count") for u in dose["units"]][:-1] and dose["units"][-1]["volume_ml"] <= 1
    small = plan_json(
        *args, "--market", "UK", "--max-liquid-ml", "2", "--liquid-step-ml", "0.5", database=database
    )
    assert max(u["volume_ml"] for u in liquid_units(small)) <= 2
    assert all((u["volume_ml"] * 2) % 1 == 0 for u in liquid_units(small))


def test_no_endless_taper_and_a_long_plan_is_a_warning(database: str) -> None:
    # Issue 8: diazepam 5 mg jcpg-slow with liquid ran 5 years and ended at 0.04 mg.
    plan = plan_json(
        "--drug", "diazepam", "--night", "5", "--preset", "jcpg-slow", "--liquid", database=database
    )  # fmt: skip
    assert plan["steps"][-1]["diazepam_equivalent_mg"] >= 0.5
    assert "stop_from_last_dose" in {w["code"] for w in plan["warnings"]}
    # Issue 8: 3,640 days with no warning.
    long = plan_json(
        "--drug", "alprazolam", "--morning", "2", "--midday", "2", "--night", "2", "--switch-to", "diazepam",
        "--percent", "2.5", "--interval-days", "28", "--market", "US", database=database,
    )  # fmt: skip
    assert "long_taper" in {w["code"] for w in long["warnings"]}
    lower = plan_json(
        "--drug", "diazepam", "--night", "2", "--liquid", "--last-dose-mg", "0.2", database=database
    )
    assert 0.2 <= lower["steps"][-1]["diazepam_equivalent_mg"] < 0.5
    assert "lower_last_dose" in {w["code"] for w in lower["warnings"]}


def test_the_table_output_compares_every_loaded_table(database: str) -> None:
    result = taper(
        "--drug", "alprazolam", "--morning", "2", "--midday", "2", "--night", "2", "--market", "US",
        database=database,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Conversion by every loaded table" in result.stdout
    assert "6 mg a day = diazepam 120 mg" in result.stdout and "6 mg a day = diazepam 60 mg" in result.stdout
    assert "[warning] tables_disagree" in result.stdout


def test_the_output_suggests_the_switch_that_avoids_a_fast_taper(database: str) -> None:
    result = taper("--drug", "zolpidem", "--night", "10", database=database)
    assert (
        "alternative_avoids_fast_taper: This plan stops in 14 days. With a switch to diazepam"
        in result.stdout
    )
    plan = plan_json("--drug", "zolpidem", "--night", "10", database=database)
    assert "alternative_avoids_fast_taper" in {w["code"] for w in plan["warnings"]}
