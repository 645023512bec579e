"""The printed clinician's plan says what the plan page says: the same steps, dates and doses.

Both render the saved version's schedule through the same step-table partial; this checks the
result, cell by cell, so that a change to either presentation cannot make them drift apart.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from schedules.models import Plan
from tests.printing.downloads import download
from tests.printing.pdf_text import read_pdf

pytestmark = pytest.mark.django_db

COMPARED = ("step-dates", "dose", "step-daily", "step-de", "step-change")


class StepCells(HTMLParser):
    """The text of each compared cell of the step table, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._depth = 0
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self._depth:
            self._depth += tag != "br"
            if tag == "br":
                self._text.append(" ")
        elif tag == "td" and any(name in classes for name in COMPARED):
            self._depth, self._text = 1, []

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1
            if not self._depth:
                self.cells.append(" ".join("".join(self._text).split()))

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._text.append(data)


def test_the_printed_plan_shows_every_cell_of_the_plan_page(prescriber_client: Client, plan: Plan) -> None:
    page = prescriber_client.get(f"/plans/{plan.pk}/")
    assert page.status_code == 200
    parser = StepCells()
    parser.feed(page.content.decode())
    steps = plan.current_version.schedule["steps"]  # type: ignore[union-attr]
    assert len(parser.cells) == len(steps) * 8  # dates, four times of day, daily, DE, change
    printed = read_pdf(download(prescriber_client, f"/plans/{plan.pk}/clinician.pdf").content).text
    missing = [cell for cell in parser.cells if cell not in printed]
    assert missing == []
