"""The chart's geometry (schedules/plans/charts.py): pure functions of a schedule dict."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string

from schedules import engine
from schedules.plans.charts import ScorePoint, build_chart
from tests.printing.plans import as_dict, long_schedule, short_schedule, switch_schedule


def path_points(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+) (-?[\d.]+)", path)]


def test_the_line_has_a_horizontal_stretch_per_step_at_its_equivalent() -> None:
    schedule = as_dict(short_schedule())
    chart = build_chart(schedule)
    points = path_points(chart.line_path)
    assert len(points) == 2 * len(schedule["steps"])
    heights = [points[2 * i][1] for i in range(len(schedule["steps"]))]
    for i in range(len(schedule["steps"])):
        assert points[2 * i][1] == points[2 * i + 1][1], "each step is flat"
    # A taper goes down: y grows (SVG y runs downwards) as the equivalent falls.
    assert heights == sorted(heights)
    assert heights[0] < heights[-1]
    # The first step starts at the left edge, the last ends at the right edge.
    assert points[0][0] == chart.left
    assert points[-1][0] == pytest.approx(chart.right, abs=0.1)


def test_the_mg_axis_starts_at_zero_and_reaches_the_highest_step() -> None:
    schedule = as_dict(short_schedule())
    chart = build_chart(schedule)
    labels = [tick.label for tick in chart.y_ticks]
    assert labels[0] == "0 mg"
    top_value = float(labels[-1].removesuffix(" mg"))
    assert top_value >= max(step["diazepam_equivalent_mg"] for step in schedule["steps"])
    assert chart.y_ticks[0].position == chart.bottom
    assert chart.y_ticks[-1].position == chart.top


def test_the_time_axis_has_dated_ticks_inside_the_plot() -> None:
    chart = build_chart(as_dict(long_schedule()))
    assert 3 <= len(chart.x_ticks) <= 9
    assert all(chart.left <= tick.position <= chart.right for tick in chart.x_ticks)
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", tick.label) for tick in chart.x_ticks)
    positions = [tick.position for tick in chart.x_ticks]
    assert positions == sorted(positions)


def test_a_short_plan_has_day_ticks() -> None:
    schedule = as_dict(short_schedule())
    chart = build_chart(schedule)
    assert chart.x_ticks[0].label == "4 Jan"
    assert chart.x_ticks[1].label == "18 Jan", "a 10-week plan is ticked every 2 weeks"


def test_the_switch_phase_and_a_hold_are_bands() -> None:
    schedule = as_dict(switch_schedule())
    chart = build_chart(schedule)
    kinds = [band.kind for band in chart.bands]
    assert kinds == ["switch", "hold"]
    switch, hold = chart.bands
    assert switch.x == chart.left
    hold_step = next(step for step in schedule["steps"] if step["hold"])
    assert hold.width == pytest.approx(
        (chart.right - chart.left) * hold_step["days"] / (schedule_span_days(schedule)), abs=0.2
    )
    assert "Switch phase: steps 1 to 2" in chart.description
    assert f"Holds at step {hold_step['number']}" in chart.description


def test_a_hold_inside_the_switch_phase_keeps_one_switch_band_and_label() -> None:
    held = engine.insert_hold(schedule=switch_schedule(), after_step=1, days=7)
    schedule = as_dict(held)
    assert [step["phase"] for step in schedule["steps"]][:3] == ["switch", "hold", "switch"]
    chart = build_chart(schedule)
    assert [band.kind for band in chart.bands] == ["switch", "hold", "hold"]  # and the taper's hold
    switch, hold, _ = chart.bands
    assert switch.x < hold.x and hold.x + hold.width < switch.x + switch.width, "the hold is inside"
    svg = render_to_string("plans/_chart.svg", {"chart": chart})
    assert svg.count(">Switch</text>") == 1


def schedule_span_days(schedule: dict) -> int:
    start = dt.date.fromisoformat(schedule["start_date"])
    end = dt.date.fromisoformat(schedule["end_date"])
    return (end - start).days


def test_today_is_marked_only_inside_the_plan() -> None:
    schedule = as_dict(short_schedule())
    inside = build_chart(schedule, today=dt.date(2027, 1, 18))
    assert inside.today is not None
    assert inside.left < inside.today.x < inside.right
    assert "18 Jan 2027" in inside.today.label
    assert build_chart(schedule, today=dt.date(2026, 12, 1)).today is None
    assert build_chart(schedule, today=dt.date(2030, 1, 1)).today is None


def test_symptom_scores_are_a_second_series_on_the_same_time_axis() -> None:
    schedule = as_dict(switch_schedule())
    plain = build_chart(schedule)
    scores = [ScorePoint(dt.date(2027, 1, 18), 12, 80), ScorePoint(dt.date(2027, 2, 1), 40, 80)]
    chart = build_chart(schedule, scores=scores)
    assert not plain.has_scores and chart.has_scores
    assert chart.right < plain.right, "room is made for the right-hand axis"
    first, second = chart.scores
    assert first.x < second.x
    assert second.y < first.y, "a higher score is drawn higher"
    assert chart.score_ticks[0].label == "0" and chart.score_ticks[-1].label == "80"
    assert chart.score_ticks[-1].position == chart.top
    assert len(path_points(chart.score_path)) == 2
    assert "latest 40 of 80" in chart.description


def test_a_120_step_plan_charts_every_step() -> None:
    schedule = as_dict(long_schedule())
    assert len(schedule["steps"]) >= 110
    chart = build_chart(schedule)
    assert len(path_points(chart.line_path)) == 2 * len(schedule["steps"])
    assert [band.kind for band in chart.bands] == ["switch"]
