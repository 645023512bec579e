"""What the patient's take-home schedule says about withdrawal and when to seek help, with its sources.

Every sentence below restates a cited source in plain words; nothing here is the project's own
clinical advice. The sources are printed on the schedule under "Where this advice comes from".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    key: str
    citation: str
    url: str
    short: str = ""  # the source named in a few words, where a page has no room for the citation


SOURCES: tuple[Source, ...] = (
    Source(
        "jcpg",
        "Joint Clinical Practice Guideline on Benzodiazepine Tapering (ASAM and nine societies), "
        "J Gen Intern Med 2025, doi:10.1007/s11606-025-09499-2: key takeaways and Recommendation 2",
        "https://doi.org/10.1007/s11606-025-09499-2",
        short="Joint Clinical Practice Guideline on Benzodiazepine Tapering, 2025",
    ),
    Source(
        "ashton",
        "Ashton CH. Benzodiazepines: How They Work and How to Withdraw (the Ashton Manual), "
        "revised 2002, chapter III, table of withdrawal symptoms",
        "https://www.benzo.org.uk/manual/",
        short="The Ashton Manual, 2002",
    ),
    Source(
        "cks",
        "NICE Clinical Knowledge Summaries, Benzodiazepine and z-drug withdrawal: abrupt withdrawal "
        "can cause confusion and convulsions; stopping avoids interactions with alcohol and other "
        "sedating drugs",
        "https://cks.nice.org.uk/topics/benzodiazepine-z-drug-withdrawal/",
        short="NICE CKS, Benzodiazepine and z-drug withdrawal",
    ),
    Source(
        "beyondblue",
        "Beyond Blue (Australia), Benzodiazepines: how to come off benzodiazepines: do not stop "
        "suddenly, a withdrawal seizure or fit is possible",
        "https://www.beyondblue.org.au/mental-health/anxiety/treatments-for-anxiety/medical-treatments-for-anxiety/benzodiazepines",
        short="Beyond Blue, Benzodiazepines",
    ),
    Source(
        "fda",
        "US FDA boxed warning for benzodiazepines (2020), e.g. diazepam tablets label: use with "
        "opioids may cause profound sedation, slowed breathing, coma and death",
        "https://api.fda.gov/drug/label.json?search=set_id:ec433be5-d84d-425f-9edf-71263f885eec",
        short="US FDA boxed warning for benzodiazepines, 2020",
    ),
    Source(
        "scot",
        "NHS Scotland, Benzodiazepines and z-drugs: quality prescribing, a guide for improvement "
        "2024-2027, Reducing, stopping and switching: assess suitability: agreed and tailored dose "
        "reductions are planned and regularly reviewed",
        "https://rightdecisions.scot.nhs.uk/benzodiazepines-and-z-drugs-quality-prescribing-a-guide-for-improvement/reducing-stopping-and-switching/assess-suitability",
        short="NHS Scotland, quality prescribing guide 2024-2027",
    ),
)


@dataclass(frozen=True)
class AdviceItem:
    text: str
    sources: tuple[str, ...]


# Each text is written in short sentences of everyday words, for a reading age a patient can manage
# (Flesch-Kincaid grade 6 or lower: tests/printing/test_accessible_pdf.py measures it).

# Withdrawal symptoms people may notice, from the Ashton Manual's table (in everyday words).
EXPECTED_SYMPTOMS = AdviceItem(
    "As your dose goes down, you may notice some of these. They are most often mild, and they pass. "
    "You may sleep badly or have bad dreams. You may feel more anxious, jumpy or restless. Your "
    "muscles may ache or feel stiff. You may feel tingling, numb or dizzy. Light, sound or touch may "
    "seem too strong. Your stomach may be upset.",
    ("ashton",),
)

IF_SEVERE = AdviceItem(
    "Never stop your tablets all at once. Never take more than your schedule says. If you feel much "
    "worse, keep taking the dose you are on and call the clinic. Your plan can be slowed down or "
    "paused.",
    ("jcpg", "beyondblue"),
)

EMERGENCY = AdviceItem(
    "A fit (seizure) or sudden confusion is an emergency. Call an ambulance straight away.",
    ("cks", "beyondblue"),
)

NO_ALCOHOL = AdviceItem(
    "Do not drink alcohol. Do not take other medicines that make you sleepy unless the clinic knows, "
    "such as strong painkillers or sleeping tablets. Together they can slow your breathing so much "
    "that your life is at risk.",
    ("fda", "cks"),
)

ALL_ADVICE: tuple[AdviceItem, ...] = (EXPECTED_SYMPTOMS, IF_SEVERE, EMERGENCY, NO_ALCOHOL)

# The options sheet (issue 17): the plan is agreed with the patient and can change later.
CHOOSING = AdviceItem(
    "You and your clinic choose your plan together. Take this sheet home and think it over. Ask "
    "about anything that is not clear. Once you start, your plan can still be slowed down or paused.",
    ("scot", "jcpg"),
)
OPTIONS_ADVICE: tuple[AdviceItem, ...] = (CHOOSING, EXPECTED_SYMPTOMS, IF_SEVERE, EMERGENCY)


def sources_for(items: tuple[AdviceItem, ...] = ALL_ADVICE) -> list[tuple[int, Source]]:
    """The sources the items cite, numbered in the order they are first cited."""
    keys: list[str] = []
    for item in items:
        keys.extend(key for key in item.sources if key not in keys)
    by_key = {source.key: source for source in SOURCES}
    return [(number, by_key[key]) for number, key in enumerate(keys, start=1)]


def source_numbers(item: AdviceItem, items: tuple[AdviceItem, ...] = ALL_ADVICE) -> str:
    """'[1, 2]': the numbers of the sources ``item`` cites, as ``sources_for`` numbers them."""
    numbers = {source.key: number for number, source in sources_for(items)}
    return "[" + ", ".join(str(numbers[key]) for key in item.sources) + "]"
