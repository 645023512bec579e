"""Benchmark: the printed plans' render time and peak memory, as ratios to WeasyPrint's floor.

For a short (5-step) and a long plan (alprazolam 6 mg a day switched to diazepam, then 5% every
2 weeks with liquid: about 120 steps), each document is rendered beside its floor: WeasyPrint
rendering the same step rows as a bare, unstyled HTML table, in the same run. The ratio is the
cost of our templates, CSS, chart and page furniture. The patient's schedule's floor holds the rows it
prints (its period's steps, the overview of the rest and the journal). Both documents of the long plan
must stay within 1.5 times their floor (issue 15); every other document within about 1.25 times the
ratio measured for it: ``make bench`` fails otherwise. Times are the best CPU times of a few
interleaved runs (the machine is shared); peak memory comes from a separate tracemalloc run.
In ``make test`` each document renders once and no time is measured.
"""

from __future__ import annotations

import datetime as dt
import html
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from schedules.plans import printing
from schedules.plans.printing.document import DEFAULT_PERIOD_WEEKS
from schedules.plans.printing.patient import journal, overview, patient_steps, steps_in_period
from schedules.templatetags.taper import mg, signed_percent, slot_cells, units_text
from tests.printing.plans import long_schedule, short_schedule

PRINTED_AT = dt.datetime(2027, 2, 20, 10, 30, tzinfo=dt.UTC)
RUNS = 3
# Each document's ceiling, as a ratio to its floor. The long clinician's plan: the issue's "must stay
# within 1.5 times that floor" (measured 1.25-1.29 in CPU time). The others have no target of their
# own: about 1.25 times the ratio measured (short: clinician 3.6-4.2, patient 6.4-7.2, dominated by
# fixed costs), so a slowdown that matters fails. The long patient's schedule: issue 15's 1.5, like the
# clinician's plan (measured 1.57 and 2.2 in wall time, then 1.92 and 2.09 in CPU time, on a heavily
# loaded machine: not yet met).
MAX_RATIO = {
    ("short", "clinician"): 5.0,
    ("short", "patient"): 9.0,
    ("long", "clinician"): 1.5,
    ("long", "patient"): 1.5,
}


def clinician_floor_html(schedule: dict[str, Any]) -> str:
    rows = []
    for step in schedule["steps"]:
        cells = [str(step["number"]), f"{step['start_date']} to {step['end_date']}"]
        for cell in slot_cells(step):
            cells.append(
                " ".join(f"{d['drug']} {mg(d['mg'])} mg {units_text(d)}" for d in cell["doses"]) or "-"
            )
        cells.append(" ".join(f"{drug} {mg(v)} mg" for drug, v in step["daily_mg"].items()))
        cells += [f"{mg(step['diazepam_equivalent_mg'], 2)} mg", signed_percent(step["change_percent"])]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return _bare_table(rows)


def patient_floor_html(plan: printing.PrintablePlan) -> str:
    """The rows the patient's schedule prints: its period's steps, the overview of the rest, the journal."""
    schedule = plan.schedule
    start = plan.journal_start or dt.date.fromisoformat(schedule["start_date"])
    full, later = steps_in_period(schedule, start=start, weeks=plan.period_weeks)
    rows = []
    for step in patient_steps(schedule, steps=full):
        cells = [f"{step.start:%a %d %b %Y} to {step.end:%a %d %b %Y}"]
        cells += [" ".join(take.text for take in slot.takes) or "Nothing" for slot in step.slots]
        rows.append(cells)
    for row in overview(later, block_weeks=DEFAULT_PERIOD_WEEKS):
        rows.append(
            [f"{row.start:%d %b %Y} to {row.end:%d %b %Y}", row.first_dose, row.last_dose, str(row.changes)]
        )
    for day in journal(schedule, start=start, days=plan.journal_days):
        rows.append([f"{day.date:%a %d %b}", *("[ ]" if due else "-" for due in day.slots), ""])
    return _bare_table(
        ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>" for cells in rows]
    )


def _bare_table(rows: list[str]) -> str:
    return f"<!doctype html><html><body><table>{''.join(rows)}</table></body></html>"


def best_time(render: Callable[[], bytes]) -> float:
    """CPU time: it leaves out the time other processes held the core on a shared machine."""
    start = time.process_time()
    render()
    return time.process_time() - start


def peak_mib(render: Callable[[], bytes]) -> float:
    tracemalloc.start()
    try:
        render()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("size", ["short", "long"])
def test_print_render_time_and_memory_against_the_floor(
    size: str, measuring: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = short_schedule() if size == "short" else long_schedule()
    plan = printing.from_schedule(schedule, printed_at=PRINTED_AT)
    documents: dict[str, tuple[Callable[[], bytes], Callable[[], bytes]]] = {
        "clinician": (
            lambda: printing.clinician_pdf(plan),
            lambda: printing.html_to_pdf(clinician_floor_html(plan.schedule)),
        ),
        "patient": (
            lambda: printing.patient_pdf(plan),
            lambda: printing.html_to_pdf(patient_floor_html(plan)),
        ),
    }
    if not measuring:
        # make test: the floors' pages still build and the short plan's documents render; rendering
        # the long plan's is make bench's (and a 60-step plan's, the printing tests').
        assert "<table" in clinician_floor_html(plan.schedule) and "<table" in patient_floor_html(plan)
        if size == "short":
            for ours, _ in documents.values():
                assert ours().startswith(b"%PDF")
        return
    ratios = {}
    lines = [f"\n{size} plan ({len(schedule.steps)} steps):"]
    for name, (ours, floor) in documents.items():
        ours(), floor()  # warm caches (fonts, templates) before timing
        ours_times, floor_times = [], []
        for _ in range(RUNS):  # interleaved, so a busy moment hits both
            ours_times.append(best_time(ours))
            floor_times.append(best_time(floor))
        ours_s, floor_s = min(ours_times), min(floor_times)
        ours_mem, floor_mem = peak_mib(ours), peak_mib(floor)
        ratios[name] = ours_s / floor_s
        lines.append(
            f"  {name:9} {ours_s * 1000:7.0f} ms vs floor {floor_s * 1000:7.0f} ms (x{ours_s / floor_s:.2f}); "
            f"peak {ours_mem:6.1f} MiB vs floor {floor_mem:6.1f} MiB (x{ours_mem / floor_mem:.2f})"
        )
    with capsys.disabled():
        print("\n".join(lines))
    over = {
        name: f"x{ratio:.2f} (ceiling x{MAX_RATIO[size, name]})"
        for name, ratio in ratios.items()
        if ratio > MAX_RATIO[size, name]
    }
    assert not over, f"{size} plan over its ceiling: {over}"
