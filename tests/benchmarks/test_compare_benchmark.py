"""Benchmark (issue 17): the builder's three-option comparison against its one-plan preview, of the
largest realistic plan, in the same run.

The comparison is the htmx request "Compare options" sends: the plan as set up and two
alternatives, each planned in full (``planning.planned``: warnings, dispensing, the suggested
alternative), with their figures and one overlaid chart. The preview is the request every change
of the form sends (tests/benchmarks/test_preview_benchmark.py): one plan, with its whole step table.
Issue 17's target: the comparison at most 1.5 times the preview, in CPU time on one core.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.benchmarks.test_preview_benchmark import as_in_production_on_one_core, median_seconds

pytestmark = pytest.mark.django_db
CPU_RATIO_CEILING = 1.5


def test_three_options_cost_at_most_one_and_a_half_previews(
    measuring: bool,
    largest_plan_builder: tuple[Client, str, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    client, url, data = largest_plan_builder

    def post(action: str) -> str:
        response = client.post(url, {**data, "action": action}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return response.content.decode()

    compared = post("compare")
    assert compared.count('class="option-card ') == 3, "three options, the largest plan among them"
    assert compared.count('class="options-line ') == 3
    if not measuring:
        return
    with as_in_production_on_one_core():
        (preview_s, preview_cpu) = median_seconds(lambda: post("preview"))
        (compare_s, compare_cpu) = median_seconds(lambda: post("compare"))
    ratio = compare_cpu / preview_cpu
    with capsys.disabled():
        print(
            f"\nthree options compared against the one-plan preview (largest realistic plan), one core:\n"
            f"  CPU time {compare_cpu * 1000:.1f} ms against {preview_cpu * 1000:.1f} ms: ratio {ratio:.2f} "
            f"(ceiling {CPU_RATIO_CEILING}); wall clock {compare_s * 1000:.1f} against {preview_s * 1000:.1f} ms"
        )
    assert ratio <= CPU_RATIO_CEILING, f"three options take {ratio:.2f} times the one-plan preview"
