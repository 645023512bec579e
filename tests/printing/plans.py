"""Schedule dicts for the printing tests and benchmark, built by the engine with inline inputs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from schedules import engine
from schedules.engine import PercentMethod, Switch
from tests.engine.engine_builders import liquid, plan, regimen, tablets

DIAZEPAM_SOLIDS = tablets("diazepam", "2", "5", "10")
# 2 mg/5 mL and 5 mg/5 mL, as diazepam oral solutions are labelled in the UK (formulations.csv).
DIAZEPAM_LIQUIDS = [liquid("diazepam", "0.4"), liquid("diazepam", "1")]


def short_schedule() -> engine.Schedule:
    """Five steps of diazepam 10 mg a day, 10% every 2 weeks down to a 7 mg target."""
    return plan(
        regimen=[regimen("diazepam", morning="5", night="5")],
        formulations=DIAZEPAM_SOLIDS,
        method=PercentMethod(Decimal(10)),
        interval_days=14,
        target_daily_mg=Decimal("7"),
    )


def switch_schedule() -> engine.Schedule:
    """Lorazepam 1 mg twice daily switched to diazepam, then tapered, with a hold after step 4."""
    schedule = plan(
        regimen=[regimen("lorazepam", morning="1", night="1")],
        formulations=[*tablets("lorazepam", "0.5", "1"), *DIAZEPAM_SOLIDS],
        switch=Switch(to_drug="diazepam"),
        interval_days=14,
    )
    return engine.insert_hold(schedule=schedule, after_step=4, days=14)


def sixty_step_schedule() -> engine.Schedule:
    """About 60 steps: diazepam 20 mg a day, 6% every 2 weeks, tablets and liquid."""
    return plan(
        regimen=[regimen("diazepam", morning="10", night="10")],
        formulations=[*DIAZEPAM_SOLIDS, *DIAZEPAM_LIQUIDS],
        method=PercentMethod(Decimal(6)),
        interval_days=14,
    )


def long_schedule() -> engine.Schedule:
    """The largest realistic plan (about 120 steps): alprazolam 6 mg/day switched to diazepam, 5% every 2 weeks, liquid."""
    return plan(
        regimen=[regimen("alprazolam", morning="2", midday="2", night="2")],
        formulations=[*tablets("alprazolam", "0.25", "0.5", "1", "2"), *DIAZEPAM_SOLIDS, *DIAZEPAM_LIQUIDS],
        switch=Switch(to_drug="diazepam"),
        method=PercentMethod(Decimal(5)),
        interval_days=14,
    )


def as_dict(schedule: engine.Schedule) -> dict[str, Any]:
    return engine.schedule_to_dict(schedule)
