"""Benchmark: planning the largest realistic schedule should take milliseconds.

Alprazolam 6 mg a day (2 mg three times a day; 120 mg diazepam-equivalent under Ashton's
alprazolam 0.5 mg = diazepam 10 mg, [V2]), switched to diazepam in 10 mg stages, then tapered
5% every 2 weeks with diazepam tablets and oral solution: about 120 steps over 4 years.

``make bench`` (``--benchmark-enable``) prints timing statistics and the figures below and
checks the ceiling; in ``make test`` it runs once and nothing is asserted about time.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from schedules.engine import (
    DrugInfo,
    EquivalenceEntry,
    EquivalenceTable,
    Formulation,
    PercentMethod,
    RegimenItem,
    Schedule,
    Slot,
    Switch,
    plan_taper,
    render_table,
    schedule_to_dict,
)

ASHTON = EquivalenceTable(
    key="ashton",
    name="Ashton benzodiazepine equivalence table",
    citation="Ashton CH. Benzodiazepine Equivalence Table (rev. April 2007) [V2]",
    reference_diazepam_mg=Decimal(10),
    entries=(
        EquivalenceEntry("alprazolam", Decimal("0.5")),  # Ashton [V2]
        EquivalenceEntry("diazepam", Decimal(10)),  # reference
    ),
)
DRUGS = (
    DrugInfo("alprazolam", liquid_available=True),
    DrugInfo("diazepam", has_long_lived_active_metabolite=True, liquid_available=True),
)
FORMULATIONS = (
    # Xanax tablets 0.25, 0.5, 1, 2 mg (openFDA [V]); splitting not assumed.
    *(Formulation("alprazolam", "tablet", Decimal(s)) for s in ("0.25", "0.5", "1", "2")),
    # Diazepam tablets 2, 5, 10 mg and oral solution 5 mg/5 mL (UK leaflets [V]); 2 mg halved
    # (SPS/PrescQIPP [V]).
    Formulation("diazepam", "tablet", Decimal(2), divisible="half"),
    Formulation("diazepam", "tablet", Decimal(5)),
    Formulation("diazepam", "tablet", Decimal(10)),
    Formulation("diazepam", "oral solution", Decimal(1)),
)
REGIMEN = (
    RegimenItem("alprazolam", {Slot.MORNING: Decimal(2), Slot.MIDDAY: Decimal(2), Slot.NIGHT: Decimal(2)}),
)
# The issue: "planning should take milliseconds, not seconds"; a generous ceiling for slow CI.
CEILING_SECONDS = 1.0


def plan_largest() -> Schedule:
    return plan_taper(
        regimen=REGIMEN,
        table=ASHTON,
        drugs=DRUGS,
        formulations=FORMULATIONS,
        method=PercentMethod(Decimal(5)),
        interval_days=14,
        start=dt.date(2027, 1, 4),
        switch=Switch(),
    )


def test_plan_the_largest_realistic_schedule(
    benchmark: BenchmarkFixture, measuring: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = benchmark(plan_largest)
    switch_stages = sum(1 for step in schedule.steps if step.phase == "switch")
    assert switch_stages == 12  # 120 mg DE moved 10 mg per stage
    assert len(schedule.steps) > 100
    if not measuring:
        return
    runs = 10
    began = time.perf_counter()
    for _ in range(runs):
        plan_largest()
    seconds = (time.perf_counter() - began) / runs
    with capsys.disabled():
        print(
            f"\nlargest schedule: {len(schedule.steps)} steps ({switch_stages} switch stages), "
            f"{schedule.total_days} days, {len(schedule.warnings)} warnings, "
            f"{len(schedule.dispensing)} dispensing periods; "
            f"planned in {seconds * 1000:.1f} ms (mean of {runs})"
        )
    assert seconds < CEILING_SECONDS


def test_render_the_largest_schedule(benchmark: BenchmarkFixture) -> None:
    schedule = plan_largest()
    text, data = benchmark(lambda: (render_table(schedule), schedule_to_dict(schedule)))
    assert len(data["steps"]) == len(schedule.steps)
    assert text.count("\n") > len(schedule.steps)
