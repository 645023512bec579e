"""Printed plans: the clinician's plan and the patient's take-home schedule, as PDF bytes.

A caller builds a ``PrintablePlan`` (``from_schedule`` for the command line; ``from_plan_version``
for a saved plan) and calls ``clinician_pdf`` or ``patient_pdf``. No request handling here.
"""

from schedules.plans.printing.document import (
    ClinicDetails,
    PaperSize,
    PatientIdentity,
    PlanIdentity,
    PrintablePlan,
    describe_request,
    from_schedule,
    journal_window,
)
from schedules.plans.printing.render import (
    StaticFilesFetcher,
    clinician_pdf,
    html_to_pdf,
    patient_pdf,
    pdf_file_arg,
    write_command_line_pdfs,
)

__all__ = [
    "ClinicDetails",
    "PaperSize",
    "PatientIdentity",
    "PlanIdentity",
    "PrintablePlan",
    "StaticFilesFetcher",
    "clinician_pdf",
    "describe_request",
    "from_schedule",
    "html_to_pdf",
    "journal_window",
    "patient_pdf",
    "pdf_file_arg",
    "write_command_line_pdfs",
]
