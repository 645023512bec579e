"""The list rows' link and dates (schedules/templatetags/lists.py) say exactly what ``{% url %}``
and the ``date`` filter say."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from schedules.templatetags.lists import day

STYLES = ["D j M", "D j M Y", "j M Y", "j M", "l j F Y"]


@given(value=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_day_reads_as_the_date_filter_writes_it(value: dt.date) -> None:
    for style in STYLES:
        assert day(value, style) == date_filter(value, style)


def test_no_date_is_empty_and_an_unknown_format_is_refused() -> None:
    assert day(None, "j M Y") == ""
    with pytest.raises(ValueError, match="not a format"):
        day(dt.date(2027, 1, 1), "d/m/Y")


@pytest.mark.parametrize(
    "name",
    [
        "schedules:plan_detail",
        "schedules:patient_detail",
        "followup:checkin_create",
        "followup:plan_checkins",
    ],
)
def test_a_row_url_is_the_url_tag_s(name: str) -> None:
    template = Template("{% load lists %}{% for key in keys %}{% row_url name key %} {% endfor %}")
    keys = [1, 20, 2_147_483_646]
    rendered = template.render(Context({"keys": keys, "name": name})).split()
    assert rendered == [reverse(name, args=[key]) for key in keys]
