"""The list rows' link, dates and doses (schedules/templatetags/lists.py) say exactly what ``{% url %}``,
the ``date`` filter and a loop over the doses say."""

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


DOSE = st.fixed_dictionaries(
    {
        "slot": st.sampled_from(["morning", "midday", "evening", "night"]),
        "drug": st.sampled_from(["diazepam", "lorazepam", "alprazolam & co <b>"]),
        "mg": st.floats(min_value=0.001, max_value=200, allow_nan=False),
    }
)
DOSES_LOOP = Template(
    "{% load taper %}{% for dose in doses %}{{ dose.slot }} {{ dose.drug }} {{ dose.mg|mg }} mg"
    "{% if not forloop.last %}, {% endif %}{% endfor %}"
)


@given(doses=st.lists(DOSE, max_size=5))
def test_a_steps_doses_read_as_the_loop_wrote_them(doses: list[dict[str, object]]) -> None:
    """Escaped as each of the loop's pieces was."""
    context = Context({"doses": doses})
    assert Template("{% load lists %}{{ doses|doses }}").render(context) == DOSES_LOOP.render(context)
