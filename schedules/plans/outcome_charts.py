"""The geometry of the Outcomes page's charts: grouped bars that ``templates/plans/_outcomes_chart.svg``
draws (tapers by month, the daily dose at the start and now, the withdrawal scores by weeks since
the start).

Readable without colour: each series has its own fill pattern (as the legend shows) and each bar
carries its number. No Django here: the geometry is tested on its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WIDTH = 720.0
HEIGHT = 280.0
_LEFT = 44.0
_RIGHT = 12.0
_TOP = 16.0
_BOTTOM = 62.0
_GROUP_FILL = 0.8  # the share of a group's width its bars take
_MAX_BAR = 48.0  # a bar no wider than this, however few there are
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The fill patterns of the template, in the order series take them.
PATTERNS = 5

# (key, legend label): the order of the bars in each month and of the legend.
MONTH_SERIES = (
    ("started", "Started"),
    ("active", "Active at month end"),
    ("paused", "Pauses begun"),
    ("completed", "Completed"),
    ("stopped", "Stopped"),
)


@dataclass(frozen=True)
class Bar:
    series: str
    pattern: int
    value: float
    x: float
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        return f"{self.value:g}"

    @property
    def label_x(self) -> float:
        return _r(self.x + self.width / 2)

    @property
    def label_y(self) -> float:
        return _r(self.y - 3)

    @property
    def box(self) -> str:
        """The bar's SVG position and size attributes (numbers only), drawn in one go."""
        return f'x="{self.x:g}" y="{self.y:g}" width="{self.width:g}" height="{self.height:g}"'

    @property
    def label_at(self) -> str:
        return f'x="{self.label_x:g}" y="{self.label_y:g}"'


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LegendEntry:
    series: str
    pattern: int
    label: str
    x: float

    @property
    def label_x(self) -> float:
        return _r(self.x + 16)


@dataclass(frozen=True)
class BarChart:
    key: str  # unique on the page: the prefix of the SVG's ids
    title: str
    description: str
    bars: tuple[Bar, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    legend: tuple[LegendEntry, ...]
    width: float = WIDTH
    height: float = HEIGHT
    left: float = _LEFT
    right: float = WIDTH - _RIGHT
    top: float = _TOP
    bottom: float = HEIGHT - _BOTTOM

    @property
    def x_label_y(self) -> float:
        return self.bottom + 16

    @property
    def legend_y(self) -> float:
        return self.height - 18

    @property
    def legend_box_y(self) -> float:
        return self.legend_y - 6

    @property
    def y_label_x(self) -> float:
        return self.left - 6

    @property
    def patterns(self) -> range:
        return range(PATTERNS)


def bar_chart(
    *,
    key: str,
    title: str,
    description: str,
    series: Sequence[tuple[str, str]],
    groups: Sequence[tuple[str, Mapping[str, float]]],
) -> BarChart:
    """``series``: (key, legend label) in order; ``groups``: each group of bars as (axis label,
    {series key: value}), in order. At most ``PATTERNS`` series."""
    if len(series) > PATTERNS:
        raise ValueError(f"a chart has at most {PATTERNS} series")
    top_value = max((values[name] for _, values in groups for name, _ in series), default=0)
    scale_max = _nice_max(top_value)
    plot_width = WIDTH - _RIGHT - _LEFT
    plot_height = HEIGHT - _BOTTOM - _TOP
    group = plot_width / max(len(groups), 1)
    bar_width = min(group * _GROUP_FILL / len(series), _MAX_BAR)
    bars = []
    x_ticks = []
    for index, (label, values) in enumerate(groups):
        group_left = _LEFT + index * group + (group - bar_width * len(series)) / 2
        for position, (name, _) in enumerate(series):
            height = plot_height * values[name] / scale_max
            bars.append(
                Bar(
                    series=name,
                    pattern=position,
                    value=values[name],
                    x=_r(group_left + position * bar_width),
                    y=_r(HEIGHT - _BOTTOM - height),
                    width=_r(bar_width - 1),
                    height=_r(height),
                )
            )
        x_ticks.append(Tick(_r(_LEFT + (index + 0.5) * group), label))
    y_ticks = tuple(
        Tick(_r(HEIGHT - _BOTTOM - plot_height * value / scale_max), str(value))
        for value in _tick_values(scale_max)
    )
    legend_step = plot_width / len(series)
    legend = tuple(
        LegendEntry(name, index, label, _r(_LEFT + index * legend_step))
        for index, (name, label) in enumerate(series)
    )
    return BarChart(
        key=key,
        title=title,
        description=description,
        bars=tuple(bars),
        y_ticks=y_ticks,
        x_ticks=tuple(x_ticks),
        legend=legend,
    )


def month_chart(months: Sequence[tuple[str, Mapping[str, int]]], description: str) -> BarChart:
    """``months``: each month as ("2027-01", {series key: count}), in order."""
    return bar_chart(
        key="months",
        title="Tapers by month",
        description=description,
        series=MONTH_SERIES,
        groups=[(month_label(key), values) for key, values in months],
    )


def month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{_MONTHS[int(month) - 1]} {year}"


def _nice_max(value: float) -> int:
    """The axis top: at least 4, and a multiple of 4 so that its quarter ticks are whole numbers."""
    return max(4, math.ceil(value / 4) * 4)


def _tick_values(scale_max: int) -> tuple[int, ...]:
    return tuple(scale_max * quarter // 4 for quarter in range(5))


def _r(value: float) -> float:
    return round(value, 1)
