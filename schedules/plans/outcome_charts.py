"""The geometry of the Outcomes page's chart: tapers started, active, paused, completed and stopped
by month, as grouped bars that ``templates/plans/_outcomes_chart.svg`` draws.

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
_GROUP_FILL = 0.8  # the share of a month's width its bars take
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# (key, legend label): the order of the bars in each month and of the legend.
SERIES = (
    ("started", "Started"),
    ("active", "Active at month end"),
    ("paused", "Pauses begun"),
    ("completed", "Completed"),
    ("stopped", "Stopped"),
)


@dataclass(frozen=True)
class Bar:
    series: str
    value: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        return _r(self.x + self.width / 2)

    @property
    def label_y(self) -> float:
        return _r(self.y - 3)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LegendEntry:
    series: str
    label: str
    x: float

    @property
    def label_x(self) -> float:
        return _r(self.x + 16)


@dataclass(frozen=True)
class MonthChart:
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


def month_chart(months: Sequence[tuple[str, Mapping[str, int]]], description: str) -> MonthChart:
    """``months``: each month as ("2027-01", {series key: count}), in order."""
    top_value = max((values[key] for _, values in months for key, _ in SERIES), default=0)
    scale_max = _nice_max(top_value)
    plot_width = WIDTH - _RIGHT - _LEFT
    plot_height = HEIGHT - _BOTTOM - _TOP
    group = plot_width / max(len(months), 1)
    bar_width = group * _GROUP_FILL / len(SERIES)
    bars = []
    x_ticks = []
    for index, (key, values) in enumerate(months):
        group_left = _LEFT + index * group + group * (1 - _GROUP_FILL) / 2
        for position, (series, _) in enumerate(SERIES):
            height = plot_height * values[series] / scale_max
            bars.append(
                Bar(
                    series=series,
                    value=values[series],
                    x=_r(group_left + position * bar_width),
                    y=_r(HEIGHT - _BOTTOM - height),
                    width=_r(bar_width - 1),
                    height=_r(height),
                )
            )
        year, month = key.split("-")
        x_ticks.append(Tick(_r(_LEFT + (index + 0.5) * group), f"{_MONTHS[int(month) - 1]} {year}"))
    y_ticks = tuple(
        Tick(_r(HEIGHT - _BOTTOM - plot_height * value / scale_max), str(value))
        for value in _tick_values(scale_max)
    )
    legend_step = plot_width / len(SERIES)
    legend = tuple(
        LegendEntry(series, label, _r(_LEFT + index * legend_step))
        for index, (series, label) in enumerate(SERIES)
    )
    return MonthChart(
        title="Tapers by month",
        description=description,
        bars=tuple(bars),
        y_ticks=y_ticks,
        x_ticks=tuple(x_ticks),
        legend=legend,
    )


def _nice_max(value: int) -> int:
    """The axis top: at least 4, and a multiple of 4 so that its quarter ticks are whole numbers."""
    return max(4, math.ceil(value / 4) * 4)


def _tick_values(scale_max: int) -> tuple[int, ...]:
    return tuple(scale_max * quarter // 4 for quarter in range(5))


def _r(value: float) -> float:
    return round(value, 1)
