"""The geometry of a plan's chart: the daily diazepam equivalent over time, as a step line.

Pure functions from a schedule dict (exactly ``engine.schedule_to_dict``, the ``manage.py taper
--format json`` contract) to typed dataclasses that ``templates/plans/_chart.svg`` draws. The web
page and the printed plan use the same template, so they cannot drift apart. An optional second
series (symptom scores from check-ins) shares the time axis and has its own right-hand axis.
No Django here: the geometry is tested on its own.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Drawing units of the SVG viewBox; the SVG scales to its container's width.
WIDTH = 720.0
HEIGHT = 260.0
_MARGIN_LEFT = 66.0
_MARGIN_RIGHT_PLAIN = 30.0
_MARGIN_RIGHT_SCORES = 48.0
_MARGIN_TOP = 26.0
_MARGIN_BOTTOM = 38.0
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class ScorePoint:
    """One symptom score from a check-in: its date, the score and the scale's maximum."""

    date: dt.date
    score: float
    maximum: float


@dataclass(frozen=True)
class Tick:
    """An axis tick at ``position`` (x for the time axis, y for the mg and score axes)."""

    position: float
    label: str


@dataclass(frozen=True)
class Band:
    """A shaded stretch of the time axis: the switch phase or a hold."""

    kind: str  # "switch" or "hold"
    label: str
    x: float
    width: float

    @property
    def label_x(self) -> float:
        return _r(self.x + 3)


@dataclass(frozen=True)
class Marker:
    """Today's date: a vertical line across the plot."""

    x: float
    label: str

    @property
    def label_x(self) -> float:
        return _r(self.x + 3)


@dataclass(frozen=True)
class PlottedScore:
    x: float
    y: float
    label: str


class AxisLabels:
    """Where a chart's axis labels and ticks go, from its plot's left and bottom edges, so that the
    template does no arithmetic."""

    left: float
    bottom: float

    @property
    def y_label_x(self) -> float:
        return _r(self.left - 6)

    @property
    def x_label_y(self) -> float:
        return _r(self.bottom + 18)

    @property
    def tick_end_y(self) -> float:
        return _r(self.bottom + 5)


@dataclass(frozen=True)
class Chart(AxisLabels):
    """Everything the SVG template needs, in viewBox units, plus a text alternative."""

    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    line_path: str
    bands: tuple[Band, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    today: Marker | None
    scores: tuple[PlottedScore, ...]
    score_path: str
    score_ticks: tuple[Tick, ...]
    score_axis_label: str
    title: str
    description: str

    @property
    def has_scores(self) -> bool:
        return bool(self.scores)

    # Label positions, so that the template does no arithmetic.
    @property
    def plot_height(self) -> float:
        return _r(self.bottom - self.top)

    @property
    def score_label_x(self) -> float:
        return _r(self.right + 6)

    @property
    def band_label_y(self) -> float:
        return _r(self.top + 12)

    @property
    def today_label_y(self) -> float:
        return _r(self.bottom - 6)

    @property
    def legend_y(self) -> float:
        return _r(self.top / 2)

    @property
    def legend_line_end(self) -> float:
        return _r(self.left + 18)

    @property
    def legend_label_x(self) -> float:
        return _r(self.left + 24)

    @property
    def score_legend_x(self) -> float:
        return _r(self.right - 170)

    @property
    def score_legend_label_x(self) -> float:
        return _r(self.right - 162)


def build_chart(
    schedule: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    scores: Sequence[ScorePoint] = (),
    score_label: str = "Symptom score",
) -> Chart:
    """The chart of ``schedule`` (a schedule dict); ``today`` is marked when inside the plan."""
    steps = schedule["steps"]
    start = dt.date.fromisoformat(schedule["start_date"])
    end = max(dt.date.fromisoformat(schedule["end_date"]), _step_end(steps[-1]) if steps else start)
    if end <= start:
        end = start + dt.timedelta(days=1)
    right_margin = _MARGIN_RIGHT_SCORES if scores else _MARGIN_RIGHT_PLAIN
    left, top = _MARGIN_LEFT, _MARGIN_TOP
    right, bottom = WIDTH - right_margin, HEIGHT - _MARGIN_BOTTOM
    span_days = (end - start).days

    def x_of(day: dt.date) -> float:
        return left + (right - left) * (day - start).days / span_days

    top_mg = max((float(step["diazepam_equivalent_mg"]) for step in steps), default=0.0)
    mg_ticks, mg_max = _nice_ticks(top_mg)

    def y_of(mg: float) -> float:
        return bottom - (bottom - top) * mg / mg_max

    score_points, score_path, score_ticks = _score_series(
        scores, x_of, top=top, bottom=bottom, start=start, end=end
    )
    marker = None
    if today is not None and start <= today <= end:
        marker = Marker(x=_r(x_of(today)), label=f"Today, {_long_date(today)}")
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        line_path=_step_path(steps, x_of, y_of),
        bands=tuple(_bands(steps, x_of)),
        x_ticks=tuple(Tick(_r(x_of(day)), label) for day, label in _date_ticks(start, end)),
        y_ticks=tuple(Tick(_r(y_of(mg)), f"{_number(mg)} mg") for mg in mg_ticks),
        today=marker,
        scores=score_points,
        score_path=score_path,
        score_ticks=score_ticks,
        score_axis_label=score_label,
        title="Daily diazepam equivalent over time",
        description=_description(
            schedule, steps, today=today if marker else None, scores=scores, score_label=score_label
        ),
    )


def _step_end(step: Mapping[str, Any]) -> dt.date:
    """The day after a step's last day: where its horizontal stretch ends on the time axis."""
    return dt.date.fromisoformat(step["end_date"]) + dt.timedelta(days=1)


def _is_hold(step: Mapping[str, Any]) -> bool:
    return bool(step["hold"]) or step["phase"] == "hold"


def _step_path(steps: Iterable[Mapping[str, Any]], x_of: Any, y_of: Any) -> str:
    """An SVG path: a horizontal stretch per step, joined by vertical drops (a step line)."""
    parts: list[str] = []
    for step in steps:
        y = _r(y_of(float(step["diazepam_equivalent_mg"])))
        x1 = _r(x_of(dt.date.fromisoformat(step["start_date"])))
        x2 = _r(x_of(_step_end(step)))
        parts.append(f"{'M' if not parts else 'L'}{x1} {y}")
        parts.append(f"L{x2} {y}")
    return " ".join(parts)


def _bands(steps: Sequence[Mapping[str, Any]], x_of: Any) -> list[Band]:
    """One band for each run of switch steps and one for each hold. A hold between switch steps
    does not end the run (the switch goes on after it): one band, one label, the hold inside."""
    bands: list[Band] = []
    run_start: dt.date | None = None
    run_end: dt.date | None = None
    for step in [*steps, None]:
        in_switch = step is not None and step["phase"] == "switch"
        if in_switch:
            assert step is not None
            if run_start is None:
                run_start = dt.date.fromisoformat(step["start_date"])
            run_end = _step_end(step)
        elif step is not None and _is_hold(step) and run_start is not None:
            pass  # the run is closed at its last switch step, if no switch step follows
        elif run_start is not None and run_end is not None:
            bands.append(_band("switch", "Switch", run_start, run_end, x_of))
            run_start = run_end = None
        if step is not None and _is_hold(step):
            bands.append(
                _band("hold", "Hold", dt.date.fromisoformat(step["start_date"]), _step_end(step), x_of)
            )
    return sorted(bands, key=lambda band: band.x)


def _band(kind: str, label: str, start: dt.date, end: dt.date, x_of: Any) -> Band:
    x1, x2 = x_of(start), x_of(end)
    return Band(kind=kind, label=label, x=_r(x1), width=_r(x2 - x1))


def _nice_ticks(maximum: float, parts: int = 5) -> tuple[list[float], float]:
    """Round tick values from 0 up to at least ``maximum`` (about ``parts`` of them, give or take
    one), and the axis top."""
    if maximum <= 0:
        return [0.0, 1.0], 1.0
    raw = maximum / parts
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.ceil(maximum / step - 1e-9)
    ticks = [round(i * step, 10) for i in range(count + 1)]
    return ticks, ticks[-1]


def _date_ticks(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """Dates for the time axis: weekly for short plans, then 1, 2, 3, 6 or 12 months apart."""
    span = (end - start).days
    if span <= 120:
        every = 2 if span <= 14 else 7 if span <= 63 else 14
        days = [start + dt.timedelta(days=d) for d in range(0, span + 1, every)]
        return [(day, f"{day.day} {_MONTHS[day.month - 1]}") for day in days]
    months_span = span / 30.44
    every = next((m for m in (1, 2, 3, 6, 12) if months_span / m <= 6), 12 * math.ceil(months_span / 72))
    day = dt.date(start.year, start.month, 1)
    if day < start:
        day = _add_months(day, 1)
    ticks = []
    while day <= end:
        # Calendar-aligned: quarters start in Jan/Apr/Jul/Oct, years in January.
        if (day.year * 12 + day.month - 1) % every == 0:
            ticks.append(day)
        day = _add_months(day, 1)
    return [(d, f"{_MONTHS[d.month - 1]} {d.year}") for d in ticks]


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def _score_series(
    scores: Sequence[ScorePoint], x_of: Any, *, top: float, bottom: float, start: dt.date, end: dt.date
) -> tuple[tuple[PlottedScore, ...], str, tuple[Tick, ...]]:
    if not scores:
        return (), "", ()
    maximum = max(point.maximum for point in scores)
    ticks, axis_top = _nice_ticks(maximum)

    def y_of(score: float) -> float:
        return bottom - (bottom - top) * score / axis_top

    shown = sorted((p for p in scores if start <= p.date <= end), key=lambda p: p.date)
    points = tuple(
        PlottedScore(
            x=_r(x_of(p.date)),
            y=_r(y_of(p.score)),
            label=f"{_long_date(p.date)}: {_number(p.score)} of {_number(p.maximum)}",
        )
        for p in shown
    )
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x} {p.y}" for i, p in enumerate(points))
    return points, path, tuple(Tick(_r(y_of(value)), _number(value)) for value in ticks)


def _description(
    schedule: Mapping[str, Any],
    steps: Sequence[Mapping[str, Any]],
    *,
    today: dt.date | None,
    scores: Sequence[ScorePoint],
    score_label: str,
) -> str:
    """The chart in words, for screen readers and anyone who cannot see it."""
    if not steps:
        return "No steps to chart."
    first, last = steps[0], steps[-1]
    text = (
        f"Daily diazepam equivalent from {_number(first['diazepam_equivalent_mg'])} mg on "
        f"{_long_date(dt.date.fromisoformat(first['start_date']))} to "
        f"{_number(last['diazepam_equivalent_mg'])} mg in the last step, which ends on "
        f"{_long_date(dt.date.fromisoformat(last['end_date']))}, over {len(steps)} steps."
    )
    switch_steps = [s for s in steps if s["phase"] == "switch"]
    if switch_steps:
        text += (
            f" Switch phase: steps {switch_steps[0]['number']} to {switch_steps[-1]['number']}, "
            f"ending on {_long_date(dt.date.fromisoformat(switch_steps[-1]['end_date']))}."
        )
    holds = [s for s in steps if _is_hold(s)]
    if holds:
        text += f" Holds at step{'s' if len(holds) > 1 else ''} {', '.join(str(s['number']) for s in holds)}."
    if today is not None:
        text += f" Today is {_long_date(today)}."
    if scores:
        text += f" {score_label}: {len(scores)} check-in{'s' if len(scores) > 1 else ''}, latest "
        latest = max(scores, key=lambda p: p.date)
        text += f"{_number(latest.score)} of {_number(latest.maximum)} on {_long_date(latest.date)}."
    return text


def _long_date(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _number(value: float) -> str:
    """12.0 -> '12', 2.5 -> '2.5', 0.125 -> '0.13' (a chart label, never used in a decision)."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _r(value: float) -> float:
    return round(value, 1)


# Options side by side (issue 17): one chart overlays the options, told apart by line style and
# by a letter at the end of each line as well as by colour (WCAG 1.4.1: not colour alone).
_OPTION_STYLES = (("solid", "", "#1f5fbf"), ("dashed", "9 5", "#c2255c"), ("dotted", "2 4", "#2b8a3e"))
_LEGEND_ROW = 22.0
_LEGEND_COLUMN = 210.0
_COMPACT_HEIGHT = 110.0


@dataclass(frozen=True)
class Series:
    """One option's line: its letter, legend words and line style."""

    letter: str
    label: str
    style: str
    dash: str
    colour: str
    path: str
    end_x: float
    end_y: float
    legend_y: float
    legend_x: float

    @property
    def legend_line_end(self) -> float:
        return _r(self.legend_x + 28)

    @property
    def legend_label_x(self) -> float:
        return _r(self.legend_x + 34)

    @property
    def letter_x(self) -> float:
        return _r(self.end_x + 3)

    @property
    def letter_y(self) -> float:
        return _r(self.end_y - 5)


@dataclass(frozen=True)
class OverlayChart(AxisLabels):
    """The options' daily diazepam equivalent on one time axis, with a text alternative."""

    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    series: tuple[Series, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    title: str
    description: str


def build_overlay(
    options: Sequence[tuple[str, str, Mapping[str, Any]]], *, compact: bool = False
) -> OverlayChart:
    """One chart of several schedule dicts, given as (letter, label, schedule): a step line each,
    on a shared time axis from the earliest start to the latest end, and a legend above (a row per
    option; ``compact``: flatter, the legend in one row, for a one-page print)."""
    schedules = [schedule for _, _, schedule in options]
    start = min(dt.date.fromisoformat(s["start_date"]) for s in schedules)
    end = max(
        max(dt.date.fromisoformat(s["end_date"]), _step_end(s["steps"][-1]) if s["steps"] else start)
        for s in schedules
    )
    if end <= start:
        end = start + dt.timedelta(days=1)
    rows = 1 if compact else len(options)
    top = _MARGIN_TOP + _LEGEND_ROW * rows
    left, right = _MARGIN_LEFT, WIDTH - _MARGIN_RIGHT_PLAIN
    height = (_COMPACT_HEIGHT if compact else HEIGHT) + _LEGEND_ROW * rows
    bottom = height - _MARGIN_BOTTOM
    span_days = (end - start).days

    def x_of(day: dt.date) -> float:
        return left + (right - left) * (day - start).days / span_days

    top_mg = max(
        (float(step["diazepam_equivalent_mg"]) for s in schedules for step in s["steps"]), default=0.0
    )
    mg_ticks, mg_max = _nice_ticks(top_mg, parts=3 if compact else 5)

    def y_of(mg: float) -> float:
        return bottom - (bottom - top) * mg / mg_max

    series = []
    for index, (letter, _, schedule) in enumerate(options):
        style, dash, colour = _OPTION_STYLES[index % len(_OPTION_STYLES)]
        steps = schedule["steps"]
        last = steps[-1] if steps else None
        series.append(
            Series(
                letter=letter,
                label=f"Option {letter} ({style} line)",
                style=style,
                dash=dash,
                colour=colour,
                path=_step_path(steps, x_of, y_of),
                end_x=_r(x_of(_step_end(last))) if last else left,
                end_y=_r(y_of(float(last["diazepam_equivalent_mg"]))) if last else bottom,
                legend_y=_r(_MARGIN_TOP / 2 + (0 if compact else _LEGEND_ROW * index)),
                legend_x=_r(left + (_LEGEND_COLUMN * index if compact else 0)),
            )
        )
    return OverlayChart(
        width=WIDTH,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        series=tuple(series),
        x_ticks=tuple(Tick(_r(x_of(day)), label) for day, label in _date_ticks(start, end)),
        y_ticks=tuple(Tick(_r(y_of(mg)), f"{_number(mg)} mg") for mg in mg_ticks),
        title="The options' daily diazepam equivalent over time",
        description=" ".join(_option_words(letter, label, s) for letter, label, s in options),
    )


def _option_words(letter: str, label: str, schedule: Mapping[str, Any]) -> str:
    steps = schedule["steps"]
    if not steps:
        return f"Option {letter}, {label}: no steps."
    first, last = steps[0], steps[-1]
    return (
        f"Option {letter}, {label}: from {_number(first['diazepam_equivalent_mg'])} mg on "
        f"{_long_date(dt.date.fromisoformat(first['start_date']))} to "
        f"{_number(last['diazepam_equivalent_mg'])} mg in its last step, ending on "
        f"{_long_date(dt.date.fromisoformat(last['end_date']))}, over {len(steps)} steps."
    )
