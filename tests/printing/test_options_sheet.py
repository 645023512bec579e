"""The patient's options sheet (issue 17): the options compared in the builder on one page, in plain
words (Flesch-Kincaid grade 6 or lower, as the take-home schedule), tagged PDF/UA-1, with the
options' own figures; printed from the builder by a prescriber only."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
import textstat
from django.test import Client
from pypdf import PdfReader
from textstat.backend.counts import _count_syllables

from schedules import engine
from schedules.models import Patient
from schedules.plans import options
from schedules.plans.planning import PlanChoices
from schedules.plans.printing import ClinicDetails, PatientIdentity
from schedules.plans.printing.options_sheet import OptionsSheet, options_pdf
from tests.plans.test_views import builder_data, builder_url
from tests.printing.pdf_text import SHORT_DAYS_AND_MONTHS, Tagged, read_pdf, structure

# Every test reads the options planned from the reference data, so the test database is set up even
# when one test is run alone.
pytestmark = pytest.mark.django_db

PRINTED_AT = dt.datetime(2027, 1, 2, 10, 30, tzinfo=dt.UTC)
LORAZEPAM_1_MG_BD = PlanChoices(
    regimen=(
        engine.RegimenItem(
            drug="lorazepam", doses={engine.Slot.MORNING: Decimal(1), engine.Slot.NIGHT: Decimal(1)}
        ),
    ),
    method=engine.PRESETS["jcpg-standard"].method,
    interval_days=14,
    market="UK",
    start=dt.date(2027, 1, 4),
    switch_to="diazepam",
    patient=engine.PatientFactors(age=46),
)


@pytest.fixture(scope="module")
def compared(django_db_setup: None, django_db_blocker: Any) -> list[options.Option]:
    with django_db_blocker.unblock():
        return options.compare(LORAZEPAM_1_MG_BD)


@pytest.fixture(scope="module")
def sheet(compared: list[options.Option]) -> bytes:
    return options_pdf(
        OptionsSheet(
            options=tuple(compared),
            printed_at=PRINTED_AT,
            clinic=ClinicDetails(name="Riverside", phone="01234 567890", emergency_number="999"),
            patient=PatientIdentity(
                name="Margaret Ellis", date_of_birth=dt.date(1980, 1, 1), record_number="R-1"
            ),
        )
    )


@pytest.fixture(scope="module")
def tagged(sheet: bytes) -> list[Tagged]:
    return structure(sheet)


def test_it_is_one_tagged_page_with_its_title_and_language(
    sheet: bytes, compared: list[options.Option]
) -> None:
    assert len(compared) == 3
    reader = PdfReader(io.BytesIO(sheet))
    assert len(reader.pages) == 1
    catalog: Any = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"]) and catalog["/Lang"] == "en"
    assert reader.metadata is not None and (reader.metadata.title or "").startswith(
        "Your options for lowering your dose"
    )


def test_it_reads_in_order_with_a_table_of_the_options(tagged: list[Tagged]) -> None:
    headings = [(e.role, e.text) for e in tagged if e.role in ("H1", "H2")]
    assert headings == [
        ("H1", "Your options for lowering your dose"),
        ("H2", "3 options"),
        ("H2", "What to expect"),
        ("H2", "Where this advice comes from"),
    ]
    assert [e.text for e in tagged if e.role == "TH"][:4] == ["What", "Option A", "Option B", "Option C"]


def test_it_gives_each_options_own_figures(sheet: bytes, compared: list[options.Option]) -> None:
    text = read_pdf(sheet).text
    for option in compared:
        summary = option.summary
        last = summary.end_date - dt.timedelta(days=1)
        assert f"About {summary.weeks} weeks. Last dose on {last.day} {last:%B %Y}." in text
        assert f"{summary.steps} changes." in text
    assert "First you change to diazepam over 2 weeks." in text
    assert "Option A is a solid line. Option B is a dashed line. Option C is a dotted line." in text
    assert "Margaret Ellis" in text


def test_the_chart_has_words_for_a_screen_reader(tagged: list[Tagged]) -> None:
    figures = [element for element in tagged if element.role == "Figure"]
    assert [figure.alt for figure in figures] == ["The options' daily diazepam equivalent over time"]


def the_words(tagged: list[Tagged]) -> str:
    """What a patient reads, as the take-home schedule's test takes it: the sheet's paragraphs and
    table cells before its sources (the chart's axis is a picture, read by its alternative text)."""
    sources = next(i for i, e in enumerate(tagged) if e.text == "Where this advice comes from")
    return " ".join(e.text for e in tagged[:sources] if e.role in ("P", "TD", "TH"))


def test_mg_is_explained_once_and_days_and_months_are_in_full(tagged: list[Tagged]) -> None:
    """As the take-home schedule (tests/printing/test_accessible_pdf.py): the chart's doses are in
    mg, said once in words; a last dose's month is written in full."""
    words = the_words(tagged)
    assert words.count("“mg” is short for milligrams") == 1
    assert re.findall(SHORT_DAYS_AND_MONTHS, words) == []
    assert "Last dose on" in words


@pytest.fixture
def pyphen_syllables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Syllables counted with textstat's Pyphen dictionary, the same for every run (as
    tests/printing/test_accessible_pdf.py: no download of NLTK's dictionary)."""
    monkeypatch.setattr(_count_syllables, "get_cmudict", lambda lang: None)


@pytest.mark.usefixtures("pyphen_syllables")
def test_it_reads_at_grade_6_or_lower(tagged: list[Tagged]) -> None:
    sources = next(i for i, e in enumerate(tagged) if e.text == "Where this advice comes from")
    words = [e.text for e in tagged[:sources] if e.role in ("P", "TD")]
    plain = [re.sub(r"\[[\d, ]+\]", "", text) for text in words]
    assert len(plain) >= 12
    assert textstat.flesch_kincaid_grade(" ".join(plain)) <= 6
    assert [p for p in plain if textstat.flesch_kincaid_grade(p) > 6] == []


def test_a_prescriber_prints_it_from_the_builder(prescriber_client: Client, patient: Patient) -> None:
    response = prescriber_client.post(builder_url(patient), builder_data(action="options-sheet"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="taper-options.pdf"'
    text = read_pdf(response.content).text
    assert "Margaret Ellis · born 14 March 1951 · record R-1" in text
    assert "2 options" in text  # the patient is 75: no switch to diazepam is proposed


def test_staff_cannot_print_it(staff_client: Client, patient: Patient) -> None:
    response = staff_client.post(builder_url(patient), builder_data(action="options-sheet"))
    assert response.status_code == 403


def test_bad_input_shows_the_builder_with_the_error_not_a_pdf(
    prescriber_client: Client, patient: Patient
) -> None:
    response = prescriber_client.post(
        builder_url(patient), builder_data(action="options-sheet", start="2090-01-01")
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "check the year" in response.content.decode()


def test_the_largest_plans_options_fit_one_page_too(django_db_setup: None, django_db_blocker: Any) -> None:
    """Alprazolam 2 mg three times a day switched to diazepam with its liquid: the longest words."""
    choices = PlanChoices(
        regimen=(
            engine.RegimenItem(
                drug="alprazolam",
                doses={
                    engine.Slot.MORNING: Decimal(2),
                    engine.Slot.MIDDAY: Decimal(2),
                    engine.Slot.NIGHT: Decimal(2),
                },
            ),
        ),
        method=engine.PercentMethod(Decimal(5)),
        interval_days=14,
        market="UK",
        start=dt.date(2027, 1, 4),
        switch_to="diazepam",
        liquid=True,
        patient=engine.PatientFactors(age=46),
    )
    with django_db_blocker.unblock():
        compared = options.compare(choices)
    sheet = OptionsSheet(
        options=tuple(compared),
        printed_at=PRINTED_AT,
        clinic=ClinicDetails(name="Riverside Community Drug and Alcohol Service", phone="01234 567890"),
        patient=PatientIdentity(
            name="Margaret Ellis-Worthington", date_of_birth=dt.date(1980, 1, 1), record_number="R-1"
        ),
    )
    content = options_pdf(sheet)
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    assert "A syringe measures the liquid." in read_pdf(content).text
