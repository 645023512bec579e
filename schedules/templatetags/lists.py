"""Rows of long lists (the dashboard, the follow-up lists, the patient list): the link and the dates
of each row, at a fraction of the cost of ``{% url %}`` and the ``date`` filter.

Measured on the lists' pages (tests/benchmarks/test_list_benchmark.py): a ``reverse`` costs about as
much as the rest of a row's cells together, and the ``date`` filter (a localised format looked up
and parsed on every call) several times a plain variable; a page of 50 rows paid both on each row.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django import template
from django.urls import reverse
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import get_language

from schedules.templatetags.taper import mg

register = template.Library()

# A key no row has, reversed once per page and replaced by each row's key: every URL these lists
# link to takes one integer (a patient's or a plan's id).
_MARKER = 2_147_483_647


@register.simple_tag(takes_context=True)
def row_url(context: template.Context, viewname: str, key: int) -> str:
    """``{% row_url "schedules:plan_detail" plan.pk %}``: the same URL as ``{% url %}``, reversed
    once per template render rather than once per row."""
    cache = context.render_context
    name = f"row_url:{viewname}"
    if name not in cache:
        cache[name] = reverse(viewname, args=[_MARKER]).split(str(_MARKER))
    before, after = cache[name]
    return f"{before}{int(key)}{after}"


@lru_cache(maxsize=8)
def _names(language: str | None) -> dict[str, tuple[str, ...]]:
    """Day and month names in the active language, as the ``date`` filter writes them."""
    return {
        "D": tuple(str(WEEKDAYS_ABBR[day]) for day in range(7)),
        "l": tuple(str(WEEKDAYS[day]) for day in range(7)),
        "M": ("", *(str(MONTHS_3[month]).title() for month in range(1, 13))),
        "F": ("", *(str(MONTHS[month]) for month in range(1, 13))),
    }


@register.filter
def day(value: dt.date | None, style: str = "j M Y") -> str:
    """A date as the ``date`` filter writes it with ``style`` made of ``D`` (Mon), ``l`` (Monday),
    ``j`` (the day of the month), ``M`` (Jan), ``F`` (January) and ``Y`` (the year), spaces and
    commas; "" for no date, like the ``date`` filter."""
    if not value:
        return ""
    names = _names(get_language())
    parts = []
    for char in style:
        if char == "j":
            parts.append(str(value.day))
        elif char == "Y":
            parts.append(f"{value.year:04d}")
        elif char in ("D", "l"):
            parts.append(names[char][value.weekday()])
        elif char in ("M", "F"):
            parts.append(names[char][value.month])
        elif char in " ,":
            parts.append(char)
        else:
            raise ValueError(f"day: {char!r} is not a format this filter writes (D l j M F Y)")
    return "".join(parts)


@register.filter
def doses(step_doses: list[dict[str, Any]]) -> str:
    """A step's doses (as saved: slot, drug, mg) in one line, "morning diazepam 5 mg, night
    diazepam 10 mg": one variable for a row rather than a loop of four for each dose."""
    return ", ".join(f"{dose['slot']} {dose['drug']} {mg(dose['mg'])} mg" for dose in step_doses)
