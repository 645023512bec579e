"""The symptom scale shipped with the app, as data, and the function that loads it.

The CIWA-B (Busto UE, Sykora K, Sellers EM. J Clin Psychopharmacol 1989;9(6):412-6; 22 items) was
looked for and NOT shipped: no public source found reproduces all 22 items with their anchors and the
total's bands word for word (sources seen disagree even on the bands). So the app ships a plainly
labelled **unvalidated symptom checklist** whose items are the benzodiazepine withdrawal symptoms that
NHS Scotland lists, exactly as printed there, with no bands: only the rise-since-last-check-in rule can
suggest a hold. Administrators can add a validated scale (items, anchors, bands) in the admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LOAD_REASON = "Loaded from the cited source (followup/scale_data.py)"

CHECKLIST_KEY = "nhs-scotland-withdrawal-checklist"

# The rating of each item is the app's own generic patient-rated severity, NOT taken from the source
# (the source lists symptoms, it does not rate them).
GENERIC_ANCHORS = [
    {"score": 0, "label": "None"},
    {"score": 1, "label": "Mild"},
    {"score": 2, "label": "Moderate"},
    {"score": 3, "label": "Severe"},
]

SCALES: list[dict[str, Any]] = [
    {
        "key": CHECKLIST_KEY,
        "name": "Benzodiazepine withdrawal symptom checklist (unvalidated)",
        "abbreviation": "Symptom checklist",
        "version": "1",
        "validated": False,
        "citation": (
            "NHS Scotland Right Decisions, Benzodiazepines and z-drugs quality prescribing: a guide for "
            "improvement, 'Discontinuation/withdrawal symptoms', list 'Acute symptoms' (items 1-6: "
            "'Most commonly anxiety' and its list; items 7-12: 'Others specific to B-Zs')."
        ),
        "source_url": (
            "https://rightdecisions.scot.nhs.uk/benzodiazepines-and-z-drugs-quality-prescribing-a-guide-"
            "for-improvement/reducing-stopping-and-switching/discontinuationwithdrawal-symptoms"
        ),
        "licence_note": (
            "The symptom wording is quoted from NHS Scotland guidance with its source named. This is not "
            "a validated instrument: the 0-3 rating of each item is this app's generic severity rating, "
            "not part of the source, and the total has no validated bands. Compare totals only with the "
            "same patient's earlier check-ins."
        ),
        "items": [
            # Item 1 is the source's lead line "Most commonly anxiety".
            "Anxiety",
            "Panic attacks, agoraphobia",
            "Insomnia, nightmares",
            "Depression",
            "Poor memory, loss of concentration",
            "Tremor, sweating, palpitations",
            "Perceptual distortions, depersonalisation",
            "Tingling and loss of sensation, formication (a feeling of ants crawling all over the skin)",
            "Sensory hypersensitivity",
            "Muscle twitches and fasciculations (flickering or writhing muscles)",
            "Hallucinations (visual and auditory - rare and usually with rapid withdrawal from high doses)",
            "Psychotic symptoms, confusion, convulsions (rare and usually with rapid withdrawal from high doses)",
        ],
        "bands": [],
    },
]


def load_scales(
    *,
    scale_model: Any,
    item_model: Any,
    band_model: Any,
    on_created: Callable[[Any], None] = lambda record: None,
) -> None:
    """Add the shipped scales that are missing; a scale an administrator changed is left alone."""
    for data in SCALES:
        if scale_model.objects.filter(key=data["key"]).exists():
            continue
        scale = scale_model.objects.create(
            key=data["key"],
            name=data["name"],
            abbreviation=data["abbreviation"],
            version=data["version"],
            validated=data["validated"],
            citation=data["citation"],
            source_url=data["source_url"],
            licence_note=data["licence_note"],
        )
        on_created(scale)
        for order, text in enumerate(data["items"], start=1):
            item = item_model.objects.create(
                scale=scale,
                order=order,
                text=text,
                min_score=GENERIC_ANCHORS[0]["score"],
                max_score=GENERIC_ANCHORS[-1]["score"],
                anchors=GENERIC_ANCHORS,
            )
            on_created(item)
        for band in data["bands"]:
            on_created(band_model.objects.create(scale=scale, **band))
