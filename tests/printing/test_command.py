"""`manage.py taper --pdf FILE --patient-pdf FILE`: printing plans built on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.printing.pdf_text import read_pdf

pytestmark = pytest.mark.django_db

PLAN = ("--drug", "lorazepam", "--morning", "1", "--night", "1", "--market", "UK", "--start", "2027-01-04")


def test_both_documents_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clinician, patient = tmp_path / "plan.pdf", tmp_path / "take-home.pdf"
    call_command("taper", *PLAN, "--pdf", str(clinician), "--patient-pdf", str(patient))
    assert "Taper schedule" in capsys.readouterr().out, "the table is still printed"
    clinician_text = read_pdf(clinician.read_bytes())
    for page in clinician_text.pages:
        assert "No patient: plan made on the command line" in page
    assert "Lorazepam" in clinician_text.text
    patient_text = read_pdf(patient.read_bytes()).text
    assert "Your taper schedule" in patient_text and "tablet of lorazepam" in patient_text


def test_an_unwritable_pdf_path_is_one_line_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        call_command("taper", *PLAN, "--pdf", str(tmp_path / "missing" / "plan.pdf"))
    assert stopped.value.code != 0
    error = capsys.readouterr().err
    assert "no folder" in error and "Traceback" not in error
    assert error.count("\n") == 1
