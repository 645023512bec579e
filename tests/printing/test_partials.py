"""The shared step table and chart templates render a schedule dict fully and safely."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

from django.template import engines
from django.template.loader import render_to_string

from schedules.templatetags.taper import count_text, signed_percent, unit_text
from tests.printing.plans import as_dict, long_schedule, short_schedule, switch_schedule


class Cells(HTMLParser):
    """Collects each tbody's cells (data-label -> text) and every attribute name seen."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[dict[str, str]] = []
        self.attributes: set[str] = set()
        self.header: list[str] = []
        self._label: str | None = None
        self._in_head = False
        self._in_th = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.attributes.update(values)
        if tag == "thead":
            self._in_head = True
        if tag == "tbody":
            self.bodies.append({"class": values.get("class") or ""})
        if tag in ("td", "th") and "data-label" in values:
            self._label = values["data-label"]
            self.bodies[-1][self._label or ""] = ""
        if tag == "th" and self._in_head:
            self._in_th = True
            self.header.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._label = None
            self._in_th = False
        if tag == "thead":
            self._in_head = False

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self.bodies[-1][self._label] += data
        if self._in_th:
            self.header[-1] += data


def table(schedule: dict[str, Any], today: dt.date | None = None) -> Cells:
    parser = Cells()
    parser.feed(render_to_string("plans/_step_table.html", {"schedule": schedule, "today": today}))
    return parser


def chart_svg(schedule: dict[str, Any], **context: Any) -> str:
    template = engines["django"].from_string("{% load taper %}{% schedule_chart schedule today=today %}")
    return template.render({"schedule": schedule, **context})


def test_units_are_written_as_people_take_them() -> None:
    assert count_text(1.0) == "1" and count_text(0.5) == "½" and count_text(1.5) == "1½"
    assert count_text(0.25) == "¼" and count_text(2.75) == "2¾"
    assert unit_text({"form": "tablet", "strength_mg": 2.0, "count": 1.0}) == "1 × 2 mg tablet"
    assert unit_text({"form": "tablet", "strength_mg": 5.0, "count": 0.5}) == "½ × 5 mg tablet"
    liquid = {"form": "oral solution", "strength_mg": 0.4, "volume_ml": 4.0}
    assert unit_text(liquid) == "4 mL of 2 mg/5 mL oral solution"
    concentrate = {"form": "oral solution", "strength_mg": 5.0, "volume_ml": 0.6}
    assert unit_text(concentrate) == "0.6 mL of 5 mg/mL oral solution"
    assert (
        signed_percent(-10.0) == "−10%" and signed_percent(0.0) == "0%" and signed_percent(12.5) == "+12.5%"
    )


def test_every_step_and_every_time_of_day_is_a_labelled_cell() -> None:
    schedule = as_dict(short_schedule())
    parsed = table(schedule)
    assert parsed.header == [
        "Step",
        "Dates",
        "Morning",
        "Midday",
        "Evening",
        "Night",
        "Daily",
        "Diazepam equivalent",
        "Change",
    ]
    assert len(parsed.bodies) == len(schedule["steps"])
    for body, step in zip(parsed.bodies, schedule["steps"], strict=True):
        for label in parsed.header:
            assert label in body, f"step {step['number']} has a {label} cell"
        assert body["Step"].startswith(str(step["number"]))
        start = dt.date.fromisoformat(step["start_date"])
        assert f"{start.day} {start:%b %Y}" in body["Dates"]
    # Step 1 is the first cut (10 to 9 mg), taken from the morning dose first.
    first = parsed.bodies[0]
    assert "Diazepam 4 mg" in first["Morning"] and "2 × 2 mg tablet" in first["Morning"]
    assert "Diazepam 5 mg" in first["Night"] and "1 × 5 mg tablet" in first["Night"]
    assert "–" in first["Midday"]
    assert first["Diazepam equivalent"].strip() == "9 mg"
    assert first["Change"].strip() == "−10%"


def test_a_switch_step_lists_both_drugs_and_a_hold_says_so() -> None:
    schedule = as_dict(switch_schedule())
    parsed = table(schedule)
    first = parsed.bodies[0]
    assert "Switch" in first["Step"]
    assert "Lorazepam" in first["Daily"] and "Diazepam" in first["Daily"]
    hold_index = next(i for i, step in enumerate(schedule["steps"]) if step["hold"])
    assert "Hold" in parsed.bodies[hold_index]["Step"]
    assert "step--hold" in parsed.bodies[hold_index]["class"]


def test_a_liquid_dose_names_the_volume_and_the_bottle_strength() -> None:
    schedule = as_dict(long_schedule())
    parsed = table(schedule)
    text = " ".join(cell for body in parsed.bodies for cell in body.values())
    assert re.search(r"\d+(\.\d)? mL of (2 mg/5 mL|5 mg/5 mL) oral solution", text)


def test_warnings_sit_next_to_their_step_with_their_source() -> None:
    schedule = as_dict(long_schedule())
    html = render_to_string("plans/_step_table.html", {"schedule": schedule})
    step_warnings = [w for w in schedule["warnings"] if w["step"] is not None]
    assert step_warnings
    for warning in step_warnings:
        body = re.search(rf'id="step-{warning["step"]}">(.*?)</tbody>', html, re.S)
        assert body is not None
        assert warning["message"].split(":")[0].replace("'", "&#x27;") in body.group(1)
        assert "Source: " in body.group(1)


def test_today_s_step_is_highlighted() -> None:
    schedule = as_dict(short_schedule())
    parsed = table(schedule, today=dt.date(2027, 1, 20))
    highlighted = [i for i, body in enumerate(parsed.bodies) if "step--today" in body["class"]]
    assert highlighted == [1]
    assert "Today" in parsed.bodies[1]["Step"]
    assert not any("step--today" in body["class"] for body in table(schedule).bodies)


def test_a_120_step_plan_renders_every_step() -> None:
    schedule = as_dict(long_schedule())
    parsed = table(schedule)
    assert len(parsed.bodies) == len(schedule["steps"]) >= 110


def test_the_partials_have_no_style_attribute_and_no_script() -> None:
    schedule = as_dict(switch_schedule())
    html = render_to_string("plans/_step_table.html", {"schedule": schedule}) + chart_svg(schedule)
    parser = Cells()
    parser.feed(html)
    assert "style" not in parser.attributes
    assert "<script" not in html and "javascript:" not in html


def test_the_chart_is_an_accessible_image_with_its_text_alternative() -> None:
    schedule = as_dict(switch_schedule())
    svg = chart_svg(schedule, today=dt.date(2027, 2, 1))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="taper-chart-title">Daily diazepam equivalent over time</title>' in svg
    assert "<desc" in svg and "Switch phase" in svg and "Today is 1 Feb 2027" in svg
    assert 'class="chart-band chart-band--switch"' in svg and 'class="chart-band chart-band--hold"' in svg
    assert 'class="chart-today"' in svg
    # Numbers are written with a dot whatever the locale.
    assert re.search(r'd="M[\d.]+ [\d.]+ L', svg)
