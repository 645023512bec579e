"""Benchmark: planning the largest realistic schedule should take milliseconds.

Alprazolam 6 mg a day (2 mg three times a day; 120 mg diazepam-equivalent under Ashton's
alprazolam 0.5 mg = diazepam 10 mg, [V2]), switched to diazepam in 10 mg stages, then tapered
5% every 2 weeks with diazepam tablets and oral solution: about 120 steps over 4 years.

``make bench`` (``--benchmark-enable``) prints timing statistics and the figures below and
checks the ceilings; in ``make test`` it runs once and nothing is asserted about time.

The ceilings are ratios of CPU time (medians) to a fixed pure-Python workload timed in the same
run, so they hold on a faster or slower machine and under other processes' load, and sit close to
what is measured: a slowdown that matters fails ``make bench``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

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
RUNS = 20
# The calibration workload takes about 26 ms of CPU on the development machine's shared cores.
CALIBRATION_MS = 26
# Planning (warnings and dispensing included) measured 0.91-0.94 times the calibration before
# issue 17's work (24 ms), 0.33-0.37 after its integer reductions (9 ms), 0.20-0.22 once the
# planner's worked steps went straight to the assembly, the checks and dispensing stopped
# re-deriving them and the results were made without their dataclasses' __init__ (5 ms);
# rendering 0.36-0.39, then 0.25-0.28 with rounding for people done on integers. Each ceiling is
# about 1.3 times what is measured, so a slowdown that matters fails.
PLAN_CEILING = 0.27
RENDER_CEILING = 0.36
# Issue 17's target: the largest plan in 3 ms of CPU, as a ratio to the calibration. Printed with
# the figures; not yet met (about 5 ms), so not yet the ceiling.
PLAN_TARGET = 3 / CALIBRATION_MS


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


def calibration() -> list[str]:
    """A fixed pure-Python workload (exact fractions, string sorting) as the engine's work is: the
    unit the ceilings are in, timed on the same interpreter and machine in the same run."""
    total = Fraction(0)
    for i in range(1, 3000):
        total += Fraction(i % 97, i)
    return sorted(str(i * 7919 % 10007) for i in range(20_000))


def median_cpu(call: Callable[[], object]) -> float:
    """The median CPU time of ``RUNS`` calls after one to warm caches: CPU time leaves out the time
    other processes held the core."""
    call()
    times = []
    for _ in range(RUNS):
        began = time.process_time()
        call()
        times.append(time.process_time() - began)
    return statistics.median(times)


def against_calibration(call: Callable[[], object]) -> tuple[float, float]:
    """(the call's median CPU seconds, its ratio to the calibration's), interleaved so a busy
    moment hits both."""
    ours = [median_cpu(call) for _ in range(3)]
    unit = [median_cpu(calibration) for _ in range(3)]
    return min(ours), min(ours) / min(unit)


def test_plan_the_largest_realistic_schedule(
    benchmark: BenchmarkFixture, measuring: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = benchmark(plan_largest)
    switch_stages = sum(1 for step in schedule.steps if step.phase == "switch")
    assert switch_stages == 12  # 120 mg DE moved 10 mg per stage
    assert len(schedule.steps) > 100
    if not measuring:
        return
    seconds, ratio = against_calibration(plan_largest)
    with capsys.disabled():
        print(
            f"\nlargest schedule: {len(schedule.steps)} steps ({switch_stages} switch stages), "
            f"{schedule.total_days} days, {len(schedule.warnings)} warnings, "
            f"{len(schedule.dispensing)} dispensing periods; "
            f"planned with its warnings and dispensing in {seconds * 1000:.1f} ms of CPU (median of "
            f"{RUNS}), x{ratio:.3f} the calibration (ceiling x{PLAN_CEILING}), about "
            f"{ratio * CALIBRATION_MS:.1f} ms on the development machine; issue 17's target "
            f"x{PLAN_TARGET:.3f} (3 ms) {'met' if ratio <= PLAN_TARGET else 'not met'}"
        )
    assert ratio <= PLAN_CEILING, f"planning at x{ratio:.2f} the calibration"


def test_render_the_largest_schedule(
    benchmark: BenchmarkFixture, measuring: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = plan_largest()

    def render() -> tuple[str, dict[str, object]]:
        return render_table(schedule), schedule_to_dict(schedule)

    text, data = benchmark(render)
    assert len(data["steps"]) == len(schedule.steps)
    assert text.count("\n") > len(schedule.steps)
    if not measuring:
        return
    seconds, ratio = against_calibration(render)
    with capsys.disabled():
        print(
            f"\nlargest schedule rendered (table and dict) in {seconds * 1000:.1f} ms of CPU, "
            f"x{ratio:.2f} the calibration (ceiling x{RENDER_CEILING})"
        )
    assert ratio <= RENDER_CEILING, f"rendering at x{ratio:.2f} the calibration"
