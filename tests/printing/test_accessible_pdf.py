"""The patient's take-home schedule as a person using a screen reader, or needing large print, or
reading at a primary-school level, gets it: tagged PDF/UA-1 read back with pypdf (structure tree,
language, title, the tablets' pictures with their words), every word at 16 pt or more in large
print, and the instructions at Flesch-Kincaid grade 6 or lower (textstat)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
import textstat
from pypdf import PdfReader
from textstat.backend.counts import _count_syllables

from schedules.engine import PercentMethod
from schedules.plans import printing
from tests.engine.engine_builders import plan, regimen
from tests.printing.pdf_text import SHORT_DAYS_AND_MONTHS, Tagged, font_sizes, read_pdf, structure
from tests.printing.plans import DIAZEPAM_LIQUIDS, DIAZEPAM_SOLIDS, switch_schedule

PRINTED_AT = dt.datetime(2027, 2, 20, 10, 30, tzinfo=dt.UTC)
SECTIONS = [
    "Your clinic",
    "While your dose goes down",
    "What to take",
    "Your dose journal",
    "After this period: an overview",
    "Where this advice comes from",
]
TABLET_WORDS = {"A whole tablet", "Half a tablet", "A quarter of a tablet", "Three quarters of a tablet"}


@pytest.fixture(scope="module")
def tablets_pdf() -> bytes:
    """Lorazepam switched to diazepam: whole and half tablets, drawn."""
    return printing.patient_pdf(printing.from_schedule(switch_schedule(), printed_at=PRINTED_AT))


@pytest.fixture(scope="module")
def liquid_large_print_pdf() -> bytes:
    """Diazepam 2 mg at night down to 1 mg with the oral liquid, in large print."""
    schedule = plan(
        regimen=[regimen("diazepam", night="2")],
        formulations=[*DIAZEPAM_SOLIDS, *DIAZEPAM_LIQUIDS],
        method=PercentMethod(Decimal(10)),
        interval_days=14,
        target_daily_mg=Decimal(1),
    )
    return printing.patient_pdf(printing.from_schedule(schedule, printed_at=PRINTED_AT), large_print=True)


@pytest.fixture(scope="module")
def tagged(tablets_pdf: bytes) -> list[Tagged]:
    return structure(tablets_pdf)


@pytest.fixture(scope="module")
def tagged_liquid(liquid_large_print_pdf: bytes) -> list[Tagged]:
    return structure(liquid_large_print_pdf)


def test_it_is_pdf_ua_with_its_language_and_title(tablets_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(tablets_pdf))
    catalog: Any = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "en"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None and reader.metadata.title == "Your taper schedule"
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()


def test_it_reads_in_order_one_title_then_each_section(tagged: list[Tagged]) -> None:
    headings = [(element.role, element.text) for element in tagged if element.role in ("H1", "H2")]
    assert headings == [("H1", "Your taper schedule"), *(("H2", section) for section in SECTIONS)]
    first = next(element for element in tagged if element.role == "P")
    assert first.text.startswith("This schedule starts on Monday 4 January 2027.")
    assert not any("Page 1 of" in element.text for element in tagged), "page furniture is not read out"


def test_the_steps_are_a_table_with_headers(tagged: list[Tagged]) -> None:
    roles = {element.role for element in tagged}
    assert {"Table", "TH", "TR", "TD"} <= roles
    assert any(element.role == "TH" and element.text == "Morning" for element in tagged)


def test_every_tablet_picture_says_what_it_shows(tagged: list[Tagged]) -> None:
    figures = [element for element in tagged if element.role == "Figure"]
    assert len(figures) > 10
    assert {figure.alt for figure in figures} == {"A whole tablet", "Half a tablet"}
    assert {figure.alt for figure in figures} <= TABLET_WORDS


def test_large_print_has_no_word_under_16_pt(liquid_large_print_pdf: bytes, tablets_pdf: bytes) -> None:
    assert min(font_sizes(liquid_large_print_pdf)) >= 16
    assert min(font_sizes(tablets_pdf)) < 16, "the ordinary print has smaller notes"


def instructions(elements: list[Tagged]) -> list[str]:
    """The paragraphs a patient reads (the sources' citations, after their heading, excepted)."""
    sources = next(i for i, element in enumerate(elements) if element.text == SECTIONS[-1])
    return [element.text for element in elements[:sources] if element.role == "P"]


@pytest.fixture
def pyphen_syllables(monkeypatch: pytest.MonkeyPatch) -> None:
    """textstat counts English syllables with NLTK's CMU dictionary, which it downloads on first use:
    without a network (the clinic's, CI's) it counts with its Pyphen hyphenation dictionary instead,
    the same for every run."""
    monkeypatch.setattr(_count_syllables, "get_cmudict", lambda lang: None)


@pytest.mark.usefixtures("pyphen_syllables")
def test_the_instructions_read_at_grade_6_or_lower(tagged: list[Tagged], tagged_liquid: list[Tagged]) -> None:
    for elements in (tagged, tagged_liquid):
        paragraphs = instructions(elements)
        assert len(paragraphs) >= 8
        # The numbers of the sources ("[1, 2]") are not words.
        plain = [re.sub(r"\[[\d, ]+\]", "", paragraph) for paragraph in paragraphs]
        assert textstat.flesch_kincaid_grade(" ".join(plain)) <= 6
        assert [p for p in plain if textstat.flesch_kincaid_grade(p) > 6] == []


def test_mg_and_ml_are_explained_once_and_no_other_abbreviation_is_used(
    tablets_pdf: bytes, liquid_large_print_pdf: bytes
) -> None:
    tablets, liquid = read_pdf(tablets_pdf).text, read_pdf(liquid_large_print_pdf).text
    assert tablets.count("“mg” is short for milligrams") == 1 and "mL" not in tablets
    assert liquid.count("“mg” is short for milligrams") == 1
    assert liquid.count("“mL” is short for millilitres") == 1 and " mL of diazepam liquid" in liquid
    for text in (tablets, liquid):
        patient_text = text[: text.index(SECTIONS[-1])]
        assert re.findall(SHORT_DAYS_AND_MONTHS, patient_text) == []
        assert re.findall(r"\b\d{1,2}[:.]\d{2}\b|\b[ap]\.?m\b", patient_text) == [], "times of day as words"
