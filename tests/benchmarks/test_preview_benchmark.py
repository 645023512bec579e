"""Benchmark: the builder's live preview of the largest realistic plan, against a bare signed-in
page in the same run.

Alprazolam 6 mg a day (2 mg morning, midday and night; 120 mg diazepam equivalent under Ashton's
alprazolam 0.5 mg = diazepam 10 mg, [V2]), switched to diazepam, then 5% every 2 weeks with the
UK's diazepam tablets and oral solutions: the issue's "largest realistic plan". The preview is the
htmx request the builder sends on every change: planning, the step table, the chart, warnings
and dispensing. The bare page is the patient list of a clinic with that one patient.

Under ``make bench`` the process is pinned to one core (the issue's "on one core") and the test
client's template instrumentation (a test-only copy of every template context, which production
never does) is switched off while timing. The figures are printed: the median of each, their ratio,
and where the preview's time goes; ``make bench`` fails when the ratio of CPU times passes its
ceiling. In ``make test`` the preview is checked once and nothing is asserted about time.
"""

from __future__ import annotations

import contextlib
import functools
import os
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.template.base import Template
from django.test import Client
from django.test import utils as test_utils
from django.urls import reverse

from schedules.plans.views import plans as plan_views

pytestmark = pytest.mark.django_db
RUNS = 20
# The preview measured 4.9-5.1 times a bare signed-in page in CPU time before issue 17's work (66 ms
# against 13 ms on the development machine's shared cores), 3.4-4.2 after its first part (49-61 ms
# against 13-16 ms, on a busy machine), 2.7-3.0 once the engine's assembly took the planner's
# worked steps and the step table's rows and the dispensing periods were made as HTML in Python
# (36-40 ms against 12-15 ms). Issue 17's target of 3 is met; the ceiling sits just above it,
# with room for a busy machine's noise, so a slowdown that matters fails.
CPU_RATIO_CEILING = 3.5
# Issue 17's target: at most 3 times a bare page (printed with the figures).
CPU_RATIO_TARGET = 3.0
# Where the preview's time goes: the view's steps, timed inclusively while measuring.
PARTS = {
    "form": (plan_views, "PlanBuilderForm"),
    "form validation": (plan_views.PlanBuilderForm, "full_clean"),
    "planning (engine and alternatives)": (plan_views, "planned"),
    "table comparison": (plan_views, "_comparison_of_tables"),
    "rendering": (plan_views, "render"),
}


def median_seconds(call: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """The medians of ``runs`` timings, wall-clock and this process's CPU time: a shared machine's
    busy moments move neither much, and CPU time leaves out the time other work held the core."""
    call()  # warm caches (templates, the engine's dose tables)
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return statistics.median(wall), statistics.median(cpu)


@contextlib.contextmanager
def as_in_production_on_one_core() -> Iterator[None]:
    """One core, and templates rendered without the test client's instrumentation."""
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if affinity:
        os.sched_setaffinity(0, {min(affinity)})
    instrumented = getattr(Template, "_render")  # noqa: B009 (private: no stub)
    setattr(Template, "_render", test_utils._TestState.saved_data.template_render)  # type: ignore[attr-defined]  # noqa: B010
    try:
        yield
    finally:
        setattr(Template, "_render", instrumented)  # noqa: B010
        if affinity:
            os.sched_setaffinity(0, affinity)


def test_preview_of_the_largest_realistic_plan(
    measuring: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    largest_plan_builder: tuple[Client, str, dict[str, str]],
) -> None:
    client, url, data = largest_plan_builder

    def preview() -> str:
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return response.content.decode()

    def bare_page() -> None:
        assert client.get(reverse("schedules:patient_list")).status_code == 200

    content = preview()
    steps = content.count('class="step step--')
    assert steps > 100, "the preview must show the whole largest plan"
    assert "taper-chart" in content and "Dispensing" in content
    if not measuring:
        return
    spent: dict[str, float] = dict.fromkeys(PARTS, 0.0)
    with as_in_production_on_one_core():
        (preview_s, preview_cpu), (bare_s, bare_cpu) = median_seconds(preview), median_seconds(bare_page)
        for part, (module, name) in PARTS.items():
            monkeypatch.setattr(module, name, _timed(getattr(module, name), spent, part))
        began = time.perf_counter()
        for _ in range(RUNS):
            preview()
        timed_s = (time.perf_counter() - began) / RUNS
    parts = {part: seconds / RUNS for part, seconds in spent.items()}
    parts["the rest (client, middleware, sign-in)"] = timed_s - sum(parts.values())
    lines = [
        f"\npreview of the largest realistic plan ({steps} steps), one core, medians of {RUNS}:",
        f"  CPU time {preview_cpu * 1000:.1f} ms; bare signed-in page {bare_cpu * 1000:.1f} ms; "
        f"ratio {preview_cpu / bare_cpu:.1f} (ceiling {CPU_RATIO_CEILING}; issue 17's target "
        f"{CPU_RATIO_TARGET}, {'met' if preview_cpu / bare_cpu <= CPU_RATIO_TARGET else 'not met'})",
        f"  wall clock {preview_s * 1000:.1f} ms; bare signed-in page {bare_s * 1000:.1f} ms; "
        f"ratio {preview_s / bare_s:.1f}",
        f"  where it goes (means of a second run, {timed_s * 1000:.1f} ms, each part timed):",
        *(f"    {part:40} {seconds * 1000:6.1f} ms" for part, seconds in parts.items()),
    ]
    with capsys.disabled():
        print("\n".join(lines))
    ratio = preview_cpu / bare_cpu
    assert ratio <= CPU_RATIO_CEILING, (
        f"the preview at x{ratio:.1f} a bare page (ceiling x{CPU_RATIO_CEILING})"
    )


def _timed(call: Callable[..., Any], spent: dict[str, float], part: str) -> Callable[..., Any]:
    @functools.wraps(call)
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            spent[part] += time.perf_counter() - began

    return timed
