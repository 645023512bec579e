"""The printed plans read back with pypdf: complete, paged, identified, and fetching nothing remote."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
from typing import Any

import pytest

from schedules.plans import printing
from schedules.plans.printing.patient import OVERVIEW_MAX_ROWS, daily_words, overview, steps_in_period
from schedules.templatetags.taper import mg
from tests.printing.pdf_text import ReadPdf, read_pdf
from tests.printing.plans import as_dict, long_schedule, short_schedule, sixty_step_schedule, switch_schedule

PRINTED_AT = dt.datetime(2027, 2, 20, 10, 30, tzinfo=dt.UTC)
A4_PT = (595, 842)
LETTER_PT = (612, 792)


def short_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"


@pytest.fixture(scope="module")
def switch_plan() -> printing.PrintablePlan:
    return printing.from_schedule(switch_schedule(), printed_at=PRINTED_AT)


@pytest.fixture(scope="module")
def clinician(switch_plan: printing.PrintablePlan) -> ReadPdf:
    return read_pdf(printing.clinician_pdf(switch_plan))


@pytest.fixture(scope="module")
def patient(switch_plan: printing.PrintablePlan) -> ReadPdf:
    """The patient's schedule with every step in full (the print form's "every step")."""
    return read_pdf(printing.patient_pdf(dataclasses.replace(switch_plan, period_weeks=0)))


def test_the_patient_s_schedule_prints_its_period_in_full_and_an_overview_of_the_rest(
    switch_plan: printing.PrintablePlan,
) -> None:
    plan = dataclasses.replace(switch_plan, period_weeks=4)
    assert plan.journal_start is not None
    full, later = steps_in_period(plan.schedule, start=plan.journal_start, weeks=4)
    assert full and later
    text = read_pdf(printing.patient_pdf(plan)).text
    for step in full:
        start = dt.date.fromisoformat(step["start_date"])
        assert f"{start:%A} {start.day} {start:%B %Y} to" in text
    for step in later:
        start = dt.date.fromisoformat(step["start_date"])
        assert f"{start:%A} {start.day} {start:%B %Y} to" not in text, "later steps only in the overview"
    first_later = dt.date.fromisoformat(later[0]["start_date"])
    assert "After this period: an overview" in text and f"{first_later.day} {first_later:%B %Y} to" in text
    assert f"{daily_words(later[-1])}" in text, "the overview ends at the last step's dose"
    assert "This sheet gives each step from" in text


def test_the_overview_fits_one_page_however_long_the_plan() -> None:
    schedule = as_dict(long_schedule())
    full, later = steps_in_period(schedule, start=dt.date.fromisoformat(schedule["start_date"]), weeks=12)
    rows = overview(later, block_weeks=12)
    assert 0 < len(rows) <= OVERVIEW_MAX_ROWS
    assert sum(row.changes for row in rows) == len(later) == len(schedule["steps"]) - len(full)


def test_every_step_s_dates_and_doses_are_in_the_clinician_s_plan(
    clinician: ReadPdf, switch_plan: printing.PrintablePlan
) -> None:
    text = clinician.text
    for step in switch_plan.schedule["steps"]:
        assert f"{short_date(step['start_date'])} to {short_date(step['end_date'])}" in text
        assert f"{mg(step['diazepam_equivalent_mg'], 2)} mg" in text
        for dose in step["doses"]:
            assert f"{dose['drug'].capitalize()} {mg(dose['mg'])} mg" in text


def test_every_step_is_in_the_patient_s_schedule_in_plain_words(
    patient: ReadPdf, switch_plan: printing.PrintablePlan
) -> None:
    text = patient.text
    for step in switch_plan.schedule["steps"]:
        start = dt.date.fromisoformat(step["start_date"])
        assert f"{start:%A} {start.day} {start:%B %Y}" in text
    assert "1 tablet of lorazepam 1 mg" in text
    assert "half a tablet of diazepam 5 mg" in text
    assert "Equivalence" not in text and "equivalent" not in text, "no equivalence tables for the patient"


def test_a_row_is_never_split_across_pages(clinician: ReadPdf, patient: ReadPdf, switch_plan: Any) -> None:
    for step in switch_plan.schedule["steps"]:
        dates = f"{short_date(step['start_date'])} to {short_date(step['end_date'])}"
        assert any(dates in page for page in clinician.pages), f"step {step['number']} is split"
        start, end = (dt.date.fromisoformat(step[k]) for k in ("start_date", "end_date"))
        patient_dates = f"{start:%A} {start.day} {start:%B %Y} to {end:%A} {end.day} {end:%B %Y}"
        assert any(patient_dates in page for page in patient.pages), f"patient step {step['number']} is split"


def test_pages_are_numbered_and_the_table_header_repeats(clinician: ReadPdf, patient: ReadPdf) -> None:
    for document in (clinician, patient):
        count = len(document.pages)
        assert count >= 2
        for number, page in enumerate(document.pages, start=1):
            assert f"Page {number} of {count}" in page
    step_pages = [
        page for page in clinician.pages if (" to " in page and "Switch" in page) or "Taper" in page
    ]
    assert len(step_pages) >= 2
    for page in clinician.pages:
        if "(14 days)" in page:
            assert "Diazepam equivalent Change" in page, "the step table's header is on every page it runs to"


def test_a_plan_made_on_the_command_line_says_it_has_no_patient_on_every_page(clinician: ReadPdf) -> None:
    for page in clinician.pages:
        assert "No patient: plan made on the command line" in page


def test_the_clinician_s_plan_has_the_method_table_citation_chart_and_sign_off(clinician: ReadPdf) -> None:
    text = clinician.text
    assert "10% of the current dose every 2 weeks" in text
    assert "Switch to diazepam first" in text
    assert "test equivalence table" in text and "inline test table" in text
    assert "lorazepam 1 mg = 10 mg diazepam" in text
    assert "Daily diazepam equivalent over time" in text
    assert "Dispensing per 28-day period" in text
    assert "Prescriber's signature" in text
    assert "Source: Joint Clinical Practice Guideline" in text


def test_the_patient_s_schedule_has_the_advice_with_sources_the_journal_and_large_type(
    patient: ReadPdf,
) -> None:
    text = patient.text
    assert "Never stop your tablets all at once" in text
    assert "A fit (seizure) or sudden confusion is an emergency" in text
    assert "Do not drink alcohol" in text
    assert (
        "Where this advice comes from" in text
        and "Ashton" in text
        and "doi.org/10.1007/s11606-025-09499-2" in text
    )
    assert "Your dose journal" in text and "How I felt" in text
    assert "Saturday 20 February" in text, "the journal starts at the step current on the print date"
    sizes: set[float] = set()

    def visitor(text: str, cm: Any, tm: Any, font_dict: Any, font_size: float) -> None:
        if text.strip():
            sizes.add(round(font_size * tm[0], 1))

    for page in patient.reader.pages[:3]:
        page.extract_text(visitor_text=visitor)
    body_sizes = {size for size in sizes if size > 0}
    assert max(body_sizes) >= 14


def test_metadata_language_and_embedded_fonts(clinician: ReadPdf, patient: ReadPdf) -> None:
    assert clinician.reader.metadata is not None and patient.reader.metadata is not None
    assert clinician.reader.metadata.title == "Clinician's taper plan"
    assert patient.reader.metadata.title == "Your taper schedule"
    assert clinician.reader.metadata.author == "Taper planner"
    assert clinician.reader.root_object.get("/Lang") == "en"
    assert clinician.fonts_embedded() and patient.fonts_embedded()


def test_both_paper_sizes() -> None:
    schedule = short_schedule()
    for paper, size in ((printing.PaperSize.A4, A4_PT), (printing.PaperSize.LETTER, LETTER_PT)):
        plan = printing.from_schedule(schedule, printed_at=PRINTED_AT, paper=paper)
        for content in (printing.clinician_pdf(plan), printing.patient_pdf(plan)):
            document = read_pdf(content)
            assert {document.page_size_pt(i) for i in range(len(document.pages))} == {size}


def test_page_counts_stay_sane_for_a_60_step_plan() -> None:
    schedule = sixty_step_schedule()
    steps = len(schedule.steps)
    assert 60 <= steps <= 70
    plan = printing.from_schedule(schedule, printed_at=PRINTED_AT)
    clinician = read_pdf(printing.clinician_pdf(plan))
    patient = read_pdf(printing.patient_pdf(plan))
    # About 12 steps to a clinician's page and 6 to a patient's, plus the first pages and the journal.
    assert 3 <= len(clinician.pages) <= steps // 8 + 4
    assert 6 <= len(patient.pages) <= steps // 4 + 10


def test_a_remote_url_in_a_template_is_not_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("printing opened a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    fetcher = printing.StaticFilesFetcher()
    html = (
        '<!doctype html><html lang="en"><head><title>t</title>'
        '<link rel="stylesheet" href="/static/css/print.css">'
        '<link rel="stylesheet" href="https://cdn.example.org/evil.css"></head>'
        '<body><p>Hello</p><img src="http://tracker.example.org/pixel.png" alt="">'
        '<img src="file:///etc/passwd" alt=""><img src="/static/../manage.py" alt=""></body></html>'
    )
    content = printing.html_to_pdf(html, fetcher=fetcher)
    assert "Hello" in read_pdf(content).text
    assert fetcher.refused == [
        "https://cdn.example.org/evil.css",
        "http://tracker.example.org/pixel.png",
        "file:///etc/passwd",
        "https://print.invalid/manage.py",
    ]


def test_the_fetcher_serves_the_project_s_static_files() -> None:
    fetcher = printing.StaticFilesFetcher()
    response = fetcher.fetch("https://print.invalid/static/css/print.css")
    assert b"@page" in response.read()
    assert response.headers.get_content_type() == "text/css"


def test_the_journal_covers_twelve_weeks_from_the_current_step() -> None:
    schedule = as_dict(long_schedule())
    start, days = printing.journal_window(schedule, today=dt.date(2027, 3, 3))
    assert start == dt.date(2027, 3, 1) and days == 84
    before_start, _ = printing.journal_window(schedule, today=dt.date(2026, 1, 1))
    assert before_start == dt.date.fromisoformat(schedule["start_date"])


def test_no_date_of_the_dose_journal_runs_out_of_its_column(
    switch_plan: printing.PrintablePlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Laid out as WeasyPrint lays it out, in normal and in large print, each journal date's text
    stays inside its cell: a long one ("Wednesday 30 December") wraps rather than running under the
    first tick box."""
    from weasyprint import CSS, HTML

    from schedules.plans.printing import render

    pages: list[str] = []

    def keep_html(html: str, **_: object) -> bytes:
        pages.append(html)
        return b""

    monkeypatch.setattr(render, "html_to_pdf", keep_html)
    dated = dataclasses.replace(switch_plan, journal_start=dt.date(2026, 12, 30))
    printing.patient_pdf(dated)
    printing.patient_pdf(dated, large_print=True)
    outside = []
    for html in pages:
        fetcher = render.StaticFilesFetcher()
        laid_out = HTML(string=html, base_url=render.BASE_URL, url_fetcher=fetcher).render(
            stylesheets=[CSS(string="@page { size: A4; }")]
        )
        for page in laid_out.pages:
            for cell in _boxes(page._page_box):
                if getattr(cell, "element_tag", None) == "th" and cell.element.get("scope") == "row":
                    right = cell.content_box_x() + cell.width
                    for text in _boxes(cell):
                        if type(text).__name__ == "TextBox" and text.position_x + text.width > right + 0.5:
                            outside.append(text.text)
    assert len(pages) == 2 and outside == []


def _boxes(box: Any) -> Any:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)
